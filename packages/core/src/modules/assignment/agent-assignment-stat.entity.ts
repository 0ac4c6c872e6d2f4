import { Column, Entity, ManyToOne, PrimaryColumn } from 'typeorm';
import { Agent } from '../agents/agent.entity';

/** When an agent last got a thread automatically: least-loaded breaks ties by the longest wait. */
@Entity('agent_assignment_stats')
export class AgentAssignmentStat {
  @PrimaryColumn({ type: 'uuid' }) agentId: string;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) agent: Agent;
  @Column({ type: 'timestamptz', precision: 3 }) lastAssignedAt: Date;
}
