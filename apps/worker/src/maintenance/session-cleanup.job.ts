import { Injectable, Logger } from '@nestjs/common';
import { AuthService, QueueName } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type SessionCleanupData = Record<string, never>;

/** Deletes expired agent sessions every ten minutes (one scheduler, however many workers run). */
@Injectable()
export class SessionCleanupJob implements JobHandler<SessionCleanupData> {
  readonly queue = QueueName.Maintenance;
  readonly every = 10 * 60_000;
  readonly name = 'session-cleanup';
  private readonly log = new Logger(SessionCleanupJob.name);

  constructor(private readonly auth: AuthService) {}

  async handle(): Promise<{ deleted: number }> {
    const deleted = await this.auth.deleteExpiredSessions();
    if (deleted) this.log.log(`deleted ${deleted} expired sessions`);
    return { deleted };
  }
}
