import { Injectable } from '@nestjs/common';
import { QueueName, SLA_RECONCILE_JOB, SlaReconciler, type SlaReconcileResult } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type SlaReconcileData = Record<string, never>;
export const SLA_RECONCILE_EVERY_MS = 30_000;

/**
 * Every 30 s: running clocks whose timers are missing (Redis flushed or restarted) get them back,
 * and clocks long past due are breached at once. The scheduler itself dies with a flush too;
 * WorkerHost re-creates every periodic job's scheduler when it finds it missing.
 */
@Injectable()
export class SlaReconcileJob implements JobHandler<SlaReconcileData> {
  readonly queue = QueueName.Sla;
  readonly name = SLA_RECONCILE_JOB;
  readonly every = SLA_RECONCILE_EVERY_MS;

  constructor(private readonly reconciler: SlaReconciler) {}

  handle(): Promise<SlaReconcileResult> {
    return this.reconciler.reconcileNow();
  }
}
