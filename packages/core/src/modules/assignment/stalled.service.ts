import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { StalledQuery, StalledReason, StalledSlaState, StalledThread } from '@desk/contracts';
import { Thread } from '../conversations/thread.entity';
import { toThreadSummary } from '../conversations/thread.mapper';
import { matchPolicy } from '../sla/policy-matcher';
import { SlaPolicy } from '../sla/sla-policy.entity';
import { AssignmentService } from './assignment.service';

export const AUTO_REASSIGN_REASON = 'auto-reassign: stalled';

/** Threads waiting on us, looked at oldest first; a desk with more stalled threads than this has bigger problems. */
const MAX_CANDIDATES = 5000;

interface CandidateRow {
  id: string;
  inbox_id: string;
  channel: string;
  priority: string;
  team_id: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  assignee_availability: 'online' | 'away' | 'offline' | null;
  contact_tags: string[] | null;
  last_customer_message_at: Date;
  last_agent_message_at: Date | null;
  active_at: Date;
  now: Date;
  clock_metric: StalledSlaState['metric'] | null;
  clock_due_at: Date | null;
  clock_warn_at: Date | null;
  clock_status: string | null;
}

export interface StalledItem {
  row: CandidateRow;
  reasons: StalledReason[];
  ageSeconds: number;
  idleSeconds: number;
  policy: SlaPolicy | null;
  sla: StalledSlaState | null;
}

/**
 * Stalled threads: open, waiting on us (the customer wrote last), and either idle longer than the
 * matched policy's `stallMinutes` or assigned to an agent who is away or offline.
 *
 * "Agent activity" is an agent's reply or note, or an assignment change (a new owner gets a fresh
 * stall window). The policy is matched with the SLA matcher (first active policy by position);
 * a thread no policy matches is never stalled for idleness, only for an absent assignee.
 */
@Injectable()
export class StalledService {
  private readonly log = new Logger(StalledService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly assignment: AssignmentService,
  ) {}

  async list(q: StalledQuery): Promise<{ items: StalledThread[] }> {
    const items = sortItems(await this.find(), q.sort).slice(0, q.limit);
    const threads = items.length
      ? await this.ds.getRepository(Thread).find({ where: { id: In(items.map((i) => i.row.id)) }, relations: { contact: true, assignee: true } })
      : [];
    const byId = new Map(threads.map((t) => [t.id, t]));
    return {
      items: items.flatMap((i) => {
        const t = byId.get(i.row.id);
        if (!t) return [];
        return [
          {
            thread: toThreadSummary(t),
            reason: i.reasons[0]!,
            reasons: i.reasons,
            ageSeconds: i.ageSeconds,
            idleSeconds: i.idleSeconds,
            policyId: i.policy?.id ?? null,
            stallMinutes: i.policy?.stallMinutes ?? null,
            sla: i.sla,
          },
        ];
      }),
    };
  }

  /**
   * The repeatable job's work: stalled threads whose policy sets `autoReassignAfterMinutes` move to
   * the least-loaded online agent of the team once they stayed stalled that much longer: idle for
   * stallMinutes + autoReassignAfterMinutes, or (assignee away/offline) idle for autoReassignAfterMinutes.
   */
  async autoReassign(): Promise<{ reassigned: number; skipped: number }> {
    let reassigned = 0;
    let skipped = 0;
    for (const item of await this.find()) {
      const after = item.policy?.autoReassignAfterMinutes;
      if (after === null || after === undefined || !item.policy) continue;
      const absent = item.reasons.includes('assignee_away') || item.reasons.includes('assignee_offline');
      const dueAfterSeconds = (absent ? after : item.policy.stallMinutes + after) * 60;
      if (item.idleSeconds < dueAfterSeconds) continue;
      const r = await this.assignment.reassignStalled(
        item.row.id,
        { assigneeId: item.row.assignee_id, lastAgentMessageAt: item.row.last_agent_message_at, lastCustomerMessageAt: item.row.last_customer_message_at },
        AUTO_REASSIGN_REASON,
      );
      if (r.outcome === 'assigned') reassigned++;
      else skipped++;
    }
    if (reassigned) this.log.log(`auto-reassigned ${reassigned} stalled threads`);
    return { reassigned, skipped };
  }

