import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '@desk/contracts';
import { QUEUES, type Queues } from '../../platform/queue/queue.module';
import { QueueName } from '../../platform/queue/queue-names';
import { InboundEvent } from './inbound-event.entity';

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

export type IngestJobData = { eventId: string };
export const ingestJobId = (eventId: string) => `ingest-${eventId}`;

/**
 * The one door for every inbound payload on every channel. The raw event is COMMITTED before this
 * returns, and only then may the caller answer "accepted" (250, 2xx). Enqueueing comes after the
 * commit; if Redis is down at that instant the reconciler re-enqueues events still `received`.
 */
@Injectable()
export class IngestionService {
  private readonly log = new Logger(IngestionService.name);

  constructor(
    private readonly ds: DataSource,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async accept(input: AcceptInput): Promise<AcceptResult> {
    const inserted: Array<{ id: string }> = await this.ds.query(
      `INSERT INTO inbound_events (source, inbox_id, idempotency_key, payload, content_type, meta)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (source, idempotency_key) DO NOTHING
       RETURNING id`,
      [input.source, input.inboxId, input.idempotencyKey, input.payload, input.contentType, input.meta ?? {}],
    );
    if (inserted[0]) {
      await this.enqueue(inserted[0].id);
      return { eventId: inserted[0].id, duplicate: false };
    }
    const existing = await this.ds.getRepository(InboundEvent).findOne({
      where: { source: input.source, idempotencyKey: input.idempotencyKey },
      select: { id: true },
    });
    return { eventId: existing!.id, duplicate: true };
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
    try {
      await this.queues[QueueName.Ingest].add('ingest', { eventId } satisfies IngestJobData, {
        jobId: ingestJobId(eventId),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      });
      return true;
    } catch (e) {
      this.log.warn(`enqueue of inbound event ${eventId} failed, the reconciler will retry: ${(e as Error).message}`);
      return false;
    }
  }
}
