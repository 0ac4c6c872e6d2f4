import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '@desk/contracts';
import { ChannelValidationError, replySubject, type ReplyTarget } from '@desk/channels';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { Inbox } from '../channels/inbox.entity';
import { OutboxService, type AckCondition, type SystemEmail, type WrittenSystemMessage } from '../delivery/outbox.service';
import { isPublicTarget, socialDriver, type SocialChannelDriver } from '../channels/social-channels';
import { formatPromise } from '../sla/business-time';
import { calendarOf } from '../sla/policy-matcher';
import { NEUTRAL_PROMISE, canonicalAddress, isNoReplyAddress, renderAckTemplate } from './auto-ack-rules';

export interface AutoAckRequest {
  threadId: string;
  messageId: string;
  isAutomatic: boolean;
  isNewThread: boolean;
}

export type AutoAckOutcome =
  | { sent: true; messageId: string; deliveryId: string }
  | {
      sent: false;
      reason:
        | 'automatic'
        | 'not-found'
        | 'disabled'
        | 'channel-unsupported'
        | 'public-off'
        | 'too-long'
        | 'no-address'
        | 'no-reply-sender'
        | 'own-address'
        | 'quiet-period'
        | 'agent-answered';
    };

/**
 * Channels acknowledged by email: an email thread, and a web form whose replies go to the address
 * the customer typed. Social channels (x, facebook, instagram) are acknowledged on the network
 * itself, through the social delivery path: a DM by a DM; a public mention or comment only when the
 * inbox sets `settings.autoAckPublic === true` (a public reply is a brand decision).
 */
const ACK_BY_EMAIL: ReadonlySet<ChannelKind> = new Set<ChannelKind>(['email', 'webform']);

/** An email acknowledgement of a batch, rendered and waiting for the batch's one statement. */
interface DeferredAck {
  req: AutoAckRequest;
  input: SystemEmail;
  ack: AckCondition;
}

/** What `acknowledge` answers for an acknowledgement left to the batch's statement. */
const DEFERRED = Symbol('deferred');

/** The running response clock and its calendar, as the check query returns them (JSON). */
interface AckClock {
  id: string;
  dueAt: string;
  calendar: { timeZone: string; weeklyHours: Record<string, Array<[string, string]>>; holidays: string[] } | null;
}

interface InboundRow {
  id: string;
  thread_id: string;
  direction: string;
  channel: ChannelKind;
  is_automatic: boolean;
  is_public: boolean;
  contact_id: string | null;
  metadata: { from?: { address?: unknown; name?: unknown }; replyTarget?: ReplyTarget } | null;
  thread_number: number;
  thread_subject: string | null;
  inbox_id: string;
  contact_name: string | null;
  contact_email: string | null;
  inbox_name: string;
  inbox_address: string | null;
  inbox_settings: Record<string, unknown>;
  inbox_auto_ack: boolean;
  inbox_active: boolean;
  inbox_template: string | null;
  own_addresses: string[];
  clock: AckClock | null;
}

/** The inbox fields the acknowledgement reads, taken from the same row as the message. */
type AckInbox = Pick<Inbox, 'id' | 'name' | 'address' | 'settings' | 'ackTemplate'>;



/**
 * The automatic acknowledgement: after a customer's message is committed (and after the SLA step,
 * so the response clock's due instant exists), the customer is told their request number and when
 * we will answer. At most one per thread per quiet period (AUTO_ACK_QUIET_HOURS): the check runs
 * under the thread's row lock, so two messages ingested at once cannot both send one.
 *
 * It is not the human acknowledgement: it has no author, meets no SLA clock and leaves
 * `lastAgentMessageAt` alone, so stalled detection does not see it as agent activity.
 */
@Injectable()
export class AutoAckService {
  private readonly log = new Logger(AutoAckService.name);
  /** Skips that are configuration, not events: said once per process, not once per message. */
  private readonly said = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async maybeAcknowledge(req: AutoAckRequest): Promise<AutoAckOutcome> {
    if (req.isAutomatic) return { sent: false, reason: 'automatic' };
    const rows = await this.read([req]);
    return (await this.acknowledge(req, rows.get(req.messageId))) as AutoAckOutcome;
  }

