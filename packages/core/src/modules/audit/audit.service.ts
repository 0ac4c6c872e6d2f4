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
    await manager.save(AuditEvent, {
      actorKind: input.actor.kind,
      actorAgentId: input.actor.agentId ?? null,
      action: input.action,
      threadId: input.threadId ?? null,
      reason: input.reason ?? null,
      data: input.data ?? {},
    });
  }

  forThread(threadId: string, limit = 500): Promise<AuditEvent[]> {
    return this.ds.getRepository(AuditEvent).find({ where: { threadId }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit });
  }
}
