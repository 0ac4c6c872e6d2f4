import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '@desk/contracts';
import { QUEUES, type Queues } from '../../platform/queue/queue.module';
import { QueueName } from '../../platform/queue/queue-names';
import { GroupedCalls } from '../../platform/grouped-calls';

export interface AcceptInput {
  source: ChannelKind;
  inboxId: string | null;
  /** The channel's own id, scoped by the adapter (e.g. `<inbox>:mid:<Message-ID>`). */
  idempotencyKey: string;
  payload: Buffer;
  contentType: string;
  meta?: Record<string, unknown>;
}

export interface AcceptResult {
  eventId: string;
  /** True when this key was already stored: the sender may be told "accepted" again, nothing is added. */
  duplicate: boolean;
}

export type IngestJobData = {
  eventId: string;
  /** Set while the mail waits for the mail it answers to be threaded: since when, and how often it looked. */
  waitingSince?: number;
  waits?: number;
};
export const ingestJobId = (eventId: string) => `ingest-${eventId}`;

/** A group commit holds at most this many events, or this many payload bytes (one statement). */
const MAX_BATCH_EVENTS = 200;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
} as const;

/**
 * The one door for every inbound payload on every channel. The raw event is COMMITTED before this
 * returns, and only then may the caller answer "accepted" (250, 2xx). Enqueueing comes after the
 * commit; if Redis is down at that instant the reconciler re-enqueues events still `received`.
 *
 * Group commit: events accepted while the previous group is being written are written together,
 * in ONE insert and ONE pipelined enqueue, and each caller is answered when its group committed.
 * A lone event waits one turn of the event loop; under load a mail costs a fraction of a round
 * trip instead of two. A group that fails is retried event by event, so one bad event (say, its
 * inbox was deleted a moment ago) fails alone.
 */
@Injectable()
export class IngestionService {
  private readonly log = new Logger(IngestionService.name);
  private readonly groups = new GroupedCalls<AcceptInput, AcceptResult>((inputs) => this.commitGroup(inputs), {
    maxItems: MAX_BATCH_EVENTS,
    maxWeight: MAX_BATCH_BYTES,
    weight: (input) => input.payload.length,
  });

  constructor(
    private readonly ds: DataSource,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  accept(input: AcceptInput): Promise<AcceptResult> {
    return this.groups.call(input);
  }

  /** Inserts the group (duplicates are found, not added) and enqueues the new events: each input's answer, in order. */
  private async commitGroup(group: AcceptInput[]): Promise<AcceptResult[]> {
    const params: unknown[] = [];
    const values = group.map((input) => {
      const i = params.length;
      params.push(input.source, input.inboxId, input.idempotencyKey, input.payload, input.contentType, input.meta ?? {});
      return `($${i + 1}::channel_kind, $${i + 2}::uuid, $${i + 3}, $${i + 4}::bytea, $${i + 5}, $${i + 6}::jsonb)`;
    });
    const inserted: Array<{ id: string; source: string; idempotency_key: string }> = await this.ds.query(
      `INSERT INTO inbound_events (source, inbox_id, idempotency_key, payload, content_type, meta)
       VALUES ${values.join(', ')}
       ON CONFLICT (source, idempotency_key) DO NOTHING
       RETURNING id, source, idempotency_key`,
      params,
    );
    const key = (source: string, k: string) => `${source}\u0000${k}`;
    const fresh = new Map(inserted.map((r) => [key(r.source, r.idempotency_key), r.id]));
    // queued before anything else can fail: a stored event is never left for the reconciler alone
    await this.enqueueMany(inserted.map((r) => r.id));
    const known = new Map<string, string>();
    const missing = group.filter((input) => !fresh.has(key(input.source, input.idempotencyKey)));
    if (missing.length) {
      const rows: Array<{ id: string; source: string; idempotency_key: string }> = await this.ds.query(
        `SELECT id, source, idempotency_key FROM inbound_events
          WHERE (source, idempotency_key) IN (SELECT s::channel_kind, k FROM unnest($1::text[], $2::text[]) AS u(s, k))`,
        [missing.map((input) => input.source), missing.map((input) => input.idempotencyKey)],
      );
      for (const r of rows) known.set(key(r.source, r.idempotency_key), r.id);
    }
    // the same key twice in one group: the first is the new event, the second its duplicate
    const answered = new Set<string>();
    return group.map((input) => {
      const k = key(input.source, input.idempotencyKey);
      const id = fresh.get(k);
      if (id && !answered.has(k)) {
        answered.add(k);
        return { eventId: id, duplicate: false };
      }
      const existing = id ?? known.get(k);
      if (!existing) throw new Error(`inbound event ${input.source}/${input.idempotencyKey} neither inserted nor found`);
      return { eventId: existing, duplicate: true };
    });
  }

  /**
   * Enqueue again under the same deterministic job id. BullMQ ignores an add whose id exists, and a
   * finished job is kept for a while (removeOnComplete/removeOnFail), so a completed or failed job
   * with this id is removed first; a waiting, delayed or active one is left alone (it will run, or
   * the stalled-job check hands it to another worker). Returns what it did.
   */
  async requeue(eventId: string): Promise<'enqueued' | 'already-queued' | 'failed'> {
    try {
      const job = await this.queues[QueueName.Ingest].getJob(ingestJobId(eventId));
      if (job) {
        const state = await job.getState();
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return 'already-queued';
        await job.remove();
      }
    } catch (e) {
      this.log.warn(`requeue of inbound event ${eventId}: ${(e as Error).message}`);
      return 'failed';
    }
    return (await this.enqueue(eventId)) ? 'enqueued' : 'failed';
  }

  /** Never throws: the event is durable, and the reconciler covers a failed enqueue. */
  async enqueue(eventId: string): Promise<boolean> {
    return this.enqueueMany([eventId]);
  }

  /** One pipelined round trip for all of them. Never throws (see enqueue). */
  private async enqueueMany(eventIds: string[]): Promise<boolean> {
    if (!eventIds.length) return true;
    try {
      await this.queues[QueueName.Ingest].addBulk(
        eventIds.map((eventId) => ({
          name: 'ingest',
          data: { eventId } satisfies IngestJobData,
          opts: { jobId: ingestJobId(eventId), ...JOB_OPTIONS, backoff: { ...JOB_OPTIONS.backoff } },
        })),
      );
      return true;
    } catch (e) {
      this.log.warn(`enqueue of ${eventIds.length} inbound event(s) failed, the reconciler will retry: ${(e as Error).message}`);
      return false;
    }
  }
}
