import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { verifyThreadToken, type NormalizedMessage } from '@desk/channels';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { deriveThreadSecret } from '../ingestion/thread-secret';
import { describeMergePath, followMerges } from './thread-moves.rules';

export type ThreadingRule = 'references' | 'token' | 'marker' | 'subject' | 'reply' | 'conversation' | 'new';

/** Why a message landed where it did; stored on the message (metadata.threading) and in the audit trail. */
export interface ThreadingDecision {
  rule: ThreadingRule;
  detail: string;
  /** The thread to join; null = open a new thread. */
  threadId: string | null;
  threadNumber?: number;
  /** A key matched this thread but the sender is not one of its participants. */
  possibleFollowUpOf?: number;
  /** The matched thread was resolved too long ago: the new thread links to it. */
  linkedThreadId?: string;
}

interface Candidate {
  rule: Exclude<ThreadingRule, 'new'>;
  how: string;
  thread: { id: string; number: number; contactId: string; status: string; resolvedAt: Date | null; mergedIntoThreadId: string | null };
}

/** The thread of a reply that named a Message-ID before that mail reached us (mail_awaited_ids). */
export interface AwaitedBy {
  /** The reply's own Message-ID. */
  answeredBy: string;
  thread: Candidate['thread'];
}

/**
 * The ids of the mails a mail answers: In-Reply-To, then References newest first, each once,
 * never its own Message-ID.
 */
export function answeredIds(msg: NormalizedMessage): string[] {
  const ids = [msg.threading.inReplyTo, ...[...msg.threading.references].reverse()];
  return [...new Set(ids.filter((id): id is string => !!id && id !== msg.externalId))];
}

type ThreadRow = { id: string; number: number; contact_id: string; status: string; resolved_at: Date | null; merged_into_thread_id: string | null };
const toThread = (r: ThreadRow): Candidate['thread'] => ({
  id: r.id,
  number: r.number,
  contactId: r.contact_id,
  status: r.status,
  resolvedAt: r.resolved_at,
  mergedIntoThreadId: r.merged_into_thread_id,
});

/**
 * Email threading (issue 3). Keys in order: a known id in In-Reply-To/References, a valid signed
 * plus-address token, a valid signed body marker, the `[#N]` subject number. Only the signed token
 * joins whoever sends it; the other keys join only when the sender is a participant of the thread
 * (its contact, an identity of that contact, or an address in an earlier message's to/cc), so a
 * stranger quoting `[#N]` gets a new thread flagged as a possible follow-up instead. A thread
 * resolved longer ago than THREAD_REOPEN_MAX_DAYS is never reopened: a new, linked thread starts.
 * A key naming a thread an agent merged away follows `mergedIntoThreadId` to where it went.
 */
