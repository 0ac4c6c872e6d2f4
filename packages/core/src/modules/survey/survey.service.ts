import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ThreadStatus } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService } from '../audit/audit.service';
import { Inbox } from '../channels/inbox.entity';
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
 * by email) a signed link to a one-question page; every submit is recorded (the latest wins), and a
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
   * After a thread was resolved (committed). Skipped when the inbox says `settings.survey: false`,
   * the contact has no email address, or the thread is no longer resolved. Never throws: a survey
   * that could not be written must not fail the agent's status change.
   */
  async onResolved(threadId: string): Promise<void> {
    try {
      const written = await this.ds.transaction(async (m) => {
        const thread = await m.findOne(Thread, { where: { id: threadId }, lock: { mode: 'pessimistic_write' } });
        if (!thread || thread.status !== 'resolved') return null;
        const inbox = await m.findOneByOrFail(Inbox, { id: thread.inboxId });
        if (inbox.settings.survey === false) return null;
        const [contact]: Array<{ primary_email: string | null }> = await m.query(`SELECT primary_email FROM contacts WHERE id = $1`, [thread.contactId]);
        const to = contact?.primary_email;
        const from = await this.outbox.replyFromAddress(m, inbox);
        if (!to || !from) return null;
        const url = this.surveyUrl(threadId);
        const w = await this.outbox.writeSystemEmail(m, {
          threadId,
          contactId: thread.contactId,
          from,
          to: [to],
          subject: `How did we do? [#${thread.number}]`,
          body: `Your request #${thread.number} was resolved. How did we do?\n\nOne question, one click: ${url}\n\nIf something is still missing, say so there and we will get back to you.`,
          metadata: { survey: true },
        });
        // an inbox without a mailbox (web form, social) sends from the address chosen above
        if (inbox.channel !== 'email') {
          await m.query(`UPDATE outbound_deliveries SET recipient = recipient || jsonb_build_object('from', $2::text) WHERE id = $1`, [w.deliveryId, from]);
        }
        await this.audit.record({ actor: { kind: 'system' }, action: 'survey.sent', threadId, data: { messageId: w.messageId, to: [to] } }, m);
        return w;
      });
      if (written) await this.outbox.announce(written);
    } catch (e) {
      this.log.warn(`survey for thread ${threadId} not sent: ${(e as Error).message}`);
    }
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
