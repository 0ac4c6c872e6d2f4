import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdentityKind } from '@desk/contracts';

export interface ResolvedContact {
  contactId: string;
  name: string | null;
  primaryEmail: string | null;
  created: boolean;
}

const UNIQUE_VIOLATION = '23505';
export const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === UNIQUE_VIOLATION;

const normalize = (value: string) => value.trim().replace(/^@/, '').toLowerCase();

/**
 * Find-or-create of a contact by one identity (kind, normalized value). Two mails from a new
 * address processed at once race on the identity's unique key: the loser retries once and finds
 * the winner's row. A merged-away contact resolves to the contact it was merged into.
 */
@Injectable()
export class ContactResolver {
  constructor(private readonly ds: DataSource) {}

  async resolve(kind: IdentityKind, value: string, displayName: string | null): Promise<ResolvedContact> {
    const normalized = normalize(value);
    const found = await this.find(kind, normalized);
    if (found) return found;
    try {
      return await this.create(kind, value.trim(), normalized, displayName);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const again = await this.find(kind, normalized);
      if (!again) throw e;
      return again;
    }
  }

  /**
   * `resolve` for many senders (a batch of ingested mail), in order: the known ones in ONE query,
   * each new one created once however often it appears.
   */
  async resolveMany(senders: Array<{ kind: IdentityKind; value: string; displayName: string | null }>): Promise<ResolvedContact[]> {
    const keys = senders.map((s) => ({ kind: s.kind, normalized: normalize(s.value) }));
    const rows: Array<{ kind: IdentityKind; normalized: string; id: string; name: string | null; primary_email: string | null }> = await this.ds.query(
      `WITH RECURSIVE wanted AS (
         SELECT DISTINCT kind::identity_kind AS kind, normalized FROM unnest($1::text[], $2::text[]) AS w(kind, normalized)
       ), chain(kind, normalized, id, merged_into_id, depth) AS (
         SELECT w.kind::text, w.normalized, c.id, c.merged_into_id, 0
           FROM wanted w JOIN contact_identities i ON i.kind = w.kind AND i.normalized_value = w.normalized JOIN contacts c ON c.id = i.contact_id
         UNION ALL
         SELECT chain.kind, chain.normalized, c.id, c.merged_into_id, chain.depth + 1 FROM chain JOIN contacts c ON c.id = chain.merged_into_id WHERE chain.depth < 10
       )
       SELECT DISTINCT ON (chain.kind, chain.normalized) chain.kind, chain.normalized, c.id, c.name, c.primary_email
         FROM chain JOIN contacts c ON c.id = chain.id
        WHERE chain.merged_into_id IS NULL ORDER BY chain.kind, chain.normalized, chain.depth DESC`,
      [keys.map((k) => k.kind), keys.map((k) => k.normalized)],
    );
    const found = new Map<string, ResolvedContact>(
      rows.map((r) => [`${r.kind}:${r.normalized}`, { contactId: r.id, name: r.name, primaryEmail: r.primary_email, created: false }]),
    );
    await this.createMissing(senders, keys, found);
    const out: ResolvedContact[] = [];
    for (let i = 0; i < senders.length; i++) {
      const key = `${keys[i]!.kind}:${keys[i]!.normalized}`;
      let contact = found.get(key);
      if (!contact) {
        contact = await this.resolve(senders[i]!.kind, senders[i]!.value, senders[i]!.displayName);
        found.set(key, { ...contact, created: false });
      }
      out.push(contact);
    }
    return out;
  }

  /**
   * The senders not found, each created once, in ONE statement (contact and identity). If another
   * process created one of them meanwhile the statement writes nothing, and `resolve` settles each.
   */
  private async createMissing(
    senders: Array<{ kind: IdentityKind; value: string; displayName: string | null }>,
    keys: Array<{ kind: IdentityKind; normalized: string }>,
    found: Map<string, ResolvedContact>,
  ): Promise<void> {
    const input = new Map<string, { id: string; kind: IdentityKind; value: string; normalized: string; name: string | null; primary_email: string | null }>();
    senders.forEach((s, i) => {
      const { kind, normalized } = keys[i]!;
      const key = `${kind}:${normalized}`;
      if (found.has(key) || input.has(key)) return;
      input.set(key, { id: randomUUID(), kind, value: s.value.trim(), normalized, name: s.displayName, primary_email: kind === 'email' ? normalized : null });
    });
    if (!input.size) return;
    try {
      await this.ds.query(
        `WITH x AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, kind identity_kind, value text, normalized text, name text, primary_email text)
         ), c AS (
           INSERT INTO contacts (id, name, primary_email) SELECT id, name, primary_email FROM x RETURNING id
         )
         INSERT INTO contact_identities (contact_id, kind, value, normalized_value, display_name)
         SELECT x.id, x.kind, x.value, x.normalized, x.name FROM x JOIN c ON c.id = x.id`,
        [JSON.stringify([...input.values()])],
      );
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return;
    }
    for (const [key, c] of input) found.set(key, { contactId: c.id, name: c.name, primaryEmail: c.primary_email, created: true });
  }

  private async find(kind: IdentityKind, normalized: string): Promise<ResolvedContact | null> {
    // follows merges (a merge chain is short; the recursive CTE is bounded to be safe)
    const rows: Array<{ id: string; name: string | null; primary_email: string | null }> = await this.ds.query(
      `WITH RECURSIVE chain(id, merged_into_id, depth) AS (
         SELECT c.id, c.merged_into_id, 0 FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
          WHERE i.kind = $1 AND i.normalized_value = $2
         UNION ALL
         SELECT c.id, c.merged_into_id, chain.depth + 1 FROM chain JOIN contacts c ON c.id = chain.merged_into_id WHERE chain.depth < 10
       )
       SELECT c.id, c.name, c.primary_email FROM chain JOIN contacts c ON c.id = chain.id
        WHERE chain.merged_into_id IS NULL ORDER BY chain.depth DESC LIMIT 1`,
      [kind, normalized],
    );
    const r = rows[0];
    return r ? { contactId: r.id, name: r.name, primaryEmail: r.primary_email, created: false } : null;
  }

  private create(kind: IdentityKind, value: string, normalized: string, displayName: string | null): Promise<ResolvedContact> {
    return this.ds.transaction(async (m) => {
      const primaryEmail = kind === 'email' ? normalized : null;
      const [c]: Array<{ id: string }> = await m.query(`INSERT INTO contacts (name, primary_email) VALUES ($1, $2) RETURNING id`, [
        displayName,
        primaryEmail,
      ]);
      await m.query(
        `INSERT INTO contact_identities (contact_id, kind, value, normalized_value, display_name) VALUES ($1, $2, $3, $4, $5)`,
        [c!.id, kind, value, normalized, displayName],
      );
      return { contactId: c!.id, name: displayName, primaryEmail, created: true };
    });
  }
}