@Injectable()
export class ThreadMatcher {
  private readonly secret: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secret = deriveThreadSecret(config.APP_SECRET);
  }

  /**
   * `awaited`: what `awaitedBy` found for this mail's Message-ID, when the caller looked it up for
   * a whole batch at once; without it the matcher looks it up itself.
   */
  async match(msg: NormalizedMessage, contactId: string, now = new Date(), inboxId: string | null = null, awaited?: Map<string, AwaitedBy>): Promise<ThreadingDecision> {
    let followUp: Candidate | null = null;
    const candidates = msg.conversationKey !== undefined ? this.socialCandidates(msg, inboxId) : this.candidates(msg, awaited);
    for await (const found of candidates) {
      const c = await this.followMerged(found);
      const joinsAnyone = c.rule === 'token';
      const sameContact = c.thread.contactId === contactId;
      // social: a stranger answering in someone else's public conversation gets a thread of their own
      if (joinsAnyone || sameContact || (msg.conversationKey === undefined && (await this.isParticipant(c.thread, contactId, msg.sender.value)))) {
        return this.join(c, now);
      }
      followUp ??= c;
    }
    if (followUp) {
      return {
        rule: 'new',
        detail: `new thread: #${followUp.thread.number} matched by ${followUp.how}, but the sender ${msg.sender.value} is not a participant of it`,
        threadId: null,
        possibleFollowUpOf: followUp.thread.number,
      };
    }
    return { rule: 'new', detail: 'new thread: no key matched', threadId: null };
  }

  /**
   * A key that names a thread an agent merged away (its number in a reply token, marker or subject)
   * leads to the thread that holds the conversation now; the decision says so.
   */
  private async followMerged(c: Candidate): Promise<Candidate> {
    if (c.thread.mergedIntoThreadId === null) return c;
    const { thread, path } = await followMerges(c.thread, (id) => this.byId(id));
    return path.length ? { ...c, how: `${c.how} (${describeMergePath(path)})`, thread } : c;
  }

  private join(c: Candidate, now: Date): ThreadingDecision {
    const maxAgeMs = this.config.THREAD_REOPEN_MAX_DAYS * 86_400_000;
    const t = c.thread;
    if (t.status === 'resolved' && t.resolvedAt && now.getTime() - t.resolvedAt.getTime() > maxAgeMs) {
      const days = Math.floor((now.getTime() - t.resolvedAt.getTime()) / 86_400_000);
      return {
        rule: 'new',
        detail: `new thread linked to #${t.number}: matched by ${c.how}, but it was resolved ${days} days ago (limit ${this.config.THREAD_REOPEN_MAX_DAYS})`,
        threadId: null,
        linkedThreadId: t.id,
      };
    }
    return { rule: c.rule, detail: `joined #${t.number} by ${c.how}`, threadId: t.id, threadNumber: t.number };
  }

  /**
   * Social threading (issue 4), in order: the thread holding the message this one answers
   * (threading.inReplyTo = an earlier message's externalId on the same channel, e.g. our own reply
   * tweet, so the customer's answer to it comes home even when the network keyed it differently),
   * then the thread the conversation key of this inbox leads to (thread_keys). Out-of-order
   * deliveries land together because a reply and its parent share the conversation key.
   */
  private async *socialCandidates(msg: NormalizedMessage, inboxId: string | null): AsyncGenerator<Candidate> {
    const parent = msg.threading.inReplyTo;
    if (parent && parent !== msg.externalId) {
      const rows: ThreadRow[] = await this.ds.query(
        `SELECT t.id, t.number, t.contact_id, t.status, t.resolved_at, t.merged_into_thread_id FROM messages m JOIN threads t ON t.id = m.thread_id
          WHERE m.channel = $1 AND m.external_id = $2 ORDER BY m.created_at DESC LIMIT 1`,
        [msg.channel, parent],
      );
      if (rows[0]) yield { rule: 'reply', how: `reply to ${msg.channel} message ${parent}`, thread: toThread(rows[0]) };
    }
    if (inboxId && msg.conversationKey) {
      const rows: ThreadRow[] = await this.ds.query(
        `SELECT t.id, t.number, t.contact_id, t.status, t.resolved_at, t.merged_into_thread_id FROM thread_keys k JOIN threads t ON t.id = k.thread_id
          WHERE k.inbox_id = $1 AND k.key = $2`,
        [inboxId, msg.conversationKey],
      );
      if (rows[0]) yield { rule: 'conversation', how: `conversation ${msg.conversationKey}`, thread: toThread(rows[0]) };
    }
  }

  /**
   * Inside the ingest transaction, for a message about to open a new thread for its conversation
   * key: serializes on (inbox, key) with a transaction-scoped advisory lock (held until the key row
   * is committed) and joins the thread a concurrent message of the same conversation just created.
   */
  async confirmNewConversation(m: EntityManager, msg: NormalizedMessage, inboxId: string, contactId: string, decision: ThreadingDecision): Promise<ThreadingDecision> {
    if (!msg.conversationKey || decision.threadId !== null || decision.linkedThreadId !== undefined) return decision;
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`thread-key:${inboxId}:${msg.conversationKey}`]);
    const rows: ThreadRow[] = await m.query(
      `SELECT t.id, t.number, t.contact_id, t.status, t.resolved_at, t.merged_into_thread_id FROM thread_keys k JOIN threads t ON t.id = k.thread_id WHERE k.inbox_id = $1 AND k.key = $2`,
      [inboxId, msg.conversationKey],
    );
    const t = rows[0];
    if (!t || t.contact_id !== contactId) return decision;
    return this.join({ rule: 'conversation', how: `conversation ${msg.conversationKey}`, thread: toThread(t) }, new Date());
  }

  /**
   * Points the message's conversation key at the thread it landed in, inside the ingest transaction
   * (a new thread for a conversation whose old thread was resolved too long ago takes the key over).
   */
  async recordConversationKey(m: EntityManager, msg: NormalizedMessage, inboxId: string, threadId: string, decision: ThreadingDecision): Promise<void> {
    if (!msg.conversationKey) return;
    // Only a successor thread takes a key over: a stranger's own thread in a shared public
    // conversation must not steal the key from the customer who started it.
    const takeOver = decision.linkedThreadId !== undefined;
    await m.query(
      `INSERT INTO thread_keys (inbox_id, key, thread_id) VALUES ($1, $2, $3)
       ON CONFLICT (inbox_id, key) DO ${takeOver ? 'UPDATE SET thread_id = EXCLUDED.thread_id, updated_at = now()' : 'NOTHING'}`,
      [inboxId, msg.conversationKey, threadId],
    );
  }

  /**
   * For each of these Message-IDs, the thread of an earlier reply that named it in In-Reply-To or
   * References before we had seen it (the oldest such reply), so the mail it answers, arriving late,
   * joins that thread. One query for all of them.
   */
  async awaitedBy(externalIds: string[]): Promise<Map<string, AwaitedBy>> {
    const found = new Map<string, AwaitedBy>();
    const ids = [...new Set(externalIds.filter((id) => id && !id.startsWith('sha256:')))];
    if (!ids.length) return found;
    const rows: Array<ThreadRow & { header: string; answered_by: string }> = await this.ds.query(
      `SELECT DISTINCT ON (a.message_id_header) a.message_id_header AS header, m.external_id AS answered_by,
              t.id, t.number, t.contact_id, t.status, t.resolved_at, t.merged_into_thread_id
         FROM mail_awaited_ids a JOIN messages m ON m.id = a.message_id JOIN threads t ON t.id = m.thread_id
        WHERE a.message_id_header = ANY($1::text[])
        ORDER BY a.message_id_header, a.created_at, a.message_id`,
      [ids],
    );
    for (const r of rows) found.set(r.header, { answeredBy: r.answered_by, thread: toThread(r) });
    return found;
  }

  /** Lazily, in rule order, so a hit on References costs one query. */
  private async *candidates(msg: NormalizedMessage, awaited?: Map<string, AwaitedBy>): AsyncGenerator<Candidate> {
    const ids = answeredIds(msg);
    if (ids.length) {
      const rows: Array<ThreadRow & { header: string }> = await this.ds.query(
        `SELECT m.message_id_header AS header, t.id, t.number, t.contact_id, t.status, t.resolved_at, t.merged_into_thread_id
           FROM mail_message_ids m JOIN threads t ON t.id = m.thread_id WHERE m.message_id_header = ANY($1)`,
        [ids],
      );
      // the most recent reference wins (In-Reply-To first, then References from the end)
      for (const id of ids) {
        const r = rows.find((x) => x.header === id);
        if (r) {
          yield { rule: 'references', how: `${id === msg.threading.inReplyTo ? 'In-Reply-To' : 'References'} <${id}>`, thread: toThread(r) };
          break;
        }
      }
    }
    // the other way round: a reply to this mail reached us first (this one was delayed)
    if (msg.channel === 'email' && !msg.externalId.startsWith('sha256:')) {
      const hit = (awaited ?? (await this.awaitedBy([msg.externalId]))).get(msg.externalId);
      if (hit) yield { rule: 'references', how: `a reply to it that reached us first (<${hit.answeredBy}>)`, thread: hit.thread };
    }
    if (msg.threading.token) {
      const n = verifyThreadToken(msg.threading.token, this.secret);
      const t = n === null ? null : await this.byNumber(n);
      if (t) yield { rule: 'token', how: `signed reply-address token ${msg.threading.token}`, thread: t };
    }
    const marker = msg.threading.marker;
    if (marker?.valid === true) {
      const t = await this.byNumber(marker.threadNumber);
      if (t) yield { rule: 'marker', how: `signed body marker ${marker.raw}`, thread: t };
    }
    if (msg.threading.subjectNumber !== null) {
      const t = await this.byNumber(msg.threading.subjectNumber);
      if (t) yield { rule: 'subject', how: `subject tag [#${msg.threading.subjectNumber}]`, thread: t };
    }
  }

  private async byNumber(n: number): Promise<Candidate['thread'] | null> {
    const rows: ThreadRow[] = await this.ds.query(`SELECT id, number, contact_id, status, resolved_at, merged_into_thread_id FROM threads WHERE number = $1`, [n]);
    return rows[0] ? toThread(rows[0]) : null;
  }

  private async byId(id: string): Promise<Candidate['thread'] | null> {
    const rows: ThreadRow[] = await this.ds.query(`SELECT id, number, contact_id, status, resolved_at, merged_into_thread_id FROM threads WHERE id = $1`, [id]);
    return rows[0] ? toThread(rows[0]) : null;
  }

  /** The thread's contact, an identity of that contact, or an address in an earlier message's to/cc. */
  private async isParticipant(t: Candidate['thread'], contactId: string, address: string): Promise<boolean> {
    if (t.contactId === contactId) return true;
    const rows: Array<{ ok: boolean }> = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM contact_identities i WHERE i.contact_id = $2 AND i.kind = 'email' AND i.normalized_value = $3)
           OR EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = $1
                        AND (m.metadata->'participants' ? $3 OR m.metadata->'to' ? $3 OR m.metadata->'cc' ? $3)) AS ok`,
      [t.id, t.contactId, address],
    );
    return rows[0]?.ok === true;
  }
}
