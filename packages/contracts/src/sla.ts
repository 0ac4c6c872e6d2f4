import { z } from 'zod';
import { SlaClockStatus, SlaMetric } from './enums';

/** One SLA clock as the console and supervisors see it. */
export const SlaClockDto = z.object({
  id: z.uuid(),
  threadId: z.uuid(),
  policyId: z.uuid().nullable(),
  metric: SlaMetric,
  status: SlaClockStatus,
  startedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  warnAt: z.iso.datetime().nullable(),
  warnedAt: z.iso.datetime().nullable(),
  breachedAt: z.iso.datetime().nullable(),
  metAt: z.iso.datetime().nullable(),
  pausedAt: z.iso.datetime().nullable(),
  remainingMinutes: z.number().nullable(),
});
export type SlaClockDto = z.infer<typeof SlaClockDto>;

const reason = z.string({ error: 'a reason is required' }).trim().min(3, 'a reason is required (at least 3 characters)').max(1000);

/** Agent exception: push the deadline back by `minutes` business minutes. */
export const ExtendSlaClockRequest = z.object({
  minutes: z.number().positive().max(60 * 24 * 30),
  reason,
});
export type ExtendSlaClockRequest = z.infer<typeof ExtendSlaClockRequest>;

/** Agent exception: stop the clock until it is resumed (by an agent or by the thread reopening). */
export const PauseSlaClockRequest = z.object({ reason });
export type PauseSlaClockRequest = z.infer<typeof PauseSlaClockRequest>;

export const SlaExceptionsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type SlaExceptionsQuery = z.infer<typeof SlaExceptionsQuery>;

/** An agent's pause or extension of a clock, for supervisors. */
export const SlaException = z.object({
  id: z.string(),
  kind: z.enum(['extended', 'paused', 'resumed']),
  clockId: z.uuid(),
  threadId: z.uuid().nullable(),
  metric: SlaMetric,
  agentId: z.uuid().nullable(),
  reason: z.string().nullable(),
  minutes: z.number().nullable(),
  fromDueAt: z.iso.datetime().nullable(),
  toDueAt: z.iso.datetime().nullable(),
  at: z.iso.datetime(),
});
export type SlaException = z.infer<typeof SlaException>;
