import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueName, SLA_WARN_JOB, SlaService, type SlaClockJobData, type SlaFireOutcome } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';
import { fireWhenDue } from './sla-timer';

/** `sla-<clock>-warn`: the clock re-read; a warning only for a running clock past its warning instant, once. */
@Injectable()
export class SlaWarnJob implements JobHandler<SlaClockJobData> {
  readonly queue = QueueName.Sla;
  readonly name = SLA_WARN_JOB;

  constructor(private readonly sla: SlaService) {}

  handle(job: Job<SlaClockJobData>): Promise<SlaFireOutcome> {
    return fireWhenDue(job, () => this.sla.fireWarning(job.data.clockId));
  }
}
