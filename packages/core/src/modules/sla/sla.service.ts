import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import type { SlaClockDto, SlaException, SlaMetric, ThreadStatus } from '@desk/contracts';
import { AuditService, SYSTEM, type Actor } from '../audit/audit.service';
import { AuditEvent } from '../audit/audit-event.entity';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendarSpec } from './business-time';
import { calendarOf, matchPolicy } from './policy-matcher';
import { SlaClock } from './sla-clock.entity';
import { SlaPolicy } from './sla-policy.entity';
import { SlaScheduler, type ClockTimers } from './sla-scheduler';

/** Work to run once the caller's transaction committed (job changes, realtime). */
export type SlaAfterCommit = () => Promise<void>;
const NOTHING: SlaAfterCommit = async () => {};

/** What a warning or breach job found; only 'warned' / 'breached' changed anything. */
export type SlaFireOutcome =
  | { outcome: 'warned' | 'breached' | 'met' | 'stale' | 'duplicate' | 'already-breached' }
  | { outcome: 'early'; at: Date };

/** The agent doing an exception. */
export interface SlaAgent {
  id: string;
}

interface ThreadRow {
  id: string;
  status: ThreadStatus;
  priority: string;
  channel: string;
  inbox_id: string;
  team_id: string | null;
  assignee_id: string | null;
  last_agent_message_at: Date | null;
  contact_tags: string[] | null;
}

interface Effects {
  schedule: ClockTimers[];
  unschedule: string[];
  publish: Array<() => void>;
  escalate: Array<{ clockId: string; steps: Array<{ step: number; at: Date }> }>;
}

export const RESPONSE_METRICS: SlaMetric[] = ['first_response', 'next_response'];
const ACTIVE = ['running', 'paused'] as const;

export const SLA_EXCEPTION_ACTIONS = ['sla.clock.extended', 'sla.clock.paused', 'sla.clock.resumed'] as const;

/**
 * The SLA clocks of threads: started by customer messages, met by agent replies, paused while the
 * thread waits on the customer or is snoozed, warned and breached by delayed jobs. Every change is
 * one transaction with its audit event and the thread's `slaDueAt`; the BullMQ timers are changed
 * after the commit (see SlaScheduler), and a job processor re-reads the clock before acting.
 *
 * Methods that take an EntityManager join the caller's transaction (the caller holds the thread's
 * row lock) and return the after-commit work; without one they run their own transaction and do
 * the after-commit work themselves.
 */
@Injectable()
export class SlaService {
  private readonly log = new Logger(SlaService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly scheduler: SlaScheduler,
  ) {}

  // --- clocks started by customers -----------------------------------------------------------

  /**
   * A customer's message starts waiting: a first-response clock when no agent answered the thread
   * yet, a next-response clock otherwise, and the resolution clock when the policy has one. Never
   * for automatic mail. Idempotent: a clock already running (or paused) for the metric is kept.
   */
  async onCustomerMessage(threadId: string, messageId: string, policiesActive?: boolean): Promise<void> {
    // Without an active policy no clock can start: one cheap read instead of the locking
    // transaction (this runs for every customer message, and many desks start without policies).
    // The ingest reads it in its own commit statement and hands it over.
    const active =
      policiesActive ?? (await this.ds.query<Array<{ active: boolean }>>(`SELECT EXISTS (SELECT 1 FROM sla_policies WHERE is_active) AS active`))[0]?.active;
    if (!active) return;
    const effects = newEffects();
    await this.ds.transaction(async (m) => {
      // the thread's lock and the (committed, immutable) message in one round trip
      const [row]: Array<ThreadRow & { m_direction: string | null; m_is_automatic: boolean | null; m_created_at: Date | null }> = await m.query(
        `SELECT t.id, t.status, t.priority, t.channel, t.inbox_id, t.team_id, t.assignee_id, t.last_agent_message_at,
                (SELECT c.tags FROM contacts c WHERE c.id = t.contact_id) AS contact_tags,
                msg.direction AS m_direction, msg.is_automatic AS m_is_automatic, msg.created_at AS m_created_at
           FROM threads t LEFT JOIN messages msg ON msg.id = $2 AND msg.thread_id = t.id
          WHERE t.id = $1 FOR UPDATE OF t`,
        [threadId, messageId],
      );
      const thread: ThreadRow | null = row ?? null;
      if (!thread || thread.status === 'resolved') return;
      const msg = row!.m_direction ? { direction: row!.m_direction, is_automatic: row!.m_is_automatic, created_at: row!.m_created_at! } : null;
      if (!msg || msg.direction !== 'inbound' || msg.is_automatic) return;
      // answered meanwhile (a late retry of the hook): nothing waits any more
      if (thread.last_agent_message_at && thread.last_agent_message_at >= msg.created_at) return;

      const metric: SlaMetric = thread.last_agent_message_at ? 'next_response' : 'first_response';
      const active = await m.getRepository(SlaClock).find({ where: { threadId, status: In([...ACTIVE]) } });
      const responseWaiting = active.some((c) => RESPONSE_METRICS.includes(c.metric));
      if (!responseWaiting) await this.start(m, thread, metric, msg.created_at, effects);
      if (!active.some((c) => c.metric === 'resolution')) await this.start(m, thread, 'resolution', msg.created_at, effects);
      // no clock started (no policy matches, or all already run): the clocks, so slaDueAt, are unchanged
      if (effects.schedule.length) await this.refreshThreadDue(m, threadId);
    });
    await this.apply(effects);
  }

