import { DelayedError, type Job } from 'bullmq';
import type { SlaFireOutcome } from '@desk/core';

/** A job that fired this little before its instant (clocks of two processes) waits for it in place. */
const WAIT_IN_PLACE_MS = 2000;

/**
 * Runs a warning/breach once more when it came early: in place for a tiny skew, otherwise the job is
 * moved back to the delayed set at the clock's instant (the deadline moved while the job was active).
 */
export async function fireWhenDue(job: Job, fire: () => Promise<SlaFireOutcome>): Promise<SlaFireOutcome> {
  let outcome = await fire();
  if (outcome.outcome === 'early' && outcome.at.getTime() - Date.now() <= WAIT_IN_PLACE_MS) {
    await new Promise((r) => setTimeout(r, Math.max(0, outcome.outcome === 'early' ? outcome.at.getTime() - Date.now() : 0) + 1));
    outcome = await fire();
  }
  if (outcome.outcome === 'early') {
    await job.moveToDelayed(outcome.at.getTime(), job.token);
    throw new DelayedError();
  }
  return outcome;
}
