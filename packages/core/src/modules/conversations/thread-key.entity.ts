import { CreateDateColumn, Column, Entity, Index, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Inbox } from '../channels/inbox.entity';
import { Thread } from './thread.entity';

/**
 * Social threading: the thread that a channel's conversation key (NormalizedMessage.conversationKey,
 * e.g. an X conversation id or `fb-dm:<psid>`) currently leads to, one row per (inbox, key). When
 * the thread was resolved too long ago to reopen, a new thread starts and the row is moved to it.
 */
@Entity('thread_keys')
export class ThreadKey {
  @PrimaryColumn({ type: 'uuid' }) inboxId: string;
  @ManyToOne(() => Inbox, { onDelete: 'CASCADE' }) inbox: Inbox;
  @PrimaryColumn({ type: 'text' }) key: string;
  @Index() @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread: Thread;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
