import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Priority, ThreadSummary } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService, SYSTEM } from '../audit/audit.service';
import { loadThreadSummaries, loadThreadSummary } from '../conversations/thread-summary.query';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { matchPolicy } from '../sla/policy-matcher';
import { SlaPolicy, type SlaConditions } from '../sla/sla-policy.entity';
import { raisedPriority } from './assignment.service';

/**
 * A policy opts into raising the priority of repeat contacts with `raisePriorityOnRepeat: true` in
 * its `conditions` jsonb. It is read here only (the SLA matcher ignores unknown keys), so no
 * schema change: it is a per-policy switch kept beside the conditions that select the policy.
 */
export type RepeatAwareConditions = SlaConditions & { raisePriorityOnRepeat?: boolean };

export interface RepeatContactFlag {
  count: number;
  windowDays: number;
}

export type RepeatOutcome =
  | { flagged: false; count: number }
  | { flagged: true; count: number; priority: { from: Priority; to: Priority } | null; already?: boolean };

type Row = { id: string; contact_id: string; inbox_id: string; channel: string; priority: Priority; team_id: string | null; flags: Record<string, unknown>; contact_tags: string[]; count: number };

/**
 * The thread(s) with the count of their contact's threads in the window ($2 days) up to each. One
 * statement opens the threads of a batch with one created_at; their numbers keep them in order.
 */
const read = (where: string, lock: boolean) =>
  `SELECT t.id, t.contact_id, t.inbox_id, t.channel, t.priority, t.team_id, t.flags, c.tags AS contact_tags,
          (SELECT count(*)::int FROM threads o
            WHERE o.contact_id = t.contact_id AND (o.created_at, o.number) <= (t.created_at, t.number) AND o.created_at > t.created_at - make_interval(days => $2)) AS count
     FROM threads t JOIN contacts c ON c.id = t.contact_id
    WHERE ${where}${lock ? ' FOR UPDATE OF t' : ''}`;

/**
 * Flags a new thread whose contact opened REPEAT_CONTACT_THRESHOLD or more threads (this one
 * included) within REPEAT_CONTACT_WINDOW_DAYS before it: `flags.repeatContact = {count, windowDays}`.
 * Idempotent (a flagged thread is left alone), so a retried ingestion hook is harmless.
 */
