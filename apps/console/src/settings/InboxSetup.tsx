import {
  Alert,
  Badge,
  Button,
  Drawer,
  Group,
  Loader,
  NativeSelect,
  NumberInput,
  PasswordInput,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ChannelKind, Inbox, InboxSettingsView, UpdateInboxSettingsRequest } from '@desk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { channelLabel } from '../lib/channels';
import { fieldErrorsOf, useInboxes, type FieldErrors } from './queries';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const getPath = (o: Obj, path: string): unknown => path.split('.').reduce<unknown>((cur, k) => (isObj(cur) ? cur[k] : undefined), o);

/** A copy of `o` with `path` set, or removed when `value` is undefined (an emptied optional field). */
function withPath(o: Obj, path: string, value: unknown): Obj {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const next = { ...o };
  if (rest.length === 0) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  next[head] = withPath(isObj(o[head]) ? o[head] : {}, rest.join('.'), value);
  return next;
}

type Field =
  | { kind: 'text' | 'textarea'; path: string; label: string; description?: string }
  | { kind: 'number'; path: string; label: string; description?: string }
  | { kind: 'bool'; path: string; label: string; description?: string; default: boolean }
  | { kind: 'select'; path: string; label: string; options: string[] }
  | { kind: 'tags'; path: string; label: string; description?: string }
  | { kind: 'json'; path: string; label: string; description?: string }
  | { kind: 'secret'; path: string; label: string; description?: string };

interface Section {
  title: string;
  /** A section that exists only when switched on (IMAP): off removes the whole object. */
  optionalObject?: { path: string; label: string; initial: Obj };
  fields: Field[];
}

const SURVEY: Field = { kind: 'bool', path: 'survey', label: 'Send a satisfaction survey when a thread is resolved', default: true };
const SOCIAL_REPLIES: Field[] = [
  { kind: 'bool', path: 'autoAckPublic', label: 'Acknowledge public mentions and comments publicly', default: false },
  { kind: 'bool', path: 'dmToMentioners', label: 'May send the survey by DM to people who only wrote publicly', default: false },
  { kind: 'text', path: 'replyFromAddress', label: 'Email replies leave from', description: 'Empty: the oldest email inbox’s address' },
];
const META: Section[] = [
  {
    title: 'Meta app and page',
    fields: [
      { kind: 'text', path: 'pageId', label: 'Facebook page id' },
      { kind: 'text', path: 'igUserId', label: 'Instagram account id' },
      { kind: 'secret', path: 'appSecret', label: 'App secret', description: 'Checks webhook signatures' },
      { kind: 'secret', path: 'verifyToken', label: 'Webhook verify token' },
      { kind: 'secret', path: 'pageAccessToken', label: 'Page access token' },
      { kind: 'text', path: 'graphBaseUrl', label: 'Graph API base URL', description: 'Empty: https://graph.facebook.com/v21.0' },
    ],
  },
  { title: 'Replies', fields: [...SOCIAL_REPLIES, SURVEY] },
];

