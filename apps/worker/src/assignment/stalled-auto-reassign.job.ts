import { Injectable, Logger } from '@nestjs/common';
import { QueueName, STALLED_AUTO_REASSIGN_JOB, StalledService } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type StalledAutoReassignData = Record<string, never>;

/**
 * Every minute: threads stalled past their policy's `autoReassignAfterMinutes` go to the
 * least-loaded online agent of the team (audited 'auto-reassign: stalled'). Each move re-checks the
 * thread under its row lock, so a reply in between or a duplicate run changes nothing.
 */
@Injectable()
export class StalledAutoReassignJob implements JobHandler<StalledAutoReassignData> {
  readonly queue = QueueName.Maintenance;
  readonly every = 60_000;
  readonly name = STALLED_AUTO_REASSIGN_JOB;
  private readonly log = new Logger(StalledAutoReassignJob.name);

  constructor(private readonly stalled: StalledService) {}

  async handle(): Promise<{ reassigned: number; skipped: number }> {
    const r = await this.stalled.autoReassign();
    if (r.reassigned) this.log.log(`auto-reassigned ${r.reassigned} stalled threads`);
    return r;
  }
}
