import { ConflictException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContactMerge, IdentityKind, MergeResult, MergeSuggestion } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService } from '../audit/audit.service';
import type { Viewer } from '../conversations/threads.service';
import { isUniqueViolation } from './contact-resolver.service';

/**
 * Matching form of an identity: trimmed, lower-cased, a leading @ dropped (handles); for email,
 * `local+tag@domain` becomes `local@domain` when plus-addressing is stripped.
 */
export function normalizeIdentity(kind: IdentityKind, value: string, opts: { stripPlus?: boolean } = {}): string {
  let v = value.trim().toLowerCase();
  if (kind !== 'email') return v.replace(/^@+/, '');
  if (opts.stripPlus) {
    const at = v.lastIndexOf('@');
    const plus = v.indexOf('+');
    if (at > 0 && plus > 0 && plus < at) v = v.slice(0, plus) + v.slice(at);
  }
  return v;
}

const EMAIL_IN_TEXT = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;

/** Email addresses in a text, lower-cased, in order of first appearance. */
export function emailsInText(text: string): string[] {
  return [...new Set((text.match(EMAIL_IN_TEXT) ?? []).map((e) => e.toLowerCase()))];
}

/** The audit action of a merge; its data is a MergeResult plus the chained contacts repointed. */
const MERGED = 'contact.merged';

type Row = Record<string, unknown>;
const rowsOf = <T extends Row>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

/**
 * One customer across channels (issue 4): linking identities, merging two contacts and undoing a
 * merge. A merge moves threads, messages and identities and keeps the merged contact (mergedIntoId)
 * with the exact list of what moved in its audit event, so an unmerge puts back exactly that.
 */
