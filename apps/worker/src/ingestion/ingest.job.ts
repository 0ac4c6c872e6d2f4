import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { IngestBatcher, IngestProcessor, QueueName, type IngestJobData, type IngestOutcome } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type { IngestJobData };

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

  async handle(job: Job<IngestJobData>): Promise<IngestOutcome> {
    const { eventId } = job.data;
    try {
      // a retry runs alone, so an event that failed in a batch cannot fail its next batch too
      return await (job.attemptsMade > 0 ? this.processor.process(eventId) : this.batcher.process(eventId));
    } catch (e) {
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
}
