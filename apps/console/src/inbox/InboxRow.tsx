import { Badge, Box, Group, Text } from '@mantine/core';
import type { ThreadSummary } from '@desk/contracts';
import { forwardRef } from 'react';
import { ChannelMark } from '../lib/channels';
import { slaState, waitingFor } from '../lib/time';
import classes from './InboxRow.module.css';

const PRIORITY_COLOR = { low: 'gray', normal: 'blue', high: 'orange', urgent: 'red' } as const;

interface Props {
  thread: ThreadSummary;
  selected: boolean;
  now: number;
  onOpen: (id: string) => void;
  onSelect: (id: string) => void;
}

export const InboxRow = forwardRef<HTMLDivElement, Props>(function InboxRow({ thread, selected, now, onOpen, onSelect }, ref) {
  const sla = slaState(thread.slaDueAt, now);
  const waiting = waitingFor(thread, now);
  const customer = thread.contact.name ?? thread.contact.primaryEmail ?? 'Unknown customer';
  return (
    <Box
      ref={ref}
      role="option"
      aria-selected={selected}
      data-testid="inbox-row"
      data-thread-id={thread.id}
      data-selected={selected || undefined}
      className={classes.row}
      onClick={() => {
        onSelect(thread.id);
        onOpen(thread.id);
      }}
    >
      <ChannelMark channel={thread.channel} />
      <Box className={classes.main}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={600} truncate data-testid="row-customer">
            {customer}
          </Text>
          <Text size="xs" c="dimmed">
            #{thread.number}
          </Text>
          {thread.priority !== 'normal' && (
            <Badge size="xs" variant="light" color={PRIORITY_COLOR[thread.priority]}>
              {thread.priority}
            </Badge>
          )}
          {thread.status !== 'open' && (
            <Badge size="xs" variant="outline" color="gray">
              {thread.status}
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed" truncate data-testid="row-subject">
          {thread.subject ?? thread.preview ?? '(no subject)'}
        </Text>
      </Box>
      <Box className={classes.meta}>
        <Text size="xs" c="dimmed" data-testid="row-waiting" title="Customer waiting">
          {waiting ? `waiting ${waiting}` : ''}
        </Text>
        {sla ? (
          <Text
            size="xs"
            fw={600}
            c={sla.overdue ? 'red' : sla.soon ? 'orange' : 'dimmed'}
            data-testid="row-sla"
            data-overdue={sla.overdue}
            title={`SLA due ${new Date(thread.slaDueAt ?? '').toLocaleString()}`}
          >
            SLA {sla.label}
          </Text>
        ) : (
          <Text size="xs" c="dimmed" data-testid="row-sla">
            —
          </Text>
        )}
        <Text size="xs" truncate maw={140} data-testid="row-assignee">
          {thread.assignee?.name ?? 'Unassigned'}
        </Text>
      </Box>
    </Box>
  );
});
