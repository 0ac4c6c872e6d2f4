import { ActionIcon, Alert, Badge, Button, Group, Loader, NativeSelect, NumberInput, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { AssignmentMode, type Agent, type Inbox, type Team, type UpdateAgentRequest, type UpdateInboxRequest } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { useAgents } from '../api/hooks';
import { keys } from '../api/keys';
import { channelLabel } from '../lib/channels';
import { fieldErrorsOf, useInboxes, useTeams } from './queries';

const MODE_LABEL: Record<AssignmentMode, string> = {
  manual: 'Manual (agents pick)',
  round_robin: 'Round robin',
  least_loaded: 'Least loaded',
};
const MODES = AssignmentMode.options.map((m) => ({ value: m, label: MODE_LABEL[m] }));

/** Admins: teams and their members, which team and assignment mode each inbox routes to, and agents' capacity. */
export default function Teams() {
  const teams = useTeams();
  const agents = useAgents();
  const inboxes = useInboxes();
  const qc = useQueryClient();
  const updateAgent = useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateAgentRequest }) => api.updateAgent(id, body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.agents });
      void qc.invalidateQueries({ queryKey: keys.teams });
      void qc.invalidateQueries({ queryKey: keys.agentsLoad });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not saved', message: e.message }),
  });
  const setMembership = (agent: Agent, teamId: string, member: boolean) =>
    updateAgent.mutate({
      id: agent.id,
      body: { teamIds: member ? [...new Set([...agent.teamIds, teamId])] : agent.teamIds.filter((t) => t !== teamId) },
    });

  return (
    <Stack gap="lg" data-testid="teams-settings">
      <Stack gap="sm">
        <Title order={5}>Teams</Title>
        {(teams.isPending || agents.isPending) && <Loader size="sm" />}
        {teams.isError && <Alert color="red">{teams.error.message}</Alert>}
        {teams.data?.map((t) => (
          <TeamCard key={t.id} team={t} agents={agents.data ?? []} inboxes={inboxes.data ?? []} onMembership={setMembership} />
        ))}
        <NewTeam />
      </Stack>
      <InboxRouting teams={teams.data ?? []} />
      <Capacity agents={agents.data ?? []} onSave={(id, capacity) => updateAgent.mutateAsync({ id, body: { capacity } })} />
    </Stack>
  );
}

function TeamCard({
  team,
  agents,
  inboxes,
  onMembership,
}: {
  team: Team;
  agents: Agent[];
  inboxes: Inbox[];
  onMembership: (agent: Agent, teamId: string, member: boolean) => void;
}) {
  const members = agents.filter((a) => team.memberIds.includes(a.id));
  const others = agents.filter((a) => a.isActive && !team.memberIds.includes(a.id));
  const routed = inboxes.filter((i) => i.teamId === team.id);
  return (
    <Paper withBorder p="sm" data-testid="team-card">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Text fw={600}>{team.name}</Text>
          <Text size="xs" c="dimmed">
            {routed.length ? `Inboxes: ${routed.map((i) => `${i.name} (${MODE_LABEL[i.assignmentMode]})`).join(', ')}` : 'No inbox routes here'}
          </Text>
        </Stack>
        <NativeSelect
          aria-label={`Add a member to ${team.name}`}
          data={[{ value: '', label: 'Add member…' }, ...others.map((a) => ({ value: a.id, label: a.name }))]}
          value=""
          onChange={(e) => {
            const agent = others.find((a) => a.id === e.currentTarget.value);
            if (agent) onMembership(agent, team.id, true);
          }}
          data-testid="team-add-member"
          w={200}
        />
      </Group>
      <Group gap={4} mt="xs">
        {members.length === 0 && (
          <Text size="sm" c="dimmed">
            No members
          </Text>
        )}
        {members.map((a) => (
          <Badge
            key={a.id}
            variant="light"
            data-testid="team-member"
            rightSection={
              <ActionIcon size="xs" variant="transparent" aria-label={`Remove ${a.name} from ${team.name}`} onClick={() => onMembership(a, team.id, false)}>
                ×
              </ActionIcon>
            }
          >
            {a.name}
          </Badge>
        ))}
      </Group>
    </Paper>
  );
}

