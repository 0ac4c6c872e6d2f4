import { z } from 'zod';
import { ChannelKind, InboundEventStatus } from './enums';

/** Admin view of raw inbound events (the quarantine). */
export const ListInboundEventsQuery = z.object({
  status: InboundEventStatus.optional(),
  source: ChannelKind.optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListInboundEventsQuery = z.infer<typeof ListInboundEventsQuery>;

export const InboundEventSummary = z.object({
  id: z.uuid(),
  source: ChannelKind,
  inboxId: z.uuid().nullable(),
  idempotencyKey: z.string(),
  status: InboundEventStatus,
  attempts: z.number().int(),
  error: z.string().nullable(),
  messageId: z.uuid().nullable(),
  payloadBytes: z.number().int(),
  receivedAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
});
export type InboundEventSummary = z.infer<typeof InboundEventSummary>;

export const InboundEventPage = z.object({ items: z.array(InboundEventSummary), nextCursor: z.string().nullable() });
export type InboundEventPage = z.infer<typeof InboundEventPage>;

/** The raw payload as text (latin1-safe UTF-8 decoding), cut at 64 KB. */
export const InboundEventDetail = InboundEventSummary.extend({
  contentType: z.string(),
  meta: z.record(z.string(), z.unknown()),
  payloadText: z.string(),
  payloadTruncated: z.boolean(),
});
export type InboundEventDetail = z.infer<typeof InboundEventDetail>;

export const RetryInboundEventResponse = z.object({ id: z.uuid(), status: InboundEventStatus, enqueued: z.boolean() });
export type RetryInboundEventResponse = z.infer<typeof RetryInboundEventResponse>;

/** Answer of the raw-MIME webhook. */
export const InboundAccepted = z.object({ eventId: z.uuid(), duplicate: z.boolean() });
export type InboundAccepted = z.infer<typeof InboundAccepted>;
