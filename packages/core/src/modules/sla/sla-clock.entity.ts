import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { SlaClockStatus, SlaMetric } from '@desk/contracts';
import { Thread } from '../conversations/thread.entity';
import { SlaPolicy } from './sla-policy.entity';

/** One running deadline per thread and metric. Jobs are derived from it and rebuilt when lost. */
@Entity('sla_clocks')
@Index('sla_clocks_status_due_idx', ['status', 'dueAt'])
@Index('sla_clocks_one_active_key', ['threadId', 'metric'], { unique: true, where: "status IN ('running', 'paused')" })
export class SlaClock {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread: Thread;
  @Column({ type: 'uuid', nullable: true }) policyId: string | null;
  @ManyToOne(() => SlaPolicy, { onDelete: 'SET NULL' }) policy: SlaPolicy | null;
  @Column({ type: 'enum', enumName: 'sla_metric', enum: ['first_response', 'next_response', 'resolution'] }) metric: SlaMetric;
  @Column({ type: 'enum', enumName: 'sla_clock_status', enum: ['running', 'paused', 'met', 'breached', 'cancelled'], default: 'running' })
  status: SlaClockStatus;
  @Column({ type: 'timestamptz', precision: 3 }) startedAt: Date;
  @Column({ type: 'timestamptz', precision: 3 }) dueAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) warnAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) warnedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) breachedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) metAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) pausedAt: Date | null;
  /** Business minutes left when paused, so resuming recomputes the due instant. */
  @Column({ type: 'double precision', nullable: true }) remainingMinutes: number | null;
  /** Set when an agent paused the clock (an exception): only an agent resumes it, not a status change. */
  @Column({ type: 'uuid', nullable: true }) pausedByAgentId: string | null;
  /** Business minutes added by agents' extensions, in total. */
  @Column({ type: 'double precision', default: 0 }) extendedMinutes: number;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
