import { Alert, Loader, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Message, MergeThreadRequest, SplitThreadRequest, ThreadDetail } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorFor } from '../api/errors';
import { api } from '../api/endpoints';
import { useContactThreads } from '../api/hooks';
import { keys } from '../api/keys';
import { ModalActions, ReasonField } from '../lib/forms';

/** A move changes the messages, times and lists of every thread it touches. */
function useAfterMove() {
  const qc = useQueryClient();
  return (threadIds: string[]) => {
    for (const id of threadIds) {
      void qc.invalidateQueries({ queryKey: keys.thread(id) });
      void qc.invalidateQueries({ queryKey: keys.messages(id) });
      void qc.invalidateQueries({ queryKey: keys.audit(id) });
    }
    void qc.invalidateQueries({ queryKey: keys.threadLists });
    void qc.invalidateQueries({ queryKey: keys.contactThreadLists });
  };
}

/** Moves one message into a new thread of the same customer, with an optional subject and reason. */
export function SplitMessageModal({ message, onClose }: { message: Message; onClose: () => void }) {
  const afterMove = useAfterMove();
  const [subject, setSubject] = useState('');
  const [reason, setReason] = useState('');
  const split = useMutation({
    mutationFn: (body: SplitThreadRequest) => api.splitThread(message.threadId, body),
    onSuccess: (r) => {
      afterMove([r.sourceThread.id, r.newThread.id]);
      notifications.show({ color: 'green', message: `Moved to the new thread #${r.newThread.number}` });
      onClose();
    },
  });
  const err = errorFor(split.error, 'messageIds');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    split.mutate({
      messageIds: [message.id],
      ...(subject.trim() ? { subject: subject.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
  };

  return (
    <Modal opened onClose={onClose} title="Move to a new thread" data-testid="split-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            This message moves to a new thread of the same customer. When they answer it, their reply lands in the new thread.
          </Text>
          <TextInput
            label="Subject of the new thread"
            placeholder="Same as this thread"
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
            error={errorFor(split.error, 'subject').field}
            data-autofocus
            data-testid="split-subject"
          />
          <ReasonField
            placeholder="Optional, kept in the audit trail"
            value={reason}
            onChange={setReason}
            error={errorFor(split.error, 'reason').field}
            testId="split-reason"
          />
          {(err.field ?? err.other) && (
            <Alert color="red" data-testid="split-error">
              {err.field ?? err.other}
            </Alert>
          )}
          <ModalActions onCancel={onClose} label="Move" loading={split.isPending} testId="split-submit" />
        </Stack>
      </form>
    </Modal>
  );
}

/** Merges the thread on screen into another thread of the same customer; the reason is mandatory. */
export function MergeThreadModal({ thread, onClose }: { thread: ThreadDetail; onClose: () => void }) {
  const afterMove = useAfterMove();
  const qc = useQueryClient();
  const threads = useContactThreads(thread.contact.id);
  const [targetId, setTargetId] = useState('');
  const [reason, setReason] = useState('');
  const merge = useMutation({
    mutationFn: (body: MergeThreadRequest) => api.mergeThread(thread.id, body),
    onSuccess: (r) => {
      qc.setQueryData<ThreadDetail>(keys.thread(thread.id), r.sourceThread);
      afterMove([r.sourceThread.id, r.targetThread.id]);
      notifications.show({ color: 'green', message: `Merged into #${r.targetThread.number}` });
      onClose();
    },
  });
  const candidates = (threads.data?.pages.flatMap((p) => p.items) ?? []).filter((t) => t.id !== thread.id);
  const targetErr = errorFor(merge.error, 'targetThreadId');
  const reasonErr = errorFor(merge.error, 'reason');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (targetId && reason.trim()) merge.mutate({ targetThreadId: targetId, reason: reason.trim() });
  };

  return (
    <Modal opened onClose={onClose} title={`Merge #${thread.number} into another thread`} data-testid="merge-thread-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            All messages of #{thread.number} move to the thread you pick, and #{thread.number} is resolved. Replies to it land there too.
          </Text>
          {threads.isPending && <Loader size="xs" />}
          {threads.isError && <Alert color="red">{threads.error.message}</Alert>}
          {threads.isSuccess && candidates.length === 0 && (
            <Text size="sm" c="dimmed" data-testid="merge-thread-none">
              This customer has no other thread.
            </Text>
          )}
          <NativeSelect
            label="Merge into"
            data={[
              { value: '', label: 'Pick a thread of this customer' },
              ...candidates.map((t) => ({ value: t.id, label: `#${t.number} ${t.subject ?? t.preview ?? '(no subject)'} (${t.status})` })),
            ]}
            value={targetId}
            onChange={(e) => setTargetId(e.currentTarget.value)}
            error={targetErr.field}
            required
            data-autofocus
            data-testid="merge-thread-target"
          />
          <ReasonField
            placeholder="Why these belong together (kept in the audit trail)"
            value={reason}
            onChange={setReason}
            error={reasonErr.field}
            required
            testId="merge-thread-reason"
          />
          {targetErr.other && reasonErr.other && (
            <Alert color="red" data-testid="merge-thread-error">
              {targetErr.other}
            </Alert>
          )}
          <ModalActions onCancel={onClose} label="Merge" loading={merge.isPending} disabled={!targetId || !reason.trim()} testId="merge-thread-submit" />
        </Stack>
      </form>
    </Modal>
  );
}
