import type { Message, NotificationPage, RealtimeEventPayload, ThreadDetail, ThreadSummary } from '@desk/contracts';
import type { QueryClient } from '@tanstack/react-query';
import type { MessagesData } from '../api/hooks';
import { keys } from '../api/keys';

/**
 * How each server event changes the cached data. Lists are re-fetched (the server owns filtering
 * and SLA ordering); the open thread and its messages are patched in place so they change at once.
 */
export function applyThreadSummary(qc: QueryClient, thread: ThreadSummary): void {
  qc.setQueryData<ThreadDetail>(keys.thread(thread.id), (old) =>
    old && old.version <= thread.version ? { ...old, ...thread } : old,
  );
  void qc.invalidateQueries({ queryKey: keys.threadLists });
  void qc.invalidateQueries({ queryKey: keys.contactThreads(thread.contact.id) });
  void qc.invalidateQueries({ queryKey: keys.supervisor });
}

/**
 * Adds a message, or replaces the cached copy. A copy that is already cached keeps its delivery
 * state: the message as created (the POST's answer, message.created) cannot be newer than a
 * delivery.updated that overtook it (the worker's event and the api's travel separately).
 */
export function appendMessage(qc: QueryClient, threadId: string, message: Message): void {
  qc.setQueryData<MessagesData>(keys.messages(threadId), (old) => {
    if (!old) return old;
    const exists = old.pages.some((p) => p.items.some((m) => m.id === message.id));
    if (exists) {
      return {
        ...old,
        pages: old.pages.map((p) => ({
          ...p,
          items: p.items.map((m) => (m.id === message.id ? { ...message, deliveryState: m.deliveryState, deliveryError: m.deliveryError } : m)),
        })),
      };
    }
    const [newest, ...older] = old.pages;
    if (!newest) return old;
    return { ...old, pages: [{ ...newest, items: [...newest.items, message] }, ...older] };
  });
}

/**
 * Patches the message's delivery state. A delivery can be sent before the console has the message
 * (a relay answers in milliseconds): then the thread's messages are fetched again, and the server's
 * row, already updated, brings the state instead of the update being lost.
 */
export function updateDelivery(qc: QueryClient, e: RealtimeEventPayload<'delivery.updated'>): void {
  const old = qc.getQueryData<MessagesData>(keys.messages(e.threadId));
  if (!old) return;
  if (!old.pages.some((p) => p.items.some((m) => m.id === e.messageId))) {
    void qc.invalidateQueries({ queryKey: keys.messages(e.threadId) });
    return;
  }
  qc.setQueryData<MessagesData>(keys.messages(e.threadId), {
    ...old,
    pages: old.pages.map((p) => ({
      ...p,
      items: p.items.map((m) => (m.id === e.messageId ? { ...m, deliveryState: e.state, deliveryError: e.error } : m)),
    })),
  });
}

export function handleMessageCreated(qc: QueryClient, e: RealtimeEventPayload<'message.created'>): void {
  appendMessage(qc, e.threadId, e.message);
  void qc.invalidateQueries({ queryKey: keys.thread(e.threadId) });
  void qc.invalidateQueries({ queryKey: keys.threadLists });
}

export function handleSla(qc: QueryClient, threadId: string): void {
  void qc.invalidateQueries({ queryKey: keys.thread(threadId) });
  void qc.invalidateQueries({ queryKey: keys.threadLists });
  void qc.invalidateQueries({ queryKey: keys.supervisor });
}

/** A new notification goes on top of the bell's list at once; without a list yet, the next read fetches it. */
export function handleNotificationCreated(qc: QueryClient, e: RealtimeEventPayload<'notification.created'>): void {
  const n = e.notification;
  const cached = qc.getQueryData<NotificationPage>(keys.notifications);
  if (!cached) {
    void qc.invalidateQueries({ queryKey: keys.notifications });
    return;
  }
  if (cached.items.some((x) => x.id === n.id)) return;
  qc.setQueryData<NotificationPage>(keys.notifications, {
    ...cached,
    items: [n, ...cached.items],
    unreadCount: cached.unreadCount + (n.readAt ? 0 : 1),
  });
}
