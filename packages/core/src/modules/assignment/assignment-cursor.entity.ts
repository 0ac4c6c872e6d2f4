import { Column, Entity, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Team } from '../agents/team.entity';

/**
 * Round-robin position per team: the agent who got the team's last automatic assignment. Locked
 * (FOR UPDATE) while the next agent is picked, so concurrent assigners take turns in order.
 */
@Entity('assignment_cursors')
export class AssignmentCursor {
  @PrimaryColumn({ type: 'uuid' }) teamId: string;
  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) team: Team;
  /** No foreign key: a removed agent just means the rotation restarts at the top. */
  @Column({ type: 'uuid', nullable: true }) lastAgentId: string | null;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
