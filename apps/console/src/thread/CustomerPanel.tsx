import { Alert, Badge, Box, Button, Divider, Group, List, Loader, Modal, NativeSelect, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IdentityConflict, IdentityKind, type ContactMerge, type MergeSuggestion, type ThreadSummary } from '@desk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../api/client';
import { errorFor } from '../api/errors';
import { api } from '../api/endpoints';
import {
  useContact,
  useContactMerges,
  useContactThreads,
  useLinkIdentity,
  useMe,
  useMergeContacts,
  useMergeSuggestions,
  useUnmergeContacts,
} from '../api/hooks';
import { keys } from '../api/keys';
import { ChannelMark, channelLabel } from '../lib/channels';
import { formatDateTime } from '../lib/time';
import { ModalActions, ReasonField } from '../lib/forms';

// The contracts export the ContactRef schema but not its inferred type.
type ContactRef = ThreadSummary['contact'];

/** The contact to merge into the one on screen, as far as the console knows it when the agent picks it. */
interface MergeTarget {
  id: string;
  name: string | null;
  primaryEmail: string | null;
}

const REASON_LABEL: Record<MergeSuggestion['reasons'][number], string> = {
  identity: 'Same identity',
  'name-and-domain': 'Same name and email domain',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function displayName(c: { name: string | null; primaryEmail: string | null }): string {
  return c.name ?? c.primaryEmail ?? 'Unknown customer';
}

/** The customer beside the conversation: who they are on every channel and everything they sent us. */
export function CustomerPanel({
  contact,
  currentThreadId,
  repeatContact,
}: {
  contact: ContactRef;
  currentThreadId: string;
  repeatContact?: { count: number; windowDays: number } | undefined;
}) {
  const details = useContact(contact.id);
  const threads = useContactThreads(contact.id);
  const all = threads.data?.pages.flatMap((p) => p.items) ?? [];
  const [linking, setLinking] = useState(false);
  // undefined: no merge dialog; null: the dialog with a search; a target: the dialog for that contact
  const [merging, setMerging] = useState<MergeTarget | null | undefined>(undefined);
  const me: MergeTarget = {
    id: contact.id,
    name: details.data?.name ?? contact.name,
    primaryEmail: details.data?.primaryEmail ?? contact.primaryEmail,
  };

  return (
    <Stack gap="sm" p="md" data-testid="customer-panel">
      <div>
        <Title order={4} data-testid="customer-name">
          {details.data?.name ?? contact.name ?? contact.primaryEmail ?? 'Unknown customer'}
        </Title>
        {(details.data?.primaryEmail ?? contact.primaryEmail) && (
          <Text size="sm" c="dimmed">
            {details.data?.primaryEmail ?? contact.primaryEmail}
          </Text>
        )}
      </div>
      {repeatContact && (
        <Badge color="orange" variant="light" data-testid="repeat-contact" title="New conversations from this customer in the window">
          Repeat contact: {repeatContact.count} in {repeatContact.windowDays} days
        </Badge>
      )}
      {details.data && details.data.tags.length > 0 && (
        <Group gap={4}>
          {details.data.tags.map((t) => (
            <Badge key={t} size="xs" variant="outline">
              {t}
            </Badge>
          ))}
        </Group>
      )}

      <Divider label="Identities" labelPosition="left" />
      {details.isPending && <Loader size="xs" />}
      {details.isError && <Alert color="red">{details.error.message}</Alert>}
      <Stack gap={6} data-testid="customer-identities">
        {details.data?.identities.map((id) => (
          <Group key={id.id} gap="xs" wrap="nowrap" data-testid="customer-identity">
            <ChannelMark channel={id.kind} />
            <Box style={{ minWidth: 0 }}>
              <Text size="sm" truncate>
                {id.value}
              </Text>
              {id.displayName && id.displayName !== id.value && (
                <Text size="xs" c="dimmed" truncate>
                  {id.displayName}
                </Text>
              )}
            </Box>
          </Group>
        ))}
      </Stack>
      <Group gap="xs">
        <Button size="xs" variant="light" onClick={() => setLinking(true)} data-testid="link-identity-open">
          Link identity
        </Button>
        <Button size="xs" variant="subtle" onClick={() => setMerging(null)} data-testid="merge-contact-open">
          Merge contact…
        </Button>
      </Group>

      <MergeSuggestions contactId={contact.id} onMerge={setMerging} />
      <PastMerges contact={me} />

      <Divider label="Conversations" labelPosition="left" />
      {threads.isPending && <Loader size="xs" />}
      {threads.isError && <Alert color="red">{threads.error.message}</Alert>}
      <Stack gap={2} data-testid="customer-threads">
        {all.map((t) => {
          const current = t.id === currentThreadId;
          return (
            <UnstyledButton
              key={t.id}
              component={Link}
              to={`/threads/${t.id}`}
              p={6}
              data-testid="customer-thread"
              data-current={current || undefined}
              aria-current={current ? 'page' : undefined}
              style={{
                borderRadius: 4,
                background: current ? 'var(--mantine-color-indigo-0)' : undefined,
              }}
            >
              <Group gap={6} wrap="nowrap">
                <ChannelMark channel={t.channel} />
                <Box style={{ minWidth: 0, flex: 1 }}>
                  <Text size="sm" truncate>
                    #{t.number} {t.subject ?? t.preview ?? '(no subject)'}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t.status} · {formatDateTime(t.lastMessageAt ?? t.createdAt)}
                  </Text>
                </Box>
              </Group>
            </UnstyledButton>
          );
        })}
      </Stack>
      {threads.hasNextPage && (
        <Button variant="subtle" size="xs" loading={threads.isFetchingNextPage} onClick={() => void threads.fetchNextPage()}>
          Older conversations
        </Button>
      )}

      <LinkIdentityModal
        opened={linking}
        contactId={contact.id}
        onClose={() => setLinking(false)}
        onMergeOwner={(owner) => {
          setLinking(false);
          setMerging(owner);
        }}
      />
      {merging !== undefined && <MergeModal into={me} initialTarget={merging} onClose={() => setMerging(undefined)} />}
    </Stack>
  );
}

function LinkIdentityModal({
  opened,
  contactId,
  onClose,
  onMergeOwner,
}: {
  opened: boolean;
  contactId: string;
  onClose: () => void;
  onMergeOwner: (owner: MergeTarget) => void;
}) {
  const link = useLinkIdentity(contactId);
  const [kind, setKind] = useState<IdentityKind>('email');
  const [value, setValue] = useState('');
  const conflict = isApiError(link.error) && link.error.status === 409 ? IdentityConflict.safeParse(link.error.rawBody) : null;
  const ownerId = conflict?.success ? conflict.data.ownerContactId : null;
  // the owner's name, so "merge that contact instead" says whom it means
  const owner = useContact(ownerId ?? undefined);
  const err = errorFor(link.error, 'value');
  const kindErr = errorFor(link.error, 'kind');

  const close = () => {
    link.reset();
    setValue('');
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    link.mutate(
      { kind, value },
      {
        onSuccess: (r) => {
          notifications.show({
            color: 'green',
            message: r.created ? `Linked ${channelLabel(r.kind)} ${r.value}` : `${r.value} was already linked to this customer`,
          });
          close();
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="Link an identity to this customer" data-testid="link-identity-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <NativeSelect
            label="Kind"
            value={kind}
            onChange={(e) => setKind(IdentityKind.parse(e.currentTarget.value))}
            data={IdentityKind.options.map((k) => ({ value: k, label: channelLabel(k) }))}
            error={kindErr.field}
            data-testid="link-identity-kind"
          />
          <TextInput
            label={kind === 'email' ? 'Email address' : `${channelLabel(kind)} user (handle or id)`}
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            error={err.field}
            required
            data-autofocus
            data-testid="link-identity-value"
          />
          {kindErr.other && err.other && (
            <Alert color="red" data-testid="link-identity-error">
              {err.other}
            </Alert>
          )}
          {ownerId && (
            <Alert color="yellow" title="Already another customer's" data-testid="link-identity-conflict">
              <Stack gap="xs">
                <Text size="sm">
                  {owner.data ? `${displayName(owner.data)} already has this identity.` : 'Another customer already has this identity.'} If they are
                  the same person, merge that contact into this one instead.
                </Text>
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => onMergeOwner({ id: ownerId, name: owner.data?.name ?? null, primaryEmail: owner.data?.primaryEmail ?? null })}
                  data-testid="link-identity-merge-owner"
                >
                  Merge that contact instead…
                </Button>
              </Stack>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={link.isPending} disabled={!value.trim()} data-testid="link-identity-submit">
              Link
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function MergeSuggestions({ contactId, onMerge }: { contactId: string; onMerge: (t: MergeTarget) => void }) {
  const suggestions = useMergeSuggestions(contactId);
  if (!suggestions.data?.length) return null;
  return (
    <>
      <Divider label="Merge suggestions" labelPosition="left" />
      <Stack gap={6} data-testid="merge-suggestions">
        {suggestions.data.map((s) => (
          <Group key={s.contactId} gap="xs" wrap="nowrap" justify="space-between" data-testid="merge-suggestion">
            <Box style={{ minWidth: 0 }}>
              <Text size="sm" truncate>
                {displayName(s)}
              </Text>
              {s.name && s.primaryEmail && (
                <Text size="xs" c="dimmed" truncate>
                  {s.primaryEmail}
                </Text>
              )}
              <Group gap={4}>
                {s.reasons.map((r) => (
                  <Badge key={r} size="xs" variant="light" color="grape">
                    {REASON_LABEL[r]}
                  </Badge>
                ))}
              </Group>
            </Box>
            <Button
              size="xs"
              variant="light"
              style={{ flexShrink: 0 }}
              onClick={() => onMerge({ id: s.contactId, name: s.name, primaryEmail: s.primaryEmail })}
              data-testid="merge-suggestion-merge"
            >
              Merge…
            </Button>
          </Group>
        ))}
      </Stack>
    </>
  );
}

/** Finds any contact by name or email; the contact on screen is not offered. */
function ContactPicker({ excludeId, onPick }: { excludeId: string; onPick: (t: MergeTarget) => void }) {
  const [value, setValue] = useState('');
  const [q] = useDebouncedValue(value.trim(), 250);
  const found = useQuery({
    queryKey: keys.contactSearch(q),
    queryFn: ({ signal }) => api.contacts(q, undefined, signal),
    enabled: q.length >= 2,
  });
  const items = (found.data?.items ?? []).filter((c) => c.id !== excludeId);
  return (
    <Stack gap="xs">
      <TextInput
        label="Find the other contact"
        placeholder="Name or email"
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        data-autofocus
        data-testid="merge-search"
      />
      {found.isFetching && <Loader size="xs" />}
      {found.isError && <Alert color="red">{found.error.message}</Alert>}
      {found.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No other contact matches.
        </Text>
      )}
      <Stack gap={2} data-testid="merge-search-results">
        {items.map((c) => (
          <UnstyledButton key={c.id} p={6} style={{ borderRadius: 4 }} onClick={() => onPick(c)} data-testid="merge-search-result">
            <Text size="sm">{displayName(c)}</Text>
            {c.name && c.primaryEmail && (
              <Text size="xs" c="dimmed">
                {c.primaryEmail}
              </Text>
            )}
          </UnstyledButton>
        ))}
      </Stack>
    </Stack>
  );
}

/** What the merge moves, read from the other contact, so the agent confirms knowing it. */
function MergeSummary({ into, other }: { into: MergeTarget; other: MergeTarget }) {
  const details = useContact(other.id);
  const threads = useContactThreads(other.id);
  const firstPage = threads.data?.pages[0];
  const threadCount = firstPage ? `${firstPage.items.length}${firstPage.nextCursor ? '+' : ''}` : '…';
  return (
    <Alert color="blue" title={`Merge ${displayName(other)} into ${displayName(into)}`} data-testid="merge-summary">
      <Text size="sm">Everything of {displayName(other)} moves to {displayName(into)}:</Text>
      <List size="sm" mt={4}>
        <List.Item>their conversations ({threadCount}) and the messages in them</List.Item>
        <List.Item>
          their identities
          {details.data && details.data.identities.length > 0 && `: ${details.data.identities.map((i) => `${channelLabel(i.kind)} ${i.value}`).join(', ')}`}
        </List.Item>
        <List.Item>their history, shown beside every conversation of {displayName(into)}</List.Item>
      </List>
      <Text size="sm" mt={4}>
        The merge is recorded with your reason and can be undone: a supervisor can split them apart again, putting back exactly what moved.
      </Text>
    </Alert>
  );
}

function MergeModal({ into, initialTarget, onClose }: { into: MergeTarget; initialTarget: MergeTarget | null; onClose: () => void }) {
  const merge = useMergeContacts(into.id);
  const [other, setOther] = useState<MergeTarget | null>(initialTarget);
  const [reason, setReason] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const reasonErr = errorFor(merge.error, 'reason');
  const otherErr = errorFor(merge.error, 'otherContactId');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!other) return;
    if (!reason.trim()) {
      setMissingReason(true);
      return;
    }
    merge.mutate(
      { otherContactId: other.id, reason: reason.trim() },
      {
        onSuccess: (r) => {
          notifications.show({
            color: 'green',
            message: `Merged ${displayName(other)} into ${displayName(into)}: ${plural(r.threadIds.length, 'conversation', 'conversations')} and ${plural(r.identityIds.length, 'identity', 'identities')} moved`,
          });
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title="Merge another contact into this customer" size="lg" data-testid="merge-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {other ? (
            <>
              <MergeSummary into={into} other={other} />
              {!initialTarget && (
                <Button variant="subtle" size="xs" onClick={() => setOther(null)} style={{ alignSelf: 'flex-start' }}>
                  Choose another contact
                </Button>
              )}
            </>
          ) : (
            <ContactPicker excludeId={into.id} onPick={setOther} />
          )}
          <ReasonField
            description="Why they are the same person; kept with the merge"
            value={reason}
            onChange={(v) => {
              setReason(v);
              setMissingReason(false);
            }}
            error={missingReason ? 'Give a reason for the merge' : reasonErr.field}
            required
            testId="merge-reason"
          />
          {(otherErr.field || (otherErr.other && reasonErr.other)) && (
            <Alert color="red" data-testid="merge-error">
              {otherErr.field ?? otherErr.other}
            </Alert>
          )}
          <ModalActions onCancel={onClose} label="Merge" color="orange" loading={merge.isPending} disabled={!other} testId="merge-submit" />
        </Stack>
      </form>
    </Modal>
  );
}

/** The merges into this customer still in effect, each with its undo (supervisors only, as the api says). */
function PastMerges({ contact }: { contact: MergeTarget }) {
  const merges = useContactMerges(contact.id);
  const me = useMe().data;
  const canUndo = me?.role === 'supervisor' || me?.role === 'admin';
  const [undoing, setUndoing] = useState<ContactMerge | null>(null);
  if (!merges.data?.length) return null;
  return (
    <>
      <Divider label="Merged contacts" labelPosition="left" />
      <Stack gap={6} data-testid="contact-merges">
        {merges.data.map((m) => (
          <Group key={m.mergedContactId} gap="xs" wrap="nowrap" justify="space-between" data-testid="contact-merge">
            <Box style={{ minWidth: 0 }}>
              <Text size="sm" truncate>
                Merged {displayName(m)}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(m.mergedAt)}
                {m.mergedBy && ` by ${m.mergedBy.name}`}
                {m.reason && ` · ${m.reason}`}
              </Text>
            </Box>
            {canUndo ? (
              <Button size="xs" variant="subtle" color="red" style={{ flexShrink: 0 }} onClick={() => setUndoing(m)} data-testid="undo-merge-open">
                Undo merge
              </Button>
            ) : (
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }} title="Only a supervisor can undo a merge">
                Supervisor can undo
              </Text>
            )}
          </Group>
        ))}
      </Stack>
      {undoing && <UndoMergeModal into={contact} merge={undoing} onClose={() => setUndoing(null)} />}
    </>
  );
}

function UndoMergeModal({ into, merge, onClose }: { into: MergeTarget; merge: ContactMerge; onClose: () => void }) {
  const unmerge = useUnmergeContacts(into.id);
  const [reason, setReason] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const reasonErr = errorFor(unmerge.error, 'reason');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setMissingReason(true);
      return;
    }
    unmerge.mutate(
      { mergedContactId: merge.mergedContactId, reason: reason.trim() },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: `${displayName(merge)} is a separate customer again` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`Undo the merge of ${displayName(merge)}`} data-testid="undo-merge-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            {displayName(merge)} gets back what the merge moved and is still here: {plural(merge.threadCount, 'conversation', 'conversations')} and{' '}
            {plural(merge.identityCount, 'identity', 'identities')}. Conversations that began after the merge stay with {displayName(into)}.
          </Text>
          <ReasonField
            value={reason}
            onChange={(v) => {
              setReason(v);
              setMissingReason(false);
            }}
            error={missingReason ? 'Give a reason for undoing the merge' : reasonErr.field}
            required
            testId="undo-merge-reason"
          />
          {reasonErr.other && (
            <Alert color="red" data-testid="undo-merge-error">
              {reasonErr.other}
            </Alert>
          )}
          <ModalActions onCancel={onClose} label="Undo merge" color="red" loading={unmerge.isPending} testId="undo-merge-submit" />
        </Stack>
      </form>
    </Modal>
  );
}