/** What each channel's adapter reads from `inboxes.settings` (core: imap-settings, social-channels, webform). */
const SECTIONS: Record<ChannelKind, Section[]> = {
  email: [
    {
      title: 'IMAP fetching',
      optionalObject: { path: 'imap', label: 'Fetch this mailbox by IMAP', initial: { host: '', port: 993, secure: true, user: '', mailbox: 'INBOX', afterImport: 'seen' } },
      fields: [
        { kind: 'text', path: 'imap.host', label: 'Host' },
        { kind: 'number', path: 'imap.port', label: 'Port' },
        { kind: 'bool', path: 'imap.secure', label: 'Implicit TLS (off: STARTTLS when offered)', default: true },
        { kind: 'text', path: 'imap.user', label: 'User' },
        { kind: 'secret', path: 'imap.password', label: 'Password' },
        { kind: 'text', path: 'imap.mailbox', label: 'Mailbox' },
        { kind: 'select', path: 'imap.afterImport', label: 'After import', options: ['seen', 'move', 'none'] },
        { kind: 'text', path: 'imap.moveTo', label: 'Move to (when "move")' },
        { kind: 'number', path: 'imap.pollSeconds', label: 'Poll every (seconds)' },
      ],
    },
    {
      title: 'Raw-MIME webhook',
      fields: [{ kind: 'secret', path: 'webhookSecret', label: 'Signing secret', description: 'X-Desk-Signature: HMAC-SHA256 of the body' }],
    },
    { title: 'Replies', fields: [SURVEY] },
  ],
  webform: [
    {
      title: 'Form',
      fields: [
        { kind: 'tags', path: 'allowedOrigins', label: 'Allowed origins', description: 'Pages that may post the form, e.g. https://www.example.com (our own is always allowed)' },
        { kind: 'textarea', path: 'intro', label: 'Intro text on the hosted page' },
        {
          kind: 'json',
          path: 'fields',
          label: 'Extra fields (JSON)',
          description: 'After name, email, subject and message: [{"name":"order","label":"Order number","type":"text","required":false}]',
        },
      ],
    },
    { title: 'Replies', fields: [{ kind: 'text', path: 'replyFromAddress', label: 'Email replies leave from', description: 'Empty: the oldest email inbox’s address' }, SURVEY] },
  ],
  x: [
    {
      title: 'X account and app',
      fields: [
        { kind: 'text', path: 'userId', label: 'Account user id' },
        { kind: 'secret', path: 'consumerSecret', label: 'App consumer secret', description: 'CRC answers and webhook signatures' },
        { kind: 'secret', path: 'bearerToken', label: 'Bearer token' },
        { kind: 'secret', path: 'oauth1.consumerKey', label: 'OAuth 1.0a consumer key' },
        { kind: 'secret', path: 'oauth1.consumerSecret', label: 'OAuth 1.0a consumer secret' },
        { kind: 'secret', path: 'oauth1.accessToken', label: 'OAuth 1.0a access token' },
        { kind: 'secret', path: 'oauth1.accessTokenSecret', label: 'OAuth 1.0a access token secret' },
        { kind: 'text', path: 'apiBaseUrl', label: 'API base URL', description: 'Empty: https://api.x.com' },
        { kind: 'bool', path: 'webhook', label: 'Receive by webhook (Account Activity)', default: true },
        { kind: 'bool', path: 'pollMentions', label: 'Poll mentions', default: false },
      ],
    },
    { title: 'Replies', fields: [...SOCIAL_REPLIES, SURVEY] },
  ],
  facebook: META,
  instagram: META,
};

/** Admins: each inbox's channel setup (mailbox login, form origins, social credentials). */
export default function InboxSetup() {
  const inboxes = useInboxes();
  const [open, setOpen] = useState<Inbox | null>(null);
  return (
    <Stack gap="sm" data-testid="inbox-setup">
      <Text size="sm" c="dimmed">
        Stored credentials are never shown again: a secret reads “set”, and typing a new value replaces it.
      </Text>
      {inboxes.isPending && <Loader size="sm" />}
      {inboxes.isError && <Alert color="red">{inboxes.error.message}</Alert>}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Inbox</Table.Th>
            <Table.Th>Channel</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {inboxes.data?.map((i) => (
            <Table.Tr key={i.id} data-testid="setup-row">
              <Table.Td>{i.name}</Table.Td>
              <Table.Td>{channelLabel(i.channel)}</Table.Td>
              <Table.Td>{i.address ?? '—'}</Table.Td>
              <Table.Td>
                <Button size="xs" variant="default" onClick={() => setOpen(i)} data-testid="setup-open">
                  Channel setup
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title={open ? `${open.name}: ${channelLabel(open.channel)} setup` : ''}>
        {open && <SetupLoader inbox={open} onDone={() => setOpen(null)} />}
      </Drawer>
    </Stack>
  );
}

function SetupLoader({ inbox, onDone }: { inbox: Inbox; onDone: () => void }) {
  const view = useQuery({ queryKey: keys.inboxSettings(inbox.id), queryFn: ({ signal }) => api.inboxSettings(inbox.id, signal) });
  if (view.isPending) return <Loader size="sm" />;
  if (view.isError) return <Alert color="red">{view.error.message}</Alert>;
  return <SetupForm view={view.data} onDone={onDone} />;
}

/** Server paths ("values.imap.port", "secrets.appSecret") → the form's paths ("imap.port", "appSecret"). */
function formErrors(e: unknown): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fieldErrorsOf(e))) out[path.replace(/^(values|secrets)\./, '')] = message;
  return out;
}