@Injectable()
export class RepeatContactService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `flagIfRepeat` for the new threads of a batch of ingested mail: ONE read for all, then ONE
   * statement flagging every repeat (with its audit event), each on the condition that the row
   * is still unflagged at the priority that was read; a thread whose row changed meanwhile is
   * decided again alone, under its lock.
   */
  async flagIfRepeatMany(threadIds: string[]): Promise<void> {
    const threshold = this.config.REPEAT_CONTACT_THRESHOLD;
    const windowDays = this.config.REPEAT_CONTACT_WINDOW_DAYS;
    const rows: Row[] = await this.ds.query(read('t.id = ANY($1::uuid[])', false), [threadIds, windowDays]);
    const repeats = rows.filter((t) => !t.flags?.repeatContact && t.count >= threshold);
    if (!repeats.length) return;
    const policies = await this.ds.getRepository(SlaPolicy).find({ where: { isActive: true }, order: { position: 'ASC' } });
    const input = repeats.map((t) => {
      const policy = matchPolicy(policies, { inboxId: t.inbox_id, channel: t.channel, priority: t.priority, teamId: t.team_id, contactTags: t.contact_tags ?? [] });
      const raise = (policy?.conditions as RepeatAwareConditions | undefined)?.raisePriorityOnRepeat === true;
      const next = raise ? raisedPriority(t.priority) : t.priority;
      const flag: RepeatContactFlag = { count: t.count, windowDays };
      const changed = next !== t.priority;
      return {
        id: t.id,
        flag,
        seen: t.priority,
        next,
        reason: `repeat contact: ${t.count} threads in ${windowDays} days`,
        data: { repeatContact: flag, ...(changed ? { from: { priority: t.priority }, to: { priority: next }, policyId: policy?.id } : {}) },
      };
    });
    const flagged: Array<{ id: string }> = await this.ds.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, flag jsonb, seen thread_priority, next thread_priority, reason text, data jsonb)
       ), upd AS (
         UPDATE threads t SET flags = jsonb_set(t.flags, '{repeatContact}', x.flag), priority = x.next, version = t.version + 1, updated_at = now()
           FROM x WHERE t.id = x.id AND t.flags->'repeatContact' IS NULL AND t.priority = x.seen
         RETURNING t.id
       ), audit AS (
         INSERT INTO audit_events (actor_kind, actor_agent_id, action, thread_id, reason, data)
         SELECT 'system', NULL, 'thread.flagged', x.id, x.reason, x.data FROM x JOIN upd ON upd.id = x.id
       )
       SELECT id FROM upd`,
      [JSON.stringify(input)],
    );
    const done = new Set(flagged.map((f) => f.id));
    for (const t of repeats) if (!done.has(t.id)) await this.flagIfRepeat(t.id);
    if (!done.size) return;
    const summaries = await loadThreadSummaries(this.ds, [...done]);
    for (const thread of summaries.values()) this.announce(thread);
  }

  async flagIfRepeat(threadId: string): Promise<RepeatOutcome> {
    const threshold = this.config.REPEAT_CONTACT_THRESHOLD;
    const windowDays = this.config.REPEAT_CONTACT_WINDOW_DAYS;
    // Most new threads are not repeats: one plain read settles them, without a transaction. Only a
    // thread to flag is read again under its lock (and decided on that second read).
    const [seen]: Row[] = await this.ds.query(read('t.id = $1', false), [threadId, windowDays]);
    if (!seen) return { flagged: false, count: 0 };
    const seenFlag = seen.flags?.repeatContact as RepeatContactFlag | undefined;
    if (seenFlag) return { flagged: true, count: seenFlag.count, priority: null, already: true };
    if (seen.count < threshold) return { flagged: false, count: seen.count };
    const outcome = await this.ds.transaction(async (m): Promise<RepeatOutcome> => {
      const [t]: Row[] = await m.query(read('t.id = $1', true), [threadId, windowDays]);
      if (!t) return { flagged: false, count: 0 };
      const count = t.count;
      const existing = t.flags?.repeatContact as RepeatContactFlag | undefined;
      if (existing) return { flagged: true, count: existing.count, priority: null, already: true };
      if (count < threshold) return { flagged: false, count };

      const policies = await m.getRepository(SlaPolicy).find({ where: { isActive: true }, order: { position: 'ASC' } });
      const policy = matchPolicy(policies, { inboxId: t.inbox_id, channel: t.channel, priority: t.priority, teamId: t.team_id, contactTags: t.contact_tags ?? [] });
      const raise = (policy?.conditions as RepeatAwareConditions | undefined)?.raisePriorityOnRepeat === true;
      const next = raise ? raisedPriority(t.priority) : t.priority;
      const flag: RepeatContactFlag = { count, windowDays };
      await m.query(
        `UPDATE threads SET flags = jsonb_set(flags, '{repeatContact}', $2::jsonb), priority = $3, version = version + 1, updated_at = now() WHERE id = $1`,
        [threadId, JSON.stringify(flag), next],
      );
      const priority = next !== t.priority ? { from: t.priority, to: next } : null;
      await this.audit.record(
        {
          actor: SYSTEM,
          action: 'thread.flagged',
          threadId,
          reason: `repeat contact: ${count} threads in ${windowDays} days`,
          data: { repeatContact: flag, ...(priority ? { from: { priority: priority.from }, to: { priority: priority.to }, policyId: policy?.id } : {}) },
        },
        m,
      );
      return { flagged: true, count, priority };
    });

    if (outcome.flagged && !outcome.already) {
      const thread = await loadThreadSummary(this.ds, threadId);
      if (thread) this.announce(thread);
    }
    return outcome;
  }

  private announce(thread: ThreadSummary): void {
    const rooms = [Rooms.thread(thread.id), Rooms.supervisors, Rooms.allAgents];
    if (thread.assignee) rooms.push(Rooms.agent(thread.assignee.id));
    this.realtime.publish(rooms, 'thread.updated', { thread, changes: { priority: thread.priority } });
  }
}
