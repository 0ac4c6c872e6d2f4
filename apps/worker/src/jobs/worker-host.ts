import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  APP_CONFIG,
  IngestBatcher,
  JOB_NAMES,
  QUEUES,
  QueueName,
  createRedis,
  queuePrefix,
  type AppConfig,
  type Queues,
} from '@desk/core';
import { JOB_HANDLERS, type JobHandler } from './job-handler';

/** Per-queue concurrency: SLA timers stay on their own workers, off the ingest path. Ingest: INGEST_CONCURRENCY. */
const CONCURRENCY: Record<QueueName, number> = {
  [QueueName.Ingest]: 24,
  [QueueName.Deliver]: 32,
  [QueueName.Sla]: 16,
  [QueueName.Maintenance]: 1,
};

const SCHEDULER_CHECK_MS = 30_000;

/**
 * Ingest comes first: while any ingest job waits (for a batch in this process, or in Redis for a
 * free slot), this process sends its deliveries one at a time, so customers' mail is recorded (and
 * seen by agents) before the acknowledgements it causes take the CPU; they go at full concurrency
 * whenever ingestion has caught up. Checked this often: a burst of deliveries started while
 * ingestion was idle is at most this long.
 */
const INGEST_FIRST_CHECK_MS = 200;

export function checkHandlers(handlers: JobHandler[]): void {
  const have = new Set(handlers.map((h) => `${h.queue}/${h.name}`));
  const missing = Object.entries(JOB_NAMES).flatMap(([q, names]) =>
    names.map((n) => `${q}/${n}`).filter((k) => !have.has(k)),
  );
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

  private schedulerCheck: NodeJS.Timeout | null = null;
  private ingestFirst: NodeJS.Timeout | null = null;

  constructor(
    @Inject(JOB_HANDLERS) private readonly handlers: JobHandler[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUES) private readonly queues: Queues,
    private readonly batcher: IngestBatcher,
  ) {
    checkHandlers(handlers);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.startWorkers();
    await this.ensureSchedulers();
    // a scheduler lives in Redis and dies with a flush; the rows are safe, but the periodic
    // reconcilers that rebuild jobs from them must come back too
    this.schedulerCheck = setInterval(() => void this.ensureSchedulers(true), SCHEDULER_CHECK_MS);
    this.schedulerCheck.unref();
    const deliver = this.workers.find((w) => w.name === QueueName.Deliver);
    if (deliver && this.workers.some((w) => w.name === QueueName.Ingest)) {
      this.ingestFirst = setInterval(() => void this.yieldToIngest(deliver), INGEST_FIRST_CHECK_MS);
      this.ingestFirst.unref();
    }
  }

  /** Deliver concurrency 1 while ingest jobs wait, else its own (see INGEST_FIRST_CHECK_MS). */
  async yieldToIngest(deliver: Worker): Promise<void> {
    try {
      const waiting = this.batcher.backlog || (await this.queues[QueueName.Ingest].getWaitingCount());
      const want = waiting > 0 ? 1 : CONCURRENCY[QueueName.Deliver];
      if (deliver.concurrency !== want) deliver.concurrency = want;
    } catch (e) {
      this.log.warn(`ingest backlog check failed: ${(e as Error).message}`);
    }
  }

  /** Upserts the scheduler of every periodic job (with `onlyMissing`, only those Redis lost). */
  async ensureSchedulers(onlyMissing = false): Promise<void> {
    for (const h of this.handlers.filter((x) => x.every)) {
      try {
        const queue = this.queues[h.queue];
        if (onlyMissing && (await queue.getJobScheduler(h.name))) continue;
        await queue.upsertJobScheduler(
          h.name,
          { every: h.every },
          { name: h.name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
        );
        if (onlyMissing)
          this.log.warn(`the scheduler of ${h.queue}/${h.name} was missing (Redis flushed?): re-created`);
      } catch (e) {
        this.log.warn(`scheduling ${h.queue}/${h.name} failed: ${(e as Error).message}`);
      }
    }
  }

  private startWorkers(): void {
    for (const queue of Object.values(QueueName)) {
      const byName = new Map(this.handlers.filter((h) => h.queue === queue).map((h) => [h.name, h]));
      if (byName.size === 0) continue;
      // BullMQ does not close a connection it was given; we do, on shutdown, or the process never exits
      const connection = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker(
        queue,
        async (job: Job, token?: string) => {
          const handler = byName.get(job.name);
          if (!handler) throw new Error(`no processor for ${queue}/${job.name}`);
          return handler.handle(job, token);
        },
        {
          connection,
          prefix: queuePrefix(this.config),
          concurrency: queue === QueueName.Ingest ? this.config.INGEST_CONCURRENCY : CONCURRENCY[queue],
        },
      );
      worker.on('failed', (job, err) =>
        this.log.warn(`${queue}/${job?.name} ${job?.id} failed: ${err.message}`),
      );
      worker.on('error', (err) => this.log.error(`${queue} worker error: ${err.message}`));
      this.workers.push(worker);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.schedulerCheck) clearInterval(this.schedulerCheck);
    if (this.ingestFirst) clearInterval(this.ingestFirst);
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
