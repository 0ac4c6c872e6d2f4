import type { Job } from 'bullmq';
import type { QueueName } from '@desk/core';

/**
 * One processor class per job. `queue` and `name` say what it handles; `handle` must re-read the
 * truth from Postgres and return early when the state moved on, so stale or duplicate jobs are harmless.
 */
export interface JobHandler<T = unknown> {
  readonly queue: QueueName;
  readonly name: string;
  handle(job: Job<T>): Promise<unknown>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
