import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { MergeThreadResult, SplitThreadResult, ThreadStatus } from '@desk/contracts';
import { AuditService, type Actor } from '../audit/audit.service';
import { previewOf } from '../ingestion/ingest-processor.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { RESPONSE_METRICS, SlaService, type SlaAfterCommit } from '../sla/sla.service';
import { loadThreadSummary } from './thread-summary.query';
import { checkSplitSelection, firstUnansweredCustomerMessage, threadTimesOf, type MessageTimeRow } from './thread-moves.rules';
import { ThreadsService, type Viewer } from './threads.service';

interface LockedThread {
  id: string;
  number: number;
  subject: string | null;
  contact_id: string;
  inbox_id: string;
  channel: string;
  status: ThreadStatus;
  priority: string;
  team_id: string | null;
  assignee_id: string | null;
  merged_into_thread_id: string | null;
}

type Row = Record<string, unknown>;
// m.query on UPDATE … RETURNING answers [rows, count] with the pg driver
const rowsOf = <T extends Row>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

/** A 400/422 that names the field in `message` and in `fields`, like a validation error. */
function fieldError(Ex: typeof BadRequestException | typeof UnprocessableEntityException, path: string, message: string) {
  return new Ex({ message: `${path}: ${message}`, fields: [{ path, message }] });
}

/**
 * Agents correct the threading (issue 3): a split moves messages into a new thread of the same
 * contact; a merge moves a whole thread into another of the same contact and leaves the source
 * resolved with `mergedIntoThreadId`. Each is one transaction that locks the threads (in id order),
 * moves the messages together with their Message-IDs (mail_message_ids) and conversation keys
 * (thread_keys), so the customer's next reply follows the move, recomputes the threads' times and
 * preview, bumps their versions and audits both sides. Realtime and SLA follow after the commit.
 */
@Injectable()
export class ThreadMovesService {
  private readonly log = new Logger(ThreadMovesService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly sla: SlaService,
    private readonly threads: ThreadsService,
  ) {}

  async split(threadId: string, messageIds: string[], opts: { subject?: string; reason?: string }, viewer: Viewer): Promise<SplitThreadResult> {
    const actor: Actor = { kind: 'agent', agentId: viewer.id };
    const reason = opts.reason?.trim() || null;
    const done = await this.ds.transaction(async (m) => {
      // the new thread is invisible to everyone until the commit: only the source needs the lock
      const source = await this.lock(m, threadId);
      if (!source) throw new NotFoundException('thread not found');
      const before = await this.timeRows(m, source.id);
      const selection = checkSplitSelection(messageIds, new Set(before.map((r) => r.id)), source.number);
      if (!selection.ok) throw new BadRequestException({ message: selection.message, fields: [{ path: 'messageIds', message: selection.message.replace(/^messageIds: /, '') }] });
      const ids = selection.ids;

      const [created] = rowsOf<{ id: string; number: number }>(
        await m.query(
          `INSERT INTO threads (subject, contact_id, inbox_id, channel, status, priority, team_id, linked_thread_id, version)
           VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, 1) RETURNING id, number`,
          [opts.subject?.trim() || source.subject, source.contact_id, source.inbox_id, source.channel, source.priority, source.team_id, source.id],
        ),
      );
      const fresh = created!;
      // the moved messages carry the new thread's version: a reply drafted against it is not held by them
      await m.query(`UPDATE messages SET thread_id = $2, thread_version = 1 WHERE id = ANY($1::uuid[]) AND thread_id = $3`, [ids, fresh.id, source.id]);
      // a customer answering a moved message (In-Reply-To / References) now lands in the new thread
      const mailIds = rowsOf<{ message_id_header: string }>(
        await m.query(`UPDATE mail_message_ids SET thread_id = $2 WHERE message_id = ANY($1::uuid[]) RETURNING message_id_header`, [ids, fresh.id]),
      );

      const sourceVersion = await this.refresh(m, source.id, true);
      await this.refresh(m, fresh.id, false);
      const data = { messageIds: ids, mailMessageIds: mailIds.map((r) => r.message_id_header) };
      await this.audit.record({ actor, action: 'thread.split', threadId: source.id, reason, data: { ...data, newThreadId: fresh.id, newThreadNumber: fresh.number, version: sourceVersion } }, m);
      await this.audit.record({ actor, action: 'thread.split', threadId: fresh.id, reason, data: { ...data, fromThreadId: source.id, fromThreadNumber: source.number } }, m);
      const moved = await this.timeRows(m, fresh.id);
      return { source, fresh, ids, waiting: firstUnansweredCustomerMessage(moved, threadTimesOf(moved).lastAgentMessageAt) };
    });

    // the customer waits in the new thread now: its clocks start like after an ingest (idempotent)
    if (done.waiting) await this.startClocks(done.fresh.id, done.waiting.id);
    // and the source's response clocks stop when the message they waited on left with the split
    await this.sla
      .cancelClocks(done.source.id, `the waiting message moved to #${done.fresh.number}`, { metrics: RESPONSE_METRICS, unlessWaiting: true })
      .then((after) => after())
      .catch((e: Error) => this.log.warn(`SLA update of ${done.source.id} after a split failed: ${e.message}`));
    await this.publish(done.fresh.id, 'thread.created');
    await this.publish(done.source.id, 'thread.updated', done.source.assignee_id);
    return { sourceThread: await this.threads.get(done.source.id), newThread: await this.threads.get(done.fresh.id), movedMessageIds: done.ids };
  }

