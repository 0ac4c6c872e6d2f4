import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReplyTarget } from '@desk/channels';
import type { ThreadStatus } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService } from '../audit/audit.service';
import { Inbox } from '../channels/inbox.entity';
import { socialDriver } from '../channels/social-channels';
import { Thread } from '../conversations/thread.entity';
import { toThreadSummary } from '../conversations/thread.mapper';
import { OutboxService } from '../delivery/outbox.service';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';
import { SlaService } from '../sla/sla.service';
import { SatisfactionResponse } from './satisfaction-response.entity';
import { renderSurveyError, renderSurveyPage, renderSurveyThanks } from './survey-page';
import { deriveSurveyKey, signSurveyToken, verifySurveyToken } from './survey-token';

export const SURVEY_TTL_DAYS = 14;

export interface SurveyAnswer {
  score: number;
  contactMe: boolean;
  comment: string | null;
}

/** How one resolved thread's survey reaches the customer, or why it does not. */
type SurveyRoute =
  | { kind: 'social'; target: ReplyTarget }
  | { kind: 'email'; to: string; from: string; why?: string }
  | { kind: 'none'; reason: string };

/** 400 for a forged link, 410 for an expired one or a thread that is gone; `page` is the HTML to show. */
export class SurveyLinkError extends HttpException {
  constructor(readonly reason: 'forged' | 'expired' | 'gone') {
    super(
      { message: reason === 'forged' ? 'token: not a valid survey link' : reason === 'expired' ? 'token: the survey link has expired' : 'token: the thread is gone' },
      reason === 'forged' ? HttpStatus.BAD_REQUEST : HttpStatus.GONE,
    );
  }
  get page(): string {
    return renderSurveyError(this.reason);
  }
}

/**
 * Satisfaction survey without a black hole (issue 4). Resolving a thread sends (through the outbox,
 * on the thread's channel, privately) a signed link to a one-question page; every submit is recorded (the latest wins), and a
 * low score (≤ 2) or "please contact me" reopens the thread with a running response clock and tells
 * the assignee, so the request cannot sit unanswered.
 */
