import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agent } from '../agents/agent.entity';
import { Message } from './message.entity';

/**
 * File metadata; the bytes live in the file store under `storageKey` (content-addressed, so rows
 * may share a key). An agent's upload starts with no message (`messageId` null, `uploadedByAgentId`
 * set) and is claimed by the reply or note that carries it; an upload never claimed is deleted
 * after a day by the worker's attachment-cleanup job.
 */
@Entity('attachments')
export class Attachment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid', nullable: true }) messageId: string | null;
  @ManyToOne(() => Message, (m) => m.attachments, { onDelete: 'CASCADE', nullable: true }) message: Message | null;
  @Index() @Column({ type: 'uuid', nullable: true }) uploadedByAgentId: string | null;
  @ManyToOne(() => Agent, { onDelete: 'SET NULL', nullable: true }) uploadedByAgent: Agent | null;
  @Column({ type: 'text' }) filename: string;
  @Column({ type: 'text' }) contentType: string;
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  sizeBytes: number;
  @Column({ type: 'text' }) storageKey: string;
  @Column({ type: 'text' }) sha256: string;
  @Column({ type: 'text', nullable: true }) contentId: string | null;
  @Column({ type: 'boolean', default: false }) isInline: boolean;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
