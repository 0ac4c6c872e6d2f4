import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Modal,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { AgentRole, ChannelKind, type InboundEventSummary } from '@desk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Navigate } from 'react-router-dom';
import { api } from '../api/endpoints';
import { useAgents, useMe } from '../api/hooks';
import { keys } from '../api/keys';
import { channelLabel } from '../lib/channels';
import { formatDateTime } from '../lib/time';

// Each admin screen is its own chunk, loaded when its tab is opened.
const SlaPolicies = lazy(() => import('./SlaPolicies'));
const BusinessCalendars = lazy(() => import('./BusinessCalendars'));
const Teams = lazy(() => import('./Teams'));
const AckTemplates = lazy(() => import('./AckTemplates'));
const InboxSetup = lazy(() => import('./InboxSetup'));
const CannedReplies = lazy(() => import('./CannedReplies'));
const Panel = ({ children }: { children: ReactNode }) => <Suspense fallback={<Loader size="sm" />}>{children}</Suspense>;

/** Admins only. */
export default function SettingsPage() {
  const me = useMe().data;
  if (me && me.role !== 'admin') return <Navigate to="/inbox/mine" replace />;
  return (
    <Stack p="md" gap="md" data-testid="settings-page" style={{ overflowY: 'auto' }}>
      <Title order={3}>Settings</Title>
      <Tabs defaultValue="inboxes" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="inboxes">Inboxes</Tabs.Tab>
          <Tabs.Tab value="channel-setup">Channel setup</Tabs.Tab>
          <Tabs.Tab value="agents">Agents</Tabs.Tab>
          <Tabs.Tab value="teams">Teams &amp; capacity</Tabs.Tab>
          <Tabs.Tab value="sla-policies">SLA policies</Tabs.Tab>
          <Tabs.Tab value="calendars">Business calendars</Tabs.Tab>
          <Tabs.Tab value="acknowledgements">Acknowledgements</Tabs.Tab>
          <Tabs.Tab value="canned-replies">Canned replies</Tabs.Tab>
          <Tabs.Tab value="quarantine">Quarantine</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="inboxes" pt="md">
          <Inboxes />
        </Tabs.Panel>
        <Tabs.Panel value="agents" pt="md">
          <Agents />
        </Tabs.Panel>
        <Tabs.Panel value="channel-setup" pt="md">
          <Panel>
            <InboxSetup />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="teams" pt="md">
          <Panel>
            <Teams />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="sla-policies" pt="md">
          <Panel>
            <SlaPolicies />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="calendars" pt="md">
          <Panel>
            <BusinessCalendars />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="acknowledgements" pt="md">
          <Panel>
            <AckTemplates />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="canned-replies" pt="md">
          <Panel>
            <CannedReplies />
          </Panel>
        </Tabs.Panel>
        <Tabs.Panel value="quarantine" pt="md">
          <Quarantine />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

const CHANNEL_DATA = ChannelKind.options.map((c) => ({ value: c, label: channelLabel(c) }));

function Inboxes() {
  const qc = useQueryClient();
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: ({ signal }) => api.inboxes(signal) });
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<string | null>('email');
  const [address, setAddress] = useState('');
  const [autoAck, setAutoAck] = useState(true);
  const create = useMutation({
    mutationFn: () =>
      api.createInbox({
        name: name.trim(),
        channel: ChannelKind.parse(channel),
        address: address.trim() || null,
        teamId: null,
        assignmentMode: 'manual',
        autoAckEnabled: autoAck,
        settings: {},
      }),
    onSuccess: () => {
      setName('');
      setAddress('');
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      notifications.show({ color: 'green', message: 'Inbox created' });
    },
  });
  return (
    <Stack gap="sm">
      {inboxes.isPending && <Loader size="sm" />}
      {inboxes.isError && <Alert color="red">{inboxes.error.message}</Alert>}
      <Table data-testid="inboxes-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Channel</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Assignment</Table.Th>
            <Table.Th>Auto-ack</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {inboxes.data?.map((i) => (
            <Table.Tr key={i.id} data-testid="inbox-row">
              <Table.Td>{i.name}</Table.Td>
              <Table.Td>{channelLabel(i.channel)}</Table.Td>
              <Table.Td>{i.address ?? '—'}</Table.Td>
              <Table.Td>{i.assignmentMode}</Table.Td>
              <Table.Td>{i.autoAckEnabled ? 'on' : 'off'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={5}>New inbox</Title>
      <Group align="flex-end" gap="xs">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="inbox-name" />
        <Select label="Channel" data={CHANNEL_DATA} value={channel} onChange={setChannel} allowDeselect={false} w={140} />
        <TextInput label="Address / handle" value={address} onChange={(e) => setAddress(e.currentTarget.value)} />
        <Switch label="Auto-acknowledge" checked={autoAck} onChange={(e) => setAutoAck(e.currentTarget.checked)} mb={8} />
        <Button onClick={() => create.mutate()} disabled={!name.trim() || !channel} loading={create.isPending} data-testid="inbox-create">
          Create
        </Button>
      </Group>
      {create.isError && <Alert color="red">{create.error.message}</Alert>}
    </Stack>
  );
}

function Agents() {
  const qc = useQueryClient();
  const agents = useAgents();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('agent');
  const [password, setPassword] = useState('');
  const [capacity, setCapacity] = useState<number | string>(10);
  const create = useMutation({
    mutationFn: () =>
      api.createAgent({
        email: email.trim(),
        name: name.trim(),
        role: AgentRole.parse(role),
        password,
        capacity: Number(capacity) || 0,
        teamIds: [],
      }),
    onSuccess: () => {
      setEmail('');
      setName('');
      setPassword('');
      void qc.invalidateQueries({ queryKey: keys.agents });
      notifications.show({ color: 'green', message: 'Agent created' });
    },
  });
  return (
    <Stack gap="sm">
      {agents.isPending && <Loader size="sm" />}
      {agents.isError && <Alert color="red">{agents.error.message}</Alert>}
      <Table data-testid="agents-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Capacity</Table.Th>
            <Table.Th>Availability</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agents.data?.map((a) => (
            <Table.Tr key={a.id} data-testid="agent-row" style={{ opacity: a.isActive ? 1 : 0.5 }}>
              <Table.Td>{a.name}</Table.Td>
              <Table.Td>{a.email}</Table.Td>
              <Table.Td>{a.role}</Table.Td>
              <Table.Td>{a.capacity}</Table.Td>
              <Table.Td>{a.availability}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={5}>New agent</Title>
      <Group align="flex-end" gap="xs">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <Select label="Role" data={AgentRole.options} value={role} onChange={setRole} allowDeselect={false} w={130} />
        <PasswordInput label="Password (12+)" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <NumberInput label="Capacity" min={0} max={1000} value={capacity} onChange={setCapacity} w={100} />
        <Button
          onClick={() => create.mutate()}
          disabled={!name.trim() || !email.trim() || password.length < 12}
          loading={create.isPending}
          data-testid="agent-create"
        >
          Create
        </Button>
      </Group>
      {create.isError && <Alert color="red">{create.error.message}</Alert>}
    </Stack>
  );
}

function Quarantine() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: keys.quarantined, queryFn: ({ signal }) => api.quarantined(undefined, signal) });
  const [open, setOpen] = useState<InboundEventSummary | null>(null);
  const retry = useMutation({
    mutationFn: (id: string) => api.retryInboundEvent(id),
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: r.enqueued ? 'Queued for another attempt' : `Now ${r.status}` });
      void qc.invalidateQueries({ queryKey: ['inbound-events'] });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Retry failed', message: e.message }),
  });
  return (
    <Stack gap="sm">
      {list.isPending && <Loader size="sm" />}
      {list.isError && <Alert color="red">{list.error.message}</Alert>}
      {list.isSuccess && list.data.items.length === 0 && (
        <Text c="dimmed" size="sm">
          Nothing in quarantine.
        </Text>
      )}
      {list.data && list.data.items.length > 0 && (
        <Table data-testid="quarantine-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Received</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((e) => (
              <Table.Tr key={e.id} data-testid="quarantine-row">
                <Table.Td>{formatDateTime(e.receivedAt)}</Table.Td>
                <Table.Td>{channelLabel(e.source)}</Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {e.error ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{e.attempts}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => setOpen(e)}>
                      Details
                    </Button>
                    <Button size="xs" onClick={() => retry.mutate(e.id)} loading={retry.isPending && retry.variables === e.id} data-testid="quarantine-retry">
                      Retry
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={open !== null} onClose={() => setOpen(null)} title="Inbound event" size="xl">
        {open && <EventDetail id={open.id} />}
      </Modal>
    </Stack>
  );
}

function EventDetail({ id }: { id: string }) {
  const detail = useQuery({ queryKey: keys.inboundEvent(id), queryFn: ({ signal }) => api.inboundEvent(id, signal) });
  if (detail.isPending) return <Loader size="sm" />;
  if (detail.isError) return <Alert color="red">{detail.error.message}</Alert>;
  const e = detail.data;
  return (
    <Stack gap="xs" data-testid="quarantine-detail">
      <Group gap="xs">
        <Badge>{e.status}</Badge>
        <Text size="sm">{e.contentType}</Text>
        <Text size="sm" c="dimmed">
          {e.payloadBytes} bytes · key {e.idempotencyKey}
        </Text>
      </Group>
      {e.error && <Alert color="orange">{e.error}</Alert>}
      {/* The raw payload as text: never interpreted as markup. */}
      <Code block mah={420} style={{ overflow: 'auto', whiteSpace: 'pre-wrap' }}>
        {e.payloadText}
        {e.payloadTruncated ? '\n… (cut at 64 KB)' : ''}
      </Code>
    </Stack>
  );
}