  /**
   * Starts a clock for `metric` from `startedAt` under the thread's matching policy. Returns null when
   * no policy matches, the policy has no target for the metric, or one is already active.
   */
  async startClock(threadId: string, metric: SlaMetric, startedAt: Date, manager?: EntityManager): Promise<{ clock: SlaClock | null; afterCommit: SlaAfterCommit }> {
    const { value, afterCommit } = await this.within(manager, async (m, effects) => {
      const thread = await this.lockThread(m, threadId);
      if (!thread) throw new NotFoundException('thread not found');
      const exists = await m.getRepository(SlaClock).exists({ where: { threadId, metric, status: In([...ACTIVE]) } });
      const clock = exists ? null : await this.start(m, thread, metric, startedAt, effects);
      await this.refreshThreadDue(m, threadId);
      return clock;
    });
    return { clock: value, afterCommit };
  }

  // --- clocks met, paused, resumed, cancelled ------------------------------------------------

  /**
   * An agent's reply (not a note) answers the customer: running or paused response clocks are met.
   * A response clock that already breached keeps its breach and records when it was finally answered.
   */
  async onAgentReply(threadId: string, at: Date, manager?: EntityManager): Promise<SlaAfterCommit> {
    const { afterCommit } = await this.within(manager, async (m, effects) => {
      const thread = await this.lockThread(m, threadId);
      if (!thread) return;
      const clocks = await m.getRepository(SlaClock).find({
        where: [
          { threadId, metric: In(RESPONSE_METRICS), status: In([...ACTIVE]) },
          { threadId, metric: In(RESPONSE_METRICS), status: 'breached', metAt: IsNull() },
        ],
      });
      const open = clocks.filter((c) => c.status !== 'breached' || c.metAt === null);
      if (open.length === 0) return;
      for (const c of open) {
        const wasRunning = c.status !== 'breached';
        await m.update(SlaClock, { id: c.id }, wasRunning ? { status: 'met', metAt: at, pausedByAgentId: null } : { metAt: at });
        if (wasRunning) effects.unschedule.push(c.id);
      }
      await this.audit.record(
        { actor: SYSTEM, action: 'sla.clock.met', threadId, data: { clocks: open.map((c) => ({ clockId: c.id, metric: c.metric, dueAt: c.dueAt, late: c.status === 'breached' })), at } },
        m,
      );
      await this.refreshThreadDue(m, threadId);
    });
    return afterCommit;
  }

