import { Injectable, Logger } from '@nestjs/common';
import { ASSIGNMENT_SWEEP_JOB, AssignmentService, QueueName } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type AssignmentSweepData = Record<string, never>;

/**
 * Every minute: unassigned open threads of round-robin / least-loaded inboxes get an agent as
 * capacity frees up (new threads are assigned at ingestion; this catches those that had to wait,
 * and any whose ingestion hook failed). Row locks make overlapping runs harmless.
 */
@Injectable()
export class AssignmentSweepJob implements JobHandler<AssignmentSweepData> {
  readonly queue = QueueName.Maintenance;
  readonly every = 60_000;
  readonly name = ASSIGNMENT_SWEEP_JOB;
  private readonly log = new Logger(AssignmentSweepJob.name);

  constructor(private readonly assignment: AssignmentService) {}

  async handle(): Promise<{ assigned: number; waiting: number }> {
    const r = await this.assignment.assignUnassigned();
    if (r.assigned)
      this.log.log(`assigned ${r.assigned} waiting threads (${r.waiting} still wait for capacity)`);
    return r;
  }
}
