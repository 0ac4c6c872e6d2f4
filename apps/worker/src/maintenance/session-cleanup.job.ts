import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthService, QUEUES, QueueName, type Queues } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type SessionCleanupData = Record<string, never>;

/** Deletes expired agent sessions every ten minutes (one scheduler, however many workers run). */
@Injectable()
export class SessionCleanupJob implements JobHandler<SessionCleanupData>, OnApplicationBootstrap {
  readonly queue = QueueName.Maintenance;
  readonly name = 'session-cleanup';
  private readonly log = new Logger(SessionCleanupJob.name);

  constructor(
    private readonly auth: AuthService,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues[this.queue].upsertJobScheduler('session-cleanup', { every: 10 * 60_000 }, { name: this.name, data: {} });
  }

  async handle(): Promise<{ deleted: number }> {
    const deleted = await this.auth.deleteExpiredSessions();
    if (deleted) this.log.log(`deleted ${deleted} expired sessions`);
    return { deleted };
  }
}