@Injectable()
export class SurveyService {
  private readonly log = new Logger(SurveyService.name);
  private readonly key: Buffer;

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly sla: SlaService,
    private readonly realtime: RealtimePublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = deriveSurveyKey(config.APP_SECRET);
  }

  surveyUrl(threadId: string, now = new Date()): string {
    const token = signSurveyToken(this.key, threadId, new Date(now.getTime() + SURVEY_TTL_DAYS * 86_400_000));
    return `${this.config.PUBLIC_URL.replace(/\/+$/, '')}/public/survey/${token}`;
  }

  /**
   * After a thread was resolved (committed). Skipped when the inbox says `settings.survey: false`
   * or the thread is no longer resolved. The link goes on the thread's channel (see `route`): by
   * email for email and web-form threads, privately (DM / Messenger / Instagram DM) for social
   * ones, never as a public post. When the customer cannot be reached, the thread's audit trail says
   * why (`survey.skipped`). Never throws: a survey that could not be written must not fail the
   * agent's status change.
   */
  async onResolved(threadId: string): Promise<void> {
    try {
      const written = await this.ds.transaction(async (m) => {
        const thread = await m.findOne(Thread, { where: { id: threadId }, lock: { mode: 'pessimistic_write' } });
        if (!thread || thread.status !== 'resolved') return null;
        const inbox = await m.findOneByOrFail(Inbox, { id: thread.inboxId });
        if (inbox.settings.survey === false) return null;
        const route = await this.route(m, thread, inbox);
        if (route.kind === 'none') {
          await this.audit.record({ actor: { kind: 'system' }, action: 'survey.skipped', threadId, reason: route.reason, data: { channel: thread.channel } }, m);
          return null;
        }
        const url = this.surveyUrl(threadId);
        const text = `Your request #${thread.number} was resolved. How did we do?\n\nOne question, one click: ${url}\n\nIf something is still missing, say so there and we will get back to you.`;
        if (route.kind === 'social') {
          const w = await this.outbox.writeSystemSocial(m, {
            threadId,
            contactId: thread.contactId,
            channel: thread.channel,
            target: route.target,
            isPublic: false,
            body: text,
            metadata: { survey: true },
          });
          await this.audit.record({ actor: { kind: 'system' }, action: 'survey.sent', threadId, data: { messageId: w.messageId, channel: thread.channel, target: route.target } }, m);
          return w;
        }
        const w = await this.outbox.writeSystemEmail(m, {
          threadId,
          contactId: thread.contactId,
          from: route.from,
          to: [route.to],
          subject: `How did we do? [#${thread.number}]`,
          body: text,
          metadata: { survey: true },
        });
        // an inbox without a mailbox (web form, social) sends from the address chosen by `route`
        if (inbox.channel !== 'email') {
          await m.query(`UPDATE outbound_deliveries SET recipient = recipient || jsonb_build_object('from', $2::text) WHERE id = $1`, [w.deliveryId, route.from]);
        }
        await this.audit.record(
          { actor: { kind: 'system' }, action: 'survey.sent', threadId, reason: route.why ?? null, data: { messageId: w.messageId, channel: 'email', to: [route.to] } },
          m,
        );
        return w;
      });
      if (written) await this.outbox.announce(written);
    } catch (e) {
      this.log.warn(`survey for thread ${threadId} not sent: ${(e as Error).message}`);
    }
  }

  /**
   * Where the survey of a resolved thread goes. Email and web-form threads: the contact's primary
   * address. Social threads: a private message on the thread's network, to the customer's latest
   * private reply target (they wrote us a DM), or to their network id when the network can DM a
   * sender and the inbox says it may DM people who only wrote publicly (`settings.dmToMentioners`:
   * X users who accept DMs from anyone or follow us). A survey is never posted publicly; without a
   * private route it falls back to an email address linked to the contact, else it is not sent.
   */
  private async route(m: EntityManager, thread: Thread, inbox: Inbox): Promise<SurveyRoute> {
    const driver = socialDriver(thread.channel);
    if (!driver) {
      const [contact]: Array<{ primary_email: string | null }> = await m.query(`SELECT primary_email FROM contacts WHERE id = $1`, [thread.contactId]);
      const to = contact?.primary_email;
      if (!to) return { kind: 'none', reason: 'the contact has no email address' };
      const from = await this.outbox.replyFromAddress(m, inbox);
      if (!from) return { kind: 'none', reason: 'no email inbox to send the survey from' };
      return { kind: 'email', to, from };
    }
    const rows: Array<{ target: ReplyTarget | null; sender: string | null }> = await m.query(
      `SELECT metadata->'replyTarget' AS target, metadata->'from'->>'address' AS sender FROM messages
        WHERE thread_id = $1 AND direction = 'inbound' AND channel = $2
        ORDER BY created_at DESC, id DESC LIMIT 50`,
      [thread.id, thread.channel],
    );
    const dm = rows.find((r) => r.target?.kind === driver.privateKind)?.target;
    if (dm) return { kind: 'social', target: dm };
    const sender = rows.find((r) => r.sender)?.sender;
    if (sender && driver.privateToSender && inbox.settings.dmToMentioners === true) return { kind: 'social', target: { kind: driver.privateKind, id: sender } };
    const noDm = `the ${thread.channel} customer wrote only publicly and the inbox cannot message them privately`;
    const [email]: Array<{ address: string }> = await m.query(
      `SELECT i.normalized_value AS address FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
        WHERE i.contact_id = $1 AND i.kind = 'email'
        ORDER BY (i.normalized_value = lower(c.primary_email)) DESC NULLS LAST, i.created_at LIMIT 1`,
      [thread.contactId],
    );
    if (!email) return { kind: 'none', reason: `${noDm}, and the contact has no linked email address` };
    const from = await this.outbox.replyFromAddress(m, inbox);
    if (!from) return { kind: 'none', reason: `${noDm}, and there is no email inbox to send the survey from` };
    return { kind: 'email', to: email.address, from, why: `${noDm}: sent by email instead` };
  }

  /** The hosted page for a link; throws SurveyLinkError. */
  async page(token: string): Promise<string> {
    const thread = await this.threadOf(token);
    return renderSurveyPage({ threadNumber: thread.number, actionUrl: `/public/survey/${token}` });
  }

  renderThanks(reopened: boolean): string {
    return renderSurveyThanks(reopened);
  }

  /** Records one answer (each submit is a row; the latest is the thread's answer); may reopen the thread. */
  async answer(token: string, a: SurveyAnswer): Promise<{ responseId: string; reopened: boolean }> {
    const { id: threadId } = await this.threadOf(token);
    const reopen = a.score <= 2 || a.contactMe;
    const now = new Date();
    const done = await this.ds.transaction(async (m) => {
      const thread = await m.findOne(Thread, { where: { id: threadId }, lock: { mode: 'pessimistic_write' } });
      if (!thread) throw new SurveyLinkError('gone');
      const saved = await m.save(SatisfactionResponse, { threadId, score: a.score, contactMe: a.contactMe, comment: a.comment, reopened: reopen });
      await this.audit.record(
        { actor: { kind: 'contact' }, action: 'survey.answered', threadId, data: { responseId: saved.id, score: a.score, contactMe: a.contactMe, comment: a.comment } },
        m,
      );
      if (!reopen) return { responseId: saved.id, reopened: false, effects: [] as Array<() => Promise<void>>, assigneeId: thread.assigneeId };
      const before: ThreadStatus = thread.status;
      if (before !== 'open') {
        await m.query(`UPDATE threads SET status = 'open', resolved_at = NULL, version = version + 1, updated_at = now() WHERE id = $1`, [threadId]);
      }
      const why = a.score <= 2 ? `satisfaction survey: score ${a.score}` : 'satisfaction survey: the customer asked to be contacted';
      await this.audit.record(
        { actor: { kind: 'contact' }, action: 'thread.reopened', threadId, reason: why, data: { from: before, to: 'open', responseId: saved.id, assigneeId: thread.assigneeId } },
        m,
      );
      // the request is owed an answer again: a response clock runs from now
      const resumed = await this.sla.onThreadStatusChanged(threadId, before, 'open', m);
      const metric = thread.lastAgentMessageAt ? 'next_response' : 'first_response';
      const started = await this.sla.startClock(threadId, metric, now, m);
      return { responseId: saved.id, reopened: true, effects: [resumed, started.afterCommit], assigneeId: thread.assigneeId };
    });
    for (const effect of done.effects) await effect().catch((e: Error) => this.log.warn(`SLA timers after a survey answer on ${threadId}: ${e.message}`));
    if (done.reopened) {
      const thread = await this.ds.getRepository(Thread).findOne({ where: { id: threadId }, relations: { contact: true, assignee: true } });
      if (thread) {
        const rooms = [Rooms.thread(threadId), Rooms.supervisors, Rooms.allAgents, ...(done.assigneeId ? [Rooms.agent(done.assigneeId)] : [])];
        this.realtime.publish(rooms, 'thread.updated', { thread: toThreadSummary(thread), changes: { status: 'open' } });
      }
    }
    return { responseId: done.responseId, reopened: done.reopened };
  }

  private async threadOf(token: string): Promise<{ id: string; number: number }> {
    const check = verifySurveyToken(this.key, token);
    if (!check.ok) throw new SurveyLinkError(check.reason);
    const [t]: Array<{ id: string; number: number }> = await this.ds.query(`SELECT id, number FROM threads WHERE id = $1`, [check.threadId]);
    if (!t) throw new SurveyLinkError('gone');
    return t;
  }
}
