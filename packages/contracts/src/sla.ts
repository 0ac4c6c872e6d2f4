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

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:mm');
const day = z.array(z.tuple([hhmm, hhmm])).max(12);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

/** A business calendar: IANA zone, weekly opening ranges (split shifts allowed), closed dates. */
export const BusinessCalendarInput = z.object({
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().min(1).max(100),
  weeklyHours: z.object({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
  holidays: z.array(isoDate).max(2000).default([]),
});
export type BusinessCalendarInput = z.infer<typeof BusinessCalendarInput>;
export const BusinessCalendarDto = BusinessCalendarInput.extend({ id: z.uuid() });
export type BusinessCalendarDto = z.infer<typeof BusinessCalendarDto>;

/** Import the all-day events of an iCalendar file between two dates as holidays (merged, de-duplicated). */
export const ImportHolidaysRequest = z.object({ ics: z.string().min(1).max(2_000_000), from: isoDate, to: isoDate });
export type ImportHolidaysRequest = z.infer<typeof ImportHolidaysRequest>;

const minutes = z.number().positive().max(60 * 24 * 365);
export const SlaPolicyInput = z.object({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).default(0),
  conditions: z
    .object({
      inboxIds: z.array(z.uuid()).optional(),
      channels: z.array(z.string()).optional(),
      priorities: z.array(z.string()).optional(),
      teamIds: z.array(z.uuid()).optional(),
      contactTags: z.array(z.string()).optional(),
      raisePriorityOnRepeat: z.boolean().optional(),
    })
    .default({}),
  firstResponseMinutes: minutes,
  nextResponseMinutes: minutes,
  resolutionMinutes: minutes.nullable().default(null),
  warningPercent: z.number().int().min(1).max(99).default(75),
  pauseWhenPending: z.boolean().default(true),
  pauseWhenSnoozed: z.boolean().default(true),
  stallMinutes: z.number().int().min(1).max(60 * 24 * 30).default(240),
  autoReassignAfterMinutes: z.number().int().min(1).max(60 * 24 * 30).nullable().default(null),
  escalation: z
    .array(z.object({ afterMinutes: z.number().min(0).max(60 * 24 * 30), action: z.enum(['notify_assignee', 'reassign_least_loaded', 'raise_priority', 'email_supervisors']) }))
    .max(20)
    .default([]),
  calendarId: z.uuid().nullable().default(null),
  isActive: z.boolean().default(true),
});
export type SlaPolicyInput = z.infer<typeof SlaPolicyInput>;
export const SlaPolicyDto = SlaPolicyInput.extend({ id: z.uuid() });
export type SlaPolicyDto = z.infer<typeof SlaPolicyDto>;