  async merge(sourceThreadId: string, targetThreadId: string, opts: { reason: string }, viewer: Viewer): Promise<MergeThreadResult> {
    const actor: Actor = { kind: 'agent', agentId: viewer.id };
    if (sourceThreadId === targetThreadId) throw fieldError(BadRequestException, 'targetThreadId', 'a thread cannot be merged into itself');
    const reason = opts.reason.trim();
    const done = await this.ds.transaction(async (m) => {
      // two merges (or a merge and an ingest) on the same pair must not deadlock: lock in id order
      const locked = new Map<string, LockedThread | null>();
      for (const id of [sourceThreadId, targetThreadId].sort()) locked.set(id, await this.lock(m, id));
      const source = locked.get(sourceThreadId);
      const target = locked.get(targetThreadId);
      if (!source) throw new NotFoundException('thread not found');
      if (!target) throw new NotFoundException({ message: 'targetThreadId: no thread with this id', fields: [{ path: 'targetThreadId', message: 'no thread with this id' }] });
      if (source.merged_into_thread_id) throw new ConflictException(`thread #${source.number} was already merged into another thread`);
      if (target.merged_into_thread_id) throw fieldError(UnprocessableEntityException, 'targetThreadId', `thread #${target.number} was itself merged into another thread; merge into that one`);
      if (source.contact_id !== target.contact_id) {
        throw fieldError(UnprocessableEntityException, 'targetThreadId', `thread #${target.number} belongs to another contact; only threads of the same contact can be merged`);
      }

      // the target's next version, recorded on the moved messages: an agent holding the target open
      // with an older version has new messages to see before a reply goes out
      const [bumped] = rowsOf<{ version: number }>(await m.query(`UPDATE threads SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`, [target.id]));
      const moved = rowsOf<{ id: string }>(
        await m.query(`UPDATE messages SET thread_id = $2, thread_version = $3 WHERE thread_id = $1 RETURNING id`, [source.id, target.id, bumped!.version]),
      );
      const mailIds = rowsOf<{ message_id_header: string }>(
        await m.query(`UPDATE mail_message_ids SET thread_id = $2 WHERE thread_id = $1 RETURNING message_id_header`, [source.id, target.id]),
      );
      // one row per (inbox, key), so a key leads to one thread and two rows can never collide:
      // the source's social conversations simply lead to the target from now on
      const keys = rowsOf<{ inbox_id: string; key: string }>(
        await m.query(`UPDATE thread_keys SET thread_id = $2, updated_at = now() WHERE thread_id = $1 RETURNING inbox_id, key`, [source.id, target.id]),
      );
      // threads merged into the source earlier now point straight at the target (one hop to follow)
      const repointed = rowsOf<{ id: string }>(
        await m.query(`UPDATE threads SET merged_into_thread_id = $2, updated_at = now() WHERE merged_into_thread_id = $1 RETURNING id`, [source.id, target.id]),
      );

      // the source is done: resolved, pointing at the target; its clocks stop as on any resolve
      await m.query(
        `UPDATE threads SET status = 'resolved', resolved_at = COALESCE(resolved_at, now()), snoozed_until = NULL, merged_into_thread_id = $2,
                version = version + 1, updated_at = now() WHERE id = $1`,
        [source.id, target.id],
      );
      // its clocks are cancelled, not met: the conversation goes on in the target
      const slaAfterCommit: SlaAfterCommit = await this.sla.cancelClocks(source.id, `merged into #${target.number}`, {}, m);
      await this.refresh(m, target.id, false);

      const messageIds = moved.map((r) => r.id);
      const data = { messageIds, mailMessageIds: mailIds.map((r) => r.message_id_header), threadKeys: keys.map((k) => ({ inboxId: k.inbox_id, key: k.key })) };
      await this.audit.record(
        { actor, action: 'thread.merged', threadId: source.id, reason, data: { ...data, role: 'source', targetThreadId: target.id, targetThreadNumber: target.number, statusBefore: source.status, repointed: repointed.map((r) => r.id) } },
        m,
      );
      await this.audit.record({ actor, action: 'thread.merged', threadId: target.id, reason, data: { ...data, role: 'target', sourceThreadId: source.id, sourceThreadNumber: source.number } }, m);
      const rows = await this.timeRows(m, target.id);
      const movedSet = new Set(messageIds);
      const waiting = firstUnansweredCustomerMessage(
        rows.filter((r) => movedSet.has(r.id)),
        threadTimesOf(rows).lastAgentMessageAt,
      );
      // an unanswered customer message reopens the target, as it would have arriving there
      let targetAfterCommit: SlaAfterCommit = async () => {};
      if (waiting && target.status !== 'open') {
        await m.query(`UPDATE threads SET status = 'open', resolved_at = NULL, snoozed_until = NULL, version = version + 1, updated_at = now() WHERE id = $1`, [target.id]);
        await this.audit.record({ actor, action: 'thread.reopened', threadId: target.id, reason: `an unanswered message merged in from #${source.number}`, data: { from: target.status } }, m);
        targetAfterCommit = await this.sla.onThreadStatusChanged(target.id, target.status, 'open', m);
      }
      return { source, target, messageIds, waiting, slaAfterCommit, targetAfterCommit };
    });

    await done.slaAfterCommit().catch((e: Error) => this.log.warn(`SLA timers after merging ${sourceThreadId} failed: ${e.message}`));
    await done.targetAfterCommit().catch((e: Error) => this.log.warn(`SLA timers after merging into ${targetThreadId} failed: ${e.message}`));
    if (done.waiting) await this.startClocks(done.target.id, done.waiting.id);
    await this.publish(done.source.id, 'thread.updated', done.source.assignee_id, { status: 'resolved' });
    await this.publish(done.target.id, 'thread.updated', done.target.assignee_id, done.waiting && done.target.status !== 'open' ? { status: 'open' } : {});
    return { sourceThread: await this.threads.get(done.source.id), targetThread: await this.threads.get(done.target.id), movedMessageIds: done.messageIds };
  }

