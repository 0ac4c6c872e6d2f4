/**
 * The SLA queue's jobs. Ids are deterministic from the clock (`sla-<clock>-warn`, `sla-<clock>-breach`,
 * `sla-<clock>-esc-<i>`; '-' separators because BullMQ refuses some ':' ids), so scheduling the same
 * clock twice never makes two timers and a reconciler can tell which are missing.
 */
export const SLA_WARN_JOB = 'sla-warn';
export const SLA_BREACH_JOB = 'sla-breach';
export const SLA_ESCALATE_JOB = 'sla-escalate';
export const SLA_RECONCILE_JOB = 'sla-reconcile';
export const SLA_JOB_NAMES = [SLA_WARN_JOB, SLA_BREACH_JOB, SLA_ESCALATE_JOB, SLA_RECONCILE_JOB] as const;

export interface SlaClockJobData {
  clockId: string;
}

export interface SlaEscalateJobData {
  clockId: string;
  step: number;
}

export type SlaTimer = 'warn' | 'breach';

export const slaJobId = (clockId: string, timer: SlaTimer): string => `sla-${clockId}-${timer}`;
export const slaEscalationJobId = (clockId: string, step: number): string => `sla-${clockId}-esc-${step}`;