  /**
   * Status changes: resolving meets the resolution clock and cancels the response clocks; pending
   * and snoozed pause clocks as the policy says (keeping the remaining business minutes); back to
   * open resumes them with a due instant recomputed from now. Clocks an agent paused stay paused.
   */
  async onThreadStatusChanged(threadId: string, from: ThreadStatus, to: ThreadStatus, manager?: EntityManager): Promise<SlaAfterCommit> {
    if (from === to) return NOTHING;
    const { afterCommit } = await this.within(manager, async (m, effects) => {
      const now = new Date();
      if (!(await this.lockThread(m, threadId))) return;
      const clocks = await m.getRepository(SlaClock).find({ where: { threadId, status: In([...ACTIVE]) }, relations: { policy: { calendar: true } } });
      if (to === 'resolved') {
        for (const c of clocks) {
          const met = c.metric === 'resolution';
          await m.update(SlaClock, { id: c.id }, met ? { status: 'met', metAt: now } : { status: 'cancelled' });
          effects.unschedule.push(c.id);
        }
        if (clocks.length) {
          await this.audit.record({ actor: SYSTEM, action: 'sla.clock.stopped', threadId, reason: 'thread resolved', data: { clocks: clocks.map((c) => ({ clockId: c.id, metric: c.metric })) } }, m);
        }
      } else {
        const paused: SlaClock[] = [];
        const resumed: SlaClock[] = [];
        for (const c of clocks) {
          const policy = c.policy;
          const shouldPause = (to === 'pending' && (policy?.pauseWhenPending ?? true)) || (to === 'snoozed' && (policy?.pauseWhenSnoozed ?? true));
          if (shouldPause && c.status === 'running') {
            await this.pauseRow(m, c, now, null);
            effects.unschedule.push(c.id);
            paused.push(c);
          } else if (!shouldPause && c.status === 'paused' && c.pausedByAgentId === null) {
            effects.schedule.push(await this.resumeRow(m, c, now));
            resumed.push(c);
          }
        }
        const changed = [...paused.map((c) => ({ clockId: c.id, metric: c.metric, change: 'paused' })), ...resumed.map((c) => ({ clockId: c.id, metric: c.metric, change: 'resumed' }))];
        if (changed.length) await this.audit.record({ actor: SYSTEM, action: 'sla.clock.status', threadId, reason: `thread ${from} → ${to}`, data: { clocks: changed } }, m);
      }
      await this.refreshThreadDue(m, threadId);
    });
    return afterCommit;
  }

  /**
   * Clocks left with nothing to measure: a thread merged into another (all of them), or a thread
   * whose waiting customer message was split off (`metrics` = the response clocks, and only when
   * `unlessWaiting` finds no customer message after the last agent reply). Cancelled, not met, so
   * compliance reports count them neither way.
   */
  async cancelClocks(
    threadId: string,
    reason: string,
    opts: { metrics?: SlaMetric[]; unlessWaiting?: boolean } = {},
    manager?: EntityManager,
  ): Promise<SlaAfterCommit> {
    const { afterCommit } = await this.within(manager, async (m, effects) => {
      const thread = await this.lockThread(m, threadId);
      if (!thread) return;
      if (opts.unlessWaiting) {
        const [w]: Array<{ waiting: boolean }> = await m.query(
          `SELECT EXISTS (SELECT 1 FROM messages WHERE thread_id = $1 AND direction = 'inbound' AND NOT is_automatic
                           AND ($2::timestamptz IS NULL OR created_at > $2)) AS waiting`,
          [threadId, thread.last_agent_message_at],
        );
        if (w?.waiting) return;
      }
      const clocks = await m.getRepository(SlaClock).find({ where: { threadId, status: In([...ACTIVE]), ...(opts.metrics ? { metric: In(opts.metrics) } : {}) } });
      if (!clocks.length) return;
      for (const c of clocks) {
        await m.update(SlaClock, { id: c.id }, { status: 'cancelled' });
        effects.unschedule.push(c.id);
      }
      await this.audit.record({ actor: SYSTEM, action: 'sla.clock.stopped', threadId, reason, data: { clocks: clocks.map((c) => ({ clockId: c.id, metric: c.metric })) } }, m);
      await this.refreshThreadDue(m, threadId);
    });
    return afterCommit;
  }

  // --- agent exceptions ------------------------------------------------------------------------