function SetupForm({ view, onDone }: { view: InboxSettingsView; onDone: () => void }) {
  const qc = useQueryClient();
  const [values, setValues] = useState<Obj>(view.values);
  /** path → new secret (string), removal (null); absent = keep what is stored. */
  const [secrets, setSecrets] = useState<Record<string, string | null>>({});
  const [json, setJson] = useState<Record<string, string>>(() => {
    const out: Record<string, string> = {};
    for (const s of SECTIONS[view.channel]) for (const f of s.fields) if (f.kind === 'json') out[f.path] = JSON.stringify(getPath(view.values, f.path) ?? [], null, 2);
    return out;
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: UpdateInboxSettingsRequest) => api.updateInboxSettings(view.inboxId, body),
    onSuccess: (next) => {
      qc.setQueryData(keys.inboxSettings(view.inboxId), next);
      notifications.show({ color: 'green', message: 'Channel setup saved' });
      onDone();
    },
    onError: (e) => setErrors(formErrors(e)),
  });
  const set = (path: string, value: unknown) => setValues((v) => withPath(v, path, value));

  const submit = () => {
    let body = values;
    const local: FieldErrors = {};
    for (const [path, text] of Object.entries(json)) {
      try {
        const parsed: unknown = text.trim() ? JSON.parse(text) : [];
        body = withPath(body, path, Array.isArray(parsed) && parsed.length === 0 ? undefined : parsed);
      } catch {
        local[path] = 'not valid JSON';
      }
    }
    setErrors(local);
    if (Object.keys(local).length === 0) save.mutate({ values: body, secrets });
  };

  const sections = SECTIONS[view.channel];
  const known = new Set(sections.flatMap((s) => s.fields.map((f) => f.path)));
  const placed = (p: string) => known.has(p) || [...known].some((k) => p.startsWith(`${k}.`));
  const unplaced = Object.entries(errors).filter(([p]) => !placed(p));
  const nonField = save.isError && Object.keys(fieldErrorsOf(save.error)).length === 0 ? save.error.message : null;

  return (
    <Stack gap="md" data-testid="setup-form">
      {sections.map((section) => {
        const opt = section.optionalObject;
        const on = !opt || isObj(getPath(values, opt.path));
        return (
          <Stack key={section.title} gap="xs">
            <Title order={6}>{section.title}</Title>
            {opt && (
              <Switch
                label={opt.label}
                checked={on}
                onChange={(e) => {
                  const checked = e.currentTarget.checked;
                  set(opt.path, checked ? opt.initial : undefined);
                  // switching off removes the stored secrets inside it too
                  const inside = section.fields.filter((f) => f.kind === 'secret').map((f) => f.path);
                  setSecrets((s) => {
                    const next = { ...s };
                    for (const p of inside) {
                      if (checked) delete next[p];
                      else if (view.secrets[p]) next[p] = null;
                      else delete next[p];
                    }
                    return next;
                  });
                }}
                data-testid={`setup-toggle-${opt.path}`}
              />
            )}
            {on &&
              section.fields.map((f) => (
                <FieldInput
                  key={f.path}
                  field={f}
                  value={getPath(values, f.path)}
                  onChange={(v) => set(f.path, v)}
                  jsonText={json[f.path] ?? ''}
                  onJson={(t) => setJson((j) => ({ ...j, [f.path]: t }))}
                  stored={view.secrets[f.path] ?? false}
                  secret={secrets[f.path]}
                  onSecret={(v) =>
                    setSecrets((s) => {
                      const next = { ...s };
                      if (v === undefined) delete next[f.path];
                      else next[f.path] = v;
                      return next;
                    })
                  }
                  error={errors[f.path] ?? Object.entries(errors).find(([p]) => p.startsWith(`${f.path}.`))?.[1]}
                />
              ))}
          </Stack>
        );
      })}
      {unplaced.length > 0 && <Alert color="red">{unplaced.map(([p, m]) => `${p}: ${m}`).join('; ')}</Alert>}
      {nonField && <Alert color="red">{nonField}</Alert>}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={submit} loading={save.isPending} data-testid="setup-save">
          Save
        </Button>
      </Group>
    </Stack>
  );
}

