import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueName, SLA_ESCALATE_JOB, SlaEscalationService, type EscalationOutcome, type SlaEscalateJobData } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

/** `sla-<clock>-esc-<i>`: one step of the policy's escalation chain, only while the breach is unanswered. */
@Injectable()
export class SlaEscalateJob implements JobHandler<SlaEscalateJobData> {
  readonly queue = QueueName.Sla;
  readonly name = SLA_ESCALATE_JOB;

  constructor(private readonly escalation: SlaEscalationService) {}

  handle(job: Job<SlaEscalateJobData>): Promise<EscalationOutcome> {
    return this.escalation.escalate(job.data.clockId, job.data.step);
  }
}
