import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelKind } from '@desk/contracts';
import { Message } from '../conversations/message.entity';

export type DeliveryStatus = 'queued' | 'sending' | 'retrying' | 'sent' | 'failed';

/** The outbox: one attempt-tracked sending of an outbound message, written with the message. */
@Entity('outbound_deliveries')
@Index('outbound_deliveries_status_next_idx', ['status', 'nextAttemptAt'])
export class OutboundDelivery {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) messageId: string;
  @ManyToOne(() => Message, { onDelete: 'CASCADE' }) message: Message;
  @Column({ type: 'enum', enumName: 'channel_kind', enum: ['email', 'webform', 'x', 'facebook', 'instagram'] }) channel: ChannelKind;
  @Column({ type: 'enum', enumName: 'outbound_delivery_status', enum: ['queued', 'sending', 'retrying', 'sent', 'failed'], default: 'queued' })
  status: DeliveryStatus;
  /** Where it goes: email to/cc/bcc, a tweet to reply to, a PSID. */
  @Column({ type: 'jsonb', default: {} }) recipient: Record<string, unknown>;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) nextAttemptAt: Date | null;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  @Index() @Column({ type: 'text', nullable: true }) providerMessageId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) sentAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
