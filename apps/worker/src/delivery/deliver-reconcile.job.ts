import { Injectable, Logger } from '@nestjs/common';
import { DELIVER_RECONCILE_JOB, OutboxService, QueueName } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type DeliverReconcileData = Record<string, never>;

/**
 * Every minute: deliveries still waiting whose job is gone (Redis flushed) get a job again. The
 * rows are the truth; jobs are rebuilt from them (see OutboxService.reconcile).
 */
@Injectable()
export class DeliverReconcileJob implements JobHandler<DeliverReconcileData> {
  readonly queue = QueueName.Deliver;
  readonly every = 60_000;
  readonly name = DELIVER_RECONCILE_JOB;
  private readonly log = new Logger(DeliverReconcileJob.name);

  constructor(private readonly outbox: OutboxService) {}

  async handle(): Promise<{ requeued: number }> {
    const result = await this.outbox.reconcile();
    if (result.requeued) this.log.log(`re-enqueued ${result.requeued} deliveries whose job was missing`);
    return result;
  }
}
