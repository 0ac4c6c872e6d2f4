import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type Mail from 'nodemailer/lib/mailer';
import { classifySmtpError, composeAutoAck, composeReply, relayTransport, replySubject, sendEmail, stripAngles, type MailSender } from '@desk/channels';
import type { Readable } from 'node:stream';
import {
  APP_CONFIG,
  AttachmentsService,
  DELIVER_JOB,
  FILE_STORE,
  GroupedCalls,
  OutboxService,
  QueueName,
  socialDriver,
  deriveThreadSecret,
  nextAttemptDelay,
  type AppConfig,
  type DeliverJobData,
  type DeliveryWork,
  type EmailRecipient,
  type FileStore,
  type SentResult,
} from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';
import { deliverSocial } from './social-delivery';

export type { DeliverJobData };

export const NO_RELAY = 'no SMTP relay configured (set SMTP_RELAY_URL); the reply waits in the outbox';

/**
 * Sends one outbound email delivery over the relay. The row decides: only a delivery still
 * queued/retrying is taken (duplicate or late jobs return), each attempt is counted in the row,
 * a 4xx or network failure is retried by BullMQ with backoff, a 5xx (or the last attempt) marks it
 * failed with the server's answer and stops retrying.
 *
 * Without SMTP_RELAY_URL the job fails WITHOUT touching the row (it stays 'queued'): BullMQ retries
 * it, and once its attempts are spent the reconciler re-creates the job every minute, so replies
 * written while no relay was configured leave as soon as a worker with a relay runs.
 *
 * The deliver jobs a worker runs at once share their statements: their claims are one statement
 * (plus one read), and the deliveries sent meanwhile are marked sent in one statement (group
 * commit, GroupedCalls). A burst of acknowledgements thus costs a few statements per group instead
 * of five per mail; a lone reply waits one turn of the event loop. Failures stay per delivery.
 */
