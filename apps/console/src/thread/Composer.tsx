import { Alert, Box, Button, Group, Modal, SegmentedControl, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { CreateMessageRequest, Message, ThreadDetail } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { api, CollisionError } from '../api/endpoints';
import { keys } from '../api/keys';
import { useMe } from '../api/hooks';
import { appendMessage } from '../realtime/realtime-cache';
import { useRealtime } from '../realtime/SocketProvider';
import { formatDateTime } from '../lib/time';

/** X refuses longer public posts; the server enforces it too, this only tells the agent early. */
export const X_LIMIT = 280;
const TYPING_IDLE_MS = 3000;

type Kind = 'reply' | 'note';
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
  const textarea = useRef<HTMLTextAreaElement>(null);
  const typing = useTypingSignal(thread.id);
  // The version the agent had on screen when this draft began. Live updates keep moving
  // thread.version; pinning it here is what lets the server hold a reply written before a newer
  // message arrived. Cleared after a send or a review, so the next draft pins the fresh version.
  const pinnedVersion = useRef<number | null>(null);

  useImperativeHandle(ref, () => ({ focus: () => textarea.current?.focus() }), []);

  const isEmail = thread.channel === 'email';
  const isPublicX = thread.channel === 'x' && kind === 'reply';
  const tooLong = isPublicX && body.length > X_LIMIT;
  const blank = body.trim().length === 0;

  const send = useMutation({
    mutationFn: (force: boolean) => {
      const seenVersion = pinnedVersion.current ?? thread.version;
      const req: CreateMessageRequest = { kind, body, seenVersion, ...(force ? { force: true } : {}) };
      if (kind === 'reply' && isEmail) {
        const toList = splitAddresses(to);
        const ccList = splitAddresses(cc);
        if (toList.length) req.to = toList;
        if (ccList.length) req.cc = ccList;
        if (subject.trim()) req.subject = subject.trim();
      }
      return api.sendMessage(thread.id, req);
    },
    onSuccess: (message) => {
      appendMessage(qc, thread.id, message);
      void qc.invalidateQueries({ queryKey: keys.thread(thread.id) });
      void qc.invalidateQueries({ queryKey: keys.threadLists });
      setBody('');
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
    if (blank || tooLong || send.isPending) return;
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

  return (
    <Box
      p="sm"
      style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}
      bg={kind === 'note' ? 'yellow.0' : undefined}
      data-testid="composer"
      data-kind={kind}
    >
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
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
        {kind === 'reply' && isEmail && (
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
        <Textarea
          ref={textarea}
          aria-label={kind === 'note' ? 'Internal note' : 'Reply'}
          placeholder={kind === 'note' ? 'Internal note — only agents see this' : 'Write a reply… (Ctrl+Enter sends)'}
          autosize
          minRows={3}
          maxRows={12}
          value={body}
          onChange={(e) => {
            if (pinnedVersion.current === null) pinnedVersion.current = thread.version;
            setBody(e.currentTarget.value);
            typing.poke();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
          data-testid="composer-body"
        />
        <Group justify="space-between">
          {isPublicX ? (
            <Text size="xs" c={tooLong ? 'red' : 'dimmed'} data-testid="composer-counter" data-over={tooLong || undefined}>
              {body.length}/{X_LIMIT}
              {tooLong ? ` — ${body.length - X_LIMIT} over the X limit` : ''}
            </Text>
          ) : (
            <span />
          )}
          <Button size="xs" onClick={submit} disabled={blank || tooLong} loading={send.isPending} data-testid="composer-send">
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
