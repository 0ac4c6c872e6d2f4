import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CannedReplyScope } from '@desk/contracts';
import { Agent } from '../agents/agent.entity';
import { Team } from '../agents/team.entity';

/**
 * A saved reply text with placeholders, expanded in the console. `personal` rows have an owner,
 * `team` rows a team, `global` rows neither; deleting the owner or the team deletes its replies.
 */
@Entity('canned_replies')
@Index(['scope', 'ownerAgentId', 'teamId'])
export class CannedReply {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) title: string;
  @Column({ type: 'text' }) body: string;
  /** Lowercase, unique over all scopes so `/refund` means one thing to everybody. */
  @Column({ type: 'text', nullable: true, unique: true }) shortcut: string | null;
  @Column({ type: 'enum', enumName: 'canned_reply_scope', enum: ['personal', 'team', 'global'] }) scope: CannedReplyScope;
  @Column({ type: 'uuid', nullable: true }) ownerAgentId: string | null;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) ownerAgent?: Agent;
  @Column({ type: 'uuid', nullable: true }) teamId: string | null;
  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) team?: Team;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
