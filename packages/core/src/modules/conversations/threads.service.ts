import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ListThreadsQuery, Message as MessageDto, MessagePage, ThreadDetail, ThreadPage, UpdateThreadRequest } from '@desk/contracts';
import { loadThreadDetail, SUMMARY_COLUMNS, SUMMARY_FROM, summaryOfRow, type SummaryRow } from './thread-summary.query';
import { Agent } from '../agents/agent.entity';
import { AuditService, type Actor } from '../audit/audit.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { decodeCursor, encodeCursor } from './cursor';
import { Thread } from './thread.entity';
import { toThreadDetail, toThreadSummary } from './thread.mapper';
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
    // plain SQL and a plain row mapper: the inbox list is the console's most frequent request
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [`t.status = ANY(${p(q.status?.length ? q.status : ['open', 'pending'])}::thread_status[])`];
    // a merged-away thread is an empty shell (its messages live in the target): only a search for
    // resolved threads, which it is, still lists it
    if (!q.status?.includes('resolved')) where.push('t.merged_into_thread_id IS NULL');

    switch (q.view) {
      case 'mine':
        where.push(`t.assignee_id = ${p(viewer.id)}`);
        break;
      case 'unassigned':
        where.push('t.assignee_id IS NULL');
        break;
      case 'my_teams':
        if (viewer.teamIds.length === 0) return { items: [], nextCursor: null };
        where.push(`t.team_id = ANY(${p(viewer.teamIds)}::uuid[])`);
        break;
      case 'at_risk':
        where.push(`EXISTS (SELECT 1 FROM sla_clocks k WHERE k.thread_id = t.id AND k.status = 'running' AND k.warn_at <= now() AND k.due_at > now())`);
        break;
      case 'breached':
        where.push(`EXISTS (SELECT 1 FROM sla_clocks k WHERE k.thread_id = t.id AND (k.status = 'breached' OR (k.status = 'running' AND k.due_at <= now())))`);
        break;
      case 'all':
        break;
    }
    if (q.channel?.length) where.push(`t.channel = ANY(${p(q.channel)}::channel_kind[])`);
    if (q.priority?.length) where.push(`t.priority = ANY(${p(q.priority)}::thread_priority[])`);
    if (q.inboxId) where.push(`t.inbox_id = ${p(q.inboxId)}`);
    if (q.contactId) where.push(`t.contact_id = ${p(q.contactId)}`);
    if (q.tag) where.push(`${p(q.tag)} = ANY(t.tags)`);

    // the expression of the threads_due_sort_idx index, so the first page is read in order
    const due = `COALESCE(t.sla_due_at, '${FAR_FUTURE}'::timestamptz)`;
    if (q.cursor) {
      const [d, c, id] = decodeCursor(q.cursor, 3);
      where.push(`(${due}, t.created_at, t.id) > (${p(d)}::timestamptz, ${p(c)}::timestamptz, ${p(id)}::uuid)`);
    }
    // many-to-one joins only, so LIMIT is exact (no row fan-out to de-duplicate)
    const rows: SummaryRow[] = await this.ds.query(
      `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE ${where.join(' AND ')} ORDER BY ${due}, t.created_at, t.id LIMIT ${p(q.limit + 1)}`,
      params,
    );
    return summaryPage(rows, q.limit, (t) => [t.sla_due_at?.toISOString() ?? FAR_FUTURE, t.created_at.toISOString(), t.id]);
  }

  /** A contact's threads on every channel, newest first. */
  async listForContact(contactId: string, cursor: string | undefined, limit: number): Promise<ThreadPage> {
    const params: unknown[] = [contactId, limit + 1];
    let before = '';
    if (cursor) {
      const [c, id] = decodeCursor(cursor, 2);
      params.push(c, id);
      before = 'AND (t.created_at, t.id) < ($3::timestamptz, $4::uuid)';
    }
    // merged-away threads are empty shells: their messages show in the thread they went to
    const rows: SummaryRow[] = await this.ds.query(
      `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM}
        WHERE t.contact_id = $1 AND t.merged_into_thread_id IS NULL ${before}
        ORDER BY t.created_at DESC, t.id DESC LIMIT $2`,
      params,
    );
    return summaryPage(rows, limit, (t) => [t.created_at.toISOString(), t.id]);
  }

  async get(id: string): Promise<ThreadDetail> {
    // one plain query: the thread page opens with it
    const detail = await loadThreadDetail(this.ds, id);
    if (!detail) throw new NotFoundException('thread not found');
    return detail;
  }

  /** The newest `limit` messages in chronological order; the cursor walks back in time. */
  async messages(threadId: string, cursor: string | undefined, limit: number): Promise<MessagePage> {
    const params: unknown[] = [threadId, limit + 1];
    let after = '';
    if (cursor) {
      const [c, id] = decodeCursor(cursor, 2);
      params.push(c, id);
      after = 'AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)';
    }
    // one plain query (a page is read on every thread open): no entity hydration, and no separate
    // id query, which TypeORM adds for a joined relation with a limit
    const rows: MessagePageRow[] = await this.ds.query(
      `SELECT m.id, m.thread_id, m.direction, m.channel, m.contact_id, m.author_agent_id, m.subject, m.body_text, m.visible_text, m.body_html,
              m.is_automatic, m.is_public, m.delivery_state, m.delivery_error, m.created_at, c.name AS contact_name, a.name AS author_name,
              (SELECT json_agg(json_build_object('id', x.id, 'filename', x.filename, 'contentType', x.content_type, 'sizeBytes', x.size_bytes, 'inline', x.is_inline)
                               ORDER BY x.created_at, x.id)
                 FROM attachments x WHERE x.message_id = m.id) AS attachments
         FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id LEFT JOIN agents a ON a.id = m.author_agent_id
        WHERE m.thread_id = $1 ${after}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $2`,
      params,
    );
    // an empty page of a thread that does not exist is a 404
    if (rows.length === 0) await this.load(threadId);
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const oldest = pageRows[pageRows.length - 1];
    return {
      items: pageRows.reverse().map(messageOfRow),
      nextCursor: more && oldest ? encodeCursor([oldest.created_at.toISOString(), oldest.id]) : null,
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
}

function pick<T extends object>(obj: T, keysOf: object): Partial<T> {
  return Object.fromEntries(Object.keys(keysOf).map((k) => [k, obj[k as keyof T]])) as Partial<T>;
}

interface MessagePageRow {
  id: string;
  thread_id: string;
  direction: MessageDto['direction'];
  channel: MessageDto['channel'];
  contact_id: string | null;
  author_agent_id: string | null;
  subject: string | null;
  body_text: string;
  visible_text: string | null;
  body_html: string | null;
  is_automatic: boolean;
  is_public: boolean;
  delivery_state: MessageDto['deliveryState'];
  delivery_error: string | null;
  created_at: Date;
  contact_name: string | null;
  author_name: string | null;
  attachments: MessageDto['attachments'] | null;
}

/** The same shape as toMessageDto gives for an entity loaded with contact, author and attachments. */
function messageOfRow(r: MessagePageRow): MessageDto {
  const author =
    r.direction === 'inbound'
      ? { kind: 'contact' as const, id: r.contact_id, name: r.contact_name }
      : r.author_agent_id
        ? { kind: 'agent' as const, id: r.author_agent_id, name: r.author_name }
        : { kind: 'system' as const, id: null, name: null };
  return {
    id: r.id,
    threadId: r.thread_id,
    direction: r.direction,
    channel: r.channel,
    author,
    subject: r.subject,
    bodyText: r.body_text,
    visibleText: r.visible_text,
    bodyHtml: r.body_html,
    isAutomatic: r.is_automatic,
    isPublic: r.is_public,
    deliveryState: r.delivery_state,
    deliveryError: r.delivery_error,
    attachments: (r.attachments ?? []).map((a) => ({ ...a, sizeBytes: Number(a.sizeBytes) })),
    createdAt: r.created_at.toISOString(),
  };
}

function summaryPage(rows: SummaryRow[], limit: number, key: (r: SummaryRow) => Array<string | null>): ThreadPage {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(summaryOfRow), nextCursor: more && last ? encodeCursor(key(last)) : null };
}
