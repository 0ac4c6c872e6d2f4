import { Column, CreateDateColumn, Entity, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { Agent } from './agent.entity';

@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text', unique: true }) name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @ManyToMany('Agent', (a: Agent) => a.teams) members: Agent[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
