import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ASSIGNMENT_SWEEP_JOB, AssignmentService, QUEUES, QueueName, type Queues } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type AssignmentSweepData = Record<string, never>;

/**
 * Every minute: unassigned open threads of round-robin / least-loaded inboxes get an agent as
 * capacity frees up (new threads are assigned at ingestion; this catches those that had to wait,
 * and any whose ingestion hook failed). Row locks make overlapping runs harmless.
 */
@Injectable()
export class AssignmentSweepJob implements JobHandler<AssignmentSweepData>, OnApplicationBootstrap {
  readonly queue = QueueName.Maintenance;
  readonly name = ASSIGNMENT_SWEEP_JOB;
  private readonly log = new Logger(AssignmentSweepJob.name);

  constructor(
    private readonly assignment: AssignmentService,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues[this.queue].upsertJobScheduler(this.name, { every: 60_000 }, { name: this.name, data: {} });
  }

  async handle(): Promise<{ assigned: number; waiting: number }> {
    const r = await this.assignment.assignUnassigned();
    if (r.assigned) this.log.log(`assigned ${r.assigned} waiting threads (${r.waiting} still wait for capacity)`);
    return r;
  }
}
