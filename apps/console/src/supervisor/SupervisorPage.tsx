import { Alert, Badge, Box, Button, Checkbox, Group, Loader, Modal, SegmentedControl, NativeSelect, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { AgentLoad, StalledReason, StalledSort, StalledThread } from '@desk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate } from 'react-router-dom';
import { api } from '../api/endpoints';
import { useMe } from '../api/hooks';
import { keys } from '../api/keys';
import { ChannelMark } from '../lib/channels';
import { formatDuration } from '../lib/time';
import { ModalActions, ReasonField } from '../lib/forms';

const REASON_LABEL: Record<StalledReason, string> = {
  no_agent_activity: 'No agent activity',
  assignee_away: 'Assignee away',
  assignee_offline: 'Assignee offline',
};
const SLA_COLOR = { on_track: 'gray', at_risk: 'orange', breached: 'red' } as const;
const AVAILABILITY_COLOR = { online: 'green', away: 'yellow', offline: 'gray' } as const;
const UNASSIGN = '__queue__';

/** Live: the realtime layer invalidates ['supervisor'] on thread.updated and sla.* events. */
export default function SupervisorPage() {
  const me = useMe().data;
  if (me && me.role === 'agent') return <Navigate to="/inbox/mine" replace />;
  return <Supervisor />;
}

function Supervisor() {
  const [sort, setSort] = useState<StalledSort>('age');
  const stalled = useQuery({ queryKey: keys.stalled(sort), queryFn: ({ signal }) => api.stalled(sort, signal), refetchInterval: 60_000 });
  const agents = useQuery({ queryKey: keys.agentsLoad, queryFn: ({ signal }) => api.agentsLoad(signal), refetchInterval: 60_000 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState(false);

  const items = stalled.data?.items ?? [];
  const breached = items.filter((s) => s.sla?.state === 'breached').length;
  const atRisk = items.filter((s) => s.sla?.state === 'at_risk').length;
  const visibleSelected = items.filter((s) => selected.has(s.thread.id)).map((s) => s.thread.id);
  const allChecked = items.length > 0 && visibleSelected.length === items.length;

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Stack p="md" gap="md" data-testid="supervisor-page" style={{ overflowY: 'auto' }}>
      <Group justify="space-between">
        <Title order={3}>Supervisor</Title>
        <Group gap="xs">
          <Badge color="red" size="lg" variant="light" data-testid="breached-count">
            {breached} breached
          </Badge>
          <Badge color="orange" size="lg" variant="light" data-testid="at-risk-count">
            {atRisk} at risk
          </Badge>
          <Badge color="gray" size="lg" variant="light" data-testid="stalled-count">
            {items.length} stalled
          </Badge>
        </Group>
      </Group>

      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>Stalled threads</Title>
          <Group gap="xs">
            <SegmentedControl
              size="xs"
              value={sort}
              onChange={(v) => setSort(v as StalledSort)}
              data={[
                { value: 'age', label: 'Oldest' },
                { value: 'sla', label: 'SLA due' },
                { value: 'agent', label: 'Agent' },
              ]}
              data-testid="stalled-sort"
            />
            <Button size="xs" disabled={visibleSelected.length === 0} onClick={() => setDialog(true)} data-testid="bulk-reassign">
              Reassign {visibleSelected.length > 0 ? `(${visibleSelected.length})` : ''}
            </Button>
          </Group>
        </Group>
        {stalled.isPending && <Loader size="sm" />}
        {stalled.isError && <Alert color="red">{stalled.error.message}</Alert>}
        {stalled.isSuccess && items.length === 0 && (
          <Text c="dimmed" size="sm" data-testid="stalled-empty">
            Nothing is stalled.
          </Text>
        )}
        {items.length > 0 && (
          <Table striped highlightOnHover data-testid="stalled-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={32}>
                  <Checkbox
                    aria-label="Select all"
                    checked={allChecked}
                    indeterminate={visibleSelected.length > 0 && !allChecked}
                    onChange={() => setSelected(allChecked ? new Set() : new Set(items.map((s) => s.thread.id)))}
                  />
                </Table.Th>
                <Table.Th>Thread</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Waiting</Table.Th>
                <Table.Th>SLA</Table.Th>
                <Table.Th>Assignee</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <StalledRow key={s.thread.id} s={s} checked={selected.has(s.thread.id)} onToggle={() => toggle(s.thread.id)} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>

      <Stack gap="xs">
        <Title order={5}>Agents</Title>
        {agents.isPending && <Loader size="sm" />}
        {agents.isError && <Alert color="red">{agents.error.message}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {agents.data?.items.map((a) => <AgentCard key={a.id} a={a} />)}
        </SimpleGrid>
      </Stack>

      <ReassignDialog
        opened={dialog}
        threadIds={visibleSelected}
        agents={agents.data?.items ?? []}
        onClose={() => setDialog(false)}
        onDone={() => {
          setDialog(false);
          setSelected(new Set());
        }}
      />
    </Stack>
  );
}

function StalledRow({ s, checked, onToggle }: { s: StalledThread; checked: boolean; onToggle: () => void }) {
  return (
    <Table.Tr data-testid="stalled-row" data-thread-id={s.thread.id}>
      <Table.Td>
        <Checkbox aria-label={`Select #${s.thread.number}`} checked={checked} onChange={onToggle} data-testid="stalled-select" />
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <ChannelMark channel={s.thread.channel} />
          <Text size="sm" component={Link} to={`/threads/${s.thread.id}`} lineClamp={1}>
            #{s.thread.number} {s.thread.subject ?? s.thread.preview ?? ''}
          </Text>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={s.reasons.map((r) => REASON_LABEL[r]).join(', ')}>
          {REASON_LABEL[s.reason]}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDuration(s.ageSeconds * 1000)}</Text>
      </Table.Td>
      <Table.Td>
        {s.sla ? (
          <Badge size="sm" variant="light" color={SLA_COLOR[s.sla.state]} data-testid="stalled-sla">
            {s.sla.state.replace('_', ' ')}
          </Badge>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{s.thread.assignee?.name ?? 'Unassigned'}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

function AgentCard({ a }: { a: AgentLoad }) {
  const full = a.capacity > 0 && a.openAssigned >= a.capacity;
  return (
    <Box p="sm" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 6 }} data-testid="agent-load">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600} size="sm" truncate>
          {a.name}
        </Text>
        <Badge size="xs" color={AVAILABILITY_COLOR[a.availability]} variant="light">
          {a.availability}
        </Badge>
      </Group>
      <Text size="sm" c={full ? 'red' : undefined}>
        {a.openAssigned} / {a.capacity} open
      </Text>
      {a.breached > 0 && (
        <Text size="xs" c="red">
          {a.breached} breached
        </Text>
      )}
    </Box>
  );
}

export function ReassignDialog({
  opened,
  threadIds,
  agents,
  onClose,
  onDone,
}: {
  opened: boolean;
  threadIds: string[];
  agents: AgentLoad[];
  onClose: () => void;
  onDone: () => void;
}) {
  const qc = useQueryClient();
  const [assignee, setAssignee] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const reasonMissing = reason.trim().length === 0;

  const reassign = useMutation({
    mutationFn: () => api.reassign({ threadIds, assigneeId: assignee === UNASSIGN ? null : assignee, reason: reason.trim() }),
    onSuccess: (r) => {
      notifications.show({
        color: r.failed.length ? 'orange' : 'green',
        message: `${r.updated.length} reassigned${r.failed.length ? `, ${r.failed.length} failed: ${r.failed.map((f) => f.message).join('; ')}` : ''}`,
      });
      void qc.invalidateQueries({ queryKey: keys.supervisor });
      void qc.invalidateQueries({ queryKey: keys.threadLists });
      setReason('');
      setAssignee(null);
      setTouched(false);
      onDone();
    },
  });

  const submit = () => {
    setTouched(true);
    if (reasonMissing || !assignee) return;
    reassign.mutate();
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Reassign ${threadIds.length} thread${threadIds.length === 1 ? '' : 's'}`}>
      <Stack gap="sm" data-testid="reassign-dialog">
        <NativeSelect
          label="New assignee"
          data={[
            { value: '', label: 'Pick an agent…' },
            { value: UNASSIGN, label: 'Back to the queue (unassigned)' },
            ...agents.map((a) => ({ value: a.id, label: `${a.name} — ${a.availability}, ${a.openAssigned}/${a.capacity}` })),
          ]}
          value={assignee ?? ''}
          onChange={(e) => setAssignee(e.currentTarget.value || null)}
          error={touched && !assignee ? 'Pick an agent' : undefined}
          data-testid="reassign-agent"
        />
        <ReasonField
          description="Recorded in each thread's audit trail"
          required
          value={reason}
          onChange={setReason}
          error={touched && reasonMissing ? 'A reason is required' : undefined}
          testId="reassign-reason"
        />
        {reassign.isError && <Alert color="red">{reassign.error.message}</Alert>}
        <ModalActions onCancel={onClose} label="Reassign" onSubmit={submit} loading={reassign.isPending} testId="reassign-submit" />
      </Stack>
    </Modal>
  );
}
