import type { JobsOptions } from 'bullmq';

/** Queue `deliver`: one job per outbound_deliveries row; the row is the truth, the job only a trigger. */
export const DELIVER_JOB = 'deliver';
/** Queue `deliver`: repeatable, re-creates jobs for rows still waiting whose job is gone. */
export const DELIVER_RECONCILE_JOB = 'deliver-reconcile';

export type DeliverJobData = { deliveryId: string };
export const deliverJobId = (deliveryId: string) => `deliver-${deliveryId}`;

export const DELIVER_ATTEMPTS = 8;
/**
 * First retry after 5 s, doubling: 5, 10, 20 … 320 s, about 10 minutes in all, which outlasts a
 * typical greylisting delay. A temporary failure on the last attempt marks the delivery failed.
 */
export const DELIVER_BACKOFF_MS = 5_000;

/**
 * Mail the desk writes itself (acknowledgements, surveys) waits behind agents' replies: BullMQ runs
 * a job without priority before any job with one, so a reply written during a burst of new mail
 * does not queue behind the burst's acknowledgements.
 */
export const AUTOMATIC_DELIVERY_PRIORITY = 10;

export const deliverJobOptions = (deliveryId: string, automatic = false): JobsOptions => ({
  jobId: deliverJobId(deliveryId),
  attempts: DELIVER_ATTEMPTS,
  backoff: { type: 'exponential', delay: DELIVER_BACKOFF_MS },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
  ...(automatic ? { priority: AUTOMATIC_DELIVERY_PRIORITY } : {}),
});

/** When BullMQ will run the next attempt after `attemptsMade` failed ones (its exponential formula). */
export function nextAttemptDelay(attemptsMade: number, base = DELIVER_BACKOFF_MS): number {
  return Math.round(2 ** Math.max(0, attemptsMade - 1) * base);
}

/**
 * Queue `deliver`: an internal notification email (the SLA escalation's "email supervisors"), sent
 * by the worker over the SMTP relay. The job carries the whole message; its id is deterministic
 * (`notify-<clock>-esc-<step>`) so a duplicate escalation sends once.
 */
export const NOTIFY_EMAIL_JOB = 'notify-email';
export type NotifyEmailJobData = { to: string[]; subject: string; text: string };
export const notifyEmailJobId = (clockId: string, step: number) => `notify-${clockId}-esc-${step}`;
export const NOTIFY_EMAIL_ATTEMPTS = 5;
export const notifyEmailJobOptions = (jobId: string): JobsOptions => ({
  jobId,
  attempts: NOTIFY_EMAIL_ATTEMPTS,
  backoff: { type: 'exponential', delay: DELIVER_BACKOFF_MS },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { count: 5000 },
});