  /**
   * `maybeAcknowledge` for the messages of a batch of ingested mail (of distinct threads), in
   * order: their rows in ONE query, each acknowledgement still its own conditional statement, and
   * the deliver jobs of all of them enqueued together.
   */
  async maybeAcknowledgeMany(reqs: AutoAckRequest[]): Promise<Array<AutoAckOutcome | Error>> {
    const wanted = reqs.filter((r) => !r.isAutomatic);
    const rows = wanted.length ? await this.read(wanted) : new Map<string, InboundRow>();
    const written: WrittenSystemMessage[] = [];
    const deferred: DeferredAck[] = [];
    const outcomes: Array<AutoAckOutcome | Error | typeof DEFERRED> = [];
    // one failing acknowledgement does not hold back the others (the reconcilers catch up)
    const failed = (req: AutoAckRequest) => (e: Error) => {
      this.log.warn(`auto-acknowledgement of message ${req.messageId} failed: ${e.message}`);
      return e;
    };
    const threads = new Set<string>();
    for (const req of reqs) {
      if (req.isAutomatic) outcomes.push({ sent: false, reason: 'automatic' });
      else {
        // one statement writes the email acknowledgements of distinct threads; a repeated thread goes alone
        const alone = threads.has(req.threadId);
        threads.add(req.threadId);
        outcomes.push(await this.acknowledge(req, rows.get(req.messageId), written, alone ? undefined : deferred).catch(failed(req)));
      }
    }
    if (deferred.length) {
      const results = await this.outbox.writeSystemEmailAcks(deferred).catch((e: Error) => deferred.map(() => e));
      for (let i = 0, d = 0; i < outcomes.length; i++) {
        if (outcomes[i] !== DEFERRED) continue;
        const { req } = deferred[d]!;
        const r = results[d++];
        if (r instanceof Error) outcomes[i] = failed(req)(r);
        else if (r) {
          written.push(r);
          outcomes[i] = { sent: true, messageId: r.messageId, deliveryId: r.deliveryId };
        } else outcomes[i] = await this.whyNot(req).catch(failed(req));
      }
    }
    if (written.length) await this.outbox.announceMany(written);
    return outcomes as Array<AutoAckOutcome | Error>;
  }

