import { z } from 'zod';

/** Why an agent is notified. Only @mentions in notes for now. */
export const NotificationKind = z.enum(['mention']);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** One notification of the signed-in agent, with what the bell's list shows. */
export const Notification = z.object({
  id: z.uuid(),
  kind: NotificationKind,
  threadId: z.uuid(),
  messageId: z.uuid(),
  thread: z.object({ number: z.number().int(), subject: z.string().nullable() }),
  /** Who mentioned the agent; null once that agent is gone. */
  actor: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  /** The start of the note, as text. */
  excerpt: z.string(),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable(),
});
export type Notification = z.infer<typeof Notification>;

/** Newest first; `unreadCount` counts all unread notifications of the agent, not only this page. */
export const NotificationPage = z.object({
  items: z.array(Notification),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});
export type NotificationPage = z.infer<typeof NotificationPage>;

export const ListNotificationsQuery = z.object({
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuery>;

/** Either the given notifications or all of the agent's; other agents' ids are ignored. */
export const MarkNotificationsReadRequest = z
  .object({
    ids: z.array(z.uuid()).min(1).max(500).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.ids === undefined && v.all === undefined) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give ids or all: true' });
    if (v.ids !== undefined && v.all !== undefined) ctx.addIssue({ code: 'custom', path: ['all'], message: 'give ids or all: true, not both' });
  });
export type MarkNotificationsReadRequest = z.infer<typeof MarkNotificationsReadRequest>;

export const MarkNotificationsReadResponse = z.object({ updated: z.number().int(), unreadCount: z.number().int() });
export type MarkNotificationsReadResponse = z.infer<typeof MarkNotificationsReadResponse>;
