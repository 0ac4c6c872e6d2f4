import type { ThreadDetail, ThreadSummary } from '@desk/contracts';
import type { DataSource, EntityManager } from 'typeorm';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * The realtime/list summary of one thread in ONE plain query (no entity loading, no relation
 * paging queries): the hot ingest path publishes one per mail. Same shape as toThreadSummary.
 */
export async function loadThreadSummary(q: DataSource | EntityManager, threadId: string): Promise<ThreadSummary | null> {
  return (await loadThread(q, threadId))?.summary ?? null;
}

/** The summaries of several threads in one query (a batch of ingested mail), by thread id. */
export async function loadThreadSummaries(q: DataSource | EntityManager, threadIds: string[]): Promise<Map<string, ThreadSummary>> {
  const rows: SummaryRow[] = await q.query(`SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE t.id = ANY($1::uuid[])`, [threadIds]);
  return new Map(rows.map((r) => [r.id, summaryOfRow(r)]));
}

/** The thread page's detail (toThreadDetail's shape) in the same one query. */
export async function loadThreadDetail(q: DataSource | EntityManager, threadId: string): Promise<ThreadDetail | null> {
  const t = await loadThread(q, threadId);
  if (!t) return null;
  const r = t.detail;
  const repeat = r.flags?.repeatContact as { count: number; windowDays: number } | undefined;
  return {
    ...t.summary,
    linkedThreadId: r.linked_thread_id,
    resolvedAt: iso(r.resolved_at),
    mergedIntoThreadId: r.merged_into_thread_id,
    mergedIntoThreadNumber: r.merged_into_number,
    flags: repeat ? { repeatContact: { count: repeat.count, windowDays: repeat.windowDays } } : {},
  };
}

interface DetailColumns {
  linked_thread_id: string | null;
  resolved_at: Date | null;
  merged_into_thread_id: string | null;
  merged_into_number: number | null;
  flags: Record<string, unknown> | null;
}

/** The columns of a thread summary, from `threads t JOIN contacts c LEFT JOIN agents a` (see SUMMARY_FROM). */
export const SUMMARY_COLUMNS = `t.id, t.number, t.subject, t.preview, t.channel, t.inbox_id, t.status, t.priority, t.tags,
            c.id AS contact_id, c.name AS contact_name, c.primary_email AS contact_email,
            a.id AS assignee_id, a.name AS a_name, a.email AS a_email, a.role AS a_role, a.availability AS a_availability,
            t.team_id, t.last_message_at, t.last_customer_message_at, t.last_agent_message_at, t.sla_due_at, t.version, t.created_at`;
export const SUMMARY_FROM = `threads t JOIN contacts c ON c.id = t.contact_id LEFT JOIN agents a ON a.id = t.assignee_id`;

export interface SummaryRow {
  id: string;
  number: number;
  subject: string | null;
  preview: string | null;
  channel: ThreadSummary['channel'];
  inbox_id: string;
  status: ThreadSummary['status'];
  priority: ThreadSummary['priority'];
  tags: string[];
  contact_id: string;
  contact_name: string | null;
  contact_email: string | null;
  assignee_id: string | null;
  a_name: string | null;
  a_email: string | null;
  a_role: string | null;
  a_availability: string | null;
  team_id: string | null;
  last_message_at: Date | null;
  last_customer_message_at: Date | null;
  last_agent_message_at: Date | null;
  sla_due_at: Date | null;
  version: number;
  created_at: Date;
}

/** toThreadSummary's shape from a row of SUMMARY_COLUMNS: lists and events read threads this way, without entities. */
export function summaryOfRow(r: SummaryRow): ThreadSummary {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    preview: r.preview,
    channel: r.channel,
    inboxId: r.inbox_id,
    status: r.status,
    priority: r.priority,
    tags: r.tags,
    contact: { id: r.contact_id, name: r.contact_name, primaryEmail: r.contact_email },
    assignee: r.assignee_id
      ? ({ id: r.assignee_id, name: r.a_name, email: r.a_email, role: r.a_role, availability: r.a_availability } as ThreadSummary['assignee'])
      : null,
    teamId: r.team_id,
    lastMessageAt: iso(r.last_message_at),
    lastCustomerMessageAt: iso(r.last_customer_message_at),
    lastAgentMessageAt: iso(r.last_agent_message_at),
    slaDueAt: iso(r.sla_due_at),
    version: r.version,
    createdAt: r.created_at.toISOString(),
  };
}

async function loadThread(q: DataSource | EntityManager, threadId: string): Promise<{ summary: ThreadSummary; detail: DetailColumns } | null> {
  const [r]: Array<SummaryRow & DetailColumns> = await q.query(
    `SELECT ${SUMMARY_COLUMNS},
            t.linked_thread_id, t.resolved_at, t.merged_into_thread_id, t.flags,
            (SELECT mt.number FROM threads mt WHERE mt.id = t.merged_into_thread_id) AS merged_into_number
       FROM ${SUMMARY_FROM}
      WHERE t.id = $1`,
    [threadId],
  );
  return r ? { summary: summaryOfRow(r), detail: r } : null;
}
