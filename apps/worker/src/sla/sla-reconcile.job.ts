import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QUEUES, QueueName, SLA_RECONCILE_JOB, SlaReconciler, type Queues, type SlaReconcileResult } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type SlaReconcileData = Record<string, never>;
export const SLA_RECONCILE_EVERY_MS = 30_000;

/**
 * Every 30 s: running clocks whose timers are missing (Redis flushed or restarted) get them back,
 * and clocks long past due are breached at once. The repeatable job itself lives in Redis and is
 * lost with it, so each worker also checks every interval that the scheduler exists and re-creates it.
 */
@Injectable()
export class SlaReconcileJob implements JobHandler<SlaReconcileData>, OnApplicationBootstrap, OnApplicationShutdown {
  readonly queue = QueueName.Sla;
  readonly name = SLA_RECONCILE_JOB;
  private readonly log = new Logger(SlaReconcileJob.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reconciler: SlaReconciler,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduler();
    this.timer = setInterval(() => {
      void this.queues[this.queue]
        .getJobScheduler(SLA_RECONCILE_JOB)
        .then((s) => (s ? undefined : this.ensureScheduler().then(() => this.log.warn('the SLA reconcile scheduler was missing (Redis flushed?): re-created'))))
        .catch((e: Error) => this.log.warn(`checking the SLA reconcile scheduler failed: ${e.message}`));
    }, SLA_RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async ensureScheduler(): Promise<void> {
    await this.queues[this.queue].upsertJobScheduler(
      SLA_RECONCILE_JOB,
      { every: SLA_RECONCILE_EVERY_MS },
      { name: this.name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  handle(): Promise<SlaReconcileResult> {
    return this.reconciler.reconcileNow();
  }
}
