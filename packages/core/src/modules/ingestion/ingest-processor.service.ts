import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProviderError, type AdapterRegistry, type NormalizedMessage } from '@desk/channels';
import type { ThreadSummary } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService } from '../audit/audit.service';
import { ContactResolver, type ResolvedContact } from '../contacts/contact-resolver.service';
import type { Message } from '../conversations/message.entity';
import { toMessageDto } from '../conversations/thread.mapper';
import { loadThreadSummaries, loadThreadSummary } from '../conversations/thread-summary.query';
import { ThreadMatcher, answeredIds, type ThreadingDecision } from '../conversations/thread-matcher.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { FILE_STORE, type FileStore } from '../storage/file-store';
import { INBOUND_ADAPTERS } from './inbound-adapters';
import { INGEST_HOOKS, type InboundMessageEvent, type IngestHooks } from './ingest-hooks';
import { deriveThreadSecret } from './thread-secret';
import { mapConcurrently } from '../../platform/map-concurrently';

export type IngestOutcome =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'quarantined'; error: string }
  | { outcome: 'duplicate'; messageId: string }
  | { outcome: 'processed'; messageId: string; threadId: string; isNewThread: boolean; decision: ThreadingDecision }
  /**
   * Not processed yet, on purpose: the mail this one answers reached us first but is not threaded
   * yet (another batch, another worker, or a mail of this batch that runs alone is on it). The
   * event is `received` again; its job runs it later, when the answered mail has its thread.
   */
  | { outcome: 'waiting'; reason: string; parentEventId: string };

/** A reply names at most this many ids it answers as awaited: In-Reply-To and the latest References. */
const MAX_AWAITED_PER_MAIL = 20;
/** Mails of a batch parsed at once (their payloads are in memory already; this bounds the parsers' own buffers). */
const PARSE_CONCURRENCY = 16;

/** `process` options. */
export interface ProcessOptions {
  /** false: thread the mail now even if a mail it answers is still in flight (a reply that waited long enough). */
  waitForParent?: boolean;
  /**
   * A look after the mail waited once already: of two mails of one instant (one group commit)
   * only the one with the greater event id waits for the other, so two that name each other do
   * not both wait for the job's limit. The first look waits for either, the safe choice.
   */
  waitedBefore?: boolean;
}

interface ClaimedEvent {
  id: string;
  source: string;
  inbox_id: string | null;
  payload: Buffer;
  meta: Record<string, unknown>;
  team_id: string | null;
  inbox_active: boolean | null;
  assignment_mode: string | null;
}

interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  key: string;
  sha256: string;
  contentId: string | null;
  inline: boolean;
}

/** What the commit learned that the after-commit realtime event needs (saves reading it back). */
interface CommitOutput {
  summary?: ThreadSummary;
  createdAt?: Date;
  /** Whether any SLA policy was active at commit: read in the same statement, saves the SLA hook a query. */
  slaPoliciesActive?: boolean;
  /** The inbox's assignment mode, read when the event was claimed (for the hooks). */
  inboxAssignmentMode?: string;
}

interface BounceTarget {
  messageId: string;
  threadId: string;
  originalId: string;
}

const PREVIEW_CHARS = 200;

/** The unique (channel, external_id) index of messages refused a second copy of one message. */
function isDuplicateMessage(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const d = err.driverError ?? err;
  return d.code === '23505' && d.constraint === 'messages_channel_external_id_key';
}

export function previewOf(msg: Pick<NormalizedMessage, 'visibleText' | 'text' | 'subject'>): string | null {
  const source = msg.visibleText.trim() || msg.text.trim() || msg.subject?.trim() || '';
  const p = source.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS);
  return p || null;
}

/** A thread row as a commit statement returns it, new or bumped. */
interface CommittedRow {
  id: string;
  created_at: Date;
  thread_id: string;
  number: number;
  priority: ThreadSummary['priority'];
  tags: string[];
  thread_created_at: Date;
  version: number;
  old_status: string | null;
  sla_active: boolean;
}

/** A committed inbound message, as the realtime event and the hooks after the commit need it. */
interface Ingested {
  messageId: string;
  threadId: string;
  isNewThread: boolean;
  msg: NormalizedMessage;
  contact: ResolvedContact;
  out: CommitOutput;
}

/** A plain mail of a batch, with its contact and threading decision (see IngestProcessor.processMany). */
interface BatchItem {
  event: ClaimedEvent;
  msg: NormalizedMessage;
  contact: ResolvedContact;
  decision: ThreadingDecision;
}

/** The message's metadata, its Message-ID to remember, and the audit data, as both commits write them. */
function messageFields(event: ClaimedEvent, msg: NormalizedMessage, decision: ThreadingDecision, bounce: BounceTarget | null) {
  const metadata: Record<string, unknown> = {
    threading: { rule: decision.rule, detail: decision.detail },
    from: { address: msg.sender.value, name: msg.sender.displayName },
    participants: msg.participants,
    sentAt: msg.sentAt?.toISOString() ?? null,
    envelope: event.meta,
  };
  if (msg.conversationKey !== undefined) metadata.conversationKey = msg.conversationKey;
  if (msg.replyTarget) metadata.replyTarget = msg.replyTarget;
  if (msg.automaticReason) metadata.automaticReason = msg.automaticReason;
  if (msg.refusedAttachments.length) metadata.refusedAttachments = msg.refusedAttachments;
  if (msg.bounce) metadata.bounce = msg.bounce;
  const mailIdHeader = msg.channel === 'email' && !msg.externalId.startsWith('sha256:') ? msg.externalId : null;
  // the audit row as AuditService.record writes it; messageId (and reopenedFrom) are added in SQL
  const auditData = {
    rule: decision.rule,
    detail: decision.detail,
    inboundEventId: event.id,
    isAutomatic: msg.isAutomatic,
    ...(decision.possibleFollowUpOf ? { possibleFollowUpOf: decision.possibleFollowUpOf } : {}),
    ...(decision.linkedThreadId ? { linkedThreadId: decision.linkedThreadId } : {}),
    ...(bounce ? { bounceOf: bounce.messageId, permanent: msg.bounce?.permanent ?? false } : {}),
  };
  return { metadata, mailIdHeader, auditData };
}

