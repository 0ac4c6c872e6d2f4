import type { Job } from 'bullmq';
import type { QueueName } from '@desk/core';

/**
 * One processor class per job. `queue` and `name` say what it handles; `handle` must re-read the
 * truth from Postgres and return early when the state moved on, so stale or duplicate jobs are harmless.
 */
export interface JobHandler<T = unknown> {
  readonly queue: QueueName;
  readonly name: string;
  /**
   * Periodic jobs say how often (ms); WorkerHost keeps ONE scheduler per job for the whole
   * deployment, keyed by the job name, and re-creates it when Redis lost it.
   */
  readonly every?: number;
  /** `token` is the worker's lock token for the job, which moving it (e.g. back to delayed) needs. */
  handle(job: Job<T>, token?: string): Promise<unknown>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
