import { randomUUID } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { buildFormSchema, embedScript, encodeWebformPayload, parseFormSubmission, renderFormPage, renderThanksPage, type FormFieldError, type FormFieldSpec } from '@desk/channels';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { REDIS, redisKey } from '../../platform/redis/redis.module';
import { Inbox } from '../channels/inbox.entity';
import { IngestionService } from '../ingestion/ingestion.service';
import { IngestProcessor } from '../ingestion/ingest-processor.service';

export interface WebformInboxView {
  id: string;
  name: string;
  fields: FormFieldSpec[];
  /** Origins (scheme://host[:port]) whose pages may post: our own PUBLIC_URL plus settings.allowedOrigins. */
  allowedOrigins: string[];
  intro: string | null;
}

export type WebformSubmitResult =
  | { kind: 'accepted'; eventId: string; threadNumber: number | null }
  /** Honeypot filled: the caller answers exactly as if accepted, nothing was stored. */
  | { kind: 'spam'; eventId: string; threadNumber: number | null }
  | { kind: 'invalid'; errors: FormFieldError[] };

export interface SubmitContext {
  ip: string | null;
  origin: string | null;
}

/** How long the request waits for its own event's thread before answering 202 without a number. */
const SYNC_WAIT_MS = 5_000;

/**
 * Public web forms (issue 4). A post is validated at the door, rate limited per IP and per email
 * in Redis, stored through the one inbound door (IngestionService.accept: committed first), and
 * then processed IN THE REQUEST by the same IngestProcessor the worker runs, so the answer can
 * carry the thread number. The queued ingest job finds the event processed and does nothing; if
 * the worker got there first, the request waits for its result instead (up to SYNC_WAIT_MS).
 */
@Injectable()
export class WebformService {
  private readonly log = new Logger(WebformService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
    private readonly processor: IngestProcessor,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 404 unless the inbox exists, is active and is a web form. */
  async inbox(inboxId: string): Promise<WebformInboxView> {
    const inbox = await this.ds.getRepository(Inbox).findOneBy({ id: inboxId });
    if (!inbox || !inbox.isActive || inbox.channel !== 'webform') throw new NotFoundException('form not found');
    const s = inbox.settings;
    const fields = Array.isArray(s.fields) ? (s.fields as FormFieldSpec[]) : [];
    buildFormSchema(fields); // a bad definition fails loudly (500) rather than accepting garbage
    const extra = Array.isArray(s.allowedOrigins) ? s.allowedOrigins.filter((o): o is string => typeof o === 'string') : [];
    return {
      id: inbox.id,
      name: inbox.name,
      fields,
      allowedOrigins: [new URL(this.config.PUBLIC_URL).origin, ...extra.map(normalizeOrigin)],
      intro: typeof s.intro === 'string' ? s.intro : null,
    };
  }

  /** The hosted page (the adapter renders it), with the values and errors of a failed post. */
  renderPage(view: WebformInboxView, values?: Record<string, unknown>, errors?: FormFieldError[]): string {
    return renderFormPage({
      title: view.name,
      actionUrl: `/public/forms/${view.id}`,
      fields: view.fields,
      ...(values ? { values } : {}),
      ...(errors ? { errors } : {}),
      ...(view.intro ? { intro: view.intro } : {}),
    });
  }

  renderThanks(threadNumber: number): string {
    return renderThanksPage({ threadNumber });
  }

  /** Absolute URLs from PUBLIC_URL (never from the request's Host header). */
  renderEmbed(view: WebformInboxView): string {
    const url = `${this.config.PUBLIC_URL.replace(/\/+$/, '')}/public/forms/${view.id}`;
    return embedScript({ formUrl: url, postUrl: url });
  }

  /** Browser posts carry Origin; one outside the allow-list is refused. No Origin (curl, servers) is allowed. */
  originAllowed(view: WebformInboxView, origin: string | null): boolean {
    if (!origin) return true;
    return view.allowedOrigins.includes(normalizeOrigin(origin));
  }

  async submit(view: WebformInboxView, body: Record<string, unknown>, ctx: SubmitContext): Promise<WebformSubmitResult> {
    if (!this.originAllowed(view, ctx.origin)) {
      throw new HttpException({ statusCode: 403, message: `origin: ${ctx.origin} may not post to this form` }, HttpStatus.FORBIDDEN);
    }
    await this.limit('ip', ctx.ip ?? '-', this.config.WEBFORM_RATE_PER_IP_PER_HOUR);
    const parsed = parseFormSubmission(body, view.fields);
    if (!parsed.ok) {
      // a bot gets the answer a person would get, so it learns nothing; nothing is stored
      if (parsed.spam) return { kind: 'spam', eventId: randomUUID(), threadNumber: null };
      return { kind: 'invalid', errors: parsed.errors };
    }
    await this.limit('email', parsed.value.email, this.config.WEBFORM_RATE_PER_EMAIL_PER_HOUR);

    const submissionId = randomUUID();
    const accepted = await this.ingestion.accept({
      source: 'webform',
      inboxId: view.id,
      idempotencyKey: `${view.id}:webform:${submissionId}`,
      payload: encodeWebformPayload({ submissionId, receivedAt: new Date().toISOString(), submission: parsed.value }),
      contentType: 'application/json',
      meta: { remoteAddress: ctx.ip, origin: ctx.origin },
    });
    return { kind: 'accepted', eventId: accepted.eventId, threadNumber: await this.processNow(accepted.eventId) };
  }

  /** The thread number of an event once processed, else null (still queued or quarantined). */
  async threadNumberOf(eventId: string): Promise<number | null> {
    const rows: Array<{ number: number }> = await this.ds.query(
      `SELECT t.number FROM inbound_events e JOIN messages m ON m.id = e.message_id JOIN threads t ON t.id = m.thread_id WHERE e.id = $1`,
      [eventId],
    );
    return rows[0]?.number ?? null;
  }

  private async processNow(eventId: string): Promise<number | null> {
    try {
      await this.processor.process(eventId);
    } catch (e) {
      // the event is committed and queued: the worker retries it; the customer still gets an answer
      this.log.warn(`synchronous processing of web form event ${eventId} failed: ${(e as Error).message}`);
    }
    const deadline = Date.now() + SYNC_WAIT_MS;
    for (;;) {
      const n = await this.threadNumberOf(eventId);
      if (n !== null || Date.now() >= deadline) return n;
      const [row] = await this.ds.query(`SELECT status FROM inbound_events WHERE id = $1`, [eventId]);
      if (row?.status === 'quarantined') return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Fixed one-hour window per key: INCR, then EXPIRE only when new; over the limit → 429 + Retry-After. */
  private async limit(kind: 'ip' | 'email', value: string, max: number): Promise<void> {
    const key = redisKey(this.config, 'webform-rate', kind, value.toLowerCase());
    const res = ((await this.redis.multi().incr(key).expire(key, 3600, 'NX').ttl(key).exec()) ?? []) as Array<[Error | null, number]>;
    const count = res[0]?.[1];
    const ttl = res[2]?.[1];
    if (Number(count) <= max) return;
    const retryAfter = Math.max(1, Number(ttl) || 3600);
    throw new HttpException(
      { statusCode: 429, message: `${kind === 'ip' ? 'too many forms from this address' : 'email: too many forms for this email address'}; retry in ${retryAfter} s`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

function normalizeOrigin(o: string): string {
  try {
    return new URL(o).origin;
  } catch {
    return o.trim().toLowerCase();
  }
}
