import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Message } from './message.entity';

/** File metadata; the bytes live in the file store under `storageKey`. */
@Entity('attachments')
export class Attachment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) messageId: string;
  @ManyToOne(() => Message, (m) => m.attachments, { onDelete: 'CASCADE' }) message: Message;
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
