import {
  Alert,
  Box,
  Button,
  Combobox,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  useCombobox,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  expandPlaceholders,
  replyTextLength,
  type CannedReply,
  type CreateMessageRequest,
  type Message,
  type PlaceholderContext,
  type PlaceholderIssue,
  type ThreadDetail,
} from '@desk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { api, CollisionError } from '../api/endpoints';
import { keys } from '../api/keys';
import { useCannedReplies, useContact, useMe, useMessages } from '../api/hooks';
import { appendMessage } from '../realtime/realtime-cache';
import { useRealtime } from '../realtime/SocketProvider';
import { formatDateTime } from '../lib/time';
import { CannedPicker } from './CannedPicker';
import { AttachmentPicker } from './AttachmentPicker';
import { useAttachmentUploads } from './useAttachmentUploads';
import { mentionAt, shortcutAt, splice, type Token } from './composer-text';
import { socialReplyChoice } from './reply-mode';

const TYPING_IDLE_MS = 3000;
const MENTION_SUGGESTIONS = 6;
/** Channels whose customers are always answered by email (the server does the same). */
const EMAIL_ANSWERED = new Set(['email', 'webform']);

type Kind = 'reply' | 'note';
type Visibility = 'public' | 'private';
type Viewer = { agentId: string; name: string; typing: boolean };

export interface ComposerHandle {
  focus: () => void;
}

function splitAddresses(v: string): string[] {
  return v
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function replySubject(subject: string | null): string {
  if (!subject) return '';
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
}

/** Sends `thread.typing` while the agent types, and `false` after 3 s without a keystroke. */
function useTypingSignal(threadId: string) {
  const { emit } = useRealtime();
  const typing = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stop = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (typing.current) {
      typing.current = false;
      emit('thread.typing', { threadId, typing: false });
    }
  };
  const stopRef = useRef(stop);
  stopRef.current = stop;
  useEffect(() => () => stopRef.current(), []);
  const poke = () => {
    if (!typing.current) {
      typing.current = true;
      emit('thread.typing', { threadId, typing: true });
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(stop, TYPING_IDLE_MS);
  };
  return { poke, stop };
}

/** What `{{placeholders}}` stand for in this thread. */
function usePlaceholderContext(thread: ThreadDetail): PlaceholderContext {
  const me = useMe().data;
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: ({ signal }) => api.inboxes(signal), staleTime: 5 * 60_000 });
  const inbox = inboxes.data?.find((i) => i.id === thread.inboxId);
  return {
    contact: { name: thread.contact.name },
    agent: { name: me?.name ?? null },
    thread: { number: thread.number, subject: thread.subject },
    inbox: { name: inbox?.name ?? null },
  };
}

function issueText(i: PlaceholderIssue): string {
  return i.reason === 'unknown' ? `${i.placeholder} is not a known placeholder` : `${i.placeholder} has no value in this thread`;
}

