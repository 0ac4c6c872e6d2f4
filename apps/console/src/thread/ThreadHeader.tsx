import { ActionIcon, Alert, Anchor, Badge, Group, Menu, Select, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Priority, ThreadStatus, type ThreadDetail, type UpdateThreadRequest } from '@desk/contracts';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useAgents, useUpdateThread } from '../api/hooks';
import { ChannelMark } from '../lib/channels';
import { slaState, useNow } from '../lib/time';
import { MergeThreadModal } from './ThreadMoveModals';

const STATUS_DATA = ThreadStatus.options.map((s) => ({ value: s, label: s }));
const PRIORITY_DATA = Priority.options.map((p) => ({ value: p, label: p }));
const UNASSIGNED = '__unassigned__';

export function ThreadHeader({ thread, viewers }: { thread: ThreadDetail; viewers: { agentId: string; name: string; typing: boolean }[] }) {
  const update = useUpdateThread(thread.id);
  const agents = useAgents();
  const now = useNow();
  const sla = slaState(thread.slaDueAt, now);
  const [merging, setMerging] = useState(false);
  const mergedInto = thread.mergedIntoThreadId ?? null;

  const change = (body: UpdateThreadRequest) =>
    update.mutate(body, {
      onError: (e) => notifications.show({ color: 'red', title: 'Update failed', message: e.message }),
    });

  const agentData = [
    { value: UNASSIGNED, label: 'Unassigned' },
    ...(agents.data ?? []).filter((a) => a.isActive).map((a) => ({ value: a.id, label: a.name })),
  ];
  if (thread.assignee && !agentData.some((a) => a.value === thread.assignee?.id)) {
    agentData.push({ value: thread.assignee.id, label: thread.assignee.name });
  }

  return (
    <>
      <Group px="md" py="sm" justify="space-between" wrap="wrap" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid="thread-header">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <ChannelMark channel={thread.channel} />
          <Text c="dimmed" fw={600} data-testid="thread-number">
            #{thread.number}
          </Text>
          <Title order={4} lineClamp={1} data-testid="thread-subject">
            {thread.subject ?? thread.preview ?? '(no subject)'}
          </Title>
          {sla && (
            <Badge color={sla.overdue ? 'red' : sla.soon ? 'orange' : 'gray'} variant="light" data-testid="thread-sla">
              SLA {sla.label}
            </Badge>
          )}
          {viewers.length > 0 && (
            <Tooltip label={viewers.map((v) => `${v.name}${v.typing ? ' (typing…)' : ''}`).join(', ')}>
              <Badge variant="outline" color="grape" data-testid="thread-viewers">
                {viewers.length} viewing
              </Badge>
            </Tooltip>
          )}
        </Group>
        <Group gap="xs">
          <Select
            aria-label="Status"
            size="xs"
            w={120}
            data={STATUS_DATA}
            value={thread.status}
            allowDeselect={false}
            disabled={update.isPending}
            onChange={(v) => {
              const s = ThreadStatus.safeParse(v);
              if (s.success && s.data !== thread.status) change({ status: s.data });
            }}
            data-testid="thread-status"
          />
          <Select
            aria-label="Priority"
            size="xs"
            w={110}
            data={PRIORITY_DATA}
            value={thread.priority}
            allowDeselect={false}
            disabled={update.isPending}
            onChange={(v) => {
              const p = Priority.safeParse(v);
              if (p.success && p.data !== thread.priority) change({ priority: p.data });
            }}
            data-testid="thread-priority"
          />
          <Select
            aria-label="Assignee"
            size="xs"
            w={170}
            searchable
            data={agentData}
            value={thread.assignee?.id ?? UNASSIGNED}
            allowDeselect={false}
            disabled={update.isPending}
            onChange={(v) => {
              const assigneeId = !v || v === UNASSIGNED ? null : v;
              if (assigneeId !== (thread.assignee?.id ?? null)) change({ assigneeId });
            }}
            data-testid="thread-assignee"
          />
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label="Thread actions" data-testid="thread-actions">
                ⋯
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => setMerging(true)} disabled={mergedInto !== null} data-testid="thread-merge">
                Merge into…
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>
      {mergedInto && (
        <Alert color="blue" radius={0} py="xs" data-testid="thread-merged-into">
          Merged into{' '}
          <Anchor component={Link} to={`/threads/${mergedInto}`} data-testid="thread-merged-into-link">
            #{thread.mergedIntoThreadNumber ?? '…'}
          </Anchor>
          : its messages and the customer&apos;s replies are there.
        </Alert>
      )}
      {merging && <MergeThreadModal thread={thread} onClose={() => setMerging(false)} />}
    </>
  );
}
