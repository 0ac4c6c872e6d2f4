import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
  BadRequestException,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SOCIAL_REPLY_MODES, type ChannelKind, type CreateMessageRequest, type DeliveryState, type Message as MessageDto } from '@desk/contracts';
import { ChannelValidationError, newMessageId, replySubject, stripAngles, type ReplyTarget } from '@desk/channels';
import { Agent } from '../agents/agent.entity';
import { AuditService } from '../audit/audit.service';
import { Inbox } from '../channels/inbox.entity';
import { isPublicTarget, socialDriver, type SocialChannelDriver } from '../channels/social-channels';
import { Contact } from '../contacts/contact.entity';
import { MailMessageId } from '../conversations/mail-message-id.entity';
import { Message } from '../conversations/message.entity';
import { Thread } from '../conversations/thread.entity';
import { toMessageDto, toThreadSummary } from '../conversations/thread.mapper';
import type { Viewer } from '../conversations/threads.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { QUEUES, type Queues } from '../../platform/queue/queue.module';
import { QueueName } from '../../platform/queue/queue-names';
import { findMentions, textToHtml } from './compose-text';
import { DELIVER_JOB, deliverJobId, deliverJobOptions, type DeliverJobData } from './deliver-job';
import { OutboundDelivery, type DeliveryStatus } from './outbound-delivery.entity';
import { SlaService } from '../sla/sla.service';
import { AttachmentsService } from '../conversations/attachments.service';
import { NotificationsService } from '../notifications/notifications.service';

/**
 * Channels whose replies the worker can deliver today. Social channels join when their adapters
 * can send; until then a reply there is refused up front instead of waiting in the outbox forever.
 */
const DELIVERABLE: ReadonlySet<ChannelKind> = new Set<ChannelKind>(['email']);
/** Channels whose customers are answered by email (the web form asks for their address). */
const EMAIL_ANSWERED: ReadonlySet<ChannelKind> = new Set<ChannelKind>(['webform']);

/** A row still 'sending' this long after its last change belonged to a worker that died mid-send. */
const STALE_SENDING_MS = 10 * 60_000;
/** The api enqueues right after commit; the reconciler leaves younger rows to it. */
const RECONCILE_GRACE_MS = 30_000;

export interface EmailRecipient {
  to: string[];
  cc: string[];
  bcc: string[];
}

/** An email the desk sends on its own (no agent): see OutboxService.writeSystemEmail. */
export interface SystemEmail {
  threadId: string;
  contactId: string | null;
  /** The inbox address it leaves from; its domain names our Message-ID. */
  from: string;
  to: string[];
  subject: string;
  body: string;
  /** Kept on the message, e.g. `{ autoAck: true }`, which the deliver job and the reports read. */
  metadata: Record<string, unknown>;
}

/** A social message written by the desk itself (the automatic acknowledgement of a DM). */
export interface SystemSocial {
  threadId: string;
  contactId: string | null;
  channel: ChannelKind;
  target: ReplyTarget;
  isPublic: boolean;
  body: string;
  metadata: Record<string, unknown>;
}

/**
 * The automatic acknowledgement's condition, checked on the thread row the statement locks: none
 * sent within `quietSeconds` (`threads.last_auto_ack_at`), no agent wrote within it, and this
 * inbound message (`ackOf`) was never acknowledged. `audit` is the data of the audit event.
 */
export interface AckCondition {
  quietSeconds: number;
  ackOf: string;
  audit: Record<string, unknown>;
}

/** One message the desk writes on its own, as SYSTEM_MESSAGES_SQL takes it (one array element per field). */
interface SystemRow {
  ord: number;
  messageId: string;
  threadId: string;
  channel: ChannelKind;
  externalId: string | null;
  contactId: string | null;
  subject: string | null;
  body: string;
  bodyHtml: string | null;
  isPublic: boolean;
  metadata: Record<string, unknown>;
  recipient: Record<string, unknown>;
  /** Set for an acknowledgement: its condition is checked on the locked thread row, and it is audited. */
  ack: AckCondition | null;
}

/**
 * System messages (acknowledgements, surveys), any number in ONE statement, atomic on its own: per
 * message the thread's version bump, the message, its delivery, (for email) its Message-ID and (for
 * an acknowledgement) its audit event. An acknowledgement's bump is conditional on its own thread
 * row (see AckCondition), which Postgres re-reads after a concurrent writer commits, so two racing
 * for one thread write one; a refused one writes nothing and is not returned. Arrays rather than a
 * JSON record set: the planner then expects a few rows and walks the threads' primary key, where a
 * guess of 100 rows made it scan every thread. The threads must be distinct.
 */
