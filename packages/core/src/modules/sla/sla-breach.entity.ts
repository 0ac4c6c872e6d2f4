import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SlaClock } from './sla-clock.entity';

/** A breach is recorded exactly once: the unique clock id is the guarantee, not the code. */
@Entity('sla_breaches')
export class SlaBreach {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index({ unique: true }) @Column({ type: 'uuid' }) clockId: string;
  @ManyToOne(() => SlaClock, { onDelete: 'CASCADE' }) clock: SlaClock;
  @Index() @Column({ type: 'uuid' }) threadId: string;
  @Column({ type: 'timestamptz', precision: 3 }) dueAt: Date;
  @Column({ type: 'timestamptz', precision: 3 }) breachedAt: Date;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
