import { HttpException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AgentLoad, ReassignRequest, ReassignResult } from '@desk/contracts';
import { ThreadsService, type Viewer } from '../conversations/threads.service';

/**
 * Supervisors' tools. A bulk reassignment is many single reassignments through ThreadsService, so
 * each thread gets the same audit (who, when, from whom, to whom, why) and live events as a
 * one-thread change; one failing thread does not stop the others.
 */
@Injectable()
export class SupervisorService {
  constructor(
    private readonly ds: DataSource,
    private readonly threads: ThreadsService,
  ) {}

  async reassign(req: ReassignRequest, viewer: Viewer): Promise<ReassignResult> {
    const result: ReassignResult = { updated: [], failed: [] };
    for (const threadId of [...new Set(req.threadIds)]) {
      try {
        await this.threads.update(threadId, { assigneeId: req.assigneeId, reason: req.reason }, viewer);
        result.updated.push(threadId);
      } catch (e) {
        const message = e instanceof HttpException ? e.message : 'internal error';
        result.failed.push({ threadId, message });
      }
    }
    return result;
  }

  /** Every active agent with the threads they carry (open or pending) and how many of those breached. */
  async agentsLoad(): Promise<{ items: AgentLoad[] }> {
    const rows: Array<AgentLoad> = await this.ds.query(
      `SELECT a.id, a.name, a.email, a.role, a.availability, a.capacity,
              count(t.id)::int AS "openAssigned",
              count(t.id) FILTER (WHERE EXISTS (
                SELECT 1 FROM sla_clocks s WHERE s.thread_id = t.id
                   AND (s.status = 'breached' OR (s.status = 'running' AND s.due_at <= now()))
              ))::int AS breached
         FROM agents a
         LEFT JOIN threads t ON t.assignee_id = a.id AND t.status IN ('open', 'pending')
        WHERE a.is_active
        GROUP BY a.id
        ORDER BY a.name, a.id`,
    );
    return { items: rows };
  }
}
