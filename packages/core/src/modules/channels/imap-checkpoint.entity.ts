import { Column, Entity, ManyToOne, PrimaryColumn, UpdateDateColumn, type ValueTransformer } from 'typeorm';
import { Inbox } from './inbox.entity';

/** IMAP UIDs and UIDVALIDITY are unsigned 32-bit: stored as bigint, read back as exact JS numbers. */
const uint32: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

/**
 * How far the IMAP poller of one inbox has imported one mailbox: every UID up to `lastUid` under
 * `uidValidity` is committed as an inbound event. A different UIDVALIDITY on the server means the
 * UIDs were renumbered, so the poller re-scans from UID 1 (idempotency keys absorb the repeats).
 */
@Entity('imap_checkpoints')
export class ImapCheckpoint {
  @PrimaryColumn({ type: 'uuid' }) inboxId: string;
  @ManyToOne(() => Inbox, { onDelete: 'CASCADE' }) inbox: Inbox;
  @PrimaryColumn({ type: 'text' }) mailbox: string;
  @Column({ type: 'bigint', transformer: uint32 }) uidValidity: number;
  @Column({ type: 'bigint', default: 0, transformer: uint32 }) lastUid: number;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
