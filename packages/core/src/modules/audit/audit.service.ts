import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEvent, type ActorKind } from './audit-event.entity';

export interface Actor {
  kind: ActorKind;
  agentId?: string | null;
}

export const SYSTEM: Actor = { kind: 'system' };

export interface AuditInput {
  actor: Actor;
  action: string;
  threadId?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
}

/** Append-only audit trail. Callers pass their transaction's manager so the record commits with the change. */
@Injectable()
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  async record(input: AuditInput, manager: EntityManager = this.ds.manager): Promise<void> {
    // a plain INSERT: no entity metadata work, no RETURNING (several audit rows are written per mail)
    await manager.query(
      `INSERT INTO audit_events (actor_kind, actor_agent_id, action, thread_id, reason, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [input.actor.kind, input.actor.agentId ?? null, input.action, input.threadId ?? null, input.reason ?? null, JSON.stringify(input.data ?? {})],
    );
  }

  forThread(threadId: string, limit = 500): Promise<AuditEvent[]> {
    return this.ds.getRepository(AuditEvent).find({ where: { threadId }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit });
  }
}