interface FieldInputProps {
  field: Field;
  value: unknown;
  onChange: (v: unknown) => void;
  jsonText: string;
  onJson: (text: string) => void;
  stored: boolean;
  secret: string | null | undefined;
  onSecret: (v: string | null | undefined) => void;
  error: string | undefined;
}

function FieldInput({ field: f, value, onChange, jsonText, onJson, stored, secret, onSecret, error }: FieldInputProps) {
  const common = { label: f.label, error, 'data-testid': `setup-${f.path}` };
  const description = 'description' in f ? f.description : undefined;
  switch (f.kind) {
    case 'text':
      return <TextInput {...common} description={description} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value.trim() ? e.currentTarget.value : undefined)} />;
    case 'textarea':
      return <Textarea {...common} description={description} autosize minRows={2} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value || undefined)} />;
    case 'number':
      return <NumberInput {...common} description={description} value={typeof value === 'number' ? value : ''} onChange={(v) => onChange(typeof v === 'number' ? v : undefined)} allowDecimal={false} />;
    case 'bool':
      return <Switch label={f.label} description={description} checked={typeof value === 'boolean' ? value : f.default} onChange={(e) => onChange(e.currentTarget.checked)} data-testid={common['data-testid']} />;
    case 'select':
      return <NativeSelect {...common} data={f.options} value={typeof value === 'string' ? value : f.options[0]} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'tags':
      return <TagsInput {...common} description={description} value={Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : []} onChange={(v) => onChange(v.length ? v : undefined)} clearable />;
    case 'json':
      return <Textarea {...common} description={description} autosize minRows={3} styles={{ input: { fontFamily: 'monospace' } }} value={jsonText} onChange={(e) => onJson(e.currentTarget.value)} />;
    case 'secret':
      return (
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <PasswordInput
            {...common}
            description={description}
            style={{ flex: 1 }}
            // write-only: the stored value never comes back, so the box starts empty
            placeholder={secret === null ? 'will be removed' : stored ? 'set: type to replace' : 'not set'}
            value={typeof secret === 'string' ? secret : ''}
            onChange={(e) => onSecret(e.currentTarget.value ? e.currentTarget.value : undefined)}
            autoComplete="new-password"
          />
          <Badge color={secret === null ? 'red' : stored || typeof secret === 'string' ? 'green' : 'gray'} variant="light" mb={8} data-testid={`setup-${f.path}-state`}>
            {secret === null ? 'removing' : typeof secret === 'string' ? (stored ? 'replacing' : 'new') : stored ? 'set' : 'not set'}
          </Badge>
          {stored && secret !== null && (
            <Button size="xs" variant="subtle" color="red" mb={4} onClick={() => onSecret(null)} aria-label={`Remove ${f.label}`}>
              Remove
            </Button>
          )}
          {secret === null && (
            <Button size="xs" variant="subtle" mb={4} onClick={() => onSecret(undefined)} aria-label={`Keep ${f.label}`}>
              Keep
            </Button>
          )}
        </Group>
      );
  }
}