@Injectable()
export class ContactLinksService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 409 (with the owner, suggesting a merge) when another contact already has the identity. */
  async link(contactId: string, input: { kind: IdentityKind; value: string }, viewer: Viewer) {
    const normalized = normalizeIdentity(input.kind, input.value, { stripPlus: this.config.CONTACT_STRIP_PLUS_ADDRESSING });
    if (!normalized) throw new UnprocessableEntityException('value: must not be empty');
    try {
      return await this.ds.transaction(async (m) => {
        await this.liveContact(m, contactId);
        const [owner] = rowsOf<{ id: string; contact_id: string }>(
          await m.query(`SELECT id, contact_id FROM contact_identities WHERE kind = $1 AND normalized_value = $2`, [input.kind, normalized]),
        );
        if (owner && owner.contact_id === contactId) return { id: owner.id, contactId, kind: input.kind, value: input.value.trim(), normalizedValue: normalized, created: false };
        if (owner) throw this.ownedElsewhere(owner.contact_id, input.kind, normalized);
        const [inserted] = rowsOf<{ id: string }>(
          await m.query(`INSERT INTO contact_identities (contact_id, kind, value, normalized_value) VALUES ($1, $2, $3, $4) RETURNING id`, [
            contactId,
            input.kind,
            input.value.trim(),
            normalized,
          ]),
        );
        if (input.kind === 'email') await m.query(`UPDATE contacts SET primary_email = $2, updated_at = now() WHERE id = $1 AND primary_email IS NULL`, [contactId, normalized]);
        await this.audit.record(
          { actor: { kind: 'agent', agentId: viewer.id }, action: 'contact.identity_linked', data: { contactId, identityId: inserted!.id, kind: input.kind, value: normalized } },
          m,
        );
        return { id: inserted!.id, contactId, kind: input.kind, value: input.value.trim(), normalizedValue: normalized, created: true };
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // linked concurrently by someone else
      const [owner] = await this.ds.query(`SELECT contact_id FROM contact_identities WHERE kind = $1 AND normalized_value = $2`, [input.kind, normalized]);
      throw this.ownedElsewhere(owner?.contact_id ?? null, input.kind, normalized);
    }
  }

  async merge(intoId: string, otherId: string, reason: string, viewer: Viewer): Promise<MergeResult> {
    if (intoId === otherId) throw new UnprocessableEntityException('otherContactId: a contact cannot be merged into itself');
    return this.ds.transaction(async (m) => {
      // both rows locked in id order, so two opposite merges cannot deadlock or cross
      for (const id of [intoId, otherId].sort()) await this.liveContact(m, id, id === otherId ? 'otherContactId' : 'contact');
      const ids = async (sql: string) => rowsOf<{ id: string }>(await m.query(sql, [otherId, intoId])).map((r) => r.id);
      const threadIds = await ids(`UPDATE threads SET contact_id = $2, updated_at = now() WHERE contact_id = $1 RETURNING id`);
      const messageIds = await ids(`UPDATE messages SET contact_id = $2 WHERE contact_id = $1 RETURNING id`);
      const identityIds = await ids(
        `UPDATE contact_identities SET contact_id = $2, original_contact_id = COALESCE(original_contact_id, $1) WHERE contact_id = $1 RETURNING id`,
      );
      const chainedIds = await ids(`UPDATE contacts SET merged_into_id = $2, updated_at = now() WHERE merged_into_id = $1 RETURNING id`);
      await m.query(`UPDATE contacts SET merged_into_id = $2, updated_at = now() WHERE id = $1`, [otherId, intoId]);
      await m.query(
        `UPDATE contacts c SET primary_email = o.primary_email, updated_at = now() FROM contacts o WHERE c.id = $2 AND o.id = $1 AND c.primary_email IS NULL`,
        [otherId, intoId],
      );
      const result: MergeResult = { contactId: intoId, mergedContactId: otherId, threadIds, messageIds, identityIds };
      await this.audit.record({ actor: { kind: 'agent', agentId: viewer.id }, action: MERGED, reason, data: { ...result, chainedIds } }, m);
      // each moved thread's own trail says so too
      for (const threadId of threadIds) {
        await this.audit.record({ actor: { kind: 'agent', agentId: viewer.id }, action: 'thread.contact_merged', threadId, reason, data: { from: otherId, to: intoId } }, m);
      }
      return result;
    });
  }

  /** Puts back exactly what the last merge of `mergedId` into `intoId` moved (what is still there). */
  async unmerge(intoId: string, mergedId: string, reason: string, viewer: Viewer): Promise<MergeResult> {
    return this.ds.transaction(async (m) => {
      const [merged] = rowsOf<{ merged_into_id: string | null }>(
        await m.query(`SELECT merged_into_id FROM contacts WHERE id = $1 FOR UPDATE`, [mergedId]),
      );
      if (!merged) throw new NotFoundException('mergedContactId: contact not found');
      if (merged.merged_into_id !== intoId) throw new ConflictException(`mergedContactId: this contact is not merged into ${intoId}`);
      const [event] = rowsOf<{ data: MergeResult & { chainedIds?: string[] } }>(
        await m.query(
          `SELECT data FROM audit_events WHERE action = $1 AND data->>'contactId' = $2 AND data->>'mergedContactId' = $3 ORDER BY created_at DESC, id DESC LIMIT 1`,
          [MERGED, intoId, mergedId],
        ),
      );
      if (!event) throw new ConflictException('mergedContactId: no recorded merge to undo');
      const back = async (table: string, list: string[], extra = '') =>
        list.length === 0
          ? []
          : rowsOf<{ id: string }>(
              await m.query(`UPDATE ${table} SET contact_id = $1${extra} WHERE id = ANY($2::uuid[]) AND contact_id = $3 RETURNING id`, [mergedId, list, intoId]),
            ).map((r) => r.id);
      const threadIds = await back('threads', event.data.threadIds, ', updated_at = now()');
      const messageIds = await back('messages', event.data.messageIds);
      const identityIds = await back('contact_identities', event.data.identityIds);
      // identities that came with the merged contact now sit at home again: no "original" left
      await m.query(`UPDATE contact_identities SET original_contact_id = NULL WHERE contact_id = $1 AND original_contact_id = $1`, [mergedId]);
      if (event.data.chainedIds?.length) {
        await m.query(`UPDATE contacts SET merged_into_id = $1, updated_at = now() WHERE id = ANY($2::uuid[]) AND merged_into_id = $3`, [mergedId, event.data.chainedIds, intoId]);
      }
      await m.query(`UPDATE contacts SET merged_into_id = NULL, updated_at = now() WHERE id = $1`, [mergedId]);
      const result: MergeResult = { contactId: intoId, mergedContactId: mergedId, threadIds, messageIds, identityIds };
      await this.audit.record({ actor: { kind: 'agent', agentId: viewer.id }, action: 'contact.unmerged', reason, data: { ...result } }, m);
      for (const threadId of threadIds) {
        await this.audit.record({ actor: { kind: 'agent', agentId: viewer.id }, action: 'thread.contact_unmerged', threadId, reason, data: { from: intoId, to: mergedId } }, m);
      }
      return result;
    });
  }

  /** Exact matches only: an identical normalized identity value (any kind, email plus-tags aside), or the same name and email domain. */
  async mergeSuggestions(contactId: string): Promise<MergeSuggestion[]> {
    await this.liveContact(this.ds.manager, contactId);
    const rows: Array<{ id: string; name: string | null; primary_email: string | null; by_identity: boolean; by_name: boolean }> = await this.ds.query(
      `WITH me AS (SELECT * FROM contacts WHERE id = $1),
            mine AS (SELECT kind, normalized_value AS v,
                            CASE WHEN kind = 'email' THEN regexp_replace(normalized_value, '\\+[^@]*@', '@') ELSE normalized_value END AS base
                       FROM contact_identities WHERE contact_id = $1)
       SELECT c.id, c.name, c.primary_email,
              EXISTS (SELECT 1 FROM contact_identities ci JOIN mine ON
                        ci.normalized_value = mine.v
                        OR (ci.kind = 'email' AND mine.kind = 'email' AND regexp_replace(ci.normalized_value, '\\+[^@]*@', '@') = mine.base)
                      WHERE ci.contact_id = c.id) AS by_identity,
              (lower(c.name) = lower(me.name) AND c.primary_email IS NOT NULL AND me.primary_email IS NOT NULL
                 AND lower(split_part(c.primary_email, '@', 2)) = lower(split_part(me.primary_email, '@', 2))) AS by_name
         FROM contacts c, me
        WHERE c.id <> $1 AND c.merged_into_id IS NULL
          AND (EXISTS (SELECT 1 FROM contact_identities ci JOIN mine ON
                         ci.normalized_value = mine.v
                         OR (ci.kind = 'email' AND mine.kind = 'email' AND regexp_replace(ci.normalized_value, '\\+[^@]*@', '@') = mine.base)
                       WHERE ci.contact_id = c.id)
               OR (lower(c.name) = lower(me.name) AND c.primary_email IS NOT NULL AND me.primary_email IS NOT NULL
                   AND lower(split_part(c.primary_email, '@', 2)) = lower(split_part(me.primary_email, '@', 2))))
        ORDER BY c.created_at, c.id
        LIMIT 20`,
      [contactId],
    );
    return rows.map((r) => ({
      contactId: r.id,
      name: r.name,
      primaryEmail: r.primary_email,
      reasons: [...(r.by_identity ? (['identity'] as const) : []), ...(r.by_name ? (['name-and-domain'] as const) : [])],
    }));
  }

  /**
   * The merges into this contact still in effect, newest first, read from the `contact.merged`
   * audit events (they hold exactly what moved). A merge counts as in effect while the merged
   * contact still points here: an unmerge clears that pointer, so undone merges drop out, and a
   * contact merged, unmerged and merged again is listed once, with its latest merge.
   */
  async merges(contactId: string): Promise<ContactMerge[]> {
    const [exists] = await this.ds.query(`SELECT 1 FROM contacts WHERE id = $1`, [contactId]);
    if (!exists) throw new NotFoundException('contact: contact not found');
    const rows: Array<{
      merged_id: string;
      name: string | null;
      primary_email: string | null;
      reason: string | null;
      agent_id: string | null;
      agent_name: string | null;
      created_at: Date;
      thread_count: number;
      identity_count: number;
    }> = await this.ds.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (c.id) c.id AS merged_id, c.name, c.primary_email, e.reason, a.id AS agent_id, a.name AS agent_name, e.created_at, e.id AS event_id,
                COALESCE(jsonb_array_length(e.data->'threadIds'), 0)::int AS thread_count,
                COALESCE(jsonb_array_length(e.data->'identityIds'), 0)::int AS identity_count
           FROM audit_events e
           JOIN contacts c ON c.id::text = e.data->>'mergedContactId' AND c.merged_into_id = $1
           LEFT JOIN agents a ON a.id = e.actor_agent_id
          WHERE e.action = $2 AND e.data->>'contactId' = $3
          ORDER BY c.id, e.created_at DESC, e.id DESC) latest
        ORDER BY created_at DESC, event_id DESC`,
      [contactId, MERGED, contactId],
    );
    return rows.map((r) => ({
      mergedContactId: r.merged_id,
      name: r.name,
      primaryEmail: r.primary_email,
      reason: r.reason,
      mergedBy: r.agent_id && r.agent_name ? { id: r.agent_id, name: r.agent_name } : null,
      mergedAt: new Date(r.created_at).toISOString(),
      threadCount: r.thread_count,
      identityCount: r.identity_count,
    }));
  }

  /** Email addresses written in the thread's inbound messages that are not yet identities of its contact. */
  async emailSuggestions(threadId: string): Promise<{ addresses: string[] }> {
    const [thread] = await this.ds.query(`SELECT contact_id FROM threads WHERE id = $1`, [threadId]);
    if (!thread) throw new NotFoundException('thread not found');
    const texts: Array<{ body_text: string | null; subject: string | null }> = await this.ds.query(
      `SELECT body_text, subject FROM messages WHERE thread_id = $1 AND direction = 'inbound' ORDER BY created_at, id`,
      [threadId],
    );
    const known = new Set(
      (await this.ds.query(`SELECT normalized_value AS v FROM contact_identities WHERE contact_id = $1 AND kind = 'email'`, [thread.contact_id])).map(
        (r: { v: string }) => r.v,
      ),
    );
    const ours = new Set((await this.ds.query(`SELECT lower(address) AS a FROM inboxes WHERE address IS NOT NULL`)).map((r: { a: string }) => r.a));
    const found = emailsInText(texts.map((t) => `${t.subject ?? ''}\n${t.body_text ?? ''}`).join('\n'));
    return { addresses: found.filter((a) => !known.has(a) && !ours.has(a)) };
  }

  private async liveContact(m: EntityManager, id: string, field = 'contact'): Promise<void> {
    const [row] = rowsOf<{ merged_into_id: string | null }>(await m.query(`SELECT merged_into_id FROM contacts WHERE id = $1 FOR UPDATE`, [id]));
    if (!row) throw new NotFoundException(`${field === 'contact' ? 'contact' : field}: contact not found`);
    if (row.merged_into_id) throw new ConflictException(`${field}: this contact was merged into ${row.merged_into_id}`);
  }

  private ownedElsewhere(ownerId: string | null, kind: IdentityKind, value: string): ConflictException {
    return new ConflictException({
      message: `value: the ${kind} identity ${value} belongs to another contact; merge the contacts instead`,
      ownerContactId: ownerId,
      suggestion: 'merge',
    });
  }
}
