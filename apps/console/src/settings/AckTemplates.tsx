import { Alert, Button, Code, Group, Loader, NativeSelect, Paper, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ACK_PLACEHOLDERS, DEFAULT_ACK_TEMPLATE, type AckPlaceholder, type Inbox } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { channelLabel } from '../lib/channels';
import { fieldErrorsOf, useInboxes } from './queries';

const DESCRIBE: Record<AckPlaceholder, string> = {
  name: "the customer's name (or the sender's display name)",
  number: 'the request number',
  promise: 'when we will answer, from the running SLA deadline',
  inbox: "this inbox's name",
};
const SAMPLE: Record<AckPlaceholder, string> = { name: 'Jane Doe', number: '1042', promise: 'by tomorrow 10:00', inbox: '' };

const PLACEHOLDER = new RegExp(`\\{\\{\\s*(${ACK_PLACEHOLDERS.join('|')})\\s*\\}\\}`, 'g');
const ANY_BRACES = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The server's rendering (core renderAckTemplate), with sample values: blank means the default template. */
export function renderPreview(template: string, values: Record<AckPlaceholder, string>): string {
  const source = template.trim() ? template : DEFAULT_ACK_TEMPLATE;
  return source.replace(PLACEHOLDER, (_, key: AckPlaceholder) => values[key]);
}

/** `{{agent}}` and the like are not filled by the server: they would reach the customer as typed. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(ACK_PLACEHOLDERS);
  return [...new Set([...template.matchAll(ANY_BRACES)].map((m) => m[1] ?? '').filter((k) => !known.has(k)))];
}

/** Admins: each inbox's automatic acknowledgement, on/off and its text. */
export default function AckTemplates() {
  const inboxes = useInboxes();
  const [selected, setSelected] = useState<string | null>(null);
  const inbox = inboxes.data?.find((i) => i.id === selected) ?? inboxes.data?.[0];
  return (
    <Stack gap="sm" data-testid="ack-templates">
      <Text size="sm" c="dimmed">
        A new request is acknowledged automatically with its number and when we will answer: by email for email and web-form
        inboxes, by direct message on social networks (public mentions only when the inbox allows public acknowledgements). At most
        one per thread in the quiet period, never to no-reply senders.
      </Text>
      {inboxes.isPending && <Loader size="sm" />}
      {inboxes.isError && <Alert color="red">{inboxes.error.message}</Alert>}
      {inboxes.data && inboxes.data.length === 0 && (
        <Text size="sm" c="dimmed">
          No inboxes yet.
        </Text>
      )}
      {inbox && (
        <>
          <NativeSelect
            label="Inbox"
            data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: `${i.name} (${channelLabel(i.channel)})` }))}
            value={inbox.id}
            onChange={(e) => setSelected(e.currentTarget.value)}
            w={360}
            data-testid="ack-inbox"
          />
          {/* keyed: switching inboxes starts from that inbox's saved text */}
          <AckEditor key={inbox.id} inbox={inbox} />
        </>
      )}
    </Stack>
  );
}

function AckEditor({ inbox }: { inbox: Inbox }) {
  const qc = useQueryClient();
  const [enabled, setEnabled] = useState(inbox.autoAckEnabled);
  const [template, setTemplate] = useState(inbox.ackTemplate ?? '');
  const area = useRef<HTMLTextAreaElement>(null);
  const save = useMutation({
    mutationFn: () => api.updateInbox(inbox.id, { autoAckEnabled: enabled, ackTemplate: template.trim() ? template : null }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      notifications.show({ color: 'green', message: 'Acknowledgement saved' });
    },
  });
  const insert = (p: AckPlaceholder) => {
    const token = `{{${p}}}`;
    const el = area.current;
    // an empty box starts from the default text, so inserting edits what would be sent
    const base = template.trim() ? template : DEFAULT_ACK_TEMPLATE;
    const at = el && template.trim() ? el.selectionStart : base.length;
    const end = el && template.trim() ? el.selectionEnd : base.length;
    setTemplate(base.slice(0, at) + token + base.slice(end));
  };
  const unknown = unknownPlaceholders(template);
  const errors = save.isError ? fieldErrorsOf(save.error) : {};
  const noAddress = (inbox.channel === 'email' || inbox.channel === 'webform') && !inbox.address?.includes('@');
  return (
    <Stack gap="sm" data-testid="ack-editor">
      <Switch label="Acknowledge new requests automatically" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="ack-enabled" />
      {noAddress && enabled && (
        <Alert color="yellow">This inbox has no email address to send from: nothing is sent until it has one.</Alert>
      )}
      <Textarea
        ref={area}
        label="Text"
        description="Leave empty for the default text (shown as the placeholder). Plain text: no HTML."
        placeholder={DEFAULT_ACK_TEMPLATE}
        value={template}
        onChange={(e) => setTemplate(e.currentTarget.value)}
        autosize
        minRows={5}
        maxRows={14}
        error={errors.ackTemplate}
        data-testid="ack-template"
      />
      <Group gap={4}>
        <Text size="xs" c="dimmed">
          Insert:
        </Text>
        {ACK_PLACEHOLDERS.map((p) => (
          <Button key={p} size="compact-xs" variant="light" onClick={() => insert(p)} title={DESCRIBE[p]} data-testid={`ack-insert-${p}`}>
            {`{{${p}}}`}
          </Button>
        ))}
      </Group>
      <Stack gap={0}>
        {ACK_PLACEHOLDERS.map((p) => (
          <Text key={p} size="xs" c="dimmed">
            <Code>{`{{${p}}}`}</Code> {DESCRIBE[p]}
          </Text>
        ))}
      </Stack>
      {unknown.length > 0 && (
        <Alert color="yellow" data-testid="ack-unknown">
          Not a placeholder, sent as written: {unknown.map((u) => `{{${u}}}`).join(', ')}
        </Alert>
      )}
      <Title order={6}>Preview (sample values)</Title>
      <Paper withBorder p="sm">
        {/* text, never markup: the template is the admin's, but the preview treats it like the customer will */}
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="ack-preview">
          {renderPreview(template, { ...SAMPLE, inbox: inbox.name })}
        </Text>
      </Paper>
      {save.isError && !errors.ackTemplate && <Alert color="red">{save.error.message}</Alert>}
      <Group justify="flex-end">
        <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="ack-save">
          Save
        </Button>
      </Group>
    </Stack>
  );
}