const SYSTEM_MESSAGES_SQL = `WITH x AS (
    SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[],
                         $10::boolean[], $11::jsonb[], $12::jsonb[], $13::int[], $14::text[], $15::jsonb[])
      AS x(ord, message_id, thread_id, channel, external_id, contact_id, subject, body, body_html, is_public, metadata, recipient, quiet, ack_of, audit)
  ), bump AS (
    UPDATE threads t SET version = t.version + 1, updated_at = now(),
           last_auto_ack_at = CASE WHEN x.ack_of IS NULL THEN t.last_auto_ack_at ELSE now() END
      FROM x
     WHERE t.id = x.thread_id
       AND (x.ack_of IS NULL OR (
             (t.last_auto_ack_at IS NULL OR t.last_auto_ack_at <= now() - make_interval(secs => x.quiet))
             AND NOT COALESCE(t.last_agent_message_at > now() - make_interval(secs => x.quiet), false)
             AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.thread_id = t.id AND o.direction = 'outbound'
                               AND o.metadata @> jsonb_build_object('autoAck', true, 'ackOf', x.ack_of))))
    RETURNING t.id, t.version
  ), msg AS (
    INSERT INTO messages (id, thread_id, direction, channel, external_id, contact_id, author_agent_id, subject, body_text, visible_text, body_html,
                          is_automatic, is_public, delivery_state, metadata, thread_version)
    SELECT x.message_id, x.thread_id, 'outbound', x.channel::channel_kind, x.external_id, x.contact_id, NULL, x.subject, x.body, x.body, x.body_html,
           true, x.is_public, 'queued', x.metadata, bump.version
      FROM x JOIN bump ON bump.id = x.thread_id ORDER BY x.ord
    RETURNING id, created_at
  ), delivery AS (
    INSERT INTO outbound_deliveries (message_id, channel, status, recipient)
    SELECT msg.id, x.channel::channel_kind, 'queued', x.recipient FROM x JOIN msg ON msg.id = x.message_id ORDER BY x.ord
    RETURNING id, message_id
  ), mail_id AS (
    INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source)
    SELECT x.external_id, x.thread_id, msg.id, 'outbound' FROM x JOIN msg ON msg.id = x.message_id WHERE x.external_id IS NOT NULL
  ), audit AS (
    INSERT INTO audit_events (actor_kind, actor_agent_id, action, thread_id, reason, data)
    SELECT 'system', NULL, 'message.auto_acknowledged', x.thread_id, NULL, x.audit || jsonb_build_object('messageId', msg.id, 'deliveryId', delivery.id)
      FROM x JOIN msg ON msg.id = x.message_id JOIN delivery ON delivery.message_id = msg.id WHERE x.audit IS NOT NULL
  )
  SELECT x.ord, msg.id AS message_id, delivery.id AS delivery_id, msg.created_at
    FROM x JOIN msg ON msg.id = x.message_id JOIN delivery ON delivery.message_id = msg.id`;

/** What `writeSystemEmail` / `writeSystemSocial` wrote: ids, and the message as the console shows it. */
export interface WrittenSystemMessage {
  messageId: string;
  deliveryId: string;
  message: MessageDto;
}

/** Everything the deliver job needs to build and send one email, read in one go. */
export interface DeliveryWork {
  delivery: OutboundDelivery;
  message: Message;
  thread: Thread;
  inbox: Inbox;
  /** The latest inbound Message-ID of the thread (In-Reply-To), read when the delivery was claimed. */
  inReplyTo: string | null;
  /** The thread's message-ids known so far, oldest first, without this message's own (References). */
  references: string[];
}

/** What a sent delivery records: the provider's id for it, the relay's rewrite of ours, a warning. */
export interface SentResult {
  providerMessageId: string | null;
  relayMessageId: string | null;
  warning: string | null;
  /** The network's id of a social post, which becomes the message's externalId. */
  externalId?: string;
}

/**
 * The outbox: agents' replies and notes are written here (message + delivery + threading id +
 * audit in one transaction), and every delivery state change goes through here too, publishing
 * `delivery.updated` after it commits. Sending itself happens only in the worker's deliver job.
 */
