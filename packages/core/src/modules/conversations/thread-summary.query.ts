import type { ThreadSummary } from '@desk/contracts';
import type { DataSource, EntityManager } from 'typeorm';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * The realtime/list summary of one thread in ONE plain query (no entity loading, no relation
 * paging queries): the hot ingest path publishes one per mail. Same shape as toThreadSummary.
 */
export async function loadThreadSummary(q: DataSource | EntityManager, threadId: string): Promise<ThreadSummary | null> {
  const [r]: Array<{
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
  }> = await q.query(
    `SELECT t.id, t.number, t.subject, t.preview, t.channel, t.inbox_id, t.status, t.priority, t.tags,
            c.id AS contact_id, c.name AS contact_name, c.primary_email AS contact_email,
            a.id AS assignee_id, a.name AS a_name, a.email AS a_email, a.role AS a_role, a.availability AS a_availability,
            t.team_id, t.last_message_at, t.last_customer_message_at, t.last_agent_message_at, t.sla_due_at, t.version, t.created_at
       FROM threads t JOIN contacts c ON c.id = t.contact_id LEFT JOIN agents a ON a.id = t.assignee_id
      WHERE t.id = $1`,
    [threadId],
  );
  if (!r) return null;
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
