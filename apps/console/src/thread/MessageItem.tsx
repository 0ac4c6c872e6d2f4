import { ActionIcon, Anchor, Badge, Box, Group, Menu, Paper, Text } from '@mantine/core';
import type { DeliveryState, Message } from '@desk/contracts';
import { memo, useState } from 'react';
import { ChannelMark } from '../lib/channels';
import { formatDateTime } from '../lib/time';
import classes from './MessageItem.module.css';
import { SplitMessageModal } from './ThreadMoveModals';

const DELIVERY_COLOR: Record<DeliveryState, string> = {
  received: 'gray',
  queued: 'gray',
  sending: 'blue',
  sent: 'teal',
  delivered: 'green',
  failed: 'red',
};

// Remote content (tracking pixels, fonts) stays blocked even inside the sandbox.
const HTML_CSP =
  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'\">";

/**
 * Customer HTML is only ever shown inside a sandboxed iframe: `sandbox=""` denies scripts, forms,
 * same-origin access and navigation. Everything else in a message is rendered as React text.
 */
export function SandboxedHtml({ html, title }: { html: string; title: string }) {
  return (
    <iframe
      title={title}
      sandbox=""
      referrerPolicy="no-referrer"
      srcDoc={HTML_CSP + html}
      className={classes.htmlFrame}
      data-testid="message-html"
    />
  );
}

function authorName(m: Message): string {
  if (m.author.name) return m.author.name;
  if (m.author.kind === 'system') return 'System';
  return m.direction === 'inbound' ? 'Customer' : 'Agent';
}

export const MessageItem = memo(function MessageItem({ message }: { message: Message }) {
  const [showQuoted, setShowQuoted] = useState(false);
  const [showHtml, setShowHtml] = useState(false);
  const [splitting, setSplitting] = useState(false);
  const hasQuoted = message.visibleText !== null && message.visibleText.trim() !== message.bodyText.trim();
  const text = showQuoted || message.visibleText === null ? message.bodyText : message.visibleText;

  return (
    <Box className={classes.wrap} data-direction={message.direction}>
      <Paper
        className={classes.bubble}
        data-direction={message.direction}
        data-testid="message"
        data-message-id={message.id}
        withBorder
        p="sm"
      >
        <Group gap={6} mb={4} wrap="nowrap">
          <ChannelMark channel={message.channel} />
          <Text size="sm" fw={600} truncate>
            {authorName(message)}
          </Text>
          {message.direction === 'note' && (
            <Badge size="xs" color="yellow" variant="filled">
              internal note
            </Badge>
          )}
          {message.isAutomatic && (
            <Badge size="xs" color="gray" variant="outline">
              automatic
            </Badge>
          )}
          <Text size="xs" c="dimmed" ml="auto" style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(message.createdAt)}
          </Text>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Message actions" data-testid="message-actions">
                ⋯
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => setSplitting(true)} data-testid="message-split">
                Move to new thread
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
        {message.subject && (
          <Text size="sm" fw={500} mb={4}>
            {message.subject}
          </Text>
        )}
        <Text size="sm" className={classes.body} data-testid="message-text">
          {text}
        </Text>
        {message.attachments.length > 0 && (
          <Group gap={4} mt={6}>
            {message.attachments.map((a) => (
              <Badge
                key={a.id}
                component="a"
                href={`/api/attachments/${encodeURIComponent(a.id)}`}
                download={a.filename}
                variant="outline"
                color="gray"
                size="sm"
                tt="none"
                style={{ cursor: 'pointer' }}
                data-testid="message-attachment"
              >
                📎 {a.filename}
              </Badge>
            ))}
          </Group>
        )}
        {showHtml && message.bodyHtml && <SandboxedHtml html={message.bodyHtml} title={`Message from ${authorName(message)}`} />}
        <Group gap="sm" mt={6}>
          {hasQuoted && (
            <Anchor component="button" type="button" size="xs" onClick={() => setShowQuoted((v) => !v)} data-testid="toggle-quoted">
              {showQuoted ? 'Hide quoted history' : 'Show quoted history'}
            </Anchor>
          )}
          {message.bodyHtml && (
            <Anchor component="button" type="button" size="xs" onClick={() => setShowHtml((v) => !v)} data-testid="toggle-html">
              {showHtml ? 'Hide original formatting' : 'Show original formatting'}
            </Anchor>
          )}
          {message.direction !== 'inbound' && (
            <Badge
              size="xs"
              variant="light"
              color={DELIVERY_COLOR[message.deliveryState]}
              ml="auto"
              data-testid="delivery-state"
              title={message.deliveryError ?? undefined}
            >
              {message.deliveryState}
            </Badge>
          )}
        </Group>
        {message.deliveryState === 'failed' && message.deliveryError && (
          <Text size="xs" c="red" mt={4}>
            {message.deliveryError}
          </Text>
        )}
      </Paper>
      {splitting && <SplitMessageModal message={message} onClose={() => setSplitting(false)} />}
    </Box>
  );
});