/** The new thread as the realtime event shows it, without reading it back after the commit. */
function newThreadSummary(row: CommittedRow, event: ClaimedEvent, msg: NormalizedMessage, contact: ResolvedContact, preview: string | null, now: Date): ThreadSummary {
  const customer = !msg.isAutomatic;
  return {
    id: row.thread_id,
    number: row.number,
    subject: msg.subject,
    preview,
    channel: msg.channel,
    inboxId: event.inbox_id!,
    status: 'open',
    priority: row.priority,
    tags: row.tags,
    contact: { id: contact.contactId, name: contact.name, primaryEmail: contact.primaryEmail },
    assignee: null,
    teamId: event.team_id,
    lastMessageAt: now.toISOString(),
    lastCustomerMessageAt: customer ? now.toISOString() : null,
    lastAgentMessageAt: null,
    slaDueAt: null,
    version: 1,
    createdAt: row.thread_created_at.toISOString(),
  };
}

/**
 * The worker's half of "receive durably, then process": turns one committed inbound event into a
 * message. Re-reads the event and acts only while it is received/processing; ONE transaction
 * writes the message, its attachments and mail ids, the thread's new state, the audit event and
 * the event's `processed` mark, so a second run (retry, duplicate job, reconciler) finds the event
 * processed, or collides on messages.inbound_event_id, and never creates a second message.
 * Realtime and hooks run after the commit.
 */
