import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AssignmentMode, Priority } from '@desk/contracts';
import { AuditService, SYSTEM } from '../audit/audit.service';
import { Thread } from '../conversations/thread.entity';
import { toThreadSummary } from '../conversations/thread.mapper';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';

export type AssignOutcome =
  | { outcome: 'assigned'; threadId: string; agentId: string; from: string | null; mode: AssignmentMode }
  | { outcome: 'skipped'; threadId: string; reason: SkipReason };

export type SkipReason =
  /** Already assigned, gone, or locked by another assigner (which then decides). */
  | 'taken'
  | 'manual'
  | 'not_open'
  | 'no_team'
  /** No online team member below capacity: the thread waits for the next sweep. */
  | 'no_capacity'
  /** The thread changed since it was found stalled (a reply, another reassignment). */
  | 'stale';

/** Threads an agent carries: what capacity counts. */
const OPEN_ASSIGNED_SQL = `('open', 'pending')`;

/** What a stalled-thread reassignment expects to still hold when it takes the row. */
export interface StalledExpectation {
  assigneeId: string | null;
  lastAgentMessageAt: Date | null;
  lastCustomerMessageAt: Date | null;
}

interface Member {
  id: string;
}

/**
 * Automatic assignment: per inbox, manual (nothing), round-robin or least-loaded among the online,
 * active members of the inbox's team, never above an agent's capacity.
 *
 * Concurrency: in one transaction the thread row is taken with `FOR UPDATE SKIP LOCKED` (a thread
 * someone else is assigning is theirs), then every candidate agent row is locked `FOR UPDATE` in id
 * order (no deadlocks between teams sharing agents) and the loads are counted under those locks;
 * so two workers never assign one thread twice nor push an agent over capacity. Round-robin also
 * locks its team cursor. Events are published after commit.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** Call after a new thread is committed (ingestion). Idempotent: an assigned thread is left alone. */
  async assignNewThread(threadId: string): Promise<AssignOutcome> {
    // a cheap read first: most inboxes assign manually or have no team, and an assigned thread stays
    // assigned; none of those needs the locking transaction (the sweep covers any later change)
    const [pre]: Array<{ assignee_id: string | null; status: string; team_id: string | null; mode: AssignmentMode; inbox_team_id: string | null }> = await this.ds.query(
      `SELECT t.assignee_id, t.status, t.team_id, i.assignment_mode AS mode, i.team_id AS inbox_team_id FROM threads t JOIN inboxes i ON i.id = t.inbox_id WHERE t.id = $1`,
      [threadId],
    );
    if (!pre || pre.assignee_id) return { outcome: 'skipped', threadId, reason: 'taken' };
    if (pre.mode === 'manual') return { outcome: 'skipped', threadId, reason: 'manual' };
    if (pre.status !== 'open') return { outcome: 'skipped', threadId, reason: 'not_open' };
    if (!(pre.team_id ?? pre.inbox_team_id)) return { outcome: 'skipped', threadId, reason: 'no_team' };
    const result = await this.ds.transaction(async (m): Promise<AssignOutcome> => {
      const [t]: Array<{ id: string; status: string; team_id: string | null; mode: AssignmentMode; inbox_team_id: string | null }> = await m.query(
        `SELECT t.id, t.status, t.team_id, i.assignment_mode AS mode, i.team_id AS inbox_team_id
           FROM threads t JOIN inboxes i ON i.id = t.inbox_id
          WHERE t.id = $1 AND t.assignee_id IS NULL
          FOR UPDATE OF t SKIP LOCKED`,
        [threadId],
      );
      if (!t) return { outcome: 'skipped', threadId, reason: 'taken' };
      if (t.mode === 'manual') return { outcome: 'skipped', threadId, reason: 'manual' };
      if (t.status !== 'open') return { outcome: 'skipped', threadId, reason: 'not_open' };
      const teamId = t.team_id ?? t.inbox_team_id;
      if (!teamId) return { outcome: 'skipped', threadId, reason: 'no_team' };

      const agentId = await this.pickAgent(m, teamId, t.mode, null);
      if (!agentId) return { outcome: 'skipped', threadId, reason: 'no_capacity' };
      await this.setAssignee(m, threadId, agentId, teamId);
      await this.audit.record(
        { actor: SYSTEM, action: 'thread.assigned', threadId, data: { mode: t.mode, teamId, from: { assigneeId: null }, to: { assigneeId: agentId } } },
        m,
      );
      return { outcome: 'assigned', threadId, agentId, from: null, mode: t.mode };
    });
    if (result.outcome === 'assigned') await this.publish(result.threadId, null, result.agentId);
    return result;
  }

  /**
   * The sweep: open unassigned threads of inboxes with automatic assignment, oldest first, get an
   * agent as capacity frees up. A team found full is skipped for the rest of the sweep.
   */
  async assignUnassigned(teamId?: string, limit = 500): Promise<{ assigned: number; waiting: number }> {
    const rows: Array<{ id: string; team_id: string }> = await this.ds.query(
      `SELECT t.id, COALESCE(t.team_id, i.team_id) AS team_id
         FROM threads t JOIN inboxes i ON i.id = t.inbox_id
        WHERE t.assignee_id IS NULL AND t.status = 'open' AND i.assignment_mode <> 'manual'
          AND COALESCE(t.team_id, i.team_id) IS NOT NULL
          AND ($1::uuid IS NULL OR COALESCE(t.team_id, i.team_id) = $1::uuid)
        ORDER BY t.created_at, t.id
        LIMIT $2`,
      [teamId ?? null, limit],
    );
    const full = new Set<string>();
    let assigned = 0;
    let waiting = 0;
    for (const row of rows) {
      if (full.has(row.team_id)) {
        waiting++;
        continue;
      }
      const r = await this.assignNewThread(row.id);
      if (r.outcome === 'assigned') assigned++;
      else if (r.reason === 'no_capacity') {
        full.add(row.team_id);
        waiting++;
      }
    }
    return { assigned, waiting };
  }

  /**
   * Moves a stalled thread to the least-loaded online agent of its team (not the current one),
   * audited as `thread.reassigned` by the system with `reason`. Acts only if the thread is still as
   * the caller saw it, so a reply or a supervisor's move in between wins.
   */
  async reassignStalled(threadId: string, expected: StalledExpectation, reason: string): Promise<AssignOutcome> {
    const result = await this.ds.transaction(async (m): Promise<AssignOutcome> => {
      const [t]: Array<{ id: string; status: string; team_id: string | null; inbox_team_id: string | null; assignee_id: string | null; last_agent_message_at: Date | null; last_customer_message_at: Date | null }> =
        await m.query(
          `SELECT t.id, t.status, t.team_id, i.team_id AS inbox_team_id, t.assignee_id, t.last_agent_message_at, t.last_customer_message_at
             FROM threads t JOIN inboxes i ON i.id = t.inbox_id
            WHERE t.id = $1
            FOR UPDATE OF t SKIP LOCKED`,
          [threadId],
        );
      if (!t) return { outcome: 'skipped', threadId, reason: 'taken' };
      if (t.status !== 'open') return { outcome: 'skipped', threadId, reason: 'not_open' };
      const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
      if (t.assignee_id !== expected.assigneeId || !same(t.last_agent_message_at, expected.lastAgentMessageAt) || !same(t.last_customer_message_at, expected.lastCustomerMessageAt)) {
        return { outcome: 'skipped', threadId, reason: 'stale' };
      }
      const teamId = t.team_id ?? t.inbox_team_id;
      if (!teamId) return { outcome: 'skipped', threadId, reason: 'no_team' };
      const agentId = await this.pickAgent(m, teamId, 'least_loaded', t.assignee_id);
      if (!agentId) return { outcome: 'skipped', threadId, reason: 'no_capacity' };
      await this.setAssignee(m, threadId, agentId, teamId);
      await this.audit.record(
        { actor: SYSTEM, action: 'thread.reassigned', threadId, reason, data: { mode: 'least_loaded', from: { assigneeId: t.assignee_id }, to: { assigneeId: agentId } } },
        m,
      );
      return { outcome: 'assigned', threadId, agentId, from: t.assignee_id, mode: 'least_loaded' };
    });
    if (result.outcome === 'assigned') await this.publish(result.threadId, result.from, result.agentId);
    return result;
  }

  /**
   * Picks and locks an agent of the team, or null. Must run inside the transaction holding the
   * thread row. `exclude` is the agent the thread is being taken from.
   */
  private async pickAgent(m: EntityManager, teamId: string, mode: Exclude<AssignmentMode, 'manual'>, exclude: string | null): Promise<string | null> {
    // Rotation order: when the agent joined the desk, then id (stable and readable in the console).
    const members: Array<Member & { availability: string }> = await m.query(
      `SELECT a.id, a.availability FROM agents a JOIN team_members tm ON tm.agent_id = a.id
        WHERE tm.team_id = $1 AND a.is_active
        ORDER BY a.created_at, a.id`,
      [teamId],
    );
    const candidateIds = members.filter((a) => a.availability === 'online' && a.id !== exclude).map((a) => a.id);
    if (candidateIds.length === 0) return null;

    const locked: Array<{ id: string; capacity: number; availability: string; is_active: boolean }> = await m.query(
      `SELECT id, capacity, availability, is_active FROM agents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [candidateIds],
    );
    const loads: Array<{ id: string; load: number }> = await m.query(
      `SELECT assignee_id AS id, count(*)::int AS load FROM threads
        WHERE assignee_id = ANY($1::uuid[]) AND status IN ${OPEN_ASSIGNED_SQL}
        GROUP BY assignee_id`,
      [candidateIds],
    );
    const loadOf = new Map(loads.map((l) => [l.id, l.load]));
    const lockedById = new Map(locked.map((a) => [a.id, a]));
    // availability re-read under the lock: an agent who just went away gets nothing
    const eligible = new Set(
      candidateIds.filter((id) => {
        const a = lockedById.get(id);
        return !!a && a.is_active && a.availability === 'online' && (loadOf.get(id) ?? 0) < a.capacity;
      }),
    );
    if (eligible.size === 0) return null;

    if (mode === 'round_robin') {
      await m.query(`INSERT INTO assignment_cursors (team_id) VALUES ($1) ON CONFLICT (team_id) DO NOTHING`, [teamId]);
      const [cursor]: Array<{ last_agent_id: string | null }> = await m.query(`SELECT last_agent_id FROM assignment_cursors WHERE team_id = $1 FOR UPDATE`, [teamId]);
      const order = members.map((a) => a.id);
      const last = cursor?.last_agent_id ? order.indexOf(cursor.last_agent_id) : -1;
      let chosen: string | null = null;
      for (let k = 1; k <= order.length; k++) {
        const id = order[(last + k + order.length) % order.length];
        if (id && eligible.has(id)) {
          chosen = id;
          break;
        }
      }
      if (!chosen) return null;
      await m.query(`UPDATE assignment_cursors SET last_agent_id = $2, updated_at = now() WHERE team_id = $1`, [teamId, chosen]);
      return chosen;
    }

    const stats: Array<{ agent_id: string; last_assigned_at: Date }> = await m.query(
      `SELECT agent_id, last_assigned_at FROM agent_assignment_stats WHERE agent_id = ANY($1::uuid[])`,
      [[...eligible]],
    );
    const lastAt = new Map(stats.map((s) => [s.agent_id, s.last_assigned_at.getTime()]));
    const ranked = [...eligible].sort(
      (a, b) => (loadOf.get(a) ?? 0) - (loadOf.get(b) ?? 0) || (lastAt.get(a) ?? -Infinity) - (lastAt.get(b) ?? -Infinity) || (a < b ? -1 : a > b ? 1 : 0),
    );
    return ranked[0] ?? null;
  }

  private async setAssignee(m: EntityManager, threadId: string, agentId: string, teamId: string): Promise<void> {
    await m.query(`UPDATE threads SET assignee_id = $2, team_id = $3, version = version + 1, updated_at = now() WHERE id = $1`, [threadId, agentId, teamId]);
    await m.query(
      `INSERT INTO agent_assignment_stats (agent_id, last_assigned_at) VALUES ($1, clock_timestamp())
       ON CONFLICT (agent_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`,
      [agentId],
    );
  }

  private async publish(threadId: string, from: string | null, to: string): Promise<void> {
    const thread = await this.ds.getRepository(Thread).findOne({ where: { id: threadId }, relations: { contact: true, assignee: true } });
    if (!thread) return;
    const rooms = [Rooms.thread(threadId), Rooms.supervisors, Rooms.allAgents, Rooms.agent(to)];
    if (from) rooms.push(Rooms.agent(from));
    if (thread.teamId) rooms.push(Rooms.team(thread.teamId));
    this.realtime.publish([...new Set(rooms)], 'thread.updated', { thread: toThreadSummary(thread), changes: { assigneeId: to, teamId: thread.teamId } });
  }
}

/** One step up, capped at urgent. */
export function raisedPriority(p: Priority): Priority {
  const order: Priority[] = ['low', 'normal', 'high', 'urgent'];
  return order[Math.min(order.indexOf(p) + 1, order.length - 1)] ?? p;
}
