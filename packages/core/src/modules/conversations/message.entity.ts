import { Column, CreateDateColumn, Entity, Index, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { ChannelKind, DeliveryState, MessageDirection } from '@desk/contracts';
import { Agent } from '../agents/agent.entity';
import { Contact } from '../contacts/contact.entity';
import { Thread } from './thread.entity';
import type { Attachment } from './attachment.entity';

@Entity('messages')
@Index('messages_thread_created_idx', ['threadId', 'createdAt', 'id'])
@Index('messages_contact_created_idx', ['contactId', 'createdAt'])
@Index('messages_channel_external_id_key', ['channel', 'externalId'], { unique: true, where: '"external_id" IS NOT NULL' })
@Index('messages_thread_version_idx', ['threadId', 'threadVersion'])
@Index('messages_inbound_event_key', ['inboundEventId'], { unique: true, where: '"inbound_event_id" IS NOT NULL' })
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) threadId: string;
  @ManyToOne(() => Thread, { onDelete: 'CASCADE' }) thread: Thread;
  @Column({ type: 'enum', enumName: 'message_direction', enum: ['inbound', 'outbound', 'note'] }) direction: MessageDirection;
  @Column({ type: 'enum', enumName: 'channel_kind', enum: ['email', 'webform', 'x', 'facebook', 'instagram'] }) channel: ChannelKind;
  /** The channel's own id: Message-ID, tweet id, Graph message id. */
  @Column({ type: 'text', nullable: true }) externalId: string | null;
  @Column({ type: 'uuid', nullable: true }) contactId: string | null;
  @ManyToOne(() => Contact, { onDelete: 'SET NULL' }) contact: Contact | null;
  @Column({ type: 'uuid', nullable: true }) authorAgentId: string | null;
  @ManyToOne(() => Agent, { onDelete: 'SET NULL' }) authorAgent: Agent | null;
  @Column({ type: 'uuid', nullable: true }) inboundEventId: string | null;
  @Column({ type: 'text', nullable: true }) subject: string | null;
  /** The full original text. */
  @Column({ type: 'text', default: '' }) bodyText: string;
  /** The visible new part, quoted history and signature removed. */
  @Column({ type: 'text', nullable: true }) visibleText: string | null;
  /** Sanitized with an allow-list at ingestion. */
  @Column({ type: 'text', nullable: true }) bodyHtml: string | null;
  /** Auto-replies, bounces, bulk mail: stored and threaded, but never start an SLA clock. */
  @Column({ type: 'boolean', default: false }) isAutomatic: boolean;
  /** False for DMs and notes; true for email, public tweets and comments. */
  @Column({ type: 'boolean', default: true }) isPublic: boolean;
  @Column({
    type: 'enum',
    enumName: 'delivery_state',
    enum: ['received', 'queued', 'sending', 'sent', 'delivered', 'failed'],
    default: 'received',
  })
  deliveryState: DeliveryState;
  @Column({ type: 'text', nullable: true }) deliveryError: string | null;
  /** Channel details kept for the record: headers, recipients, the threading decision. */
  @Column({ type: 'jsonb', default: {} }) metadata: Record<string, unknown>;
  /**
   * The thread's `version` right after this message was added (the writer bumps the thread in the
   * same transaction). A reply sent by an agent who saw version V is held when a message with
   * threadVersion > V exists: status or assignment changes bump the version too, but add no message.
   */
  @Column({ type: 'int', nullable: true }) threadVersion: number | null;
  @OneToMany('Attachment', (a: Attachment) => a.message) attachments: Attachment[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
