import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { NotificationKind } from '@desk/contracts';
import { Agent } from '../agents/agent.entity';
import { Message } from '../conversations/message.entity';
import { Thread } from '../conversations/thread.entity';

/** Something an agent should look at: today, being @mentioned in a note. */
@Entity('notifications')
@Index(['agentId', 'readAt', 'createdAt'])
// one notification per agent and note, whatever retries the note's transaction goes through
@Unique(['messageId', 'agentId'])
export class Notification {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) agentId: string;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) agent?: Agent;
  @Column({ type: 'enum', enumName: 'notification_kind', enum: ['mention'] }) kind: NotificationKind;
  @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread?: Thread;
  @Column({ type: 'uuid' }) messageId: string;
  @ManyToOne(() => Message, { onDelete: 'CASCADE' }) message?: Message;
  @Column({ type: 'uuid', nullable: true }) actorAgentId: string | null;
  @ManyToOne(() => Agent, { onDelete: 'SET NULL' }) actorAgent?: Agent | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) readAt: Date | null;
}
