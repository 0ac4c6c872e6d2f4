import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ListThreadsQuery, MessagePage, ThreadPage, UpdateThreadRequest } from '@desk/contracts';
import { Agent } from '../agents/agent.entity';
import { AuditService, type Actor } from '../audit/audit.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { decodeCursor, encodeCursor } from './cursor';
import { Message } from './message.entity';
import { Thread } from './thread.entity';
import { toMessageDto, toThreadDetail, toThreadSummary } from './thread.mapper';
import { Team } from '../agents/team.entity';
import { SlaService } from '../sla/sla.service';
import { SurveyService } from '../survey/survey.service';

/** Who is asking: lists and changes depend on the agent's role and teams. */
export interface Viewer {
  id: string;
  role: Agent['role'];
  teamIds: string[];
}

// the inbox order below is served by the expression index threads_due_sort_idx (migration 1763903400000): keep them identical
const FAR_FUTURE = '9999-12-31T00:00:00.000Z';

/**
 * The one way threads are read for lists and changed by agents. A change writes its audit event in
 * the same transaction and publishes `thread.updated` after commit.
 */
@Injectable()
export class ThreadsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly sla: SlaService,
    private readonly survey: SurveyService,
  ) {}

  /** Sorted by SLA due time (threads without a clock last), then by age; keyset-paginated. */
  async list(q: ListThreadsQuery, viewer: Viewer): Promise<ThreadPage> {
    const qb = this.ds
      .getRepository(Thread)
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.contact', 'contact')
      .leftJoinAndSelect('t.assignee', 'assignee')
      .where('t.status IN (:...status)', { status: q.status?.length ? q.status : ['open', 'pending'] });
    // a merged-away thread is an empty shell (its messages live in the target): only a search for
    // resolved threads, which it is, still lists it
    if (!q.status?.includes('resolved')) qb.andWhere('t.merged_into_thread_id IS NULL');

    switch (q.view) {
      case 'mine':
        qb.andWhere('t.assignee_id = :me', { me: viewer.id });
        break;
      case 'unassigned':
        qb.andWhere('t.assignee_id IS NULL');
        break;
      case 'my_teams':
        if (viewer.teamIds.length === 0) return { items: [], nextCursor: null };
        qb.andWhere('t.team_id IN (:...teams)', { teams: viewer.teamIds });
        break;
      case 'at_risk':
        qb.andWhere(
          `EXISTS (SELECT 1 FROM sla_clocks c WHERE c.thread_id = t.id AND c.status = 'running' AND c.warn_at <= now() AND c.due_at > now())`,
        );
        break;
      case 'breached':
        qb.andWhere(
          `EXISTS (SELECT 1 FROM sla_clocks c WHERE c.thread_id = t.id AND (c.status = 'breached' OR (c.status = 'running' AND c.due_at <= now())))`,
        );
        break;
      case 'all':
        break;
    }
    if (q.channel?.length) qb.andWhere('t.channel IN (:...channel)', { channel: q.channel });
    if (q.priority?.length) qb.andWhere('t.priority IN (:...priority)', { priority: q.priority });
    if (q.inboxId) qb.andWhere('t.inbox_id = :inboxId', { inboxId: q.inboxId });
    if (q.contactId) qb.andWhere('t.contact_id = :contactId', { contactId: q.contactId });
    if (q.tag) qb.andWhere(':tag = ANY(t.tags)', { tag: q.tag });

    const due = `COALESCE(t.sla_due_at, '${FAR_FUTURE}'::timestamptz)`;
    if (q.cursor) {
      const [d, c, id] = decodeCursor(q.cursor, 3);
      qb.andWhere(`(${due}, t.created_at, t.id) > (:d::timestamptz, :c::timestamptz, :id::uuid)`, { d, c, id });
    }
    // many-to-one joins only, so LIMIT is exact (no row fan-out to de-duplicate)
    qb.addSelect(due, 'due_sort').orderBy('due_sort', 'ASC').addOrderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC').limit(q.limit + 1);
    const rows = await qb.getMany();
    return this.pageOf(rows, q.limit, (t) => [t.slaDueAt?.toISOString() ?? FAR_FUTURE, t.createdAt.toISOString(), t.id]);
  }

  /** A contact's threads on every channel, newest first. */
  async listForContact(contactId: string, cursor: string | undefined, limit: number): Promise<ThreadPage> {
    const qb = this.ds
      .getRepository(Thread)
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.contact', 'contact')
      .leftJoinAndSelect('t.assignee', 'assignee')
      .where('t.contact_id = :contactId', { contactId })
      // merged-away threads are empty shells: their messages show in the thread they went to
      .andWhere('t.merged_into_thread_id IS NULL');
    if (cursor) {
      const [c, id] = decodeCursor(cursor, 2);
      qb.andWhere('(t.created_at, t.id) < (:c::timestamptz, :id::uuid)', { c, id });
    }
    const rows = await qb.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(limit + 1).getMany();
    return this.pageOf(rows, limit, (t) => [t.createdAt.toISOString(), t.id]);
  }

  async get(id: string) {
    return toThreadDetail(await this.load(id));
  }

  /** The newest `limit` messages in chronological order; the cursor walks back in time. */
  async messages(threadId: string, cursor: string | undefined, limit: number): Promise<MessagePage> {
    await this.load(threadId);
    const qb = this.ds
      .getRepository(Message)
      .createQueryBuilder('m')
      .leftJoinAndSelect('m.attachments', 'att')
      .leftJoinAndSelect('m.contact', 'contact')
      .leftJoinAndSelect('m.authorAgent', 'author')
      .where('m.thread_id = :threadId', { threadId });
    if (cursor) {
      const [c, id] = decodeCursor(cursor, 2);
      qb.andWhere('(m.created_at, m.id) < (:c::timestamptz, :id::uuid)', { c, id });
    }
    const rows = await qb.orderBy('m.created_at', 'DESC').addOrderBy('m.id', 'DESC').take(limit + 1).getMany();
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const oldest = pageRows[pageRows.length - 1];
    return {
      items: pageRows.reverse().map(toMessageDto),
      nextCursor: more && oldest ? encodeCursor([oldest.createdAt.toISOString(), oldest.id]) : null,
    };
  }

  async update(id: string, change: UpdateThreadRequest, viewer: Viewer) {
    const actor: Actor = { kind: 'agent', agentId: viewer.id };
    const { before, after, slaAfterCommit } = await this.ds.transaction(async (m) => {
      const thread = await m.findOne(Thread, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!thread) throw new NotFoundException('thread not found');
      const before = { status: thread.status, priority: thread.priority, assigneeId: thread.assigneeId, teamId: thread.teamId, tags: thread.tags };

      if (change.assigneeId !== undefined && change.assigneeId !== thread.assigneeId) {
        this.checkMayAssign(viewer, thread.assigneeId, change.assigneeId);
        if (change.assigneeId) {
          const assignee = await m.findOneBy(Agent, { id: change.assigneeId, isActive: true });
          if (!assignee) throw new NotFoundException('assigneeId: no active agent with this id');
        }
        thread.assigneeId = change.assigneeId;
      }
      if (change.teamId !== undefined && change.teamId !== thread.teamId) {
        if (change.teamId && !(await m.existsBy(Team, { id: change.teamId }))) throw new NotFoundException('teamId: unknown team');
        thread.teamId = change.teamId;
      }
      if (change.status && change.status !== thread.status) {
        thread.status = change.status;
        thread.resolvedAt = change.status === 'resolved' ? new Date() : null;
      }
      if (change.priority) thread.priority = change.priority;
      if (change.tags) thread.tags = [...new Set(change.tags)];
      await m.save(thread);

      const after = { status: thread.status, priority: thread.priority, assigneeId: thread.assigneeId, teamId: thread.teamId, tags: thread.tags };
      const diff = Object.fromEntries(
        Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before])),
      );
      if (Object.keys(diff).length) {
        const action = 'assigneeId' in diff ? 'thread.reassigned' : 'thread.updated';
        await this.audit.record({ actor, action, threadId: id, reason: change.reason ?? null, data: { from: pick(before, diff), to: diff } }, m);
      }
      // SLA clocks pause, resume or stop with the status, in this transaction (timers after commit)
      const slaAfterCommit = await this.sla.onThreadStatusChanged(id, before.status, after.status, m);
      return { before, after, slaAfterCommit };
    });
    await slaAfterCommit();
    // resolved: the customer may get the satisfaction survey (never fails the change)
    if (after.status === 'resolved' && before.status !== 'resolved') await this.survey.onResolved(id);

    const thread = await this.load(id);
    const summary = toThreadSummary(thread);
    const rooms = [Rooms.thread(id), Rooms.supervisors, Rooms.allAgents];
    if (before.assigneeId) rooms.push(Rooms.agent(before.assigneeId));
    if (after.assigneeId) rooms.push(Rooms.agent(after.assigneeId));
    this.realtime.publish([...new Set(rooms)], 'thread.updated', {
      thread: summary,
      changes: { status: after.status, priority: after.priority, assigneeId: after.assigneeId, teamId: after.teamId },
    });
    return toThreadDetail(thread);
  }

  /** Agents take or give back their own threads; supervisors and admins assign anyone. */
  private checkMayAssign(viewer: Viewer, current: string | null, next: string | null) {
    if (viewer.role !== 'agent') return;
    const ownsOrFree = current === null || current === viewer.id;
    const toSelfOrNobody = next === null || next === viewer.id;
    if (!ownsOrFree || !toSelfOrNobody) throw new ForbiddenException('assigneeId: only supervisors can assign threads to other agents');
  }

  private async load(id: string): Promise<Thread> {
    const t = await this.ds.getRepository(Thread).findOne({ where: { id }, relations: { contact: true, assignee: true, mergedIntoThread: true } });
    if (!t) throw new NotFoundException('thread not found');
    return t;
  }

  private pageOf(rows: Thread[], limit: number, key: (t: Thread) => Array<string | null>): ThreadPage {
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toThreadSummary), nextCursor: more && last ? encodeCursor(key(last)) : null };
  }
}

function pick<T extends object>(obj: T, keysOf: object): Partial<T> {
  return Object.fromEntries(Object.keys(keysOf).map((k) => [k, obj[k as keyof T]])) as Partial<T>;
}
