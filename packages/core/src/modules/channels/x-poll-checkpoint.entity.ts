import { Column, Entity, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Inbox } from './inbox.entity';

/**
 * Where the X mentions poller of one inbox stands: every mention up to `sinceId` is committed as an
 * inbound event; `pausedUntil` is the rate-limit window's reset when the last call used it up.
 */
@Entity('x_poll_checkpoints')
export class XPollCheckpoint {
  @PrimaryColumn({ type: 'uuid' }) inboxId: string;
  @ManyToOne(() => Inbox, { onDelete: 'CASCADE' }) inbox: Inbox;
  @Column({ type: 'text', nullable: true }) sinceId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) pausedUntil: Date | null;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
