import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ContactIdentity } from './contact-identity.entity';

@Entity('contacts')
export class Contact {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text', nullable: true }) name: string | null;
  @Column({ type: 'text', nullable: true }) primaryEmail: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags: string[];
  /** Set when this contact was merged into another; kept (not deleted) so the merge can be undone. */
  @Index() @Column({ type: 'uuid', nullable: true }) mergedIntoId: string | null;
  @OneToMany('ContactIdentity', (i: ContactIdentity) => i.contact) identities: ContactIdentity[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