export const Composer = forwardRef<ComposerHandle, { thread: ThreadDetail; viewers?: Viewer[] }>(function Composer(
  { thread, viewers = [] },
  ref,
) {
  const qc = useQueryClient();
  const me = useMe().data;
  const [kind, setKind] = useState<Kind>('reply');
  const [body, setBody] = useState('');
  const [to, setTo] = useState(thread.contact.primaryEmail ?? '');
  const [cc, setCc] = useState('');
  const [subject, setSubject] = useState(replySubject(thread.subject));
  const [collision, setCollision] = useState<Message[] | null>(null);
  // social threads: the agent's explicit choice (null: follow the latest inbound message), and "Continue by email"
  const [chosenVisibility, setChosenVisibility] = useState<Visibility | null>(null);
  const [byEmail, setByEmail] = useState(false);
  const [caret, setCaret] = useState(0);
  // Escape closes the @ suggestions for the mention being typed (known by where its @ is)
  const [dismissedMention, setDismissedMention] = useState<number | null>(null);
  const [placeholderIssues, setPlaceholderIssues] = useState<PlaceholderIssue[]>([]);
  const uploads = useAttachmentUploads();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const typing = useTypingSignal(thread.id);
  // The version the agent had on screen when this draft began. Live updates keep moving
  // thread.version; pinning it here is what lets the server hold a reply written before a newer
  // message arrived. Cleared after a send or a review, so the next draft pins the fresh version.
  const pinnedVersion = useRef<number | null>(null);

  useImperativeHandle(ref, () => ({ focus: () => textarea.current?.focus() }), []);

  // --- where the reply goes ---------------------------------------------------------------------
  const messages = useMessages(thread.id);
  const allMessages = useMemo(() => messages.data?.pages.flatMap((p) => p.items), [messages.data]);
  const social = socialReplyChoice(thread.channel, allMessages);
  const contact = useContact(social ? thread.contact.id : undefined);
  const linkedEmails = (contact.data?.identities ?? []).filter((i) => i.kind === 'email').map((i) => i.value);
  const canEmail = social !== null && linkedEmails.length > 0;
  const viaEmail = kind === 'reply' && (EMAIL_ANSWERED.has(thread.channel) || (canEmail && byEmail));
  const socialReply = kind === 'reply' && social !== null && !viaEmail;
  // files go with email replies and notes; social networks take none
  const canAttach = kind === 'note' || viaEmail;
  const attachBlocked = canAttach && (uploads.busy || uploads.problem !== null);
  const visibility: Visibility | null = !social
    ? null
    : chosenVisibility === 'public' && social.canPublic
      ? 'public'
      : chosenVisibility === 'private' && social.canPrivate
        ? 'private'
        : social.defaultPublic && social.canPublic
          ? 'public'
          : social.canPrivate
            ? 'private'
            : 'public';
  const isPublic = visibility === 'public';
  const limit = socialReply && social ? social.modes[isPublic ? 'public' : 'private'].limit : null;
  const length = socialReply ? replyTextLength(thread.channel, isPublic, body) : body.length;
  const tooLong = limit !== null && length > limit;
  const blank = body.trim().length === 0;

  const toggleEmail = (on: boolean) => {
    setByEmail(on);
    if (on && !linkedEmails.some((e) => splitAddresses(to).includes(e))) {
      const primary = thread.contact.primaryEmail;
      setTo(primary && linkedEmails.includes(primary) ? primary : (linkedEmails[0] ?? ''));
    }
  };

  // --- canned replies, /shortcut + Tab, @mentions ----------------------------------------------
  const placeholderCtx = usePlaceholderContext(thread);
  const canned = useCannedReplies();
  // the @ suggestions need the agents only in a note
  const agents = useQuery({ queryKey: keys.agents, queryFn: ({ signal }) => api.agents(signal), staleTime: 60_000, enabled: kind === 'note' });
  const typed = kind === 'note' ? mentionAt(body, caret) : null;
  const mention = typed && typed.start !== dismissedMention ? typed : null;
  const mentionQuery = mention ? mention.query.toLowerCase() : null;
  const mentionOptions = useMemo(() => {
    if (mentionQuery === null) return [];
    const q = mentionQuery;
    return (agents.data ?? [])
      .filter((a) => a.isActive && a.id !== me?.id && (a.name.toLowerCase().includes(q) || a.email.toLowerCase().startsWith(q)))
      .slice(0, MENTION_SUGGESTIONS);
  }, [mentionQuery, agents.data, me?.id]);
  const mentionBox = useCombobox();
  const mentionOpen = mentionOptions.length > 0;
  useEffect(() => {
    if (mentionOpen) {
      mentionBox.openDropdown();
      mentionBox.selectFirstOption();
    } else mentionBox.closeDropdown();
  }, [mentionOpen, mentionOptions]);

  const edit = (next: string, nextCaret: number) => {
    if (pinnedVersion.current === null) pinnedVersion.current = thread.version;
    setBody(next);
    setCaret(nextCaret);
    typing.poke();
  };

  /** Replaces [start, end) with `text`, then puts the caret after it. */
  const insertAt = (start: number, end: number, text: string) => {
    const next = splice(body, start, end, text);
    edit(next.text, next.caret);
    requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const insertCanned = (reply: CannedReply, token?: Token) => {
    const { text, issues } = expandPlaceholders(reply.body, placeholderCtx);
    setPlaceholderIssues(issues);
    const el = textarea.current;
    const start = token?.start ?? el?.selectionStart ?? body.length;
    const end = token ? start + token.query.length + 1 : (el?.selectionEnd ?? body.length);
    insertAt(start, end, text);
  };

  const insertMention = (agentId: string) => {
    const agent = agents.data?.find((a) => a.id === agentId);
    if (!agent || !mention) return;
    insertAt(mention.start, caret, `@${agent.name} `);
  };

  /** Tab after `/shortcut` expands the canned reply; Tab elsewhere moves focus as usual. */
  const expandShortcut = (): boolean => {
    const token = shortcutAt(body, textarea.current?.selectionStart ?? caret);
    const reply = token && canned.data?.find((r) => r.shortcut === token.query);
    if (!token || !reply) return false;
    insertCanned(reply, token);
    return true;
  };

  // --- sending -----------------------------------------------------------------------------------
  const send = useMutation({
    mutationFn: (force: boolean) => {
      const seenVersion = pinnedVersion.current ?? thread.version;
      const req: CreateMessageRequest = { kind, body, seenVersion, ...(force ? { force: true } : {}) };
      if (kind === 'reply' && viaEmail) {
        const toList = splitAddresses(to);
        const ccList = splitAddresses(cc);
        if (toList.length) req.to = toList;
        if (ccList.length) req.cc = ccList;
        if (subject.trim()) req.subject = subject.trim();
        if (!EMAIL_ANSWERED.has(thread.channel)) req.channel = 'email';
      }
      // unknown inbound messages: the server picks by the latest one, unless the agent chose
      if (socialReply && (social?.known || chosenVisibility !== null)) req.public = isPublic;
      if (canAttach && uploads.ids.length) req.attachmentIds = uploads.ids;
      return api.sendMessage(thread.id, req);
    },
    onSuccess: (message) => {
      appendMessage(qc, thread.id, message);
      void qc.invalidateQueries({ queryKey: keys.thread(thread.id) });
      void qc.invalidateQueries({ queryKey: keys.threadLists });
      setBody('');
      setCaret(0);
      setPlaceholderIssues([]);
      setChosenVisibility(null);
      if (canAttach) uploads.clear();
      pinnedVersion.current = null;
      setCollision(null);
      typing.stop();
    },
    onError: (e) => {
      if (e instanceof CollisionError) {
        for (const m of e.newMessages) appendMessage(qc, thread.id, m);
        setCollision(e.newMessages);
        return;
      }
      notifications.show({ color: 'red', title: 'Not sent', message: e.message });
    },
  });

  const submit = () => {
    if (blank || tooLong || attachBlocked || send.isPending) return;
    send.mutate(false);
  };

  const review = () => {
    setCollision(null);
    pinnedVersion.current = null;
    void qc.invalidateQueries({ queryKey: keys.thread(thread.id) });
    void qc.invalidateQueries({ queryKey: keys.messages(thread.id) });
    textarea.current?.focus();
  };

  const others = viewers.filter((v) => v.agentId !== me?.id);
  const typists = others.filter((v) => v.typing);
  // flagged placeholders stay flagged while they are still in the text
  const openIssues = placeholderIssues.filter((i) => body.includes(i.placeholder));
  const network = social?.modes.network ?? '';

  return (
    <Box
      p="sm"
      style={{
        borderTop: `${socialReply && isPublic ? 3 : 1}px solid var(--mantine-color-${socialReply && isPublic ? 'orange-6' : 'gray-3'})`,
      }}
      bg={kind === 'note' ? 'yellow.0' : socialReply && isPublic ? 'orange.0' : undefined}
      data-testid="composer"
      data-kind={kind}
      data-visibility={socialReply ? visibility : undefined}
    >
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <SegmentedControl
              size="xs"
              value={kind}
              onChange={(v) => setKind(v === 'note' ? 'note' : 'reply')}
              data={[
                { value: 'reply', label: 'Reply' },
                { value: 'note', label: 'Internal note' },
              ]}
              data-testid="composer-kind"
            />
            {kind === 'reply' && social && !viaEmail && social.canPublic && social.canPrivate && (
              <SegmentedControl
                size="xs"
                value={visibility ?? 'public'}
                onChange={(v) => setChosenVisibility(v === 'private' ? 'private' : 'public')}
                color={isPublic ? 'orange' : 'blue'}
                data={[
                  { value: 'public', label: social.modes.public.label },
                  { value: 'private', label: social.modes.private.label },
                ]}
                data-testid="composer-visibility"
              />
            )}
            {kind === 'reply' && social && !viaEmail && !(social.canPublic && social.canPrivate) && (
              <Text size="xs" fw={600} c={isPublic ? 'orange.8' : 'blue.8'} data-testid="composer-visibility-fixed">
                {social.modes[isPublic ? 'public' : 'private'].label}
              </Text>
            )}
            {kind === 'reply' && canEmail && (
              <Switch
                size="xs"
                label="Continue by email"
                checked={byEmail}
                onChange={(e) => toggleEmail(e.currentTarget.checked)}
                data-testid="composer-by-email"
              />
            )}
          </Group>
          <Group gap="xs">
            {others.length > 0 && (
              <Text size="xs" c="dimmed" data-testid="composer-viewers">
                Also here: {others.map((v) => v.name).join(', ')}
              </Text>
            )}
            {typists.length > 0 && (
              <Text size="xs" c="grape" fw={600} data-testid="typing-indicator">
                {typists.map((v) => v.name).join(', ')} {typists.length === 1 ? 'is' : 'are'} typing…
              </Text>
            )}
          </Group>
        </Group>
        {socialReply && isPublic && (
          <Alert color="orange" variant="filled" py={6} data-testid="composer-public-banner">
            Visible to everyone on {network}: this reply is posted publicly.
          </Alert>
        )}
        {socialReply && !isPublic && (
          <Alert color="blue" variant="light" py={6} data-testid="composer-private-banner">
            {social?.modes.private.label} on {network}: only the customer sees it.
          </Alert>
        )}
        {kind === 'reply' && social && viaEmail && (
          <Alert color="gray" variant="light" py={6} data-testid="composer-email-banner">
            Sent by email to an address linked to this customer, not on {network}.
          </Alert>
        )}
        {viaEmail && (
          <Group gap="xs" grow>
            <TextInput size="xs" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="composer-to" />
            <TextInput size="xs" label="Cc" value={cc} onChange={(e) => setCc(e.currentTarget.value)} data-testid="composer-cc" />
            <TextInput
              size="xs"
              label="Subject"
              value={subject}
              onChange={(e) => setSubject(e.currentTarget.value)}
              data-testid="composer-subject"
            />
          </Group>
        )}
        <Combobox store={mentionBox} onOptionSubmit={insertMention} position="top-start" withinPortal>
          <Combobox.DropdownTarget>
            <Textarea
              ref={textarea}
              aria-label={kind === 'note' ? 'Internal note' : 'Reply'}
              placeholder={
                kind === 'note'
                  ? 'Internal note — only agents see this. @name notifies a colleague'
                  : 'Write a reply… (/shortcut + Tab inserts a canned reply, Ctrl+Enter sends)'
              }
              autosize
              minRows={3}
              maxRows={12}
              value={body}
              onChange={(e) => edit(e.currentTarget.value, e.currentTarget.selectionStart)}
              onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
              onKeyDown={(e) => {
                if (mentionOpen) {
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    if (e.key === 'ArrowDown') mentionBox.selectNextOption();
                    else mentionBox.selectPreviousOption();
                    return;
                  }
                  if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey) {
                    e.preventDefault();
                    mentionBox.clickSelectedOption();
                    return;
                  }
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    setDismissedMention(mention?.start ?? null);
                    return;
                  }
                }
                if (e.key === 'Tab' && !e.shiftKey && expandShortcut()) {
                  e.preventDefault();
                  return;
                }
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  submit();
                }
              }}
              data-testid="composer-body"
            />
          </Combobox.DropdownTarget>
          <Combobox.Dropdown hidden={!mentionOpen} data-testid="mention-dropdown">
            <Combobox.Options>
              {mentionOptions.map((a) => (
                <Combobox.Option value={a.id} key={a.id} data-testid="mention-option">
                  <Text size="sm">{a.name}</Text>
                  <Text size="xs" c="dimmed">
                    {a.email}
                  </Text>
                </Combobox.Option>
              ))}
            </Combobox.Options>
          </Combobox.Dropdown>
        </Combobox>
        {canAttach && <AttachmentPicker uploads={uploads} />}
        {openIssues.length > 0 && (
          <Alert color="yellow" variant="light" py={6} title="Check the placeholders before sending" data-testid="placeholder-warning">
            {openIssues.map((i) => (
              <Text size="xs" key={i.placeholder}>
                {issueText(i)}
              </Text>
            ))}
          </Alert>
        )}
        <Group justify="space-between">
          <Group gap="xs">
            <CannedPicker onPick={(r) => insertCanned(r)} />
            {limit !== null && (
              <Text size="xs" c={tooLong ? 'red' : 'dimmed'} data-testid="composer-counter" data-over={tooLong || undefined}>
                {length}/{limit}
                {tooLong ? ` — ${length - limit} over the ${network} limit` : ''}
              </Text>
            )}
          </Group>
          <Button size="xs" onClick={submit} disabled={blank || tooLong || attachBlocked} loading={send.isPending} data-testid="composer-send">
            {kind === 'note' ? 'Add note' : 'Send'}
          </Button>
        </Group>
      </Stack>

      <Modal opened={collision !== null} onClose={review} title="New activity in this thread" size="lg">
        <Stack gap="sm" data-testid="collision-warning">
          <Alert color="orange" variant="light">
            {collision?.length === 1 ? 'A message arrived' : `${collision?.length ?? 0} messages arrived`} after you opened this
            thread. Your reply has not been sent.
          </Alert>
          <Stack gap={6} mah={320} style={{ overflowY: 'auto' }}>
            {collision?.map((m) => (
              <Box key={m.id} p="xs" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4 }} data-testid="collision-message">
                <Text size="xs" c="dimmed">
                  {m.author.name ?? (m.direction === 'inbound' ? 'Customer' : 'Agent')} · {m.direction} · {formatDateTime(m.createdAt)}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {m.visibleText ?? m.bodyText}
                </Text>
              </Box>
            ))}
          </Stack>
          <Group justify="flex-end">
            <Button variant="default" onClick={review} data-testid="collision-review">
              Review
            </Button>
            <Button color="orange" onClick={() => send.mutate(true)} loading={send.isPending} data-testid="collision-send-anyway">
              Send anyway
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Box>
  );
});
