import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InboundEventsService, QUEUES, QueueName, type Queues } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type IngestReconcileData = Record<string, never>;
export const INGEST_RECONCILE_EVERY_MS = 30_000;

/**
 * Every 30 s: inbound events still `received` (or stuck `processing`) after the grace period get
 * their ingest job back, e.g. after Redis lost it between commit and enqueue. One scheduler for
 * the whole deployment (upsertJobScheduler is keyed), however many workers run.
 */
@Injectable()
export class IngestReconcileJob implements JobHandler<IngestReconcileData>, OnApplicationBootstrap {
  readonly queue = QueueName.Ingest;
  readonly name = 'ingest-reconcile';

  constructor(
    private readonly events: InboundEventsService,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues[this.queue].upsertJobScheduler(
      'ingest-reconcile',
      { every: INGEST_RECONCILE_EVERY_MS },
      { name: this.name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  handle(): Promise<{ requeued: number }> {
    return this.events.reconcile();
  }
}
