import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Thread } from '../conversations/thread.entity';

/**
 * One answer to a thread's satisfaction survey, one row per submit: the latest row is the thread's
 * answer, earlier ones stay as history.
 */
@Entity('satisfaction_responses')
@Index(['threadId', 'createdAt'])
export class SatisfactionResponse {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread: Thread;
  /** 1 (very unhappy) … 5 (very happy). */
  @Column({ type: 'smallint' }) score: number;
  @Column({ type: 'boolean', default: false }) contactMe: boolean;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  /** Whether this answer reopened the thread. */
  @Column({ type: 'boolean', default: false }) reopened: boolean;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
