import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { verifyThreadToken, type NormalizedMessage } from '@desk/channels';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { deriveThreadSecret } from '../ingestion/thread-secret';

export type ThreadingRule = 'references' | 'token' | 'marker' | 'subject' | 'new';

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
  thread: { id: string; number: number; contactId: string; status: string; resolvedAt: Date | null };
}

type ThreadRow = { id: string; number: number; contact_id: string; status: string; resolved_at: Date | null };
const toThread = (r: ThreadRow): Candidate['thread'] => ({
  id: r.id,
  number: r.number,
  contactId: r.contact_id,
  status: r.status,
  resolvedAt: r.resolved_at,
});

/**
 * Email threading (issue 3). Keys in order: a known id in In-Reply-To/References, a valid signed
 * plus-address token, a valid signed body marker, the `[#N]` subject number. Only the signed token
 * joins whoever sends it; the other keys join only when the sender is a participant of the thread
 * (its contact, an identity of that contact, or an address in an earlier message's to/cc), so a
 * stranger quoting `[#N]` gets a new thread flagged as a possible follow-up instead. A thread
 * resolved longer ago than THREAD_REOPEN_MAX_DAYS is never reopened: a new, linked thread starts.
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

  async match(msg: NormalizedMessage, contactId: string, now = new Date()): Promise<ThreadingDecision> {
    let followUp: Candidate | null = null;
    for await (const c of this.candidates(msg)) {
      const joinsAnyone = c.rule === 'token';
      if (joinsAnyone || (await this.isParticipant(c.thread, contactId, msg.sender.value))) return this.join(c, now);
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

  /** Lazily, in rule order, so a hit on References costs one query. */
  private async *candidates(msg: NormalizedMessage): AsyncGenerator<Candidate> {
    const ids = [...new Set([msg.threading.inReplyTo, ...[...msg.threading.references].reverse()].filter((x): x is string => !!x))].filter(
      (id) => id !== msg.externalId,
    );
    if (ids.length) {
      const rows: Array<ThreadRow & { header: string }> = await this.ds.query(
        `SELECT m.message_id_header AS header, t.id, t.number, t.contact_id, t.status, t.resolved_at
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
    const rows: ThreadRow[] = await this.ds.query(`SELECT id, number, contact_id, status, resolved_at FROM threads WHERE number = $1`, [n]);
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
