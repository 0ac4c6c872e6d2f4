import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { QUEUES, type Queues } from '../../platform/queue/queue.module';
import { QueueName } from '../../platform/queue/queue-names';
import { SLA_BREACH_JOB, SLA_ESCALATE_JOB, SLA_WARN_JOB, slaEscalationJobId, slaJobId, type SlaClockJobData, type SlaEscalateJobData } from './sla-jobs';

/** The instants of a running clock that need timers. */
export interface ClockTimers {
  id: string;
  dueAt: Date;
  warnAt: Date | null;
  warnedAt: Date | null;
}

export interface BulkJob {
  name: string;
  data: SlaClockJobData | SlaEscalateJobData;
  opts: JobsOptions;
}

/**
 * BullMQ side of the SLA clocks: delayed jobs derived from clock rows, added and removed only
 * after the row's transaction committed. Never the truth: a processor re-reads the clock, and the
 * reconciler rebuilds whatever is lost here.
 */
@Injectable()
export class SlaScheduler {
  private readonly log = new Logger(SlaScheduler.name);

  constructor(@Inject(QUEUES) private readonly queues: Queues) {}

  get queue() {
    return this.queues[QueueName.Sla];
  }

  /** A job at `at` (or now when it is past), removed once done: a kept job would hide a lost timer from the reconciler. */
  static opts(jobId: string, at: Date, now = Date.now()): JobsOptions {
    return {
      jobId,
      delay: Math.max(0, at.getTime() - now),
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 5,
      backoff: { type: 'exponential', delay: 250 },
    };
  }

  /** The timers a running clock should have (the warning only until it was sent). */
  static jobsFor(c: ClockTimers, now = Date.now()): BulkJob[] {
    const jobs: BulkJob[] = [];
    if (c.warnAt && !c.warnedAt && c.warnAt.getTime() < c.dueAt.getTime()) {
      jobs.push({ name: SLA_WARN_JOB, data: { clockId: c.id }, opts: SlaScheduler.opts(slaJobId(c.id, 'warn'), c.warnAt, now) });
    }
    jobs.push({ name: SLA_BREACH_JOB, data: { clockId: c.id }, opts: SlaScheduler.opts(slaJobId(c.id, 'breach'), c.dueAt, now) });
    return jobs;
  }

  /**
   * (Re)schedules running clocks. The old jobs are removed first: adding a job whose id still exists
   * is silently ignored by BullMQ, so a moved deadline would otherwise keep its old timer.
   */
  async schedule(clocks: ClockTimers[]): Promise<void> {
    if (clocks.length === 0) return;
    await this.removeTimers(clocks.map((c) => c.id));
    const now = Date.now();
    await this.queue.addBulk(clocks.flatMap((c) => SlaScheduler.jobsFor(c, now)));
  }

  /** Removes the warning and breach timers of clocks that stopped (met, paused, cancelled). Missing jobs are fine. */
  async unschedule(clockIds: string[]): Promise<void> {
    await this.removeTimers(clockIds);
  }

  async scheduleEscalation(clockId: string, step: number, at: Date): Promise<void> {
    const data: SlaEscalateJobData = { clockId, step };
    await this.queue.add(SLA_ESCALATE_JOB, data, SlaScheduler.opts(slaEscalationJobId(clockId, step), at));
  }

  /** Never throws: the rows are committed, and the reconciler repairs what failed here. */
  async safely(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.warn(`${what} failed, the reconciler will repair it: ${(e as Error).message}`);
    }
  }

  private async removeTimers(clockIds: string[]): Promise<void> {
    if (clockIds.length === 0) return;
    // one round trip for the common case; a job that is active (locked) is not removed, and its
    // processor finds the clock moved on
    await Promise.all(
      clockIds.flatMap((id) => [this.queue.remove(slaJobId(id, 'warn')), this.queue.remove(slaJobId(id, 'breach'))]).map((p) => p.catch(() => 0)),
    );
  }
}
