import { Badge, Tooltip } from '@mantine/core';
import type { ChannelKind, IdentityKind } from '@desk/contracts';

// Display data only: how each channel looks in the console.
const CHANNEL_LOOK: Record<ChannelKind, { label: string; short: string; color: string }> = {
  email: { label: 'Email', short: '@', color: 'blue' },
  webform: { label: 'Web form', short: 'WF', color: 'teal' },
  x: { label: 'X', short: 'X', color: 'dark' },
  facebook: { label: 'Facebook', short: 'FB', color: 'indigo' },
  instagram: { label: 'Instagram', short: 'IG', color: 'pink' },
};

export const CHANNELS = Object.keys(CHANNEL_LOOK) as ChannelKind[];

export function channelLabel(kind: ChannelKind | IdentityKind): string {
  return CHANNEL_LOOK[kind].label;
}

export function ChannelMark({ channel }: { channel: ChannelKind | IdentityKind }) {
  const look = CHANNEL_LOOK[channel];
  return (
    <Tooltip label={look.label} withinPortal>
      <Badge
        variant="light"
        color={look.color}
        size="sm"
        radius="sm"
        w={34}
        px={0}
        aria-label={`channel ${look.label}`}
        data-testid="channel-mark"
        data-channel={channel}
      >
        {look.short}
      </Badge>
    </Tooltip>
  );
}
