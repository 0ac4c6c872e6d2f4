import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ChannelKind, Priority, SlaPolicyInput, type SlaPolicyDto } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { channelLabel } from '../lib/channels';
import { DurationInput } from './DurationInput';
import {
  fieldErrorsOf,
  fieldErrorsOfZod,
  formatMinutes,
  unplacedErrors,
  useInboxes,
  useSlaCalendars,
  useSlaPolicies,
  useTeams,
  type FieldErrors,
} from './queries';

type EscalationAction = SlaPolicyDto['escalation'][number]['action'];

const ESCALATION_ACTIONS: Array<{ value: EscalationAction; label: string }> = [
  { value: 'notify_assignee', label: 'Notify the assignee' },
  { value: 'reassign_least_loaded', label: 'Reassign to the least loaded agent' },
  { value: 'raise_priority', label: 'Raise the priority' },
  { value: 'email_supervisors', label: 'Email the supervisors' },
];
const actionLabel = (a: EscalationAction) => ESCALATION_ACTIONS.find((x) => x.value === a)?.label ?? a;

/** Admins: SLA policies in match order (the first active policy whose conditions match wins). */
export default function SlaPolicies() {
  const qc = useQueryClient();
  const policies = useSlaPolicies();
  const calendars = useSlaCalendars();
  const inboxes = useInboxes();
  const teams = useTeams();
  const [editing, setEditing] = useState<SlaPolicyDto | 'new' | null>(null);
  const [deleting, setDeleting] = useState<SlaPolicyDto | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteSlaPolicy(id),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: keys.slaPolicies });
      notifications.show({ color: 'green', message: 'Policy deleted' });
    },
  });

  const calendarName = (id: string | null) => (id ? (calendars.data?.find((c) => c.id === id)?.name ?? 'unknown calendar') : '24/7');
  const inboxName = (id: string) => inboxes.data?.find((i) => i.id === id)?.name ?? id.slice(0, 8);
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? id.slice(0, 8);

  return (
    <Stack gap="sm" data-testid="sla-policies">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Policies are tried in match order (lowest first); the first active one whose conditions all match a thread sets its
          targets. A policy without conditions matches every thread. Targets count business time of the policy&apos;s calendar.
        </Text>
        <Button onClick={() => setEditing('new')} data-testid="policy-new">
          New policy
        </Button>
      </Group>
      {policies.isPending && <Loader size="sm" />}
      {policies.isError && <Alert color="red">{policies.error.message}</Alert>}
      {policies.isSuccess && policies.data.length === 0 && (
        <Text size="sm" c="dimmed">
          No policies: no thread gets an SLA deadline.
        </Text>
      )}
      {policies.data && policies.data.length > 0 && (
        <Table data-testid="policies-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Order</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Conditions</Table.Th>
              <Table.Th>First / next response</Table.Th>
              <Table.Th>Resolution</Table.Th>
              <Table.Th>Calendar</Table.Th>
              <Table.Th>Warn at</Table.Th>
              <Table.Th>Escalation</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {policies.data.map((p) => (
              <Table.Tr key={p.id} data-testid="policy-row" style={{ opacity: p.isActive ? 1 : 0.5 }}>
                <Table.Td>{p.position}</Table.Td>
                <Table.Td>
                  {p.name}
                  {!p.isActive && (
                    <Badge ml={4} size="xs" color="gray">
                      inactive
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Conditions policy={p} inboxName={inboxName} teamName={teamName} />
                </Table.Td>
                <Table.Td>
                  {formatMinutes(p.firstResponseMinutes)} / {formatMinutes(p.nextResponseMinutes)}
                </Table.Td>
                <Table.Td>{formatMinutes(p.resolutionMinutes)}</Table.Td>
                <Table.Td>{calendarName(p.calendarId)}</Table.Td>
                <Table.Td>{p.warningPercent}%</Table.Td>
                <Table.Td>
                  {p.escalation.length === 0
                    ? '—'
                    : p.escalation.map((s, i) => (
                        <Text key={i} size="xs">
                          +{formatMinutes(s.afterMinutes)}: {actionLabel(s.action)}
                        </Text>
                      ))}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => setEditing(p)} data-testid="policy-edit">
                      Edit
                    </Button>
                    <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(p)} data-testid="policy-delete">
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New SLA policy' : 'Edit SLA policy'} size="xl">
        {editing !== null && <PolicyForm policy={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete policy">
        {deleting && (
          <Stack gap="sm">
            <Text size="sm">
              Delete “{deleting.name}”? Threads with a running clock under it keep it: the server refuses, and the policy can be made
              inactive instead.
            </Text>
            {remove.isError && <Alert color="red">{remove.error.message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(null)}>
                Cancel
              </Button>
              <Button color="red" onClick={() => remove.mutate(deleting.id)} loading={remove.isPending} data-testid="policy-delete-confirm">
                Delete
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function Conditions({ policy, inboxName, teamName }: { policy: SlaPolicyDto; inboxName: (id: string) => string; teamName: (id: string) => string }) {
  const c = policy.conditions;
  const parts: string[] = [];
  if (c.channels?.length) parts.push(`channel: ${c.channels.map((x) => (ChannelKind.safeParse(x).success ? channelLabel(x as ChannelKind) : x)).join(', ')}`);
  if (c.inboxIds?.length) parts.push(`inbox: ${c.inboxIds.map(inboxName).join(', ')}`);
  if (c.priorities?.length) parts.push(`priority: ${c.priorities.join(', ')}`);
  if (c.teamIds?.length) parts.push(`team: ${c.teamIds.map(teamName).join(', ')}`);
  if (c.contactTags?.length) parts.push(`contact tag: ${c.contactTags.join(', ')}`);
  if (c.raisePriorityOnRepeat) parts.push('raises priority for repeat contacts');
  if (parts.length === 0) return <Text size="xs">every thread</Text>;
  return (
    <Stack gap={0}>
      {parts.map((p) => (
        <Text key={p} size="xs">
          {p}
        </Text>
      ))}
    </Stack>
  );
}

interface FormState {
  name: string;
  position: number | '';
  channels: string[];
  inboxIds: string[];
  priorities: string[];
  teamIds: string[];
  contactTags: string[];
  raisePriorityOnRepeat: boolean;
  firstResponseMinutes: number | '';
  nextResponseMinutes: number | '';
  resolutionMinutes: number | '';
  warningPercent: number | '';
  pauseWhenPending: boolean;
  pauseWhenSnoozed: boolean;
  stallMinutes: number | '';
  autoReassignAfterMinutes: number | '';
  escalation: Array<{ afterMinutes: number | ''; action: EscalationAction }>;
  calendarId: string;
  isActive: boolean;
}

function initialState(p: SlaPolicyDto | null): FormState {
  return {
    name: p?.name ?? '',
    position: p?.position ?? 0,
    channels: p?.conditions.channels ?? [],
    inboxIds: p?.conditions.inboxIds ?? [],
    priorities: p?.conditions.priorities ?? [],
    teamIds: p?.conditions.teamIds ?? [],
    contactTags: p?.conditions.contactTags ?? [],
    raisePriorityOnRepeat: p?.conditions.raisePriorityOnRepeat ?? false,
    firstResponseMinutes: p?.firstResponseMinutes ?? '',
    nextResponseMinutes: p?.nextResponseMinutes ?? '',
    resolutionMinutes: p?.resolutionMinutes ?? '',
    warningPercent: p?.warningPercent ?? 75,
    pauseWhenPending: p?.pauseWhenPending ?? true,
    pauseWhenSnoozed: p?.pauseWhenSnoozed ?? true,
    stallMinutes: p?.stallMinutes ?? 240,
    autoReassignAfterMinutes: p?.autoReassignAfterMinutes ?? '',
    escalation: p?.escalation ?? [],
    calendarId: p?.calendarId ?? '',
    isActive: p?.isActive ?? true,
  };
}

const num = (v: number | '') => (v === '' ? undefined : v);
const orNull = (v: number | '') => (v === '' ? null : v);
const list = (v: string[]) => (v.length ? v : undefined);

/** The request as the contracts schema reads it; empty condition lists are left out (they would match nothing). */
function toRaw(s: FormState): unknown {
  return {
    name: s.name,
    position: num(s.position),
    conditions: {
      channels: list(s.channels),
      inboxIds: list(s.inboxIds),
      priorities: list(s.priorities),
      teamIds: list(s.teamIds),
      contactTags: list(s.contactTags),
      raisePriorityOnRepeat: s.raisePriorityOnRepeat || undefined,
    },
    firstResponseMinutes: num(s.firstResponseMinutes),
    nextResponseMinutes: num(s.nextResponseMinutes),
    resolutionMinutes: orNull(s.resolutionMinutes),
    warningPercent: num(s.warningPercent),
    pauseWhenPending: s.pauseWhenPending,
    pauseWhenSnoozed: s.pauseWhenSnoozed,
    stallMinutes: num(s.stallMinutes),
    autoReassignAfterMinutes: orNull(s.autoReassignAfterMinutes),
    escalation: s.escalation.map((e) => ({ afterMinutes: num(e.afterMinutes), action: e.action })),
    calendarId: s.calendarId || null,
    isActive: s.isActive,
  };
}

const SHOWN_FIELDS = [
  'name',
  'position',
  'conditions',
  'firstResponseMinutes',
  'nextResponseMinutes',
  'resolutionMinutes',
  'warningPercent',
  'stallMinutes',
  'autoReassignAfterMinutes',
  'escalation',
  'calendarId',
] as const;

function PolicyForm({ policy, onDone }: { policy: SlaPolicyDto | null; onDone: () => void }) {
  const qc = useQueryClient();
  const calendars = useSlaCalendars();
  const inboxes = useInboxes();
  const teams = useTeams();
  const [s, setS] = useState<FormState>(() => initialState(policy));
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setS((prev) => ({ ...prev, [key]: value }));
  const save = useMutation({
    mutationFn: (body: SlaPolicyInput) => (policy ? api.updateSlaPolicy(policy.id, body) : api.createSlaPolicy(body)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.slaPolicies });
      notifications.show({ color: 'green', message: policy ? 'Policy saved' : 'Policy created' });
      onDone();
    },
    onError: (e) => setErrors(fieldErrorsOf(e)),
  });

  const submit = () => {
    // checked with the schema the server uses, so most mistakes are named before anything is sent
    const parsed = SlaPolicyInput.safeParse(toRaw(s));
    if (!parsed.success) {
      setErrors(fieldErrorsOfZod(parsed.error));
      return;
    }
    setErrors({});
    save.mutate(parsed.data);
  };

  const conditionError = (key: string) => errors[`conditions.${key}`] ?? Object.entries(errors).find(([p]) => p.startsWith(`conditions.${key}.`))?.[1];
  const unplaced = unplacedErrors(errors, SHOWN_FIELDS);
  if (errors.conditions) unplaced.push(`conditions: ${errors.conditions}`);
  if (errors.escalation) unplaced.push(`escalation: ${errors.escalation}`);
  const nonField = save.isError && Object.keys(fieldErrorsOf(save.error)).length === 0 ? save.error.message : null;

  return (
    <Stack gap="sm" data-testid="policy-form">
      <Group align="flex-start" grow>
        <TextInput label="Name" value={s.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} data-testid="policy-name" />
        <NumberInput
          label="Match order"
          description="Lower is tried first"
          value={s.position}
          onChange={(v) => set('position', typeof v === 'number' ? v : '')}
          min={0}
          allowDecimal={false}
          error={errors.position}
          data-testid="policy-position"
        />
        <NativeSelect
          label="Business calendar"
          description="Without one, targets count around the clock"
          data={[{ value: '', label: '24/7 (no calendar)' }, ...(calendars.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.timeZone})` }))]}
          value={s.calendarId}
          onChange={(e) => set('calendarId', e.currentTarget.value)}
          error={errors.calendarId}
          data-testid="policy-calendar"
        />
      </Group>

      <Title order={6}>Conditions (all must match; empty = any)</Title>
      <Group align="flex-start" grow>
        <MultiSelect
          label="Channels"
          data={ChannelKind.options.map((c) => ({ value: c, label: channelLabel(c) }))}
          value={s.channels}
          onChange={(v) => set('channels', v)}
          error={conditionError('channels')}
          clearable
        />
        <MultiSelect
          label="Inboxes"
          data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: i.name }))}
          value={s.inboxIds}
          onChange={(v) => set('inboxIds', v)}
          error={conditionError('inboxIds')}
          searchable
          clearable
        />
      </Group>
      <Group align="flex-start" grow>
        <MultiSelect
          label="Priorities"
          data={Priority.options}
          value={s.priorities}
          onChange={(v) => set('priorities', v)}
          error={conditionError('priorities')}
          clearable
        />
        <MultiSelect
          label="Teams"
          data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={s.teamIds}
          onChange={(v) => set('teamIds', v)}
          error={conditionError('teamIds')}
          clearable
        />
        <TagsInput label="Contact tags" value={s.contactTags} onChange={(v) => set('contactTags', v)} error={conditionError('contactTags')} clearable />
      </Group>
      <Switch
        label="Raise the priority of repeat contacts"
        checked={s.raisePriorityOnRepeat}
        onChange={(e) => set('raisePriorityOnRepeat', e.currentTarget.checked)}
      />

      <Title order={6}>Targets (business time)</Title>
      <Group align="flex-start" gap="lg">
        <DurationInput
          label="First response"
          value={s.firstResponseMinutes}
          onChange={(v) => set('firstResponseMinutes', v)}
          error={errors.firstResponseMinutes}
          data-testid="policy-first"
        />
        <DurationInput
          label="Next response"
          value={s.nextResponseMinutes}
          onChange={(v) => set('nextResponseMinutes', v)}
          error={errors.nextResponseMinutes}
          data-testid="policy-next"
        />
        <DurationInput
          label="Resolution"
          description="Empty: no resolution target"
          value={s.resolutionMinutes}
          onChange={(v) => set('resolutionMinutes', v)}
          error={errors.resolutionMinutes}
          data-testid="policy-resolution"
        />
      </Group>
      <Group align="flex-start" grow>
        <NumberInput
          label="Warn at (% of the target used)"
          value={s.warningPercent}
          onChange={(v) => set('warningPercent', typeof v === 'number' ? v : '')}
          min={1}
          max={99}
          allowDecimal={false}
          error={errors.warningPercent}
          data-testid="policy-warning"
        />
        <NumberInput
          label="Stalled after (minutes idle)"
          value={s.stallMinutes}
          onChange={(v) => set('stallMinutes', typeof v === 'number' ? v : '')}
          min={1}
          allowDecimal={false}
          error={errors.stallMinutes}
        />
        <NumberInput
          label="Auto-reassign after (minutes)"
          description="Empty: never"
          value={s.autoReassignAfterMinutes}
          onChange={(v) => set('autoReassignAfterMinutes', typeof v === 'number' ? v : '')}
          min={1}
          allowDecimal={false}
          error={errors.autoReassignAfterMinutes}
        />
      </Group>
      <Group>
        <Switch label="Pause while waiting on the customer" checked={s.pauseWhenPending} onChange={(e) => set('pauseWhenPending', e.currentTarget.checked)} />
        <Switch label="Pause while snoozed" checked={s.pauseWhenSnoozed} onChange={(e) => set('pauseWhenSnoozed', e.currentTarget.checked)} />
        <Switch label="Active" checked={s.isActive} onChange={(e) => set('isActive', e.currentTarget.checked)} data-testid="policy-active" />
      </Group>

      <Title order={6}>Escalation after a breach</Title>
      {s.escalation.map((step, i) => (
        <Group key={i} align="flex-end" gap="xs" data-testid="escalation-step">
          <NumberInput
            label="Minutes after the breach"
            value={step.afterMinutes}
            onChange={(v) => set('escalation', s.escalation.map((x, j) => (j === i ? { ...x, afterMinutes: typeof v === 'number' ? v : '' } : x)))}
            min={0}
            error={errors[`escalation.${i}.afterMinutes`]}
            w={190}
          />
          <NativeSelect
            label="Action"
            data={ESCALATION_ACTIONS}
            value={step.action}
            onChange={(e) =>
              set('escalation', s.escalation.map((x, j) => (j === i ? { ...x, action: e.currentTarget.value as EscalationAction } : x)))
            }
            error={errors[`escalation.${i}.action`]}
          />
          <ActionIcon variant="subtle" color="red" aria-label="Remove step" onClick={() => set('escalation', s.escalation.filter((_, j) => j !== i))} mb={4}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          size="xs"
          variant="default"
          onClick={() => set('escalation', [...s.escalation, { afterMinutes: 0, action: 'notify_assignee' }])}
          disabled={s.escalation.length >= 20}
        >
          Add escalation step
        </Button>
      </Group>

      {unplaced.length > 0 && (
        <Alert color="red" data-testid="policy-errors">
          {unplaced.join('; ')}
        </Alert>
      )}
      {nonField && <Alert color="red">{nonField}</Alert>}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={submit} loading={save.isPending} data-testid="policy-save">
          {policy ? 'Save' : 'Create'}
        </Button>
      </Group>
    </Stack>
  );
}
