import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Priority } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { QUEUES, type Queues } from '../../platform/queue/queue.module';
import { QueueName } from '../../platform/queue/queue-names';
import { AuditService, SYSTEM } from '../audit/audit.service';
import { NOTIFY_EMAIL_JOB, notifyEmailJobId, notifyEmailJobOptions, type NotifyEmailJobData } from '../delivery/deliver-job';
import { Thread } from '../conversations/thread.entity';
import { toThreadSummary } from '../conversations/thread.mapper';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { SlaClock } from './sla-clock.entity';
import { SlaPolicy, type EscalationStep } from './sla-policy.entity';

export type EscalationOutcome =
  | { outcome: 'stale'; reason: string }
  | { outcome: 'done'; action: EscalationStep['action']; detail?: Record<string, unknown> };

/** Thrown when the thread is locked by someone else: BullMQ retries the step with backoff. */
export class ThreadBusyError extends Error {}

const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];
const REASON = 'SLA escalation';

/**
 * The policy's escalation chain after a breach: each step is a delayed job (`sla-<clock>-esc-<i>`,
 * `afterMinutes` counted from the breach). A step acts only while the breach is unanswered and the
 * thread unresolved, so an answer stops the chain.
 */
@Injectable()
export class SlaEscalationService {
  private readonly log = new Logger(SlaEscalationService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    @Inject(QUEUES) private readonly queues: Queues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async escalate(clockId: string, step: number): Promise<EscalationOutcome> {
    const clock = await this.ds.getRepository(SlaClock).findOneBy({ id: clockId });
    if (!clock || clock.status !== 'breached' || clock.metAt) return { outcome: 'stale', reason: 'the breach was answered or is gone' };
    const policy = clock.policyId ? await this.ds.getRepository(SlaPolicy).findOneBy({ id: clock.policyId }) : null;
    const action = policy?.escalation[step]?.action;
    if (!action) return { outcome: 'stale', reason: `the policy has no escalation step ${step}` };
    const thread = await this.ds.getRepository(Thread).findOneBy({ id: clock.threadId });
    if (!thread || thread.status === 'resolved') return { outcome: 'stale', reason: 'the thread is resolved' };
    const payload = { threadId: clock.threadId, clockId: clock.id, metric: clock.metric, dueAt: clock.dueAt.toISOString() };

    switch (action) {
      case 'notify_assignee': {
        if (!thread.assigneeId) return { outcome: 'stale', reason: 'nobody is assigned' };
        await this.audit.record({ actor: SYSTEM, action: 'sla.escalation.notify_assignee', threadId: thread.id, reason: REASON, data: { clockId, step, agentId: thread.assigneeId } });
        this.realtime.publish([Rooms.agent(thread.assigneeId)], 'sla.breached', payload);
        return { outcome: 'done', action };
      }
      case 'reassign_least_loaded':
        return this.reassign(clock, step);
      case 'raise_priority':
        return this.raisePriority(clock, step);
      case 'email_supervisors': {
        // The mail itself is a `notify-email` job on the deliver queue (the worker sends it over the
        // relay, with retries); its id is derived from the clock and step, so a duplicate escalation sends once.
        const supervisors: Array<{ id: string; email: string }> = await this.ds.query(
          `SELECT id, email FROM agents WHERE is_active AND role IN ('supervisor', 'admin') ORDER BY email`,
        );
        const to = supervisors.map((s) => s.email).filter((e) => e?.includes('@'));
        let jobId: string | null = null;
        if (to.length) {
          jobId = notifyEmailJobId(clock.id, step);
          const data: NotifyEmailJobData = {
            to,
            subject: `[#${thread.number}] SLA breached: ${clock.metric}`,
            text: [
              `The ${clock.metric} target of thread #${thread.number} was breached.`,
              '',
              `Subject: ${thread.subject ?? '(no subject)'}`,
              `Due: ${clock.dueAt.toISOString()}`,
              `Breached: ${clock.breachedAt?.toISOString() ?? 'now'}`,
              '',
              `Open the thread: ${this.config.PUBLIC_URL}/threads/${thread.id}`,
            ].join('\n'),
          };
          await this.queues[QueueName.Deliver].add(NOTIFY_EMAIL_JOB, data, notifyEmailJobOptions(jobId));
        }
        await this.audit.record({
          actor: SYSTEM,
          action: 'sla.escalation.email_supervisors',
          threadId: thread.id,
          reason: REASON,
          data: { clockId, step, to, queued: jobId !== null, jobId },
        });
        this.realtime.publish([Rooms.supervisors], 'sla.breached', payload);
        if (!to.length) this.log.warn(`SLA escalation for thread ${thread.number}: no active supervisor or admin to email`);
        return { outcome: 'done', action, detail: { to, jobId } };
      }
    }
  }

  /**
   * To the least-loaded online agent of the thread's team under capacity. The thread row is taken
   * with SKIP LOCKED (busy → retry later) and the chosen agent's row is locked while its load is
   * counted, so two escalations never push one agent over capacity.
   */
  private async reassign(clock: SlaClock, step: number): Promise<EscalationOutcome> {
    const result = await this.ds.transaction(async (m): Promise<EscalationOutcome | { moved: { from: string | null; to: string } }> => {
      const [t]: Array<{ id: string; team_id: string | null; assignee_id: string | null }> = await m.query(
        `SELECT id, team_id, assignee_id FROM threads WHERE id = $1 FOR UPDATE SKIP LOCKED`,
        [clock.threadId],
      );
      if (!t) throw new ThreadBusyError(`thread ${clock.threadId} is locked; the escalation retries`);
      if (!t.team_id) return { outcome: 'stale', reason: 'the thread has no team' };
      const candidates: Array<{ id: string }> = await m.query(
        `SELECT a.id FROM agents a JOIN team_members tm ON tm.agent_id = a.id
          WHERE tm.team_id = $1 AND a.is_active AND a.availability = 'online' AND a.id IS DISTINCT FROM $2
            AND (SELECT count(*) FROM threads x WHERE x.assignee_id = a.id AND x.status = 'open') < a.capacity
          ORDER BY (SELECT count(*) FROM threads x WHERE x.assignee_id = a.id AND x.status = 'open'), a.id`,
        [t.team_id, t.assignee_id],
      );
      for (const cand of candidates) {
        const [locked]: Array<{ id: string; capacity: number }> = await m.query(`SELECT id, capacity FROM agents WHERE id = $1 FOR UPDATE SKIP LOCKED`, [cand.id]);
        if (!locked) continue;
        const [{ load }] = (await m.query(`SELECT count(*)::int AS load FROM threads WHERE assignee_id = $1 AND status = 'open'`, [cand.id])) as [{ load: number }];
        if (load >= locked.capacity) continue;
        await m.query(`UPDATE threads SET assignee_id = $2, version = version + 1, updated_at = now() WHERE id = $1`, [t.id, cand.id]);
        await this.audit.record(
          { actor: SYSTEM, action: 'thread.reassigned', threadId: t.id, reason: REASON, data: { from: { assigneeId: t.assignee_id }, to: { assigneeId: cand.id }, clockId: clock.id, step } },
          m,
        );
        return { moved: { from: t.assignee_id, to: cand.id } };
      }
      return { outcome: 'stale', reason: 'no online agent of the team has capacity' };
    });
    if ('outcome' in result) {
      if (result.outcome === 'stale') await this.audit.record({ actor: SYSTEM, action: 'sla.escalation.skipped', threadId: clock.threadId, reason: result.reason, data: { clockId: clock.id, step } });
      return result;
    }
    await this.publishThread(clock.threadId, [result.moved.from, result.moved.to], { assigneeId: result.moved.to });
    return { outcome: 'done', action: 'reassign_least_loaded', detail: result.moved };
  }

  private async raisePriority(clock: SlaClock, step: number): Promise<EscalationOutcome> {
    const raised = await this.ds.transaction(async (m) => {
      const [t]: Array<{ id: string; priority: Priority }> = await m.query(`SELECT id, priority FROM threads WHERE id = $1 FOR UPDATE`, [clock.threadId]);
      if (!t) return null;
      const next = PRIORITIES[Math.min(PRIORITIES.indexOf(t.priority) + 1, PRIORITIES.length - 1)] ?? t.priority;
      if (next === t.priority) return null;
      await m.query(`UPDATE threads SET priority = $2, version = version + 1, updated_at = now() WHERE id = $1`, [t.id, next]);
      await this.audit.record({ actor: SYSTEM, action: 'thread.updated', threadId: t.id, reason: REASON, data: { from: { priority: t.priority }, to: { priority: next }, clockId: clock.id, step } }, m);
      return { from: t.priority, to: next };
    });
    if (!raised) return { outcome: 'stale', reason: 'the priority is already the highest' };
    await this.publishThread(clock.threadId, [], { priority: raised.to });
    return { outcome: 'done', action: 'raise_priority', detail: raised };
  }

  private async publishThread(threadId: string, agents: Array<string | null>, changes: { assigneeId?: string | null; priority?: Priority }) {
    const thread = await this.ds.getRepository(Thread).findOne({ where: { id: threadId }, relations: { contact: true, assignee: true } });
    if (!thread) return;
    const rooms = [Rooms.thread(threadId), Rooms.supervisors, Rooms.allAgents, ...agents.filter((a): a is string => !!a).map(Rooms.agent)];
    this.realtime.publish([...new Set(rooms)], 'thread.updated', { thread: toThreadSummary(thread), changes });
  }
}