@Injectable()
export class IngestProcessor {
  private readonly log = new Logger(IngestProcessor.name);
  private readonly threadSecret: string;

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    private readonly contacts: ContactResolver,
    private readonly matcher: ThreadMatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(INGEST_HOOKS) private readonly hooks: IngestHooks,
    @Inject(INBOUND_ADAPTERS) private readonly adapters: AdapterRegistry,
  ) {
    this.threadSecret = deriveThreadSecret(config.APP_SECRET);
  }

  async process(eventId: string, opts: ProcessOptions = {}): Promise<IngestOutcome> {
    const [event] = await this.claim([eventId]);
    if (!event) return { outcome: 'skipped', reason: 'event is not received/processing' };
    const parsed = await this.parse(event);
    return 'outcome' in parsed ? parsed : this.processParsed(event, parsed, opts.waitForParent !== false, opts.waitedBefore === true);
  }

  /**
   * Many events at once, each with the outcome `process` would give it (or the error it would
   * throw, for its own job to retry). Plain mail (no attachments, bounce or social conversation)
   * is committed by ONE statement for the whole batch, and its hooks run as batches too; the rest,
   * and any mail whose thread or Message-ID another mail of the batch already holds (or that
   * answers one of the mails running alone), runs one by one after the batch commit, so a reply
   * never races the mail it answers; a reply to a mail still in flight elsewhere waits (see
   * waitForParent). If the batch
   * statement fails (a duplicate delivery, say), it wrote nothing and every mail of it runs alone.
   * `committed` is called once the batch statement is over, before the hooks and the mails that
   * run alone (the batcher starts its next batch then).
   */
  async processMany(eventIds: string[], committed: () => void = () => undefined): Promise<Map<string, IngestOutcome | Error>> {
    const results = new Map<string, IngestOutcome | Error>();
    const claimed = await this.claim(eventIds);
    for (const id of eventIds) results.set(id, { outcome: 'skipped', reason: 'event is not received/processing' });
    const plain: Array<{ event: ClaimedEvent; msg: NormalizedMessage }> = [];
    const alone: Array<{ event: ClaimedEvent; msg: NormalizedMessage }> = [];
    // parsed together: one mail's parse takes ~19 turns of the event loop (mailparser's streams),
    // and on a busy worker each turn waits behind the SMTP sessions, the other batch and the hooks;
    // one after another, a batch spent ~2.7 ms per mail parsing, for ~0.4 ms of CPU each
    const parsedAll = await mapConcurrently(claimed, PARSE_CONCURRENCY, (event) => this.parse(event).catch((e: Error) => e));
    claimed.forEach((event, i) => {
      const parsed = parsedAll[i]!;
      if (parsed instanceof Error || 'outcome' in parsed) results.set(event.id, parsed);
      else if (parsed.conversationKey === undefined && parsed.attachments.length === 0 && !parsed.bounce) plain.push({ event, msg: parsed });
      else alone.push({ event, msg: parsed });
    });

    const batch: BatchItem[] = [];
    if (plain.length) {
      const contacts = await this.contacts.resolveMany(plain.map(({ msg }) => msg.sender));
      const awaited = await this.matcher.awaitedBy(plain.map(({ msg }) => msg.externalId));
      const now = new Date();
      // two mails of one sender may share a batch: the repeat-contact count orders threads by number
      const held = { threads: new Set<string>(), mailIds: new Set<string>() };
      // a mail of this batch that runs alone (attachments, say) is threaded before what answers it
      for (const { msg } of alone) held.mailIds.add(msg.externalId);
      for (let i = 0; i < plain.length; i++) {
        const { event, msg } = plain[i]!;
        const contact = contacts[i]!;
        const keys = [msg.externalId, msg.threading.inReplyTo, ...msg.threading.references].filter((k): k is string => !!k);
        if (keys.some((k) => held.mailIds.has(k))) {
          alone.push({ event, msg });
          continue;
        }
        const decision = await this.matcher.match(msg, contact.contactId, now, event.inbox_id, awaited);
        const waiting = decision.threadId ? null : await this.waitForParent(event, msg);
        if (waiting) {
          results.set(event.id, waiting);
          continue;
        }
        if (decision.threadId && held.threads.has(decision.threadId)) {
          alone.push({ event, msg });
          continue;
        }
        held.mailIds.add(msg.externalId);
        if (decision.threadId) held.threads.add(decision.threadId);
        batch.push({ event, msg, contact, decision });
      }
    }

    let written: Array<{ item: BatchItem; result: IngestOutcome & { outcome: 'processed' }; out: CommitOutput }> | null = null;
    if (batch.length) {
      try {
        written = await this.commitMany(batch);
      } catch (e) {
        this.log.warn(`batch commit of ${batch.length} events failed, each is processed alone: ${(e as Error).message}`);
        for (const { event, msg } of batch) alone.push({ event, msg });
      }
    }
    // before the next batch may start, so a late mail in it finds what these replies answer
    if (written) await this.recordAwaited(written.map(({ item, result }) => ({ messageId: result.messageId, msg: item.msg, decision: item.decision })));
    committed();
    if (written) {
      const done = new Set(written.map(({ item }) => item.event.id));
      for (const { item, result } of written) results.set(item.event.id, result);
      // not written (the event moved on meanwhile): `process` would say why
      for (const item of batch) if (!done.has(item.event.id)) alone.push({ event: item.event, msg: item.msg });
      await this.afterCommitMany(
        written.map(({ item, result, out }) => ({ messageId: result.messageId, threadId: result.threadId, isNewThread: result.isNewThread, msg: item.msg, contact: item.contact, out })),
      );
    }

    for (const { event, msg } of alone) {
      try {
        results.set(event.id, await this.processParsed(event, msg));
      } catch (e) {
        results.set(event.id, e as Error);
      }
    }
    return results;
  }

  /** Marks the events `processing` (one statement for all) and reads them with their inbox's fields. */
  private async claim(eventIds: string[]): Promise<ClaimedEvent[]> {
    // status::text: the ids alone find the rows; without the cast a planner without statistics
    // (autovacuum off) ANDs in the status index, which then holds an entry for every event ever received
    const rows: ClaimedEvent[] = await this.ds.query(
      `UPDATE inbound_events e SET status = 'processing', attempts = e.attempts + 1, processed_at = now()
        WHERE e.id = ANY($1::uuid[]) AND e.status::text IN ('received', 'processing')
        RETURNING e.id, e.source, e.inbox_id, e.payload, e.meta,
          (SELECT i.team_id FROM inboxes i WHERE i.id = e.inbox_id) AS team_id,
          (SELECT i.is_active FROM inboxes i WHERE i.id = e.inbox_id) AS inbox_active,
          (SELECT i.assignment_mode::text FROM inboxes i WHERE i.id = e.inbox_id) AS assignment_mode`,
      [eventIds],
    );
    // TypeORM returns [rows, count] for UPDATE ... RETURNING on postgres
    return Array.isArray(rows[0]) ? (rows[0] as unknown as ClaimedEvent[]) : rows;
  }

  /** The normalized message, or the quarantine outcome; a provider's temporary failure is thrown for a retry. */
  private async parse(event: ClaimedEvent): Promise<NormalizedMessage | IngestOutcome> {
    if (!event.inbox_id || event.inbox_active === null) return this.quarantine(event.id, 'the event has no (existing) inbox');
    try {
      return await this.adapters.get(event.source).parse(event.payload, {
        inboxId: event.inbox_id,
        maxAttachmentBytes: this.config.MAX_ATTACHMENT_BYTES,
        threadSecret: this.threadSecret,
      });
    } catch (e) {
      // a provider that answers "later" while parsing (an Instagram mention's text is looked up):
      // the ingest job retries with backoff and quarantines only after its last attempt
      if (e instanceof ProviderError && e.classification === 'temporary') throw e;
      const reason = (e as { reason?: unknown }).reason;
      return this.quarantine(event.id, typeof reason === 'string' ? reason : `parse failed: ${(e as Error).message ?? String(e)}`);
    }
  }

  private async processParsed(event: ClaimedEvent, msg: NormalizedMessage, waitForParent = true, waitedBefore = false): Promise<IngestOutcome> {
    const eventId = event.id;
    const contact = await this.contacts.resolve(msg.sender.kind, msg.sender.value, msg.sender.displayName);
    const bounceTarget = await this.findBounceTarget(msg);
    const decision: ThreadingDecision = bounceTarget
      ? { rule: 'references', detail: `delivery status notification for our message <${bounceTarget.originalId}>`, threadId: bounceTarget.threadId }
      : await this.matcher.match(msg, contact.contactId, new Date(), event.inbox_id);
    if (!decision.threadId && waitForParent) {
      const waiting = await this.waitForParent(event, msg, waitedBefore);
      if (waiting) return waiting;
    }
    const attachments = await this.storeAttachments(msg);

    // One statement writes the thread, message, Message-ID, audit event and `processed` mark, and
    // alone it is atomic: a plain mail costs one round trip. Only what adds writes of its own (a
    // social conversation key, attachments, a permanent bounce) wraps it in a transaction.
    // READ COMMITTED is Postgres' default; naming it would cost a SET TRANSACTION round trip.
    const out: CommitOutput = { inboxAssignmentMode: event.assignment_mode ?? undefined };
    const needsTransaction = msg.conversationKey !== undefined || attachments.length > 0 || !!(bounceTarget && msg.bounce?.permanent);
    let result: IngestOutcome;
    try {
      result = needsTransaction
        ? await this.ds.transaction((m) => this.commitInTransaction(m, event, msg, contact, decision, attachments, bounceTarget, out))
        : await this.commit(this.ds, event, msg, contact, decision, bounceTarget, out);
    } catch (e) {
      // The same mail reached us another way (second recipient inbox, webhook and SMTP): the unique
      // (channel, external_id) index refused the second message and nothing of it was written.
      // Checked here rather than by a query before every commit: duplicates are rare.
      if (!isDuplicateMessage(e)) throw e;
      const existing: Array<{ id: string }> = await this.ds.query(`SELECT id FROM messages WHERE channel = $1 AND external_id = $2`, [msg.channel, msg.externalId]);
      if (!existing[0]) throw e;
      await this.ds.query(
        `UPDATE inbound_events SET status = 'processed', message_id = $2, processed_at = now(), error = NULL WHERE id = $1 AND status = 'processing'`,
        [eventId, existing[0].id],
      );
      return { outcome: 'duplicate', messageId: existing[0].id };
    }
    if (result.outcome !== 'processed') return result;
    await this.recordAwaited([{ messageId: result.messageId, msg, decision }]);
    await this.afterCommit(result.messageId, result.threadId, result.isNewThread, msg, contact, attachments, bounceTarget, out);
    return result;
  }

  /**
   * A mail that found no thread but names (In-Reply-To/References) a mail of its inbox that reached
   * us BEFORE it and is still received/processing would open a second thread for one conversation:
   * it waits instead. Its event goes back to `received` and the `waiting` outcome tells the job to
   * run it again later. Only mail received before it (or in the same group commit, which shares
   * one instant) is waited for; when it looks again (`waitedBefore`), a mail of its own instant only
   * if that one's event id is smaller, so of two mails of one instant naming each other one goes
   * after its first wait and the other joins its thread. One indexed lookup, paid only by replies
   * whose references are all unknown.
   */
  private async waitForParent(event: ClaimedEvent, msg: NormalizedMessage, waitedBefore = false): Promise<IngestOutcome | null> {
    if (msg.channel !== 'email' || msg.conversationKey !== undefined || !event.inbox_id) return null;
    const ids = answeredIds(msg);
    if (!ids.length) return null;
    const keys = ids.map((id) => `${event.inbox_id}:mid:${id}`);
    const rows: Array<{ id: string; key: string }> = await this.ds.query(
      `WITH parent AS (
         SELECT p.id, p.idempotency_key AS key FROM inbound_events p JOIN inbound_events me ON me.id = $1
          WHERE p.source = 'email' AND p.idempotency_key = ANY($2::text[]) AND p.status::text IN ('received', 'processing')
            AND (p.received_at < me.received_at OR (p.received_at = me.received_at AND p.id <> me.id AND (NOT $3::boolean OR p.id < me.id)))
          LIMIT 1
       ), back AS (
         UPDATE inbound_events SET status = 'received' WHERE id = $1 AND status = 'processing' AND EXISTS (SELECT 1 FROM parent)
       )
       SELECT id, key FROM parent`,
      [event.id, keys, waitedBefore],
    );
    const parent = rows[0];
    if (!parent) return null;
    const answered = parent.key.slice(parent.key.indexOf(':mid:') + 5);
    return { outcome: 'waiting', reason: `the mail it answers (<${answered}>) reached us first and is not threaded yet`, parentEventId: parent.id };
  }

  /**
   * The Message-IDs a committed mail answers that found no thread (mail_awaited_ids): the mails
   * they name were delayed, and when one of them comes it joins this mail's thread (ThreadMatcher).
   * Nothing to write, no query, for mail that threaded by its references or names none. A failure
   * is only logged: the mail is committed, and only a late mail's joining would miss the hint.
   */
  private async recordAwaited(items: Array<{ messageId: string; msg: NormalizedMessage; decision: ThreadingDecision }>): Promise<void> {
    const headers: string[] = [];
    const messageIds: string[] = [];
    for (const { messageId, msg, decision } of items) {
      if (msg.channel !== 'email' || decision.rule === 'references') continue;
      for (const id of answeredIds(msg).slice(0, MAX_AWAITED_PER_MAIL)) {
        headers.push(id);
        messageIds.push(messageId);
      }
    }
    if (!headers.length) return;
    await this.ds
      .query(
        `INSERT INTO mail_awaited_ids (message_id_header, message_id) SELECT * FROM unnest($1::text[], $2::uuid[]) ON CONFLICT DO NOTHING`,
        [headers, messageIds],
      )
      .catch((e: Error) => this.log.warn(`recording the ids ${headers.length} mail(s) answer failed: ${e.message}`));
  }

  async quarantine(eventId: string, error: string): Promise<IngestOutcome> {
    this.log.warn(`inbound event ${eventId} quarantined: ${error}`);
    await this.ds.query(
      `UPDATE inbound_events SET status = 'quarantined', error = $2, processed_at = now() WHERE id = $1 AND status IN ('received', 'processing')`,
      [eventId, error.slice(0, 2000)],
    );
    return { outcome: 'quarantined', error };
  }

  /** The statement, then what a social conversation, attachments or a bounce add, in one transaction. */
  private async commitInTransaction(
    m: EntityManager,
    event: ClaimedEvent,
    msg: NormalizedMessage,
    contact: ResolvedContact,
    decision: ThreadingDecision,
    attachments: StoredAttachment[],
    bounce: BounceTarget | null,
    out: CommitOutput,
  ): Promise<IngestOutcome> {
    // two first messages of one social conversation processed at once must not open two threads
    decision = await this.matcher.confirmNewConversation(m, msg, event.inbox_id!, contact.contactId, decision);
    const result = await this.commit(m, event, msg, contact, decision, bounce, out);
    if (result.outcome !== 'processed') return result;
    const { messageId, threadId } = result;
    await this.matcher.recordConversationKey(m, msg, event.inbox_id!, threadId, decision);
    for (const a of attachments) {
      await m.query(
        `INSERT INTO attachments (message_id, filename, content_type, size_bytes, storage_key, sha256, content_id, is_inline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [messageId, a.filename, a.contentType, a.size, a.key, a.sha256, a.contentId, a.inline],
      );
    }
    if (bounce && msg.bounce?.permanent) {
      const error = [msg.bounce.status, msg.bounce.diagnostic].filter(Boolean).join(' ') || 'bounced (no diagnostic)';
      await m.query(`UPDATE messages SET delivery_state = 'failed', delivery_error = $2 WHERE id = $1`, [bounce.messageId, error]);
      await m.query(
        `UPDATE outbound_deliveries SET status = 'failed', last_error = $2, next_attempt_at = NULL, updated_at = now()
          WHERE id = (SELECT id FROM outbound_deliveries WHERE message_id = $1 ORDER BY created_at DESC LIMIT 1)`,
        [bounce.messageId, error],
      );
    }
    return result;
  }

  /**
   * ONE statement (data-modifying CTEs, atomic on its own): lock the event while it is still
   * `processing` (a second run of the same event waits here, then finds it processed and writes
   * nothing), open the thread or lock and bump it (reading the status before the change), then
   * write the message, its Message-ID, the audit event and the event's `processed` mark.
   */
  private async commit(
    q: DataSource | EntityManager,
    event: ClaimedEvent,
    msg: NormalizedMessage,
    contact: ResolvedContact,
    decision: ThreadingDecision,
    bounce: BounceTarget | null,
    out: CommitOutput,
  ): Promise<IngestOutcome> {
    const now = new Date();
    const preview = previewOf(msg);
    const customer = !msg.isAutomatic;
    const isNewThread = !decision.threadId;
    const flags: Record<string, unknown> = {};
    if (decision.possibleFollowUpOf) flags.possibleFollowUpOf = decision.possibleFollowUpOf;
    // $1..$19 are the message's and shared; a new thread adds $20..$23, an existing one its id as $20
    const thread = isNewThread
      ? `thread AS (
           INSERT INTO threads (subject, preview, contact_id, inbox_id, channel, status, team_id, last_message_at, last_customer_message_at, linked_thread_id, flags, version)
           SELECT $5::text, $18::text, $4::uuid, $20::uuid, $2::channel_kind, 'open', $21::uuid, $19::timestamptz,
                  CASE WHEN $17::boolean THEN $19::timestamptz ELSE NULL END, $22::uuid, $23::jsonb, 1
             FROM ev
           RETURNING id, number, priority, tags, created_at, version, NULL::text AS old_status
         )`
      : `old AS (
           SELECT t.id, t.status FROM threads t WHERE t.id = $20::uuid AND EXISTS (SELECT 1 FROM ev) FOR UPDATE
         ), thread AS (
           UPDATE threads t SET
             last_message_at = GREATEST(COALESCE(t.last_message_at, $19::timestamptz), $19::timestamptz),
             last_customer_message_at = CASE WHEN $17::boolean THEN GREATEST(COALESCE(t.last_customer_message_at, $19::timestamptz), $19::timestamptz) ELSE t.last_customer_message_at END,
             preview = COALESCE($18::text, t.preview),
             status = CASE WHEN $17::boolean THEN 'open'::thread_status ELSE t.status END,
             resolved_at = CASE WHEN $17::boolean THEN NULL ELSE t.resolved_at END,
             snoozed_until = CASE WHEN $17::boolean THEN NULL ELSE t.snoozed_until END,
             version = t.version + 1, updated_at = now()
           FROM old WHERE t.id = old.id
           RETURNING t.id, t.number, t.priority, t.tags, t.created_at, t.version, old.status::text AS old_status
         )`;
    const threadParams = isNewThread ? [event.inbox_id, event.team_id, decision.linkedThreadId ?? null, flags] : [decision.threadId];

    const { metadata, mailIdHeader, auditData } = messageFields(event, msg, decision, bounce);
    const rows: CommittedRow[] = await q.query(
      `WITH ev AS (
         SELECT id FROM inbound_events WHERE id = $1::uuid AND status = 'processing' FOR UPDATE
       ), ${thread}, msg AS (
         INSERT INTO messages (thread_id, direction, channel, external_id, contact_id, inbound_event_id, subject, body_text, visible_text, body_html,
                               is_automatic, is_public, delivery_state, metadata, thread_version, created_at)
         SELECT thread.id, 'inbound', $2::channel_kind, $3::text, $4::uuid, $1::uuid, $5::text, $6::text, $7::text, $8::text,
                $9::boolean, $10::boolean, 'received', $11::jsonb, thread.version, COALESCE($12::timestamptz, now())
           FROM thread
         RETURNING id, created_at
       ), mail_id AS (
         INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source)
         SELECT $13::text, thread.id, msg.id, 'inbound' FROM msg, thread WHERE $13::text IS NOT NULL ON CONFLICT DO NOTHING
       ), audit AS (
         INSERT INTO audit_events (actor_kind, actor_agent_id, action, thread_id, reason, data)
         SELECT 'contact'::actor_kind, NULL, $14::text, thread.id, $15::text,
                $16::jsonb || jsonb_build_object('messageId', msg.id)
                || CASE WHEN $17::boolean AND thread.old_status IS NOT NULL AND thread.old_status <> 'open'
                        THEN jsonb_build_object('reopenedFrom', thread.old_status) ELSE '{}'::jsonb END
           FROM msg, thread
       ), processed AS (
         UPDATE inbound_events e SET status = 'processed', message_id = msg.id, processed_at = now(), error = NULL FROM msg WHERE e.id = $1::uuid
       )
       SELECT msg.id, msg.created_at, thread.id AS thread_id, thread.number, thread.priority, thread.tags, thread.created_at AS thread_created_at,
              thread.version, thread.old_status, EXISTS (SELECT 1 FROM sla_policies WHERE is_active) AS sla_active
         FROM msg, thread`,
      [
        event.id, msg.channel, msg.externalId, contact.contactId, msg.subject, msg.text, msg.visibleText, msg.html, msg.isAutomatic, msg.isPublic, metadata,
        // social deliveries arrive out of order: the network's own time orders the history
        msg.conversationKey !== undefined ? msg.sentAt : null,
        mailIdHeader, isNewThread ? 'thread.created' : 'message.received', decision.detail ?? null, JSON.stringify(auditData), customer, preview, now,
        ...threadParams,
      ],
    );
    const row = rows[0];
    if (!row) {
      // nothing written: the event moved on (a second run), or the thread vanished under us
      const [ev]: Array<{ status: string }> = await q.query(`SELECT status FROM inbound_events WHERE id = $1`, [event.id]);
      if (ev?.status !== 'processing') return { outcome: 'skipped', reason: `event is ${ev?.status ?? 'gone'}` };
      throw new Error(`thread ${decision.threadId} vanished while ingesting`);
    }
    out.createdAt = row.created_at;
    out.slaPoliciesActive = row.sla_active;
    if (isNewThread) out.summary = newThreadSummary(row, event, msg, contact, preview, now);
    return { outcome: 'processed', messageId: row.id, threadId: row.thread_id, isNewThread, decision };
  }

  /**
   * The batch form of `commit`, for plain mail (see processMany): ONE statement for every mail of
   * the batch, atomic on its own, with the same locks and writes per mail. The ids of new threads
   * and messages are made here, so the rows of each mail find each other without a lookup. A mail
   * whose event moved on meanwhile is not written and not returned.
   */
  private async commitMany(items: BatchItem[]): Promise<Array<{ item: BatchItem; result: IngestOutcome & { outcome: 'processed' }; out: CommitOutput }>> {
    const now = new Date();
    const input = items.map(({ event, msg, contact, decision }, ord) => {
      const { metadata, mailIdHeader, auditData } = messageFields(event, msg, decision, null);
      const isNewThread = !decision.threadId;
      return {
        ord,
        event_id: event.id,
        message_id: randomUUID(),
        new_thread_id: isNewThread ? randomUUID() : null,
        thread_id: decision.threadId,
        channel: msg.channel,
        external_id: msg.externalId,
        contact_id: contact.contactId,
        subject: msg.subject,
        body_text: msg.text,
        visible_text: msg.visibleText,
        body_html: msg.html,
        is_automatic: msg.isAutomatic,
        is_public: msg.isPublic,
        metadata,
        mail_id: mailIdHeader,
        action: isNewThread ? 'thread.created' : 'message.received',
        reason: decision.detail ?? null,
        audit: auditData,
        customer: !msg.isAutomatic,
        preview: previewOf(msg),
        inbox_id: event.inbox_id,
        team_id: event.team_id,
        linked_thread_id: isNewThread ? (decision.linkedThreadId ?? null) : null,
        flags: decision.possibleFollowUpOf ? { possibleFollowUpOf: decision.possibleFollowUpOf } : {},
      };
    });
    const rows: Array<CommittedRow & { event_id: string }> = await this.ds.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord int, event_id uuid, message_id uuid, new_thread_id uuid, thread_id uuid,
           channel channel_kind, external_id text, contact_id uuid, subject text, body_text text, visible_text text, body_html text,
           is_automatic boolean, is_public boolean, metadata jsonb, mail_id text, action text, reason text, audit jsonb, customer boolean,
           preview text, inbox_id uuid, team_id uuid, linked_thread_id uuid, flags jsonb)
       ), ev AS (
         -- status::text as in claim: the ids find the rows (the status index holds every event ever processed)
         SELECT e.id FROM inbound_events e WHERE e.id IN (SELECT event_id FROM x) AND e.status::text = 'processing' ORDER BY e.id FOR UPDATE
       ), xe AS (
         SELECT x.*, COALESCE(x.new_thread_id, x.thread_id) AS tid FROM x JOIN ev ON ev.id = x.event_id
       ), opened AS (
         INSERT INTO threads (id, subject, preview, contact_id, inbox_id, channel, status, team_id, last_message_at, last_customer_message_at, linked_thread_id, flags, version)
         SELECT xe.new_thread_id, xe.subject, xe.preview, xe.contact_id, xe.inbox_id, xe.channel, 'open', xe.team_id, $2::timestamptz,
                CASE WHEN xe.customer THEN $2::timestamptz ELSE NULL END, xe.linked_thread_id, xe.flags, 1
           FROM xe WHERE xe.new_thread_id IS NOT NULL ORDER BY xe.ord
         RETURNING id, number, priority, tags, created_at, version, NULL::text AS old_status
       ), old AS (
         SELECT t.id, t.status FROM threads t WHERE t.id IN (SELECT thread_id FROM xe WHERE thread_id IS NOT NULL) ORDER BY t.id FOR UPDATE
       ), bumped AS (
         UPDATE threads t SET
           last_message_at = GREATEST(COALESCE(t.last_message_at, $2::timestamptz), $2::timestamptz),
           last_customer_message_at = CASE WHEN xe.customer THEN GREATEST(COALESCE(t.last_customer_message_at, $2::timestamptz), $2::timestamptz) ELSE t.last_customer_message_at END,
           preview = COALESCE(xe.preview, t.preview),
           status = CASE WHEN xe.customer THEN 'open'::thread_status ELSE t.status END,
           resolved_at = CASE WHEN xe.customer THEN NULL ELSE t.resolved_at END,
           snoozed_until = CASE WHEN xe.customer THEN NULL ELSE t.snoozed_until END,
           version = t.version + 1, updated_at = now()
         FROM old JOIN xe ON xe.thread_id = old.id WHERE t.id = old.id
         RETURNING t.id, t.number, t.priority, t.tags, t.created_at, t.version, old.status::text AS old_status
       ), thread AS (
         SELECT * FROM opened UNION ALL SELECT * FROM bumped
       ), msg AS (
         INSERT INTO messages (id, thread_id, direction, channel, external_id, contact_id, inbound_event_id, subject, body_text, visible_text, body_html,
                               is_automatic, is_public, delivery_state, metadata, thread_version)
         SELECT xe.message_id, thread.id, 'inbound', xe.channel, xe.external_id, xe.contact_id, xe.event_id, xe.subject, xe.body_text, xe.visible_text, xe.body_html,
                xe.is_automatic, xe.is_public, 'received', xe.metadata, thread.version
           FROM xe JOIN thread ON thread.id = xe.tid ORDER BY xe.ord
         RETURNING id, created_at
       ), mail_id AS (
         INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source)
         SELECT xe.mail_id, xe.tid, msg.id, 'inbound' FROM xe JOIN msg ON msg.id = xe.message_id WHERE xe.mail_id IS NOT NULL ON CONFLICT DO NOTHING
       ), audit AS (
         INSERT INTO audit_events (actor_kind, actor_agent_id, action, thread_id, reason, data)
         SELECT 'contact'::actor_kind, NULL, xe.action, thread.id, xe.reason,
                xe.audit || jsonb_build_object('messageId', msg.id)
                || CASE WHEN xe.customer AND thread.old_status IS NOT NULL AND thread.old_status <> 'open'
                        THEN jsonb_build_object('reopenedFrom', thread.old_status) ELSE '{}'::jsonb END
           FROM xe JOIN msg ON msg.id = xe.message_id JOIN thread ON thread.id = xe.tid ORDER BY xe.ord
       ), processed AS (
         UPDATE inbound_events e SET status = 'processed', message_id = msg.id, processed_at = now(), error = NULL
           FROM xe JOIN msg ON msg.id = xe.message_id WHERE e.id = xe.event_id
       )
       SELECT xe.event_id, msg.id, msg.created_at, thread.id AS thread_id, thread.number, thread.priority, thread.tags,
              thread.created_at AS thread_created_at, thread.version, thread.old_status, EXISTS (SELECT 1 FROM sla_policies WHERE is_active) AS sla_active
         FROM xe JOIN msg ON msg.id = xe.message_id JOIN thread ON thread.id = xe.tid`,
      [JSON.stringify(input), now],
    );
    const byEvent = new Map(items.map((item, i) => [item.event.id, { item, preview: input[i]!.preview }]));
    return rows.map((row) => {
      const { item, preview } = byEvent.get(row.event_id)!;
      const isNewThread = !item.decision.threadId;
      const out: CommitOutput = {
        createdAt: row.created_at,
        slaPoliciesActive: row.sla_active,
        inboxAssignmentMode: item.event.assignment_mode ?? undefined,
        summary: isNewThread ? newThreadSummary(row, item.event, item.msg, item.contact, preview, now) : undefined,
      };
      return { item, result: { outcome: 'processed' as const, messageId: row.id, threadId: row.thread_id, isNewThread, decision: item.decision }, out };
    });
  }

  private async afterCommit(
    messageId: string,
    threadId: string,
    isNewThread: boolean,
    msg: NormalizedMessage,
    contact: ResolvedContact,
    attachments: StoredAttachment[],
    bounce: BounceTarget | null,
    out: CommitOutput = {},
  ): Promise<void> {
    const ingested: Ingested = { messageId, threadId, isNewThread, msg, contact, out };
    // a new thread's summary comes from the commit; otherwise one plain query, not an entity load
    const thread = isNewThread && out.summary ? out.summary : await loadThreadSummary(this.ds, threadId).catch((e: Error) => this.noSummary(messageId, e));
    await this.publishIngested(ingested, thread, attachments, bounce);
    await this.runHooks([ingested]);
  }

  /** afterCommit for a committed batch: the summaries of the existing threads in one query, the hooks as one batch. */
  private async afterCommitMany(items: Ingested[]): Promise<void> {
    const existing = items.filter((i) => !(i.isNewThread && i.out.summary)).map((i) => i.threadId);
    const summaries = existing.length
      ? await loadThreadSummaries(this.ds, existing).catch((e: Error) => {
          this.noSummary(items[0]!.messageId, e);
          return new Map<string, ThreadSummary>();
        })
      : new Map<string, ThreadSummary>();
    for (const i of items) await this.publishIngested(i, (i.isNewThread && i.out.summary) || summaries.get(i.threadId) || null, [], null);
    await this.runHooks(items);
  }

  /** The realtime event is skipped (consoles catch up on their next load); the hooks still run. */
  private noSummary(messageId: string, e: Error): null {
    this.log.warn(`realtime after ingest of message ${messageId} skipped: ${e.message}`);
    return null;
  }

  private async publishIngested(i: Ingested, thread: ThreadSummary | null, attachments: StoredAttachment[], bounce: BounceTarget | null): Promise<void> {
    const { messageId, threadId, isNewThread, msg, contact, out } = i;
    try {
      if (thread) {
        const rooms = [Rooms.thread(threadId), Rooms.allAgents, Rooms.supervisors];
        if (thread.assignee) rooms.push(Rooms.agent(thread.assignee.id));
        if (isNewThread) {
          this.realtime.publish(rooms, 'thread.created', { thread });
        } else {
          const row = out.createdAt ? { created_at: out.createdAt } : undefined;
          const dto = toMessageDto({
            id: messageId,
            threadId,
            direction: 'inbound',
            channel: msg.channel,
            contactId: contact.contactId,
            contact: { name: contact.name },
            authorAgentId: null,
            subject: msg.subject,
            bodyText: msg.text,
            visibleText: msg.visibleText,
            bodyHtml: msg.html,
            isAutomatic: msg.isAutomatic,
            isPublic: msg.isPublic,
            deliveryState: 'received',
            deliveryError: null,
            attachments: attachments.map((a) => ({ id: a.sha256, filename: a.filename, contentType: a.contentType, sizeBytes: a.size, isInline: a.inline })),
            createdAt: row?.created_at ?? new Date(),
          } as unknown as Message);
          // attachment ids are only known from the database; the console refetches the thread for them
          dto.attachments = attachments.length ? await this.attachmentDtos(messageId) : [];
          this.realtime.publish(rooms, 'message.created', { threadId, message: dto });
        }
        if (bounce && msg.bounce?.permanent) {
          const [b]: Array<{ delivery_error: string | null }> = await this.ds.query(`SELECT delivery_error FROM messages WHERE id = $1`, [bounce.messageId]);
          this.realtime.publish(rooms, 'delivery.updated', { threadId: bounce.threadId, messageId: bounce.messageId, state: 'failed', error: b?.delivery_error ?? null });
        }
      }
    } catch (e) {
      this.log.warn(`realtime after ingest of message ${messageId} failed: ${(e as Error).message}`);
    }
  }

  /** The hooks of committed messages: as one batch when the hooks take batches, else one by one. */
  private async runHooks(items: Ingested[]): Promise<void> {
    const events: InboundMessageEvent[] = items.map(({ threadId, messageId, isNewThread, msg, out }) => ({
      threadId,
      messageId,
      isAutomatic: msg.isAutomatic,
      isNewThread,
      slaPoliciesActive: out.slaPoliciesActive,
      inboxAssignmentMode: out.inboxAssignmentMode,
    }));
    const batches = this.hooks.afterInboundMessages ? [events] : events.map((e) => [e]);
    for (const batch of batches) {
      try {
        if (this.hooks.afterInboundMessages) await this.hooks.afterInboundMessages(batch);
        else await this.hooks.afterInboundMessage(batch[0]!);
      } catch (e) {
        this.log.error(`ingest hook failed for message(s) ${batch.map((b) => b.messageId).join(', ')}: ${(e as Error).message}`);
      }
    }
  }

  private async attachmentDtos(messageId: string) {
    const rows: Array<{ id: string; filename: string; content_type: string; size_bytes: string; is_inline: boolean }> = await this.ds.query(
      `SELECT id, filename, content_type, size_bytes, is_inline FROM attachments WHERE message_id = $1 ORDER BY created_at, id`,
      [messageId],
    );
    return rows.map((r) => ({ id: r.id, filename: r.filename, contentType: r.content_type, sizeBytes: Number(r.size_bytes), inline: r.is_inline }));
  }

  /** A bounce of one of OUR outbound messages (known through mail_message_ids) joins that message's thread. */
  private async findBounceTarget(msg: NormalizedMessage): Promise<BounceTarget | null> {
    const ids = msg.bounce?.originalMessageIds ?? [];
    if (!ids.length) return null;
    const rows: Array<{ message_id: string; thread_id: string; header: string }> = await this.ds.query(
      `SELECT message_id, thread_id, message_id_header AS header FROM mail_message_ids
        WHERE message_id_header = ANY($1) AND source IN ('outbound', 'relay') AND message_id IS NOT NULL`,
      [ids],
    );
    const r = rows[0];
    return r ? { messageId: r.message_id, threadId: r.thread_id, originalId: r.header } : null;
  }

  private async storeAttachments(msg: NormalizedMessage): Promise<StoredAttachment[]> {
    const out: StoredAttachment[] = [];
    for (const a of msg.attachments) {
      const stored = await this.files.put(a.content);
      out.push({
        filename: a.filename ?? 'attachment',
        contentType: a.contentType,
        size: stored.size,
        key: stored.key,
        sha256: stored.sha256,
        contentId: a.contentId,
        inline: a.inline,
      });
    }
    return out;
  }
}
