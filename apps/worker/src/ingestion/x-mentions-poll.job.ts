import { Injectable } from '@nestjs/common';
import { QueueName, XMentionsPoller, type XPollOutcome } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type XMentionsPollData = Record<string, never>;
export const X_MENTIONS_POLL_EVERY_MS = 60_000;

/**
 * Every 60 s: polls the X mentions timeline of every inbox with pollMentions (one scheduler for the
 * deployment). An inbox whose rate limit is used up is skipped until its window resets; the
 * checkpoint in Postgres, not this job, says where each inbox stands.
 */
@Injectable()
export class XMentionsPollJob implements JobHandler<XMentionsPollData> {
  readonly queue = QueueName.Ingest;
  readonly every = X_MENTIONS_POLL_EVERY_MS;
  readonly name = 'x-mentions-poll';

  constructor(private readonly poller: XMentionsPoller) {}

  handle(): Promise<XPollOutcome[]> {
    return this.poller.pollAll();
  }
}