  /** An agent pushes the deadline back by `minutes` business minutes, with a reason. Audited. */
  async extendClock(clockId: string, minutes: number, reason: string, agent: SlaAgent): Promise<SlaClockDto> {
    requireReason(reason);
    if (!(typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0)) throw new BadRequestException('minutes: must be a number above 0');
    const effects = newEffects();
    const clock = await this.ds.transaction(async (m) => {
      const c = await this.lockClock(m, clockId);
      if (c.status !== 'running' && c.status !== 'paused') throw new ConflictException(`clock is ${c.status}: only a running or paused clock can be extended`);
      const cal = calendarOf(c.policy?.calendar);
      const fromDueAt = c.dueAt;
      if (c.status === 'running') {
        c.dueAt = addBusinessMinutes(c.dueAt, minutes, cal);
        if (c.warnAt && !c.warnedAt) c.warnAt = addBusinessMinutes(c.warnAt, minutes, cal);
        effects.schedule.push(c);
      } else {
        c.remainingMinutes = (c.remainingMinutes ?? 0) + minutes;
      }
      c.extendedMinutes += minutes;
      await m.update(SlaClock, { id: c.id }, { dueAt: c.dueAt, warnAt: c.warnAt, remainingMinutes: c.remainingMinutes, extendedMinutes: c.extendedMinutes });
      await this.audit.record(
        { actor: agentActor(agent), action: 'sla.clock.extended', threadId: c.threadId, reason: reason.trim(), data: { clockId: c.id, metric: c.metric, minutes, fromDueAt, toDueAt: c.status === 'running' ? c.dueAt : null } },
        m,
      );
      await this.refreshThreadDue(m, c.threadId);
      return c;
    });
    await this.apply(effects);
    return toClockDto(clock);
  }

  /** An agent stops a running clock, with a reason; it stays paused until an agent resumes it. Audited. */
  async pauseClock(clockId: string, reason: string, agent: SlaAgent): Promise<SlaClockDto> {
    requireReason(reason);
    const effects = newEffects();
    const clock = await this.ds.transaction(async (m) => {
      const c = await this.lockClock(m, clockId);
      if (c.status !== 'running') throw new ConflictException(`clock is ${c.status}: only a running clock can be paused`);
      await this.pauseRow(m, c, new Date(), agent.id);
      effects.unschedule.push(c.id);
      await this.audit.record(
        { actor: agentActor(agent), action: 'sla.clock.paused', threadId: c.threadId, reason: reason.trim(), data: { clockId: c.id, metric: c.metric, remainingMinutes: c.remainingMinutes, fromDueAt: c.dueAt } },
        m,
      );
      await this.refreshThreadDue(m, c.threadId);
      return c;
    });
    await this.apply(effects);
    return toClockDto(clock);
  }

  /** Resumes a paused clock (an agent's pause, or one paused by status): due = now + remaining business minutes. */
  async resumeClock(clockId: string, agent: SlaAgent, reason?: string): Promise<SlaClockDto> {
    const effects = newEffects();
    const clock = await this.ds.transaction(async (m) => {
      const c = await this.lockClock(m, clockId);
      if (c.status !== 'paused') throw new ConflictException(`clock is ${c.status}: only a paused clock can be resumed`);
      effects.schedule.push(await this.resumeRow(m, c, new Date()));
      await this.audit.record(
        { actor: agentActor(agent), action: 'sla.clock.resumed', threadId: c.threadId, reason: reason?.trim() || null, data: { clockId: c.id, metric: c.metric, toDueAt: c.dueAt } },
        m,
      );
      await this.refreshThreadDue(m, c.threadId);
      return c;
    });
    await this.apply(effects);
    return toClockDto(clock);
  }

  /** Agents' pauses and extensions in [from, to), newest first, for supervisors. */
  async listExceptions(from: Date | undefined, to: Date | undefined, limit = 200): Promise<SlaException[]> {
    const qb = this.ds
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.action IN (:...actions)', { actions: [...SLA_EXCEPTION_ACTIONS] })
      .andWhere(`e.actor_kind = 'agent'`);
    if (from) qb.andWhere('e.created_at >= :from', { from });
    if (to) qb.andWhere('e.created_at < :to', { to });
    const rows = await qb.orderBy('e.created_at', 'DESC').addOrderBy('e.id', 'DESC').limit(limit).getMany();
    return rows.map((e) => {
      const d = e.data as { clockId: string; metric: SlaMetric; minutes?: number; fromDueAt?: string | null; toDueAt?: string | null };
      const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
      return {
        id: e.id,
        kind: e.action === 'sla.clock.extended' ? 'extended' : e.action === 'sla.clock.paused' ? 'paused' : 'resumed',
        clockId: d.clockId,
        threadId: e.threadId,
        metric: d.metric,
        agentId: e.actorAgentId,
        reason: e.reason,
        minutes: d.minutes ?? null,
        fromDueAt: iso(d.fromDueAt),
        toDueAt: iso(d.toDueAt),
        at: e.createdAt.toISOString(),
      };
    });
  }

  async clocksForThread(threadId: string): Promise<SlaClockDto[]> {
    const rows = await this.ds.getRepository(SlaClock).find({ where: { threadId }, order: { startedAt: 'ASC', id: 'ASC' } });
    return rows.map(toClockDto);
  }

