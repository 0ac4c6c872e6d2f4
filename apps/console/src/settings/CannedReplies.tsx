import { errorFor } from '../api/errors';
import { Alert, Badge, Button, Code, Group, Loader, Modal, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { CannedReplyScope, PLACEHOLDERS, expandPlaceholders, type CannedReply } from '@desk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { useCannedReplies, useMe } from '../api/hooks';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/time';

type Draft = { id: string | null; title: string; shortcut: string; scope: CannedReplyScope; teamId: string | null; body: string };

const EMPTY: Draft = { id: null, title: '', shortcut: '', scope: 'global', teamId: null, body: '' };

/** Unknown placeholders found in a body (checked against an empty thread: only names matter here). */
function unknownPlaceholders(body: string): string[] {
  return expandPlaceholders(body, {})
    .issues.filter((i) => i.reason === 'unknown')
    .map((i) => i.placeholder);
}

function fieldError(e: unknown, field: string): string | undefined {
  return errorFor(e, field).field ?? undefined;
}

/** Canned replies: supervisors and admins manage team and global ones here; anyone their own. */
export function CannedReplies() {
  const qc = useQueryClient();
  const me = useMe().data;
  const list = useCannedReplies();
  const teams = useQuery({ queryKey: keys.teams, queryFn: ({ signal }) => api.teams(signal) });
  const [draft, setDraft] = useState<Draft | null>(null);
  const teamName = (id: string | null) => teams.data?.find((t) => t.id === id)?.name ?? 'team';

  const save = useMutation({
    mutationFn: (d: Draft) => {
      const shortcut = d.shortcut.trim() ? d.shortcut.trim() : null;
      return d.id
        ? api.updateCannedReply(d.id, { title: d.title, body: d.body, shortcut })
        : api.createCannedReply({ title: d.title, body: d.body, shortcut, scope: d.scope, ...(d.scope === 'team' && d.teamId ? { teamId: d.teamId } : {}) });
    },
    onSuccess: () => {
      setDraft(null);
      void qc.invalidateQueries({ queryKey: keys.cannedReplies });
      notifications.show({ color: 'green', message: 'Canned reply saved' });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteCannedReply(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.cannedReplies }),
    onError: (e) => notifications.show({ color: 'red', title: 'Not deleted', message: e.message }),
  });

  const open = (d: Draft) => {
    save.reset();
    setDraft(d);
  };
  const edit = (r: CannedReply) => open({ id: r.id, title: r.title, shortcut: r.shortcut ?? '', scope: r.scope, teamId: r.teamId, body: r.body });
  const unknown = draft ? unknownPlaceholders(draft.body) : [];
  const scopes = me?.role === 'agent' ? (['personal'] as const) : CannedReplyScope.options;

  return (
    <Stack gap="sm" data-testid="canned-replies-settings">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Saved replies agents insert with the Canned button or by typing <Code>/shortcut</Code> then Tab.
        </Text>
        <Button size="xs" onClick={() => open({ ...EMPTY, scope: me?.role === 'agent' ? 'personal' : 'global' })} data-testid="canned-new">
          New canned reply
        </Button>
      </Group>
      {list.isPending && <Loader size="sm" />}
      {list.isError && <Alert color="red">{list.error.message}</Alert>}
      {list.data && (
        <Table data-testid="canned-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Title</Table.Th>
              <Table.Th>Shortcut</Table.Th>
              <Table.Th>Scope</Table.Th>
              <Table.Th>Updated</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((r) => (
              <Table.Tr key={r.id} data-testid="canned-row">
                <Table.Td>
                  <Text size="sm">{r.title}</Text>
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {r.body}
                  </Text>
                </Table.Td>
                <Table.Td>{r.shortcut ? <Code>/{r.shortcut}</Code> : '—'}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={r.scope === 'global' ? 'gray' : r.scope === 'team' ? 'blue' : 'grape'}>
                    {r.scope === 'team' ? teamName(r.teamId) : r.scope}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(r.updatedAt)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => edit(r)}>
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      color="red"
                      variant="subtle"
                      loading={remove.isPending && remove.variables === r.id}
                      onClick={() => {
                        if (window.confirm(`Delete the canned reply "${r.title}"?`)) remove.mutate(r.id);
                      }}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Modal opened={draft !== null} onClose={() => setDraft(null)} title={draft?.id ? 'Edit canned reply' : 'New canned reply'} size="lg">
        {draft && (
          <Stack gap="xs">
            <Group grow align="flex-start">
              <TextInput
                label="Title"
                value={draft.title}
                onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
                error={fieldError(save.error, 'title')}
                data-testid="canned-title"
              />
              <TextInput
                label="Shortcut"
                description="Optional; letters, digits, - and _"
                leftSection="/"
                value={draft.shortcut}
                onChange={(e) => setDraft({ ...draft, shortcut: e.currentTarget.value })}
                error={fieldError(save.error, 'shortcut')}
                data-testid="canned-shortcut"
              />
            </Group>
            {!draft.id && (
              <Group grow>
                <Select
                  label="Scope"
                  data={scopes.map((s) => ({ value: s, label: s }))}
                  value={draft.scope}
                  onChange={(v) => setDraft({ ...draft, scope: CannedReplyScope.parse(v ?? 'personal') })}
                  allowDeselect={false}
                />
                {draft.scope === 'team' && (
                  <Select
                    label="Team"
                    data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
                    value={draft.teamId}
                    onChange={(v) => setDraft({ ...draft, teamId: v })}
                    error={fieldError(save.error, 'teamId')}
                  />
                )}
              </Group>
            )}
            <Textarea
              label="Text"
              autosize
              minRows={5}
              maxRows={16}
              value={draft.body}
              onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })}
              error={fieldError(save.error, 'body')}
              data-testid="canned-body"
            />
            {unknown.length > 0 && (
              <Alert color="yellow" variant="light" data-testid="canned-unknown-placeholders">
                Not known, will stay as written: {unknown.join(', ')}
              </Alert>
            )}
            <Title order={6}>Placeholders</Title>
            <Text size="xs" c="dimmed">
              <Code>{'{{contact.firstName | there}}'}</Code> uses “there” when the customer has no name.
            </Text>
            <Stack gap={0}>
              {Object.entries(PLACEHOLDERS).map(([key, what]) => (
                <Text size="xs" key={key}>
                  <Code>{`{{${key}}}`}</Code> {what}
                </Text>
              ))}
            </Stack>
            {save.isError && <Alert color="red">{save.error.message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDraft(null)}>
                Cancel
              </Button>
              <Button
                onClick={() => save.mutate(draft)}
                loading={save.isPending}
                disabled={!draft.title.trim() || !draft.body.trim() || (draft.scope === 'team' && !draft.id && !draft.teamId)}
                data-testid="canned-save"
              >
                Save
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

export default CannedReplies;
