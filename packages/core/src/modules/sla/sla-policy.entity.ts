import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { BusinessCalendar } from './business-calendar.entity';

export interface SlaConditions {
  inboxIds?: string[];
  channels?: string[];
  priorities?: string[];
  teamIds?: string[];
  contactTags?: string[];
}

export interface EscalationStep {
  afterMinutes: number;
  action: 'notify_assignee' | 'reassign_least_loaded' | 'raise_priority' | 'email_supervisors';
}

/** Targets for threads matching `conditions`; the first active policy by `position` wins. */
@Entity('sla_policies')
export class SlaPolicy {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'int', default: 0 }) position: number;
  @Column({ type: 'jsonb', default: {} }) conditions: SlaConditions;
  /** Targets in business minutes; fractional so short targets (and tests) need no special path. */
  @Column({ type: 'double precision' }) firstResponseMinutes: number;
  @Column({ type: 'double precision' }) nextResponseMinutes: number;
  @Column({ type: 'double precision', nullable: true }) resolutionMinutes: number | null;
  @Column({ type: 'int', default: 75 }) warningPercent: number;
  @Column({ type: 'boolean', default: true }) pauseWhenPending: boolean;
  @Column({ type: 'boolean', default: true }) pauseWhenSnoozed: boolean;
  /** No agent activity for this long on a thread waiting on us: stalled. */
  @Column({ type: 'int', default: 240 }) stallMinutes: number;
  @Column({ type: 'int', nullable: true }) autoReassignAfterMinutes: number | null;
  @Column({ type: 'jsonb', default: [] }) escalation: EscalationStep[];
  @Column({ type: 'uuid', nullable: true }) calendarId: string | null;
  @ManyToOne(() => BusinessCalendar, { onDelete: 'SET NULL' }) calendar: BusinessCalendar | null;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
