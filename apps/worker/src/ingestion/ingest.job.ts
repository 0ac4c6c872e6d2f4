import { Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { IngestBatcher, IngestProcessor, QueueName, type IngestJobData, type IngestOutcome } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type { IngestJobData };

/** A reply waiting for the mail it answers looks again after 0.5 s, then 1, 2, 4, 8, then every 10 s. */
export const PARENT_RECHECK_MS = 500;
const PARENT_RECHECK_MAX_MS = 10_000;
/** After this long it is threaded without waiting: the answered mail is stuck, and the reply must not be. */
export const PARENT_WAIT_MAX_MS = 5 * 60_000;

/**
 * `ingest` (job id `ingest-<eventId>`): one inbound event → one message, handled in a batch with the
 * other ingest jobs running at once (IngestBatcher). The processor re-reads
 * the event and returns early when it moved on. Temporary failures (database, file store) are
 * retried by BullMQ with backoff; when the last attempt fails the event is quarantined with the
 * error, so it is visible to admins and can be retried, instead of looping through the reconciler.
 */
@Injectable()
export class IngestJob implements JobHandler<IngestJobData> {
  readonly queue = QueueName.Ingest;
  readonly name = 'ingest';
  private readonly log = new Logger(IngestJob.name);

  constructor(
    private readonly processor: IngestProcessor,
    private readonly batcher: IngestBatcher,
  ) {}

  async handle(job: Job<IngestJobData>, token?: string): Promise<IngestOutcome> {
    const { eventId } = job.data;
    try {
      // a retry (or a reply that waited) runs alone, so an event that failed in a batch cannot fail its next batch too
      const waitedBefore = job.data.waits !== undefined;
      const alone = job.attemptsMade > 0 || waitedBefore;
      const outcome = await (alone ? this.processor.process(eventId, { waitedBefore }) : this.batcher.process(eventId, Math.min(job.timestamp, Date.now())));
      if (outcome.outcome !== 'waiting') return outcome;
      return await this.waitForParent(job, token, outcome);
    } catch (e) {
      if (e instanceof DelayedError) throw e;
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        this.log.error(`ingest of ${eventId} failed on its last attempt: ${(e as Error).message}`);
        return this.processor.quarantine(
          eventId,
          `processing failed after ${attempts} attempt(s): ${(e as Error).message}`,
        );
      }
      throw e;
    }
  }

  /**
   * The mail answers a mail still in flight (IngestProcessor.waitForParent): the job goes back to
   * `delayed` without spending an attempt and looks again later. Past PARENT_WAIT_MAX_MS it is
   * threaded without waiting, so a stuck mail never holds its reply back for good.
   */
  private async waitForParent(job: Job<IngestJobData>, token: string | undefined, outcome: IngestOutcome & { outcome: 'waiting' }): Promise<IngestOutcome> {
    const now = Date.now();
    const since = job.data.waitingSince ?? now;
    if (now - since >= PARENT_WAIT_MAX_MS || !token) {
      this.log.warn(`inbound event ${job.data.eventId} is threaded without its answered mail (event ${outcome.parentEventId}), which is still in flight`);
      return this.processor.process(job.data.eventId, { waitForParent: false });
    }
    const waits = job.data.waits ?? 0;
    await job.updateData({ ...job.data, waitingSince: since, waits: waits + 1 });
    await job.moveToDelayed(now + Math.min(PARENT_RECHECK_MS * 2 ** waits, PARENT_RECHECK_MAX_MS), token);
    throw new DelayedError(`waiting: ${outcome.reason}`);
  }
}