function NewTeam() {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => api.createTeam({ name: name.trim() }),
    onSuccess: () => {
      setName('');
      void qc.invalidateQueries({ queryKey: keys.teams });
      notifications.show({ color: 'green', message: 'Team created' });
    },
  });
  const nameError = create.isError ? (fieldErrorsOf(create.error).name ?? create.error.message) : undefined;
  return (
    <Group align="flex-start" gap="xs">
      <TextInput placeholder="New team name" aria-label="New team name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={nameError} data-testid="team-name" />
      <Button onClick={() => create.mutate()} disabled={!name.trim()} loading={create.isPending} data-testid="team-create">
        Create team
      </Button>
    </Group>
  );
}

/** Which team an inbox's new threads go to, and how they are handed to its members. */
function InboxRouting({ teams }: { teams: Team[] }) {
  const qc = useQueryClient();
  const inboxes = useInboxes();
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateInboxRequest }) => api.updateInbox(id, body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.inboxes }),
    onError: (e) => notifications.show({ color: 'red', title: 'Not saved', message: e.message }),
  });
  return (
    <Stack gap="sm">
      <Title order={5}>Inbox routing</Title>
      <Text size="sm" c="dimmed">
        Automatic modes hand a new thread to an online member of the inbox&apos;s team with room under their capacity.
      </Text>
      {inboxes.isError && <Alert color="red">{inboxes.error.message}</Alert>}
      <Table data-testid="routing-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Inbox</Table.Th>
            <Table.Th>Team</Table.Th>
            <Table.Th>Assignment</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {inboxes.data?.map((i) => (
            <Table.Tr key={i.id} data-testid="routing-row">
              <Table.Td>
                {i.name} <Text span size="xs" c="dimmed">({channelLabel(i.channel)})</Text>
              </Table.Td>
              <Table.Td>
                <NativeSelect
                  aria-label={`Team of ${i.name}`}
                  data={[{ value: '', label: 'No team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
                  value={i.teamId ?? ''}
                  onChange={(e) => update.mutate({ id: i.id, body: { teamId: e.currentTarget.value || null } })}
                  data-testid="routing-team"
                />
              </Table.Td>
              <Table.Td>
                <NativeSelect
                  aria-label={`Assignment mode of ${i.name}`}
                  data={MODES}
                  value={i.assignmentMode}
                  onChange={(e) => update.mutate({ id: i.id, body: { assignmentMode: AssignmentMode.parse(e.currentTarget.value) } })}
                  data-testid="routing-mode"
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Availability is each agent's own switch (shown, not edited here); capacity is the admin's. */
function Capacity({ agents, onSave }: { agents: Agent[]; onSave: (id: string, capacity: number) => Promise<unknown> }) {
  return (
    <Stack gap="sm">
      <Title order={5}>Capacity</Title>
      <Text size="sm" c="dimmed">
        The most open threads automatic assignment gives an agent. Agents set their own availability.
      </Text>
      <Table data-testid="capacity-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Agent</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Availability</Table.Th>
            <Table.Th>Capacity</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agents.map((a) => (
            <CapacityRow key={a.id} agent={a} onSave={onSave} />
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function CapacityRow({ agent, onSave }: { agent: Agent; onSave: (id: string, capacity: number) => Promise<unknown> }) {
  const [value, setValue] = useState<number | string>(agent.capacity);
  const [saving, setSaving] = useState(false);
  const dirty = Number(value) !== agent.capacity && value !== '';
  return (
    <Table.Tr data-testid="capacity-row" style={{ opacity: agent.isActive ? 1 : 0.5 }}>
      <Table.Td>{agent.name}</Table.Td>
      <Table.Td>{agent.role}</Table.Td>
      <Table.Td>
        <Badge variant="dot" color={agent.availability === 'online' ? 'green' : agent.availability === 'away' ? 'yellow' : 'gray'}>
          {agent.availability}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <NumberInput aria-label={`Capacity of ${agent.name}`} value={value} onChange={setValue} min={0} max={1000} allowDecimal={false} w={90} data-testid="capacity-input" />
          <Button
            size="xs"
            variant="default"
            disabled={!dirty}
            loading={saving}
            onClick={() => {
              setSaving(true);
              // the failure is already shown by the mutation's notification
              void onSave(agent.id, Number(value))
                .catch(() => undefined)
                .finally(() => setSaving(false));
            }}
            data-testid="capacity-save"
          >
            Save
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
