import { Injectable } from '@nestjs/common';
import { InboundEventsService, QueueName } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type IngestReconcileData = Record<string, never>;
export const INGEST_RECONCILE_EVERY_MS = 30_000;

/**
 * Every 30 s: inbound events still `received` (or stuck `processing`) after the grace period get
 * their ingest job back, e.g. after Redis lost it between commit and enqueue. One scheduler for
 * the whole deployment (upsertJobScheduler is keyed), however many workers run.
 */
@Injectable()
export class IngestReconcileJob implements JobHandler<IngestReconcileData> {
  readonly queue = QueueName.Ingest;
  readonly every = INGEST_RECONCILE_EVERY_MS;
  readonly name = 'ingest-reconcile';

  constructor(private readonly events: InboundEventsService) {}

  handle(): Promise<{ requeued: number }> {
    return this.events.reconcile();
  }
}
