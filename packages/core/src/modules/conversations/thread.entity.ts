import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { ChannelKind, Priority, ThreadStatus } from '@desk/contracts';
import { Agent } from '../agents/agent.entity';
import { Team } from '../agents/team.entity';
import { Inbox } from '../channels/inbox.entity';
import { Contact } from '../contacts/contact.entity';

/** One conversation with one contact; may span channels. Changed only through ThreadsService. */
@Entity('threads')
@Index('threads_contact_created_idx', ['contactId', 'createdAt'])
@Index('threads_status_due_idx', ['status', 'slaDueAt'])
@Index('threads_assignee_status_due_idx', ['assigneeId', 'status', 'slaDueAt'])
@Index('threads_inbox_status_idx', ['inboxId', 'status', 'lastMessageAt'])
@Index('threads_team_status_idx', ['teamId', 'status'])
// few threads are merged: a partial index serves the FK's ON DELETE and "what was merged into X"
@Index('threads_merged_into_idx', ['mergedIntoThreadId'], { where: '"merged_into_thread_id" IS NOT NULL' })
// the inbox order (COALESCE(sla_due_at, far future), created_at, id): an expression index, created by the migration
@Index('threads_due_sort_idx', { synchronize: false })
export class Thread {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Human-readable and sequential: what customers see as [#1234]. */
  @Column({ type: 'int', unique: true }) @Generated('increment') number: number;
  @Column({ type: 'text', nullable: true }) subject: string | null;
  @Column({ type: 'text', nullable: true }) preview: string | null;
  @Column({ type: 'uuid' }) contactId: string;
  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' }) contact: Contact;
  @Column({ type: 'uuid' }) inboxId: string;
  @ManyToOne(() => Inbox, { onDelete: 'RESTRICT' }) inbox: Inbox;
  /** The channel the thread started on; messages carry their own. */
  @Column({ type: 'enum', enumName: 'channel_kind', enum: ['email', 'webform', 'x', 'facebook', 'instagram'] }) channel: ChannelKind;
  @Column({ type: 'enum', enumName: 'thread_status', enum: ['open', 'pending', 'snoozed', 'resolved'], default: 'open' })
  status: ThreadStatus;
  @Column({ type: 'enum', enumName: 'thread_priority', enum: ['low', 'normal', 'high', 'urgent'], default: 'normal' })
  priority: Priority;
  @Column({ type: 'uuid', nullable: true }) assigneeId: string | null;
  @ManyToOne(() => Agent, { onDelete: 'SET NULL' }) assignee: Agent | null;
  @Column({ type: 'uuid', nullable: true }) teamId: string | null;
  @ManyToOne(() => Team, { onDelete: 'SET NULL' }) team: Team | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags: string[];
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) snoozedUntil: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastMessageAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastCustomerMessageAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastAgentMessageAt: Date | null;
  /** The last automatic acknowledgement: its quiet period is checked on this row (AutoAckService). */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastAutoAckAt: Date | null;
  /** Earliest due instant of the thread's running SLA clocks, kept here so inbox lists sort on one index. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) slaDueAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) resolvedAt: Date | null;
  /** A follow-up or a split points at the thread it came from. */
  @Column({ type: 'uuid', nullable: true }) linkedThreadId: string | null;
  /**
   * Set when an agent merged this thread into another (ThreadMovesService): its messages and keys
   * moved there, and a reply token or `[#N]` naming this thread follows the pointer.
   */
  @Column({ type: 'uuid', nullable: true }) mergedIntoThreadId: string | null;
  @ManyToOne(() => Thread, { onDelete: 'SET NULL' }) mergedIntoThread?: Thread | null;
  /** Flags such as { possibleFollowUpOf: 1234 }. */
  @Column({ type: 'jsonb', default: {} }) flags: Record<string, unknown>;
  /** Bumped on every change; the console sends the version it saw so a stale reply is held. */
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