  /** The inbound messages with their thread, contact, inbox and running response clock, by message id. */
  private async read(reqs: AutoAckRequest[]): Promise<Map<string, InboundRow>> {
    const rows: InboundRow[] = await this.ds.query(
      `SELECT m.id, m.thread_id, m.direction, m.channel, m.is_automatic, m.is_public, m.contact_id, m.metadata,
              t.number AS thread_number, t.subject AS thread_subject, t.inbox_id,
              c.name AS contact_name, c.primary_email AS contact_email,
              i.name AS inbox_name, i.address AS inbox_address, i.settings AS inbox_settings, i.auto_ack_enabled AS inbox_auto_ack,
              i.is_active AS inbox_active, i.ack_template AS inbox_template,
              -- our own addresses (a loop between two desks, or a forward of our own mail), read in the same round trip
              ARRAY(SELECT o.address FROM inboxes o WHERE o.address LIKE '%@%') AS own_addresses,
              -- the running response clock the promise is made from (the SLA hook committed it before this runs)
              (SELECT jsonb_build_object('id', k.id, 'dueAt', k.due_at, 'calendar',
                        CASE WHEN cal.id IS NULL THEN NULL
                             ELSE jsonb_build_object('timeZone', cal.time_zone, 'weeklyHours', cal.weekly_hours, 'holidays', cal.holidays) END)
                 FROM sla_clocks k LEFT JOIN sla_policies p ON p.id = k.policy_id LEFT JOIN business_calendars cal ON cal.id = p.calendar_id
                WHERE k.thread_id = t.id AND k.metric IN ('first_response', 'next_response') AND k.status = 'running'
                ORDER BY k.due_at LIMIT 1) AS clock
         FROM messages m JOIN threads t ON t.id = m.thread_id JOIN inboxes i ON i.id = t.inbox_id
         LEFT JOIN contacts c ON c.id = t.contact_id
        WHERE m.id = ANY($1::uuid[]) AND m.thread_id = ANY($2::uuid[])`,
      [reqs.map((r) => r.messageId), reqs.map((r) => r.threadId)],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Decides on the row and writes the acknowledgement; with `later`, its announcement is left to
   * the caller, and with `batch` an email acknowledgement is only rendered and queued there (DEFERRED).
   */
  private async acknowledge(req: AutoAckRequest, row: InboundRow | undefined, later?: WrittenSystemMessage[], batch?: DeferredAck[]): Promise<AutoAckOutcome | typeof DEFERRED> {
    // the row is the truth: a retried hook with stale flags still finds automatic mail automatic
    if (!row || row.direction !== 'inbound' || row.thread_id !== req.threadId) return { sent: false, reason: 'not-found' };
    if (row.is_automatic) return { sent: false, reason: 'automatic' };

    if (!row.inbox_auto_ack || !row.inbox_active) return { sent: false, reason: 'disabled' };
    const inbox: AckInbox = { id: row.inbox_id, name: row.inbox_name, address: row.inbox_address, settings: row.inbox_settings ?? {}, ackTemplate: row.inbox_template };
    const social = socialDriver(row.channel);
    if (social) return this.acknowledgeSocial(req, row, inbox, social, later);
    if (!ACK_BY_EMAIL.has(row.channel)) {
      this.once(`channel:${row.channel}`, `auto-acknowledgement on ${row.channel} skipped: the desk cannot send on ${row.channel} yet`);
      return { sent: false, reason: 'channel-unsupported' };
    }
    if (!inbox.address?.includes('@')) {
      this.once(`address:${inbox.id}`, `auto-acknowledgement for inbox "${inbox.name}" skipped: it has no email address to send from`);
      return { sent: false, reason: 'no-address' };
    }

    const fromHeader = typeof row.metadata?.from?.address === 'string' ? row.metadata.from.address : null;
    const to = fromHeader ?? row.contact_email;
    if (!to?.includes('@')) return { sent: false, reason: 'no-address' };
    if (isNoReplyAddress(to)) return { sent: false, reason: 'no-reply-sender' };
    if (isOurAddress(to, row.own_addresses)) return { sent: false, reason: 'own-address' };

    const email = (body: string, metadata: Record<string, unknown>): SystemEmail => ({
      threadId: req.threadId,
      contactId: row.contact_id,
      from: inbox.address!,
      to: [to],
      subject: replySubject(row.thread_subject),
      body,
      metadata,
    });
    if (batch) {
      const { body, meta, ack } = this.render(req, row, inbox);
      batch.push({ req, input: email(body, meta), ack: { ...ack, audit: { ...ack.audit, to: [to] } } });
      return DEFERRED;
    }
    const result = await this.writeAck(req, row, inbox, (body, meta, ack) =>
      this.outbox.writeSystemEmail(this.ds.manager, email(body, meta), { ...ack, audit: { ...ack.audit, to: [to] } }),
    );
    return this.announced(result, later);
  }

  private async announced(result: AutoAckOutcome | { sent: true; written: WrittenSystemMessage }, later?: WrittenSystemMessage[]): Promise<AutoAckOutcome> {
    if (!result.sent || !('written' in result)) return result;
    if (later) later.push(result.written);
    else await this.outbox.announce(result.written);
    return { sent: true, messageId: result.written.messageId, deliveryId: result.written.deliveryId };
  }

  /**
   * A social message: a DM is answered by a DM to its reply target; a public mention or comment
   * only when the inbox says `settings.autoAckPublic === true`. Delivered by the deliver job's social path.
   */
  private async acknowledgeSocial(req: AutoAckRequest, row: InboundRow, inbox: AckInbox, driver: SocialChannelDriver, later?: WrittenSystemMessage[]): Promise<AutoAckOutcome> {
    const target = row.metadata?.replyTarget ?? null;
    if (!target?.kind || !target.id) return { sent: false, reason: 'no-address' };
    const isPublic = row.is_public || isPublicTarget(driver, target);
    const autoAckPublic = (inbox.settings as { autoAckPublic?: unknown } | null)?.autoAckPublic === true;
    if (isPublic && !autoAckPublic) return { sent: false, reason: 'public-off' };
    // our own account (a loop, or an echo of our own post) is never acknowledged
    let ownIds: string[] = [];
    try {
      ownIds = driver.ownIds(inbox.settings);
    } catch {
      ownIds = [];
    }
    const sender = typeof row.metadata?.from?.address === 'string' ? row.metadata.from.address : null;
    if (sender && ownIds.includes(sender)) return { sent: false, reason: 'own-address' };

    const result = await this.writeAck(req, row, inbox, (body, meta, ack) => {
      driver.validate(body, target);
      return this.outbox.writeSystemSocial(
        this.ds.manager,
        { threadId: req.threadId, contactId: row.contact_id, channel: row.channel, target, isPublic, body, metadata: meta },
        { ...ack, audit: { ...ack.audit, target, public: isPublic } },
      );
    }).catch((e: unknown) => {
      if (e instanceof ChannelValidationError) {
        this.once(`too-long:${inbox.id}`, `auto-acknowledgement for inbox "${inbox.name}" skipped: ${e.message}`);
        return { sent: false as const, reason: 'too-long' as const };
      }
      throw e;
    });
    return this.announced(result, later);
  }

  /**
   * Renders the body (the promise from the running response clock, the inbox's template) and writes
   * the acknowledgement in ONE conditional statement: the thread row's `last_auto_ack_at` and
   * `last_agent_message_at` are checked on the locked row itself (Postgres re-checks them after
   * waiting for a concurrent writer), so of two hooks running at once only one writes. When
   * nothing was written, one read says why.
   */
  private async writeAck(
    req: AutoAckRequest,
    row: InboundRow,
    inbox: AckInbox,
    write: (body: string, metadata: Record<string, unknown>, ack: AckCondition) => Promise<WrittenSystemMessage | null>,
  ): Promise<AutoAckOutcome | { sent: true; written: WrittenSystemMessage }> {
    const { body, meta, ack } = this.render(req, row, inbox);
    const written = await write(body, meta, ack);
    return written ? { sent: true, written } : this.whyNot(req);
  }

  /** The body (the promise from the running response clock, the inbox's template), its metadata and its condition. */
  private render(req: AutoAckRequest, row: InboundRow, inbox: AckInbox): { body: string; meta: Record<string, unknown>; ack: AckCondition } {
    const quietSeconds = this.config.AUTO_ACK_QUIET_HOURS * 3600;
    const now = new Date();
    const clock = row.clock ? { id: row.clock.id, dueAt: new Date(row.clock.dueAt), calendar: row.clock.calendar } : null;
    // the promise carries its own preposition, so the neutral phrase reads right in the same template
    const promise = clock ? `by ${formatPromise(clock.dueAt, calendarOf(clock.calendar), 'en', now)}` : NEUTRAL_PROMISE;
    const senderName = typeof row.metadata?.from?.name === 'string' ? row.metadata.from.name : null;
    const body = renderAckTemplate(inbox.ackTemplate, {
      name: row.contact_name?.trim() || senderName?.trim() || 'there',
      number: row.thread_number,
      promise,
      inbox: inbox.name,
    });
    const meta = { autoAck: true, ackOf: req.messageId, promise, clockId: clock?.id ?? null, dueAt: clock?.dueAt.toISOString() ?? null };
    return { body, meta, ack: { quietSeconds, ackOf: req.messageId, audit: { ackOf: req.messageId, promise } } };
  }

  /** Nothing was written: one read says why. */
  private async whyNot(req: AutoAckRequest): Promise<AutoAckOutcome> {
    const [t]: Array<{ quiet: boolean; agent_recently: boolean }> = await this.ds.query(
      `SELECT COALESCE(last_auto_ack_at > now() - make_interval(secs => $2), false)
                OR EXISTS (SELECT 1 FROM messages WHERE thread_id = $1 AND direction = 'outbound'
                             AND metadata @> jsonb_build_object('autoAck', true, 'ackOf', $3::text)) AS quiet,
              COALESCE(last_agent_message_at > now() - make_interval(secs => $2), false) AS agent_recently
         FROM threads WHERE id = $1`,
      [req.threadId, this.config.AUTO_ACK_QUIET_HOURS * 3600, req.messageId],
    );
    if (!t) return { sent: false, reason: 'not-found' };
    // a conversation with a person in progress: "we received your request" would read oddly
    return t.quiet || !t.agent_recently ? { sent: false, reason: 'quiet-period' } : { sent: false, reason: 'agent-answered' };
  }

  private once(key: string, text: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.log.log(text);
  }
}

/** One of our inboxes' addresses, plus-addresses included. */
function isOurAddress(address: string, ours: string[]): boolean {
  const wanted = canonicalAddress(address);
  return ours.some((a) => canonicalAddress(a) === wanted);
}
