import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { Thread } from './thread.entity';

/**
 * Every RFC 5322 Message-ID we have seen or sent, and the thread it belongs to, so a reply joins
 * on ANY id in In-Reply-To or References (including an id a relay rewrote ours to).
 */
@Entity('mail_message_ids')
export class MailMessageId {
  @PrimaryColumn({ type: 'text' }) messageIdHeader: string;
  @Index() @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread: Thread;
  @Column({ type: 'uuid', nullable: true }) messageId: string | null;
  @Column({ type: 'enum', enumName: 'mail_id_source', enum: ['inbound', 'outbound', 'relay'] }) source: 'inbound' | 'outbound' | 'relay';
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
