import { ConflictException, Inject, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { InboundEventDetail, InboundEventPage, InboundEventSummary, ListInboundEventsQuery, RetryInboundEventResponse } from '@desk/contracts';
import { emailIdempotencyKey } from '@desk/channels';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { AuditService, type Actor } from '../audit/audit.service';
import { decodeCursor, encodeCursor } from '../conversations/cursor';
import { IngestionService, type AcceptResult } from './ingestion.service';

const PAYLOAD_PREVIEW_BYTES = 64 * 1024;
/** Events older than this and still not processed are re-enqueued by the reconciler. */
export const RECONCILE_GRACE_MS = 60_000;

type Row = {
  id: string;
  source: InboundEventSummary['source'];
  inbox_id: string | null;
  idempotency_key: string;
  status: InboundEventSummary['status'];
  attempts: number;
  error: string | null;
  message_id: string | null;
  payload_bytes: number;
  received_at: Date;
  processed_at: Date | null;
};

const SUMMARY_COLUMNS = `id, source, inbox_id, idempotency_key, status, attempts, error, message_id, octet_length(payload) AS payload_bytes, received_at, processed_at`;

function toSummary(r: Row): InboundEventSummary {
  return {
    id: r.id,
    source: r.source,
    inboxId: r.inbox_id,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    messageId: r.message_id,
    payloadBytes: Number(r.payload_bytes),
    receivedAt: r.received_at.toISOString(),
    processedAt: r.processed_at?.toISOString() ?? null,
  };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body), compared in constant time. */
export function verifyBodySignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m || !m[1]) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(m[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Inbound events seen from the admin side (quarantine list, inspect, retry), the reconciler that
 * re-enqueues events whose job went missing, and the raw-MIME webhook's door.
 */
@Injectable()
export class InboundEventsService {
  private readonly log = new Logger(InboundEventsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Newest first, keyset-paginated on (received_at, id). */
  async list(q: ListInboundEventsQuery): Promise<InboundEventPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.source) where.push(`source = $${params.push(q.source)}`);
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, 2);
      where.push(`(received_at, id) < ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    const rows: Row[] = await this.ds.query(
      `SELECT ${SUMMARY_COLUMNS} FROM inbound_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_at DESC, id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    );
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    // microsecond precision would be lost through a JS Date, so the cursor carries Postgres' own text
    const cursor = more && last ? await this.cursorOf(last.id) : null;
    return { items: items.map(toSummary), nextCursor: cursor };
  }

  private async cursorOf(id: string): Promise<string> {
    const [r]: Array<{ at: string }> = await this.ds.query(`SELECT received_at::text AS at FROM inbound_events WHERE id = $1`, [id]);
    return encodeCursor([r!.at, id]);
  }

  async get(id: string): Promise<InboundEventDetail> {
    const rows: Array<Row & { content_type: string; meta: Record<string, unknown>; head: Buffer }> = await this.ds.query(
      `SELECT ${SUMMARY_COLUMNS}, content_type, meta, substring(payload FROM 1 FOR ${PAYLOAD_PREVIEW_BYTES}) AS head FROM inbound_events WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) throw new NotFoundException('inbound event not found');
    return {
      ...toSummary(r),
      contentType: r.content_type,
      meta: r.meta,
      payloadText: r.head.toString('utf8'),
      payloadTruncated: Number(r.payload_bytes) > PAYLOAD_PREVIEW_BYTES,
    };
  }

  /** Back to `received` (attempts kept, so the history shows), audited, enqueued again. */
  async retry(id: string, actor: Actor): Promise<RetryInboundEventResponse> {
    await this.ds.transaction(async (m) => {
      const [r]: Array<{ status: string }> = await m.query(`SELECT status FROM inbound_events WHERE id = $1 FOR UPDATE`, [id]);
      if (!r) throw new NotFoundException('inbound event not found');
      if (r.status !== 'quarantined') throw new ConflictException(`only a quarantined event can be retried (this one is ${r.status})`);
      await m.query(`UPDATE inbound_events SET status = 'received', processed_at = NULL WHERE id = $1`, [id]);
      await this.audit.record({ actor, action: 'inbound_event.retried', data: { inboundEventId: id, previousStatus: r.status } }, m);
    });
    const queued = await this.ingestion.requeue(id);
    return { id, status: 'received', enqueued: queued !== 'failed' };
  }

  /**
   * Events still `received`, or `processing` without progress, past the grace period: their job
   * was lost (Redis restarted between commit and enqueue, a job removed, a worker killed with its
   * job finished). Requeue is idempotent, so running this on every worker at once is harmless.
   */
  async reconcile(limit = 1000): Promise<{ requeued: number }> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM inbound_events
        WHERE (status = 'received' AND received_at < now() - make_interval(secs => $1))
           OR (status = 'processing' AND COALESCE(processed_at, received_at) < now() - make_interval(secs => $1))
        ORDER BY received_at LIMIT $2`,
      [RECONCILE_GRACE_MS / 1000, limit],
    );
    let requeued = 0;
    for (const r of rows) if ((await this.ingestion.requeue(r.id)) === 'enqueued') requeued++;
    if (requeued) this.log.log(`reconciler re-enqueued ${requeued} inbound event(s)`);
    return { requeued };
  }

  /**
   * The raw-MIME webhook: unknown inbox → 404; bad or missing signature → 401, checked BEFORE
   * anything is stored; then the same door as SMTP.
   */
  async acceptEmailWebhook(inboxId: string, raw: Buffer, signature: string | undefined, meta: Record<string, unknown>): Promise<AcceptResult> {
    const [inbox]: Array<{ id: string; settings: Record<string, unknown> }> = await this.ds.query(
      `SELECT id, settings FROM inboxes WHERE id = $1 AND channel = 'email' AND is_active`,
      [inboxId],
    );
    if (!inbox) throw new NotFoundException('inbox not found');
    const secret = typeof inbox.settings.webhookSecret === 'string' ? inbox.settings.webhookSecret : '';
    if (!verifyBodySignature(raw, signature, secret)) throw new UnauthorizedException('invalid or missing X-Desk-Signature');
    if (raw.length > this.config.MAX_MESSAGE_BYTES) throw new ConflictException('message too large');
    return this.ingestion.accept({
      source: 'email',
      inboxId,
      idempotencyKey: emailIdempotencyKey(raw, inboxId),
      payload: raw,
      contentType: 'message/rfc822',
      meta,
    });
  }
}
