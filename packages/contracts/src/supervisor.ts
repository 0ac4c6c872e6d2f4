import { z } from 'zod';
import { Availability, SlaMetric } from './enums';
import { ThreadSummary } from './threads';

// Supervisor tools (reassignment, stalled threads, agents' load) and SLA reports.

/** Reassign one thread or many at once; `assigneeId: null` hands them back to the queue. */
export const ReassignRequest = z.object({
  threadIds: z.array(z.uuid()).min(1).max(200),
  assigneeId: z.uuid().nullable(),
  reason: z.string({ error: 'a reason is required' }).trim().min(1, 'a reason is required').max(500),
});
export type ReassignRequest = z.infer<typeof ReassignRequest>;

export const ReassignResult = z.object({
  updated: z.array(z.uuid()),
  failed: z.array(z.object({ threadId: z.uuid(), message: z.string() })),
});
export type ReassignResult = z.infer<typeof ReassignResult>;

export const StalledReason = z.enum(['no_agent_activity', 'assignee_away', 'assignee_offline']);
export type StalledReason = z.infer<typeof StalledReason>;

export const StalledSort = z.enum(['age', 'sla', 'agent']);
export type StalledSort = z.infer<typeof StalledSort>;

export const StalledQuery = z.object({
  /** age: oldest wait first; sla: earliest due first (no clock last); agent: by assignee name (unassigned first), then age. */
  sort: StalledSort.default('age'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type StalledQuery = z.infer<typeof StalledQuery>;

export const StalledSlaState = z.object({
  metric: SlaMetric,
  dueAt: z.iso.datetime(),
  state: z.enum(['on_track', 'at_risk', 'breached']),
});
export type StalledSlaState = z.infer<typeof StalledSlaState>;

export const StalledThread = z.object({
  thread: ThreadSummary,
  /** The most pressing reason; `reasons` lists every one that holds. */
  reason: StalledReason,
  reasons: z.array(StalledReason),
  /** Seconds since the customer's last message. */
  ageSeconds: z.number().int(),
  /** Seconds since the last agent activity (reply, note or assignment) or the customer's message, whichever is later. */
  idleSeconds: z.number().int(),
  policyId: z.uuid().nullable(),
  stallMinutes: z.number().nullable(),
  sla: StalledSlaState.nullable(),
});
export type StalledThread = z.infer<typeof StalledThread>;

export const StalledList = z.object({ items: z.array(StalledThread) });
export type StalledList = z.infer<typeof StalledList>;

export const AgentLoad = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['agent', 'supervisor', 'admin']),
  availability: Availability,
  capacity: z.number().int(),
  /** Assigned threads with status open or pending. */
  openAssigned: z.number().int(),
  /** Of those, threads with a breached (or overdue) response or resolution clock. */
  breached: z.number().int(),
});
export type AgentLoad = z.infer<typeof AgentLoad>;

export const AgentLoadList = z.object({ items: z.array(AgentLoad) });
export type AgentLoadList = z.infer<typeof AgentLoadList>;

export const ReportGroupBy = z.enum(['inbox', 'team', 'agent']);
export type ReportGroupBy = z.infer<typeof ReportGroupBy>;

const MAX_RANGE_DAYS = 366;

export const SlaReportQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    groupBy: ReportGroupBy.default('inbox'),
  })
  .superRefine((v, ctx) => {
    const from = Date.parse(v.from);
    const to = Date.parse(v.to);
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range is at most ${MAX_RANGE_DAYS} days` });
  });
export type SlaReportQuery = z.infer<typeof SlaReportQuery>;

/** Durations in seconds; null when nothing was measured in the range. */
export const SlaReportRow = z.object({
  /** The inbox, team or agent id; null for threads without a team or assignee. */
  key: z.uuid().nullable(),
  label: z.string(),
  /** met / (met + breached) × 100 over first- and next-response clocks that ended in the range; null when none ended. */
  compliancePercent: z.number().nullable(),
  met: z.number().int(),
  breaches: z.number().int(),
  firstResponseMedianSeconds: z.number().nullable(),
  firstResponseP90Seconds: z.number().nullable(),
  nextResponseMedianSeconds: z.number().nullable(),
  nextResponseP90Seconds: z.number().nullable(),
  acknowledgedAutomatically: z.number().int(),
  acknowledgedByPerson: z.number().int(),
});
export type SlaReportRow = z.infer<typeof SlaReportRow>;

export const SlaReport = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: ReportGroupBy,
  rows: z.array(SlaReportRow),
});
export type SlaReport = z.infer<typeof SlaReport>;
