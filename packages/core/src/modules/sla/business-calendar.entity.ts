import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Working hours in one IANA zone; deadlines are computed from it by the pure business-time code. */
@Entity('business_calendars')
export class BusinessCalendar {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text', unique: true }) name: string;
  @Column({ type: 'text' }) timeZone: string;
  /** { mon: [["09:00","12:00"],["13:00","17:00"]], ... } */
  @Column({ type: 'jsonb' }) weeklyHours: Record<string, Array<[string, string]>>;
  /** Local dates 'YYYY-MM-DD' closed all day. */
  @Column({ type: 'jsonb', default: [] }) holidays: string[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
