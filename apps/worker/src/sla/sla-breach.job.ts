import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueName, SLA_BREACH_JOB, SlaService, type SlaClockJobData, type SlaFireOutcome } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';
import { fireWhenDue } from './sla-timer';

/**
 * `sla-<clock>-breach`: the clock re-read; a breach only for a running clock past due. The breach row's
 * unique clock id makes a duplicate or late job harmless (see SlaService.fireBreach).
 */
@Injectable()
export class SlaBreachJob implements JobHandler<SlaClockJobData> {
  readonly queue = QueueName.Sla;
  readonly name = SLA_BREACH_JOB;

  constructor(private readonly sla: SlaService) {}

  handle(job: Job<SlaClockJobData>): Promise<SlaFireOutcome> {
    return fireWhenDue(job, () => this.sla.fireBreach(job.data.clockId));
  }
}
