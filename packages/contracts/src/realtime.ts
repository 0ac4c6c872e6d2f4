import { z } from 'zod';
import { DeliveryState, Priority, ThreadStatus } from './enums';
import { Message, ThreadSummary } from './threads';
import { Notification } from './notifications';

/**
 * Events pushed over socket.io. Services publish them through Redis; the gateway picks the rooms.
 * Rooms: `agent:<id>`, `team:<id>`, `thread:<id>`, `supervisors`, `all-agents`.
 */
export const RealtimeEvents = {
  'thread.created': z.object({ thread: ThreadSummary }),
  'thread.updated': z.object({
    thread: ThreadSummary,
    changes: z.object({
      status: ThreadStatus.optional(),
      priority: Priority.optional(),
      assigneeId: z.uuid().nullable().optional(),
      teamId: z.uuid().nullable().optional(),
      /** Messages moved in or out (split, merge): open views of the thread reload its messages. */
      messagesMoved: z.literal(true).optional(),
    }),
  }),
  'message.created': z.object({ threadId: z.uuid(), message: Message }),
  'delivery.updated': z.object({ threadId: z.uuid(), messageId: z.uuid(), state: DeliveryState, error: z.string().nullable() }),
  'sla.warning': z.object({ threadId: z.uuid(), clockId: z.uuid(), metric: z.string(), dueAt: z.iso.datetime() }),
  'sla.breached': z.object({ threadId: z.uuid(), clockId: z.uuid(), metric: z.string(), dueAt: z.iso.datetime() }),
  'presence.updated': z.object({
    threadId: z.uuid(),
    viewers: z.array(z.object({ agentId: z.uuid(), name: z.string(), typing: z.boolean() })),
  }),
  /** To `agent:<id>` only: someone mentioned the agent in a note. */
  'notification.created': z.object({ notification: Notification }),
} as const;

export type RealtimeEventName = keyof typeof RealtimeEvents;
export type RealtimeEventPayload<N extends RealtimeEventName> = z.infer<(typeof RealtimeEvents)[N]>;

/** Messages the console sends to the gateway. */
export const ClientEvents = {
  'thread.view': z.object({ threadId: z.uuid() }),
  'thread.leave': z.object({ threadId: z.uuid() }),
  'thread.typing': z.object({ threadId: z.uuid(), typing: z.boolean() }),
} as const;
export type ClientEventName = keyof typeof ClientEvents;