  private async lock(m: EntityManager, id: string): Promise<LockedThread | null> {
    const [row]: LockedThread[] = await m.query(
      `SELECT id, number, subject, contact_id, inbox_id, channel, status, priority, team_id, assignee_id, merged_into_thread_id FROM threads WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  private async timeRows(m: EntityManager, threadId: string): Promise<MessageTimeRow[]> {
    const rows: Array<{ id: string; direction: MessageTimeRow['direction']; is_automatic: boolean; author_agent_id: string | null; created_at: Date }> = await m.query(
      `SELECT id, direction, is_automatic, author_agent_id, created_at FROM messages WHERE thread_id = $1`,
      [threadId],
    );
    return rows.map((r) => ({ id: r.id, direction: r.direction, isAutomatic: r.is_automatic, authorAgentId: r.author_agent_id, createdAt: r.created_at }));
  }

  /**
   * Times and preview from the messages the thread holds now; the preview is the newest customer
   * message's, as ingestion sets it (a thread without one shows its newest reply; notes never).
   * `bump` raises the version (a new thread starts at 1). Returns the version.
   */
  private async refresh(m: EntityManager, threadId: string, bump: boolean): Promise<number> {
    const times = threadTimesOf(await this.timeRows(m, threadId));
    const [latest]: Array<{ visible_text: string | null; body_text: string; subject: string | null }> = await m.query(
      `SELECT visible_text, body_text, subject FROM messages WHERE thread_id = $1 AND direction <> 'note'
        ORDER BY (direction = 'inbound') DESC, created_at DESC, id DESC LIMIT 1`,
      [threadId],
    );
    const preview = latest ? previewOf({ visibleText: latest.visible_text ?? '', text: latest.body_text, subject: latest.subject }) : null;
    const [row] = rowsOf<{ version: number }>(
      await m.query(
        `UPDATE threads SET last_message_at = $2, last_customer_message_at = $3, last_agent_message_at = $4, preview = $5,
                version = version + $6, updated_at = now() WHERE id = $1 RETURNING version`,
        [threadId, times.lastMessageAt, times.lastCustomerMessageAt, times.lastAgentMessageAt, preview, bump ? 1 : 0],
      ),
    );
    return row!.version;
  }

  /** The entry point ingestion's hooks use; a failure is logged, the SLA reconciler catches up. */
  private async startClocks(threadId: string, messageId: string): Promise<void> {
    await this.sla.onCustomerMessage(threadId, messageId).catch((e: Error) => this.log.warn(`SLA start after a move into ${threadId} failed: ${e.message}`));
  }

  private async publish(threadId: string, name: 'thread.created' | 'thread.updated', assigneeId: string | null = null, changes: { status?: ThreadStatus } = {}): Promise<void> {
    const moved = { ...changes, messagesMoved: true as const };
    const thread = await loadThreadSummary(this.ds, threadId);
    if (!thread) return;
    const rooms = [Rooms.thread(threadId), Rooms.allAgents, Rooms.supervisors];
    for (const a of new Set([assigneeId, thread.assignee?.id ?? null])) if (a) rooms.push(Rooms.agent(a));
    if (name === 'thread.created') this.realtime.publish(rooms, 'thread.created', { thread });
    else this.realtime.publish(rooms, 'thread.updated', { thread, changes: moved });
  }
}
