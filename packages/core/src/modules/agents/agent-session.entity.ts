import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agent } from './agent.entity';

/** A signed-in browser. The cookie holds a random token; only its SHA-256 is stored. */
@Entity('agent_sessions')
export class AgentSession {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index({ unique: true }) @Column({ type: 'text' }) tokenHash: string;
  @Index() @Column({ type: 'uuid' }) agentId: string;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) agent: Agent;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ type: 'text', nullable: true }) userAgent: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
