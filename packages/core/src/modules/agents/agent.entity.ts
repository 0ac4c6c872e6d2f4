import { Column, CreateDateColumn, Entity, Index, JoinTable, ManyToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AgentRole, Availability } from '@desk/contracts';
import { Team } from './team.entity';

@Entity('agents')
@Index('agents_email_key', { synchronize: false }) // unique on lower(email), created by the migration
export class Agent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) email: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'enum', enumName: 'agent_role', enum: ['agent', 'supervisor', 'admin'], default: 'agent' }) role: AgentRole;
  @Column({ type: 'text' }) passwordHash: string;
  @Column({ type: 'enum', enumName: 'agent_availability', enum: ['online', 'away', 'offline'], default: 'offline' })
  availability: Availability;
  /** Open assigned threads this agent can carry; automatic assignment never exceeds it. */
  @Column({ type: 'int', default: 10 }) capacity: number;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastSeenAt: Date | null;
  @ManyToMany(() => Team, (t) => t.members)
  @JoinTable({ name: 'team_members', joinColumn: { name: 'agent_id' }, inverseJoinColumn: { name: 'team_id' } })
  teams: Team[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