@Injectable()
export class OutboxService {
  private readonly log = new Logger(OutboxService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
    @Inject(QUEUES) private readonly queues: Queues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sla: SlaService,
    private readonly attachments: AttachmentsService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Collision control: a reply carries the thread version the agent saw. Any thread save bumps
   * `version` (status, assignment, tags…), so a plain "version changed" would hold replies for
   * changes that do not matter to what the agent writes. Each message therefore records the
   * version it produced (`threadVersion`), and a reply is held only when a message — customer
   * message, colleague's reply or note, or this agent's own reply from another tab — was added
   * after the version seen. The check runs under the thread's row lock, so two tabs sending at
   * once cannot both pass it. Notes are never held: they reach no customer.
   */
  async post(threadId: string, req: CreateMessageRequest, viewer: Viewer): Promise<MessageDto> {
    const result = await this.ds.transaction(async (m) => {
      const thread = await m.findOne(Thread, { where: { id: threadId }, lock: { mode: 'pessimistic_write' } });
      if (!thread) throw new NotFoundException('thread not found');

      if (req.kind === 'reply' && !req.force && thread.version > req.seenVersion) {
        const newer = await m
          .getRepository(Message)
          .createQueryBuilder('m')
          .leftJoinAndSelect('m.attachments', 'att')
          .leftJoinAndSelect('m.contact', 'contact')
          .leftJoinAndSelect('m.authorAgent', 'author')
          .where('m.thread_id = :threadId AND m.thread_version > :seen', { threadId, seen: req.seenVersion })
          // an automatic acknowledgement tells the agent nothing new: it never holds a reply
          .andWhere(`NOT (m.direction = 'outbound' AND m.metadata @> '{"autoAck": true}'::jsonb)`)
          .orderBy('m.created_at', 'ASC')
          .addOrderBy('m.id', 'ASC')
          .getMany();
        if (newer.length > 0) {
          throw new ConflictException({ message: 'the thread changed since you opened it', newMessages: newer.map(toMessageDto) });
        }
      }
      return req.kind === 'note' ? this.writeNote(m, thread, req, viewer) : { ...(await this.writeReply(m, thread, req, viewer)), notificationIds: [] };
    });

    const message = await this.loadMessage(result.messageId);
    // A reply (never a note) meets the response clocks; if this fails the breach job still finds the reply.
    if (req.kind === 'reply') await this.sla.onAgentReply(threadId, message.createdAt).catch((e: Error) => this.log.warn(`SLA update after reply on ${threadId} failed: ${e.message}`));
    const dto = toMessageDto(message);
    if (result.deliveryId) await this.enqueue(result.deliveryId);
    await this.notifications.announce(result.notificationIds);
    this.realtime.publish([Rooms.thread(threadId), Rooms.allAgents], 'message.created', { threadId, message: dto });
    // Consoles learn the thread's new version (and lastAgentMessageAt) from it.
    const thread = await this.ds.getRepository(Thread).findOne({ where: { id: threadId }, relations: { contact: true, assignee: true } });
    if (thread) this.realtime.publish([Rooms.thread(threadId), Rooms.allAgents], 'thread.updated', { thread: toThreadSummary(thread), changes: {} });
    return dto;
  }

  private async writeNote(m: EntityManager, thread: Thread, req: CreateMessageRequest, viewer: Viewer) {
    const agents = await m.find(Agent, { where: { isActive: true }, select: { id: true, name: true, email: true } });
    const mentions = findMentions(req.body, agents);
    const version = await this.bumpThread(m, thread.id, null);
    const note = await m.save(Message, {
      threadId: thread.id,
      direction: 'note' as const,
      channel: thread.channel,
      authorAgentId: viewer.id,
      contactId: null,
      subject: null,
      bodyText: req.body,
      visibleText: req.body,
      bodyHtml: textToHtml(req.body),
      isPublic: false,
      // Nothing to deliver: 'sent' reads as "recorded, nothing pending" and never shows a spinner.
      deliveryState: 'sent' as const,
      metadata: { mentions },
      threadVersion: version,
    });
    await this.attachments.claim(m, note.id, req.attachmentIds ?? [], viewer);
    await this.audit.record(
      { actor: { kind: 'agent', agentId: viewer.id }, action: 'note.added', threadId: thread.id, data: { messageId: note.id, mentions: mentions.map((x) => x.agentId) } },
      m,
    );
    // the author is never notified of their own note, even when they mention themselves
    const notificationIds = await this.notifications.createMentions(m, {
      threadId: thread.id,
      messageId: note.id,
      actorAgentId: viewer.id,
      agentIds: mentions.map((x) => x.agentId).filter((id) => id !== viewer.id),
    });
    return { messageId: note.id, deliveryId: null, notificationIds };
  }

  private async writeReply(m: EntityManager, thread: Thread, req: CreateMessageRequest, viewer: Viewer) {
    // A web-form thread is answered by email; any thread may be continued by email (`channel: 'email'`).
    const channel: ChannelKind = req.channel === 'email' || EMAIL_ANSWERED.has(thread.channel) ? 'email' : thread.channel;
    const social = socialDriver(channel);
    if (social) {
      if (req.attachmentIds?.length) {
        const network = SOCIAL_REPLY_MODES[channel]?.network ?? channel;
        throw new BadRequestException({ message: `attachmentIds: ${network} replies cannot carry attachments`, fields: [{ path: 'attachmentIds', message: `${network} replies cannot carry attachments` }] });
      }
      return this.writeSocialReply(m, thread, req, viewer, social);
    }
    if (!DELIVERABLE.has(channel)) {
      throw new UnprocessableEntityException(`channel: replies on ${thread.channel} are not available yet`);
    }
    const inbox = await m.findOneByOrFail(Inbox, { id: thread.inboxId });
    const from = await this.replyFromAddress(m, inbox);
    if (!from) throw new UnprocessableEntityException('inbox: the inbox has no address to send from');
    let to = req.to ?? [];
    if (to.length === 0) {
      const contact = await m.findOneBy(Contact, { id: thread.contactId });
      if (!contact?.primaryEmail) throw new UnprocessableEntityException('to: the contact has no email address; give one');
      to = [contact.primaryEmail];
    }
    if (thread.channel !== 'email') await this.requireLinkedEmails(m, thread.contactId, to);
    const recipient: EmailRecipient = { to, cc: req.cc ?? [], bcc: req.bcc ?? [] };
    // Our Message-ID is fixed before sending, so a customer's answer threads even if it arrives
    // before the worker records the send. Its domain is the inbox's: the one we send from.
    const domain = from.slice(from.lastIndexOf('@') + 1) || this.config.MAIL_DOMAIN;
    const externalId = stripAngles(newMessageId(domain));
    const now = new Date();

    const version = await this.bumpThread(m, thread.id, now);
    const message = await m.save(Message, {
      threadId: thread.id,
      direction: 'outbound' as const,
      channel,
      externalId,
      authorAgentId: viewer.id,
      contactId: thread.contactId,
      subject: req.subject ?? replySubject(thread.subject),
      bodyText: req.body,
      visibleText: req.body,
      bodyHtml: textToHtml(req.body),
      isPublic: true,
      deliveryState: 'queued' as const,
      metadata: { recipient },
      threadVersion: version,
    });
    await this.attachments.claim(m, message.id, req.attachmentIds ?? [], viewer);
    const delivery = await m.save(OutboundDelivery, {
      messageId: message.id,
      channel,
      status: 'queued' as const,
      recipient: { ...recipient, ...(inbox.channel !== 'email' ? { from } : {}) },
    });
    await m.save(MailMessageId, { messageIdHeader: externalId, threadId: thread.id, messageId: message.id, source: 'outbound' as const });
    await this.audit.record(
      {
        actor: { kind: 'agent', agentId: viewer.id },
        action: 'message.sent',
        threadId: thread.id,
        data: { messageId: message.id, deliveryId: delivery.id, to, cc: recipient.cc, bcc: recipient.bcc, forced: req.force === true, ...(req.attachmentIds?.length ? { attachmentIds: req.attachmentIds } : {}) },
      },
      m,
    );
    return { messageId: message.id, deliveryId: delivery.id };
  }

  /**
   * A reply on a social channel: it goes where the network allows, to the reply target of the
   * thread's latest inbound message of the wanted visibility (`req.public`; default: the last
   * inbound message's). The channel's rules (X: 280 for a public reply) are checked here, before
   * anything is written: 400 naming `body`. The network's id of the sent item becomes the message's
   * externalId once delivered, so a customer's answer to it joins this thread.
   */
  private async writeSocialReply(m: EntityManager, thread: Thread, req: CreateMessageRequest, viewer: Viewer, driver: SocialChannelDriver) {
    const rows: Array<{ target: ReplyTarget; sender: string | null }> = await m.query(
      `SELECT metadata->'replyTarget' AS target, metadata->'from'->>'address' AS sender FROM messages
        WHERE thread_id = $1 AND direction = 'inbound' AND channel = $2 AND metadata ? 'replyTarget'
        ORDER BY created_at DESC, id DESC LIMIT 50`,
      [thread.id, thread.channel],
    );
    let target: ReplyTarget | null = null;
    if (req.public === undefined) target = rows[0]?.target ?? null;
    else {
      // public: a comment reply or (Instagram) a reply to a mention, whichever came last
      target = rows.find((r) => (req.public ? isPublicTarget(driver, r.target) : r.target.kind === driver.privateKind))?.target ?? null;
      const sender = rows[0]?.sender;
      if (!target && !req.public && driver.privateToSender && sender) target = { kind: driver.privateKind, id: sender };
    }
    if (!target) {
      throw new UnprocessableEntityException(
        req.public === undefined
          ? `thread: no inbound ${thread.channel} message to reply to`
          : `public: this thread has no ${req.public ? 'public' : 'private'} ${thread.channel} message to reply to`,
      );
    }
    try {
      driver.validate(req.body, target);
    } catch (e) {
      if (e instanceof ChannelValidationError) {
        const message = e.message.slice(e.field.length + 2);
        throw new BadRequestException({ message: `${e.field}: ${message}`, fields: [{ path: e.field, message }] });
      }
      throw e;
    }
    const isPublic = isPublicTarget(driver, target);
    const version = await this.bumpThread(m, thread.id, new Date());
    const message = await m.save(Message, {
      threadId: thread.id,
      direction: 'outbound' as const,
      channel: thread.channel,
      externalId: null,
      authorAgentId: viewer.id,
      contactId: thread.contactId,
      subject: null,
      bodyText: req.body,
      visibleText: req.body,
      bodyHtml: null,
      isPublic,
      deliveryState: 'queued' as const,
      metadata: { replyTarget: target },
      threadVersion: version,
    });
    const delivery = await m.save(OutboundDelivery, { messageId: message.id, channel: thread.channel, status: 'queued' as const, recipient: { target } });
    await this.audit.record(
      {
        actor: { kind: 'agent', agentId: viewer.id },
        action: 'message.sent',
        threadId: thread.id,
        data: { messageId: message.id, deliveryId: delivery.id, target, public: isPublic, forced: req.force === true },
      },
      m,
    );
    return { messageId: message.id, deliveryId: delivery.id };
  }

  /**
   * An outbound email written by the desk itself (the automatic acknowledgement), inside the
   * caller's transaction, which holds the thread's row lock. Unlike an agent's reply it has no
   * author, leaves `lastAgentMessageAt` alone and meets no SLA clock: it is not a human answer
   * and not agent activity. Call `announce` after the commit.
   */
  async writeSystemEmail(m: EntityManager, input: SystemEmail): Promise<WrittenSystemMessage>;
  async writeSystemEmail(m: EntityManager, input: SystemEmail, ack: AckCondition): Promise<WrittenSystemMessage | null>;
  async writeSystemEmail(m: EntityManager, input: SystemEmail, ack?: AckCondition): Promise<WrittenSystemMessage | null> {
    return this.insertSystemMessage(m, this.systemEmailRow(0, input, ack ?? null));
  }

  /**
   * `writeSystemEmail` with an acknowledgement condition for several threads at once (the new
   * threads of a batch of ingested mail), in ONE statement: each bump is conditional on its own
   * locked thread row exactly as alone. Answers, in order, what was written or null where the
   * condition refused. The threads must be distinct.
   */
  async writeSystemEmailAcks(items: Array<{ input: SystemEmail; ack: AckCondition }>): Promise<Array<WrittenSystemMessage | null>> {
    return this.insertSystemMessages(this.ds, items.map(({ input, ack }, ord) => this.systemEmailRow(ord, input, ack)));
  }

  private systemEmailRow(ord: number, input: SystemEmail, ack: AckCondition | null): SystemRow {
    const domain = input.from.slice(input.from.lastIndexOf('@') + 1) || this.config.MAIL_DOMAIN;
    const recipient: EmailRecipient = { to: input.to, cc: [], bcc: [] };
    return {
      ord,
      messageId: randomUUID(),
      threadId: input.threadId,
      channel: 'email',
      externalId: stripAngles(newMessageId(domain)),
      contactId: input.contactId,
      subject: input.subject,
      body: input.body,
      bodyHtml: textToHtml(input.body),
      isPublic: true,
      metadata: { ...input.metadata, recipient },
      recipient: { ...recipient },
      ack,
    };
  }

  /**
   * The social counterpart of `writeSystemEmail`: no author, `lastAgentMessageAt` untouched, no SLA
   * clock met; delivered by the social path of the deliver job to `target`. Call `announce` after the commit.
   */
  async writeSystemSocial(m: EntityManager, input: SystemSocial): Promise<WrittenSystemMessage>;
  async writeSystemSocial(m: EntityManager, input: SystemSocial, ack: AckCondition): Promise<WrittenSystemMessage | null>;
  async writeSystemSocial(m: EntityManager, input: SystemSocial, ack?: AckCondition): Promise<WrittenSystemMessage | null> {
    return this.insertSystemMessage(m, {
      ord: 0,
      messageId: randomUUID(),
      threadId: input.threadId,
      channel: input.channel,
      externalId: null,
      contactId: input.contactId,
      subject: null,
      body: input.body,
      bodyHtml: null,
      isPublic: input.isPublic,
      metadata: { ...input.metadata, replyTarget: input.target },
      recipient: { target: input.target },
      ack: ack ?? null,
    });
  }

  /** One system message: null where an acknowledgement's condition refused; a missing thread is a 404 otherwise. */
  private async insertSystemMessage(m: EntityManager, row: SystemRow): Promise<WrittenSystemMessage | null> {
    const [written] = await this.insertSystemMessages(m, [row]);
    if (!written && !row.ack) throw new NotFoundException(`thread ${row.threadId} not found`);
    return written ?? null;
  }

  /**
   * Messages the desk writes on its own (the automatic acknowledgement runs once per new thread, on
   * the ingest path, so it is written for a whole batch at once): ONE statement (SYSTEM_MESSAGES_SQL)
   * that needs no transaction of its own and returns what the console's `message.created` event
   * needs, so nothing is read back. Answers, in order, what was written, or null where an
   * acknowledgement's condition refused or the thread does not exist.
   */
  private async insertSystemMessages(q: DataSource | EntityManager, rows: SystemRow[]): Promise<Array<WrittenSystemMessage | null>> {
    if (!rows.length) return [];
    const column = <T>(f: (r: SystemRow) => T) => rows.map(f);
    const json = (v: Record<string, unknown> | null | undefined) => (v ? JSON.stringify(v) : null);
    const written: Array<{ ord: number; message_id: string; delivery_id: string; created_at: Date }> = await q.query(SYSTEM_MESSAGES_SQL, [
      column((r) => r.ord),
      column((r) => r.messageId),
      column((r) => r.threadId),
      column((r) => r.channel),
      column((r) => r.externalId),
      column((r) => r.contactId),
      column((r) => r.subject),
      column((r) => r.body),
      column((r) => r.bodyHtml),
      column((r) => r.isPublic),
      column((r) => json(r.metadata)),
      column((r) => json(r.recipient)),
      column((r) => r.ack?.quietSeconds ?? null),
      column((r) => r.ack?.ackOf ?? null),
      column((r) => json(r.ack?.audit)),
    ]);
    const byOrd = new Map(written.map((w) => [w.ord, w]));
    return rows.map((r) => {
      const w = byOrd.get(r.ord);
      if (!w) return null;
      const message: MessageDto = {
        id: w.message_id,
        threadId: r.threadId,
        direction: 'outbound',
        channel: r.channel,
        author: { kind: 'system', id: null, name: null },
        subject: r.subject,
        bodyText: r.body,
        visibleText: r.body,
        bodyHtml: r.bodyHtml,
        isAutomatic: true,
        isPublic: r.isPublic,
        deliveryState: 'queued',
        deliveryError: null,
        attachments: [],
        createdAt: w.created_at.toISOString(),
      };
      return { messageId: w.message_id, deliveryId: w.delivery_id, message };
    });
  }

  /** After the commit of a system message: enqueue its delivery and show it to the consoles. */
  async announce(written: WrittenSystemMessage): Promise<void> {
    await this.enqueue(written.deliveryId, true);
    this.realtime.publish([Rooms.thread(written.message.threadId), Rooms.allAgents], 'message.created', {
      threadId: written.message.threadId,
      message: written.message,
    });
  }

  /** `announce` for several system messages: their deliver jobs in one pipelined round trip. */
  async announceMany(written: WrittenSystemMessage[]): Promise<void> {
    try {
      await this.queues[QueueName.Deliver].addBulk(
        written.map((w) => ({ name: DELIVER_JOB, data: { deliveryId: w.deliveryId } satisfies DeliverJobData, opts: deliverJobOptions(w.deliveryId, true) })),
      );
    } catch (e) {
      this.log.warn(`enqueue of ${written.length} deliveries failed, the reconciler will retry: ${(e as Error).message}`);
    }
    for (const w of written) {
      this.realtime.publish([Rooms.thread(w.message.threadId), Rooms.allAgents], 'message.created', { threadId: w.message.threadId, message: w.message });
    }
  }

  /**
   * The address an email reply leaves from: an email inbox's own; for a web-form or social inbox
   * (no mailbox of its own) `settings.replyFromAddress`, else the oldest active email inbox's. The
   * customer's answer threads back by our Message-ID and the signed reply token, whichever inbox
   * receives it.
   */
  async replyFromAddress(m: EntityManager, inbox: Inbox): Promise<string | null> {
    if (inbox.channel === 'email') return inbox.address;
    const configured = inbox.settings.replyFromAddress;
    if (typeof configured === 'string' && configured.includes('@')) return configured;
    const mailbox = await m.findOne(Inbox, { where: { channel: 'email', isActive: true }, order: { createdAt: 'ASC' } });
    return mailbox?.address ?? null;
  }

  /** Off the email channel, a reply goes only to addresses linked to the contact as email identities. */
  private async requireLinkedEmails(m: EntityManager, contactId: string, to: string[]): Promise<void> {
    const rows: Array<{ v: string }> = await m.query(
      `SELECT normalized_value AS v FROM contact_identities WHERE contact_id = $1 AND kind = 'email'`,
      [contactId],
    );
    const linked = new Set(rows.map((r) => r.v));
    const missing = to.filter((a) => !linked.has(a.trim().toLowerCase()));
    if (missing.length) {
      throw new UnprocessableEntityException(`to: ${missing.join(', ')} is not an email address linked to this contact; link it first`);
    }
  }

  /**
   * Bumps the thread's version (and, for a reply, the agent-message times) in SQL under the row
   * lock already held, returning the version the new message records.
   */
  private async bumpThread(m: EntityManager, threadId: string, agentMessageAt: Date | null): Promise<number> {
    const rows: Array<{ version: number }> = await m.query(
      `UPDATE threads SET version = version + 1, updated_at = now(),
              last_agent_message_at = COALESCE($2, last_agent_message_at),
              last_message_at = COALESCE($2, last_message_at)
        WHERE id = $1 RETURNING version`,
      [threadId, agentMessageAt],
    );
    // m.query on UPDATE … RETURNING answers [rows, count] with the pg driver
    const first = Array.isArray(rows[0]) ? (rows[0] as unknown as Array<{ version: number }>)[0] : rows[0];
    if (!first) throw new NotFoundException('thread not found');
    return first.version;
  }

  /** Never throws: the row is durable, and the reconciler re-creates a job that failed to enqueue. */
  async enqueue(deliveryId: string, automatic = false): Promise<boolean> {
    try {
      await this.queues[QueueName.Deliver].add(DELIVER_JOB, { deliveryId } satisfies DeliverJobData, deliverJobOptions(deliveryId, automatic));
      return true;
    } catch (e) {
      this.log.warn(`enqueue of delivery ${deliveryId} failed, the reconciler will retry: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Re-creates jobs for deliveries still waiting whose job is gone (Redis flushed or restarted), or
   * whose job gave up while the row still says queued (e.g. no relay was configured then). A row
   * left 'sending' by a worker that died mid-send goes back to 'retrying': the customer may get the
   * mail twice, which beats never.
   */
  async reconcile(limit = 500): Promise<{ requeued: number }> {
    await this.ds.query(
      `UPDATE outbound_deliveries SET status = 'retrying', last_error = COALESCE(last_error, 'worker stopped while sending'), updated_at = now()
        WHERE status = 'sending' AND updated_at < now() - make_interval(secs => $1)`,
      [STALE_SENDING_MS / 1000],
    );
    const rows = await this.ds
      .getRepository(OutboundDelivery)
      .createQueryBuilder('d')
      .select(['d.id', 'd.status'])
      .where(`d.status IN ('queued', 'retrying')`)
      .andWhere(`d.updated_at < now() - make_interval(secs => :grace)`, { grace: RECONCILE_GRACE_MS / 1000 })
      .orderBy('d.created_at', 'ASC')
      .limit(limit)
      .getMany();
    const queue = this.queues[QueueName.Deliver];
    let requeued = 0;
    for (const row of rows) {
      const job = await queue.getJob(deliverJobId(row.id));
      if (job) {
        const state = await job.getState();
        if (state !== 'failed' && state !== 'completed') continue;
        await job.remove();
      }
      if (await this.enqueue(row.id)) requeued++;
    }
    return { requeued };
  }

  /** The channel of a delivery that still waits to be sent, or null (a cheap look before claiming it). */
  async pendingChannel(deliveryId: string): Promise<ChannelKind | null> {
    const [row]: Array<{ channel: ChannelKind }> = await this.ds.query(
      `SELECT channel FROM outbound_deliveries WHERE id = $1 AND status IN ('queued', 'retrying')`,
      [deliveryId],
    );
    return row?.channel ?? null;
  }


  // --- state changes of a delivery, each publishing delivery.updated after commit ---

  /**
   * Takes deliveries for one attempt each, in two statements: one takes the rows still
   * queued/retrying (so a duplicate or late job finds nothing to do), counts the attempt and shows
   * their messages as sending, reading each thread's mail ids for the headers on the way; one reads
   * the deliveries with their message, thread and inbox. Answers the taken ones by id.
   */
  async claimMany(deliveryIds: string[]): Promise<Map<string, DeliveryWork>> {
    // the first statement is atomic on its own; its threading reads see the statement's snapshot,
    // which the two updates do not touch. status::text as in IngestProcessor.claim: the ids alone
    // find the rows, the status index only adds dead entries
    const taken: Array<{ id: string; refs: string[]; in_reply_to: string | null }> = await this.ds.query(
      `WITH d AS (
         UPDATE outbound_deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = NULL, updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status::text IN ('queued', 'retrying') RETURNING id, message_id
       ), msg AS (
         UPDATE messages SET delivery_state = 'sending' FROM d WHERE messages.id = d.message_id RETURNING messages.id, messages.thread_id
       )
       SELECT d.id,
              -- References: the thread's message-ids known so far, oldest first, without this one
              ARRAY(SELECT k.message_id_header FROM mail_message_ids k WHERE k.thread_id = msg.thread_id AND k.message_id IS DISTINCT FROM d.message_id
                     ORDER BY k.created_at, k.message_id_header) AS refs,
              -- In-Reply-To: the latest inbound one (messages without a Message-ID are stored under a content hash, which no client knows).
              -- channel::text keeps the (channel, external_id) index of ALL mail out of the plan: without statistics (a new desk, or
              -- autovacuum off) the planner ANDed it with the thread's rows, a cost that grew with every mail ever received
              (SELECT i.external_id FROM messages i
                WHERE i.thread_id = msg.thread_id AND i.direction = 'inbound' AND i.channel::text = 'email' AND i.external_id NOT LIKE 'sha256:%'
                ORDER BY i.created_at DESC, i.id DESC LIMIT 1) AS in_reply_to
         FROM d JOIN msg ON msg.id = d.message_id`,
      [deliveryIds],
    );
    const works = new Map<string, DeliveryWork>();
    if (!taken.length) return works;
    // the deliveries with their message, thread and inbox in one query
    let deliveries: OutboundDelivery[];
    try {
      deliveries = await this.ds
        .getRepository(OutboundDelivery)
        .createQueryBuilder('d')
        .innerJoinAndSelect('d.message', 'message')
        .innerJoinAndSelect('message.thread', 'thread')
        .innerJoinAndSelect('thread.inbox', 'inbox')
        .where('d.id IN (:...ids)', { ids: taken.map((t) => t.id) })
        .getMany();
    } catch (e) {
      // taken but not read: given back at once, so the retry of each (GroupedCalls) can take it
      // again, instead of waiting as 'sending' for the stale-sending sweep. If this fails too, that
      // sweep still covers them.
      await this.releaseClaims(taken.map((t) => t.id)).catch((err: Error) => this.log.warn(`giving back ${taken.length} claimed deliveries failed: ${err.message}`));
      throw e;
    }
    const threading = new Map(taken.map((t) => [t.id, t]));
    for (const delivery of deliveries) {
      const message = delivery.message;
      const thread = message.thread;
      const inbox = thread.inbox;
      // an email reply from an inbox without a mailbox (web form, social) leaves from the address chosen when it was written
      const from = (delivery.recipient as { from?: unknown }).from;
      if (typeof from === 'string' && delivery.channel === 'email') inbox.address = from;
      const t = threading.get(delivery.id);
      works.set(delivery.id, { delivery, message, thread, inbox, inReplyTo: t?.in_reply_to ?? null, references: t?.refs ?? [] });
      this.publishState(message, 'sending', null);
    }
    return works;
  }

  /** Undoes claimMany's first statement for deliveries nobody will send: the attempt is not counted. */
  private async releaseClaims(deliveryIds: string[]): Promise<void> {
    await this.ds.query(
      `WITH d AS (
         UPDATE outbound_deliveries SET status = (CASE WHEN attempts <= 1 THEN 'queued' ELSE 'retrying' END)::outbound_delivery_status,
                attempts = greatest(attempts - 1, 0), updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'sending' RETURNING message_id
       )
       UPDATE messages SET delivery_state = 'queued' FROM d WHERE messages.id = d.message_id AND messages.delivery_state = 'sending'`,
      [deliveryIds],
    );
  }

  async markSent(work: DeliveryWork, result: SentResult): Promise<void> {
    await this.markSentMany([{ work, result }]);
  }

  /**
   * Sent, for several deliveries in ONE statement: each delivery, its message's state (and, on
   * social, the network's id for it), and the id the relay rewrote ours to, which the customer's
   * answer will reference.
   */
  async markSentMany(items: Array<{ work: DeliveryWork; result: SentResult }>): Promise<void> {
    if (!items.length) return;
    // arrays, not a JSON record set: the planner then knows how few rows there are and walks the
    // primary keys, where a guess of 100 rows made it scan every delivery ever sent
    await this.ds.query(
      `WITH x AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS x(delivery_id, message_id, thread_id, provider_message_id, warning, external_id, relay_message_id)
       ), d AS (
         UPDATE outbound_deliveries o SET status = 'sent', provider_message_id = x.provider_message_id, sent_at = now(), last_error = x.warning, next_attempt_at = NULL, updated_at = now()
           FROM x WHERE o.id = x.delivery_id
       ), msg AS (
         UPDATE messages m SET delivery_state = 'sent', delivery_error = x.warning, external_id = COALESCE(x.external_id, m.external_id)
           FROM x WHERE m.id = x.message_id
       )
       INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source)
       SELECT x.relay_message_id, x.thread_id, x.message_id, 'relay' FROM x WHERE x.relay_message_id IS NOT NULL ON CONFLICT DO NOTHING`,
      [
        items.map(({ work }) => work.delivery.id),
        items.map(({ work }) => work.message.id),
        items.map(({ work }) => work.thread.id),
        items.map(({ result }) => result.providerMessageId),
        items.map(({ result }) => result.warning),
        items.map(({ result }) => result.externalId ?? null),
        items.map(({ result }) => result.relayMessageId),
      ],
    );
    for (const { work, result } of items) this.publishState(work.message, 'sent', result.warning);
  }

  /** A temporary failure: the job retries at `nextAttemptAt`; the message shows as queued with the reason. */
  async markRetrying(work: DeliveryWork, error: string, nextAttemptAt: Date): Promise<void> {
    await this.setFailureState(work, 'retrying', 'queued', error, nextAttemptAt);
  }

  /** Permanent: the server's answer is kept for the agent, and nothing retries it. */
  async markFailed(work: DeliveryWork, error: string): Promise<void> {
    await this.setFailureState(work, 'failed', 'failed', error, null);
  }

  private async setFailureState(work: DeliveryWork, status: DeliveryStatus, state: DeliveryState, error: string, nextAttemptAt: Date | null) {
    await this.ds.transaction(async (m) => {
      await m.update(OutboundDelivery, { id: work.delivery.id }, { status, lastError: error, nextAttemptAt });
      await m.update(Message, { id: work.message.id }, { deliveryState: state, deliveryError: error });
    });
    this.publishState(work.message, state, error);
  }

  private publishState(message: Message, state: DeliveryState, error: string | null) {
    const rooms = [Rooms.thread(message.threadId)];
    if (message.authorAgentId) rooms.push(Rooms.agent(message.authorAgentId));
    this.realtime.publish(rooms, 'delivery.updated', { threadId: message.threadId, messageId: message.id, state, error });
  }

  private async loadMessage(id: string): Promise<Message> {
    const found = await this.ds.getRepository(Message).findOne({ where: { id }, relations: { attachments: true, contact: true, authorAgent: true } });
    if (!found) throw new NotFoundException('message not found');
    return found;
  }
}
