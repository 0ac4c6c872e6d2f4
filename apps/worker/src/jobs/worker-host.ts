import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, JOB_NAMES, QueueName, createRedis, queuePrefix, type AppConfig } from '@desk/core';
import { JOB_HANDLERS, type JobHandler } from './job-handler';

/** Per-queue concurrency: SLA timers stay on their own workers, off the ingest path. Ingest: INGEST_CONCURRENCY. */
const CONCURRENCY: Record<QueueName, number> = {
  [QueueName.Ingest]: 24,
  [QueueName.Deliver]: 4,
  [QueueName.Sla]: 16,
  [QueueName.Maintenance]: 1,
};

export function checkHandlers(handlers: JobHandler[]): void {
  const have = new Set(handlers.map((h) => `${h.queue}/${h.name}`));
  const missing = Object.entries(JOB_NAMES).flatMap(([q, names]) => names.map((n) => `${q}/${n}`).filter((k) => !have.has(k)));
  if (missing.length) throw new Error(`no processor for job(s): ${missing.join(', ')}`);
  const seen = new Set<string>();
  for (const k of handlers.map((h) => `${h.queue}/${h.name}`)) {
    if (seen.has(k)) throw new Error(`two processors for job ${k}`);
    seen.add(k);
  }
}

/** Starts one BullMQ Worker per queue and routes each job to its handler by name. */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(WorkerHost.name);
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(
    @Inject(JOB_HANDLERS) private readonly handlers: JobHandler[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    checkHandlers(handlers);
  }

  onApplicationBootstrap(): void {
    for (const queue of Object.values(QueueName)) {
      const byName = new Map(this.handlers.filter((h) => h.queue === queue).map((h) => [h.name, h]));
      if (byName.size === 0) continue;
      // BullMQ does not close a connection it was given; we do, on shutdown, or the process never exits
      const connection = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const handler = byName.get(job.name);
          if (!handler) throw new Error(`no processor for ${queue}/${job.name}`);
          return handler.handle(job);
        },
        {
          connection,
          prefix: queuePrefix(this.config),
          concurrency: queue === QueueName.Ingest ? this.config.INGEST_CONCURRENCY : CONCURRENCY[queue],
        },
      );
      worker.on('failed', (job, err) => this.log.warn(`${queue}/${job?.name} ${job?.id} failed: ${err.message}`));
      worker.on('error', (err) => this.log.error(`${queue} worker error: ${err.message}`));
      this.workers.push(worker);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
