import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AssignmentMode, ChannelKind } from '@desk/contracts';
import { Team } from '../agents/team.entity';

/** One place customers reach us. Channel-specific setup lives in `settings`, read only by its adapter. */
@Entity('inboxes')
export class Inbox {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'enum', enumName: 'channel_kind', enum: ['email', 'webform', 'x', 'facebook', 'instagram'] }) channel: ChannelKind;
  /** The address customers use: a mailbox address, an @handle, a page id. */
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ type: 'jsonb', default: {} }) settings: Record<string, unknown>;
  @Column({ type: 'uuid', nullable: true }) teamId: string | null;
  @ManyToOne(() => Team, { onDelete: 'SET NULL' }) team: Team | null;
  @Column({ type: 'enum', enumName: 'assignment_mode', enum: ['manual', 'round_robin', 'least_loaded'], default: 'manual' })
  assignmentMode: AssignmentMode;
  @Column({ type: 'boolean', default: true }) autoAckEnabled: boolean;
  @Column({ type: 'text', nullable: true }) ackTemplate: string | null;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