@Injectable()
export class DeliverJob implements JobHandler<DeliverJobData>, OnApplicationShutdown {
  readonly queue = QueueName.Deliver;
  readonly name = DELIVER_JOB;
  private readonly log = new Logger(DeliverJob.name);
  private transport: (MailSender & { close(): void }) | null = null;
  private readonly tokenSecret: string;
  private readonly claims: GroupedCalls<string, DeliveryWork | null>;
  private readonly sent: GroupedCalls<{ work: DeliveryWork; result: SentResult }, void>;

  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attachments: AttachmentsService,
    @Inject(FILE_STORE) private readonly files: FileStore,
  ) {
    this.tokenSecret = deriveThreadSecret(config.APP_SECRET);
    this.claims = new GroupedCalls(async (ids) => {
      const works = await outbox.claimMany(ids);
      return ids.map((id) => works.get(id) ?? null);
    });
    this.sent = new GroupedCalls(async (items) => {
      await outbox.markSentMany(items);
      return items.map(() => undefined);
    });
  }

  async handle(job: Job<DeliverJobData>): Promise<{ status: string }> {
    const { deliveryId } = job.data;
    if (!this.config.SMTP_RELAY_URL) {
      // nothing is taken: an email delivery stays queued for a worker with a relay
      const channel = await this.outbox.pendingChannel(deliveryId);
      if (!channel) return { status: 'skipped' };
      if (!socialDriver(channel)) throw new Error(NO_RELAY);
    }
    const work = await this.claims.call(deliveryId);
    if (!work) return { status: 'skipped' };
    // social channels send through their adapter (outbound registry); email goes on below
    const social = socialDriver(work.delivery.channel);
    if (social) return deliverSocial(this.outbox, social, job, work);

    let mail: Mail.Options;
    // attachment streams still open after the attempt (a refused mail never read them) are closed
    const streams: Readable[] = [];
    try {
      mail = await this.compose(work, streams);
    } catch (e) {
      for (const s of streams) s.destroy();
      // Our own data cannot make a valid mail (bad address, no thread number): retrying won't help.
      const why = `could not compose the email: ${(e as Error).message}`;
      await this.outbox.markFailed(work, why);
      throw new UnrecoverableError(why);
    }

    try {
      const result = await sendEmail(this.sender(this.config.SMTP_RELAY_URL!), mail);
      const ours = stripAngles(String(mail.messageId ?? ''));
      const relayMessageId = relayRewrite(result.response, ours);
      await this.sent.call({
        work,
        result: {
          providerMessageId: relayMessageId ?? relayQueueId(result.response) ?? ours,
          relayMessageId,
          warning: result.rejected.length ? `refused by the relay for: ${result.rejected.join(', ')}` : null,
        },
      });
      return { status: 'sent' };
    } catch (err) {
      const answer = smtpAnswer(err);
      const attempt = job.attemptsMade + 1;
      const maxAttempts = job.opts.attempts ?? 1;
      if (classifySmtpError(err) === 'permanent') {
        await this.outbox.markFailed(work, answer);
        throw new UnrecoverableError(answer);
      }
      if (attempt >= maxAttempts) {
        const why = `gave up after ${attempt} attempts: ${answer}`;
        await this.outbox.markFailed(work, why);
        throw new UnrecoverableError(why);
      }
      await this.outbox.markRetrying(work, answer, new Date(Date.now() + nextAttemptDelay(attempt)));
      throw err instanceof Error ? err : new Error(answer);
    } finally {
      for (const s of streams) s.destroy();
    }
  }

  private async compose(work: DeliveryWork, streams: Readable[]): Promise<Mail.Options> {
    const { message, thread, inbox, delivery } = work;
    if (!inbox.address) throw new Error('the inbox has no address to send from');
    if (!message.externalId) throw new Error('the message has no Message-ID');
    const recipient = delivery.recipient as Partial<EmailRecipient>;
    const { inReplyTo, references } = work;
    // the desk's own acknowledgement says so (Auto-Submitted), so other robots do not answer it
    const compose = message.metadata?.autoAck === true ? composeAutoAck : composeReply;
    const mail = compose({
      from: inbox.address,
      replyTo: inbox.address,
      to: recipient.to ?? [],
      cc: recipient.cc ?? [],
      bcc: recipient.bcc ?? [],
      subject: message.subject ?? replySubject(thread.subject),
      text: message.bodyText,
      ...(message.bodyHtml ? { html: message.bodyHtml } : {}),
      threadNumber: thread.number,
      messageId: message.externalId,
      inReplyTo,
      references,
      tokenSecret: this.tokenSecret,
    });
    // an address object lets nodemailer quote and encode the display name
    mail.from = { name: inbox.name, address: inbox.address };
    // the desk's own messages (acknowledgements) never carry files: no query for them
    const files = message.metadata?.autoAck === true ? [] : await this.attachments.forMessage(message.id);
    if (files.length) {
      // streams, read one after another while nodemailer writes the message: never all in memory
      mail.attachments = [];
      for (const a of files) {
        const content = await this.files.openRead(a.storageKey);
        streams.push(content);
        mail.attachments.push({ filename: a.filename, contentType: a.contentType, content });
      }
    }
    return mail;
  }

  private sender(url: string): MailSender {
    // pooled: one SMTP session carries many mails (every new customer thread gets an acknowledgement)
    this.transport ??= relayTransport(url, { maxConnections: 4 });
    return this.transport;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

/** The relay's full answer when it gave one (`550 5.1.1 <x>: Recipient address rejected`). */
function smtpAnswer(err: unknown): string {
  const e = (err ?? {}) as { response?: unknown; message?: unknown };
  if (typeof e.response === 'string' && e.response.trim()) return e.response.trim();
  return typeof e.message === 'string' ? e.message : String(err);
}

/**
 * Some relays (Amazon SES, some Exchange setups) replace our Message-ID and say so in their 250
 * answer (`250 Ok <0100018c…@email.amazonses.com>`). Only such an announced id counts: it is kept
 * so the customer's answer, which will reference it, still finds the thread.
 */
export function relayRewrite(response: string | null, ours: string): string | null {
  const m = /<([^<>\s@]+@[^<>\s@]+)>/.exec(response ?? '');
  const id = m?.[1];
  return id && id.toLowerCase() !== ours.toLowerCase() ? id : null;
}

/** `250 2.0.0 Ok: queued as 4Xyz12` → `4Xyz12`, the id to quote to the relay's operator. */
export function relayQueueId(response: string | null): string | null {
  const m = /queued as\s+([^\s;,]+)/i.exec(response ?? '') ?? /\bid=([^\s;,]+)/i.exec(response ?? '');
  return m?.[1] ?? null;
}
