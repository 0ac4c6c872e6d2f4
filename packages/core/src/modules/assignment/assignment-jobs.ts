/** Maintenance-queue jobs of the assignment area (processors in apps/worker/src/assignment/). */
export const ASSIGNMENT_SWEEP_JOB = 'assignment-sweep';
export const STALLED_AUTO_REASSIGN_JOB = 'stalled-auto-reassign';
