import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { IdentityKind } from '@desk/contracts';
import { Contact } from './contact.entity';

/** How a contact is known on one channel: an email address, an X user id, a Facebook PSID, ... */
@Entity('contact_identities')
@Unique('contact_identities_kind_value_key', ['kind', 'normalizedValue'])
export class ContactIdentity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) contactId: string;
  @ManyToOne(() => Contact, (c) => c.identities, { onDelete: 'CASCADE' }) contact: Contact;
  @Column({ type: 'enum', enumName: 'identity_kind', enum: ['email', 'x', 'facebook', 'instagram'] }) kind: IdentityKind;
  /** As received, for display. */
  @Column({ type: 'text' }) value: string;
  /** Lower-cased, without a leading @, used for matching. */
  @Index() @Column({ type: 'text' }) normalizedValue: string;
  @Column({ type: 'text', nullable: true }) displayName: string | null;
  /** The contact it belonged to before a merge, so an unmerge can put it back. */
  @Column({ type: 'uuid', nullable: true }) originalContactId: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