  // --- timers firing -----------------------------------------------------------------------------

  /** The warning job: acts only on a running clock whose warning instant passed and was not sent yet. */
  async fireWarning(clockId: string, now = new Date()): Promise<SlaFireOutcome> {
    const effects = newEffects();
    const outcome = await this.ds.transaction(async (m): Promise<SlaFireOutcome> => {
      const thread = await this.lockThreadOfClock(m, clockId);
      const c = thread ? await m.findOne(SlaClock, { where: { id: clockId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!thread || !c || c.status !== 'running' || c.warnedAt || !c.warnAt) return { outcome: 'stale' };
      if (now.getTime() < c.warnAt.getTime()) return { outcome: 'early', at: c.warnAt };
      await m.update(SlaClock, { id: c.id }, { warnedAt: now });
      await this.audit.record({ actor: SYSTEM, action: 'sla.warning', threadId: c.threadId, data: { clockId: c.id, metric: c.metric, dueAt: c.dueAt, warnAt: c.warnAt } }, m);
      effects.publish.push(() => this.realtime.publish(alertRooms(thread), 'sla.warning', { threadId: c.threadId, clockId: c.id, metric: c.metric, dueAt: c.dueAt.toISOString() }));
      return { outcome: 'warned' };
    });
    await this.apply(effects);
    return outcome;
  }

  /**
   * The breach job: acts only on a running clock that is due. The breach row is inserted with
   * ON CONFLICT (clock_id) DO NOTHING: the database, not this code, makes it happen once. A clock
   * whose thread was answered (the reply's hook failed after its commit) is met instead.
   */
  async fireBreach(clockId: string, now = new Date()): Promise<SlaFireOutcome> {
    const effects = newEffects();
    const outcome = await this.ds.transaction(async (m): Promise<SlaFireOutcome> => {
      const thread = await this.lockThreadOfClock(m, clockId);
      const c = thread ? await m.findOne(SlaClock, { where: { id: clockId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!thread || !c) return { outcome: 'stale' };
      if (c.status === 'breached') return { outcome: 'already-breached' };
      if (c.status !== 'running') return { outcome: 'stale' };
      if (now.getTime() < c.dueAt.getTime()) return { outcome: 'early', at: c.dueAt };
      if (RESPONSE_METRICS.includes(c.metric) && thread.last_agent_message_at && thread.last_agent_message_at >= c.startedAt) {
        await m.update(SlaClock, { id: c.id }, { status: 'met', metAt: thread.last_agent_message_at });
        await this.audit.record({ actor: SYSTEM, action: 'sla.clock.met', threadId: c.threadId, reason: 'answered before the deadline (found by the breach job)', data: { clocks: [{ clockId: c.id, metric: c.metric }] } }, m);
        await this.refreshThreadDue(m, c.threadId);
        return { outcome: 'met' };
      }
      const inserted: Array<{ id: string }> = await m.query(
        `INSERT INTO sla_breaches (clock_id, thread_id, due_at, breached_at) VALUES ($1, $2, $3, $4) ON CONFLICT (clock_id) DO NOTHING RETURNING id`,
        [c.id, c.threadId, c.dueAt, now],
      );
      if (inserted.length === 0) {
        await m.update(SlaClock, { id: c.id }, { status: 'breached' });
        return { outcome: 'duplicate' };
      }
      await m.update(SlaClock, { id: c.id }, { status: 'breached', breachedAt: now });
      await this.audit.record({ actor: SYSTEM, action: 'sla.breached', threadId: c.threadId, data: { clockId: c.id, metric: c.metric, dueAt: c.dueAt, breachedAt: now } }, m);
      await this.refreshThreadDue(m, c.threadId);
      effects.publish.push(() => this.realtime.publish(alertRooms(thread), 'sla.breached', { threadId: c.threadId, clockId: c.id, metric: c.metric, dueAt: c.dueAt.toISOString() }));
      const steps = c.policyId ? ((await m.findOne(SlaPolicy, { where: { id: c.policyId }, select: { id: true, escalation: true } }))?.escalation ?? []) : [];
      if (steps.length) effects.escalate.push({ clockId: c.id, steps: steps.map((s, step) => ({ step, at: new Date(now.getTime() + Math.max(0, s.afterMinutes) * 60_000) })) });
      return { outcome: 'breached' };
    });
    await this.apply(effects);
    return outcome;
  }

  // --- internals ----------------------------------------------------------------------------------

  /** Active policies, read once per transaction (a customer message starts up to two clocks). */
  private readonly policiesOf = new WeakMap<EntityManager, Promise<SlaPolicy[]>>();

  private activePolicies(m: EntityManager): Promise<SlaPolicy[]> {
    let p = this.policiesOf.get(m);
    if (!p) {
      p = m.getRepository(SlaPolicy).find({ where: { isActive: true }, relations: { calendar: true }, order: { position: 'ASC' } });
      this.policiesOf.set(m, p);
    }
    return p;
  }

  private async start(m: EntityManager, thread: ThreadRow, metric: SlaMetric, startedAt: Date, effects: Effects): Promise<SlaClock | null> {
    const policies = await this.activePolicies(m);
    const policy = matchPolicy(policies, {
      inboxId: thread.inbox_id,
      channel: thread.channel,
      priority: thread.priority,
      teamId: thread.team_id,
      contactTags: thread.contact_tags ?? [],
    });
    if (!policy) return null;
    const target = targetOf(policy, metric);
    if (target === null) return null;
    const cal = calendarOf(policy.calendar);
    const { dueAt, warnAt } = deadlines(startedAt, target, policy.warningPercent, cal);
    const clock = await m.save(SlaClock, m.create(SlaClock, { threadId: thread.id, policyId: policy.id, metric, status: 'running', startedAt, dueAt, warnAt }));
    await this.audit.record({ actor: SYSTEM, action: 'sla.clock.started', threadId: thread.id, data: { clockId: clock.id, metric, policyId: policy.id, startedAt, dueAt, warnAt } }, m);
    effects.schedule.push(clock);
    return clock;
  }

  private async pauseRow(m: EntityManager, c: SlaClock, now: Date, agentId: string | null): Promise<void> {
    const cal = calendarOf(c.policy?.calendar);
    c.remainingMinutes = businessMinutesBetween(now, c.dueAt, cal);
    c.status = 'paused';
    c.pausedAt = now;
    c.pausedByAgentId = agentId;
    await m.update(SlaClock, { id: c.id }, { status: 'paused', pausedAt: now, remainingMinutes: c.remainingMinutes, pausedByAgentId: agentId });
  }

  /** due = now + remaining business minutes; the warning comes when what is left equals the policy's warning share. */
  private async resumeRow(m: EntityManager, c: SlaClock, now: Date): Promise<SlaClock> {
    const cal = calendarOf(c.policy?.calendar);
    const remaining = Math.max(0, c.remainingMinutes ?? 0);
    c.dueAt = addBusinessMinutes(now, remaining, cal);
    if (!c.warnedAt && c.warnAt && c.policy) {
      const target = (targetOf(c.policy, c.metric) ?? 0) + c.extendedMinutes;
      const leftAtWarning = (target * (100 - c.policy.warningPercent)) / 100;
      c.warnAt = addBusinessMinutes(now, Math.max(0, remaining - leftAtWarning), cal);
    }
    c.status = 'running';
    c.pausedAt = null;
    c.remainingMinutes = null;
    c.pausedByAgentId = null;
    await m.update(SlaClock, { id: c.id }, { status: 'running', dueAt: c.dueAt, warnAt: c.warnAt, pausedAt: null, remainingMinutes: null, pausedByAgentId: null });
    return c;
  }

  /**
   * The thread's `slaDueAt`: the earliest deadline still owed, i.e. of running clocks and of breached
   * response clocks not answered yet (an overdue thread sorts first, not last). Nothing on resolved threads.
   */
  async refreshThreadDue(m: EntityManager, threadId: string): Promise<void> {
    await m.query(
      `UPDATE threads t SET sla_due_at = CASE WHEN t.status = 'resolved' THEN NULL ELSE (
          SELECT min(c.due_at) FROM sla_clocks c
           WHERE c.thread_id = t.id AND (c.status = 'running' OR (c.status = 'breached' AND c.met_at IS NULL))) END
        WHERE t.id = $1`,
      [threadId],
    );
  }

  /** Every SLA change locks the thread row first (then clocks), the order ThreadsService and OutboxService use too. */
  private async lockThread(m: EntityManager, threadId: string): Promise<ThreadRow | null> {
    const [row]: ThreadRow[] = await m.query(
      `SELECT t.id, t.status, t.priority, t.channel, t.inbox_id, t.team_id, t.assignee_id, t.last_agent_message_at,
              (SELECT c.tags FROM contacts c WHERE c.id = t.contact_id) AS contact_tags
         FROM threads t WHERE t.id = $1 FOR UPDATE`,
      [threadId],
    );
    return row ?? null;
  }

  private async lockThreadOfClock(m: EntityManager, clockId: string): Promise<ThreadRow | null> {
    const [row]: Array<{ thread_id: string }> = await m.query(`SELECT thread_id FROM sla_clocks WHERE id = $1`, [clockId]);
    return row ? this.lockThread(m, row.thread_id) : null;
  }

  private async lockClock(m: EntityManager, clockId: string): Promise<SlaClock> {
    const thread = await this.lockThreadOfClock(m, clockId);
    const c = thread ? await m.findOne(SlaClock, { where: { id: clockId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!c) throw new NotFoundException('clock not found');
    if (c.policyId) c.policy = await m.findOne(SlaPolicy, { where: { id: c.policyId }, relations: { calendar: true } });
    return c;
  }

  /** Runs `fn` in the caller's transaction (returning the after-commit work) or in its own (doing it). */
  private async within<T>(manager: EntityManager | undefined, fn: (m: EntityManager, effects: Effects) => Promise<T>): Promise<{ value: T; afterCommit: SlaAfterCommit }> {
    const effects = newEffects();
    if (manager) {
      const value = await fn(manager, effects);
      return { value, afterCommit: () => this.apply(effects) };
    }
    const value = await this.ds.transaction((m) => fn(m, effects));
    await this.apply(effects);
    return { value, afterCommit: NOTHING };
  }

  private async apply(effects: Effects): Promise<void> {
    for (const p of effects.publish) p();
    if (effects.unschedule.length) await this.scheduler.safely('removing SLA timers', () => this.scheduler.unschedule(effects.unschedule));
    if (effects.schedule.length) await this.scheduler.safely('scheduling SLA timers', () => this.scheduler.schedule(effects.schedule));
    for (const e of effects.escalate) {
      for (const s of e.steps) await this.scheduler.safely('scheduling an SLA escalation', () => this.scheduler.scheduleEscalation(e.clockId, s.step, s.at));
    }
  }
}

function newEffects(): Effects {
  return { schedule: [], unschedule: [], publish: [], escalate: [] };
}

export function targetOf(policy: Pick<SlaPolicy, 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes'>, metric: SlaMetric): number | null {
  switch (metric) {
    case 'first_response':
      return policy.firstResponseMinutes;
    case 'next_response':
      return policy.nextResponseMinutes;
    case 'resolution':
      return policy.resolutionMinutes;
  }
}

/** Due after `target` business minutes; the warning after `warningPercent` of them (none at 0 % or 100 %+). */
export function deadlines(start: Date, target: number, warningPercent: number, cal: BusinessCalendarSpec): { dueAt: Date; warnAt: Date | null } {
  const dueAt = addBusinessMinutes(start, target, cal);
  const warnAt = warningPercent > 0 && warningPercent < 100 ? addBusinessMinutes(start, (target * warningPercent) / 100, cal) : null;
  return { dueAt, warnAt };
}

function requireReason(reason: string | undefined): void {
  if (typeof reason !== 'string' || reason.trim().length < 3) throw new BadRequestException('reason: a reason is required (at least 3 characters)');
}

function agentActor(agent: SlaAgent): Actor {
  return { kind: 'agent', agentId: agent.id };
}

function alertRooms(t: Pick<ThreadRow, 'id' | 'assignee_id' | 'team_id'>): string[] {
  const rooms = [Rooms.thread(t.id), Rooms.supervisors];
  if (t.assignee_id) rooms.push(Rooms.agent(t.assignee_id));
  if (t.team_id) rooms.push(Rooms.team(t.team_id));
  return rooms;
}

export function toClockDto(c: SlaClock): SlaClockDto {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: c.id,
    threadId: c.threadId,
    policyId: c.policyId,
    metric: c.metric,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    dueAt: c.dueAt.toISOString(),
    warnAt: iso(c.warnAt),
    warnedAt: iso(c.warnedAt),
    breachedAt: iso(c.breachedAt),
    metAt: iso(c.metAt),
    pausedAt: iso(c.pausedAt),
    remainingMinutes: c.remainingMinutes,
  };
}

