import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { Contact as ContactDto, ContactPage, ListContactsQuery } from '@desk/contracts';
import { Contact } from './contact.entity';
import { decodeCursor, encodeCursor } from '../conversations/cursor';

export function toContactDto(c: Contact): ContactDto {
  return {
    id: c.id,
    name: c.name,
    primaryEmail: c.primaryEmail,
    tags: c.tags,
    identities: (c.identities ?? []).map((i) => ({ id: i.id, kind: i.kind, value: i.value, displayName: i.displayName })),
    createdAt: c.createdAt.toISOString(),
  };
}

@Injectable()
export class ContactsService {
  constructor(private readonly ds: DataSource) {}

  /** Contacts by name, email or any identity (handle, address); merged-away contacts are hidden. */
  async list(q: ListContactsQuery): Promise<ContactPage> {
    const qb = this.ds
      .getRepository(Contact)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.identities', 'i')
      .where('c.merged_into_id IS NULL');
    if (q.q) {
      const like = `%${q.q.replace(/^@/, '').replace(/[\\%_]/g, (s) => `\\${s}`)}%`;
      qb.andWhere(
        `(c.name ILIKE :like OR c.primary_email ILIKE :like OR EXISTS (SELECT 1 FROM contact_identities x WHERE x.contact_id = c.id AND x.normalized_value ILIKE :like))`,
        { like },
      );
    }
    if (q.cursor) {
      const [created, id] = decodeCursor(q.cursor, 2);
      qb.andWhere('(c.created_at, c.id) < (:created::timestamptz, :id::uuid)', { created, id });
    }
    const rows = await qb.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').take(q.limit + 1).getMany();
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items: items.map(toContactDto), nextCursor: more && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  async get(id: string): Promise<ContactDto> {
    const c = await this.ds.getRepository(Contact).findOne({ where: { id }, relations: { identities: true } });
    if (!c) throw new NotFoundException('contact not found');
    return toContactDto(c);
  }

  /** 404 unless the contact exists (merged-away contacts too: their history still opens). One plain query. */
  async assertExists(id: string): Promise<void> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM contacts WHERE id = $1`, [id]);
    if (!rows.length) throw new NotFoundException('contact not found');
  }

  countActive(): Promise<number> {
    return this.ds.getRepository(Contact).countBy({ mergedIntoId: IsNull() });
  }
}
