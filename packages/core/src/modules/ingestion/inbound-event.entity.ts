import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ChannelKind, InboundEventStatus } from '@desk/contracts';

/**
 * The raw payload as received, committed before the sender hears "accepted". Processing comes
 * after; what cannot be parsed is quarantined with its reason, never dropped.
 */
@Entity('inbound_events')
@Index('inbound_events_source_key', ['source', 'idempotencyKey'], { unique: true })
@Index('inbound_events_status_received_idx', ['status', 'receivedAt'])
export class InboundEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'enum', enumName: 'channel_kind', enum: ['email', 'webform', 'x', 'facebook', 'instagram'] }) source: ChannelKind;
  @Column({ type: 'uuid', nullable: true }) inboxId: string | null;
  /** The channel's own id (Message-ID or a hash of the raw mail, tweet id, ...), scoped as the adapter says. */
  @Column({ type: 'text' }) idempotencyKey: string;
  @Column({ type: 'bytea' }) payload: Buffer;
  @Column({ type: 'text' }) contentType: string;
  /** Envelope facts: SMTP MAIL FROM / RCPT TO, IMAP uid, webhook headers. */
  @Column({ type: 'jsonb', default: {} }) meta: Record<string, unknown>;
  @Column({
    type: 'enum',
    enumName: 'inbound_event_status',
    enum: ['received', 'processing', 'processed', 'quarantined'],
    default: 'received',
  })
  status: InboundEventStatus;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'uuid', nullable: true }) messageId: string | null;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) receivedAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) processedAt: Date | null;
}
