import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ActorKind = 'agent' | 'system' | 'contact';

/** Who did what to which thread, when and why. Append-only. */
@Entity('audit_events')
@Index('audit_events_thread_created_idx', ['threadId', 'createdAt'])
@Index('audit_events_actor_created_idx', ['actorAgentId', 'createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid', nullable: true }) threadId: string | null;
  @Column({ type: 'enum', enumName: 'actor_kind', enum: ['agent', 'system', 'contact'] }) actorKind: ActorKind;
  @Column({ type: 'uuid', nullable: true }) actorAgentId: string | null;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'jsonb', default: {} }) data: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