  async find(): Promise<StalledItem[]> {
    const rows: CandidateRow[] = await this.ds.query(
      `SELECT t.id, t.inbox_id, t.channel, t.priority, t.team_id, t.assignee_id,
              a.name AS assignee_name, a.availability AS assignee_availability, c.tags AS contact_tags,
              t.last_customer_message_at, t.last_agent_message_at,
              GREATEST(
                t.last_customer_message_at, t.last_agent_message_at,
                (SELECT max(m.created_at) FROM messages m WHERE m.thread_id = t.id AND m.author_agent_id IS NOT NULL),
                (SELECT max(e.created_at) FROM audit_events e WHERE e.thread_id = t.id AND e.action IN ('thread.assigned', 'thread.reassigned'))
              ) AS active_at,
              now() AS now,
              clk.metric AS clock_metric, clk.due_at AS clock_due_at, clk.warn_at AS clock_warn_at, clk.status AS clock_status
         FROM threads t
         JOIN contacts c ON c.id = t.contact_id
         LEFT JOIN agents a ON a.id = t.assignee_id
         LEFT JOIN LATERAL (
           SELECT s.metric, s.due_at, s.warn_at, s.status FROM sla_clocks s
            WHERE s.thread_id = t.id AND (s.status = 'running' OR (s.status = 'breached' AND s.met_at IS NULL))
            ORDER BY s.due_at LIMIT 1
         ) clk ON true
        WHERE t.status = 'open' AND t.last_customer_message_at IS NOT NULL
          AND t.last_customer_message_at > COALESCE(t.last_agent_message_at, '-infinity'::timestamptz)
        ORDER BY t.last_customer_message_at, t.id
        LIMIT ${MAX_CANDIDATES}`,
    );
    if (rows.length === 0) return [];
    const policies = await this.ds.getRepository(SlaPolicy).find({ where: { isActive: true }, order: { position: 'ASC' } });
    const items: StalledItem[] = [];
    for (const row of rows) {
      const now = row.now.getTime();
      const idleSeconds = Math.floor((now - row.active_at.getTime()) / 1000);
      const policy = matchPolicy(policies, {
        inboxId: row.inbox_id,
        channel: row.channel,
        priority: row.priority,
        teamId: row.team_id,
        contactTags: row.contact_tags ?? [],
      });
      const reasons: StalledReason[] = [];
      if (row.assignee_availability === 'away') reasons.push('assignee_away');
      if (row.assignee_availability === 'offline') reasons.push('assignee_offline');
      if (policy && idleSeconds >= policy.stallMinutes * 60) reasons.push('no_agent_activity');
      if (reasons.length === 0) continue;
      items.push({
        row,
        reasons,
        ageSeconds: Math.floor((now - row.last_customer_message_at.getTime()) / 1000),
        idleSeconds,
        policy,
        sla: slaStateOf(row, now),
      });
    }
    return items;
  }
}

function slaStateOf(row: CandidateRow, now: number): StalledSlaState | null {
  if (!row.clock_metric || !row.clock_due_at) return null;
  const due = row.clock_due_at.getTime();
  const state = row.clock_status === 'breached' || due <= now ? 'breached' : row.clock_warn_at && row.clock_warn_at.getTime() <= now ? 'at_risk' : 'on_track';
  return { metric: row.clock_metric, dueAt: row.clock_due_at.toISOString(), state };
}

const byText = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a.localeCompare(b));

/** age: oldest wait first; sla: earliest due first, no clock last; agent: by assignee name, unassigned first. Ties: oldest first, then id. */
export function sortItems(items: StalledItem[], sort: StalledQuery['sort']): StalledItem[] {
  const byAge = (a: StalledItem, b: StalledItem) => b.ageSeconds - a.ageSeconds || (a.row.id < b.row.id ? -1 : 1);
  const due = (i: StalledItem) => (i.sla ? Date.parse(i.sla.dueAt) : Infinity);
  const cmp =
    sort === 'sla'
      ? (a: StalledItem, b: StalledItem) => {
          const d = due(a) - due(b);
          return (Number.isNaN(d) ? 0 : d) || byAge(a, b);
        }
      : sort === 'agent'
        ? (a: StalledItem, b: StalledItem) => byText(a.row.assignee_name, b.row.assignee_name) || byAge(a, b)
        : byAge;
  return [...items].sort(cmp);
}
