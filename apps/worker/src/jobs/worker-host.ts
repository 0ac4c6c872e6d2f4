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
 * Ingest comes first. A mail is promised to be committed within a fraction of a second; once the
 * oldest mail this process holds has waited INGEST_BEHIND_MS (or ingest jobs wait in Redis for any
 * worker), ingestion is behind, and this process holds its deliveries back (its deliver worker is
 * paused; the jobs it runs finish) so customers' mail is recorded before the acknowledgements it
 * causes take the CPU. They go at full concurrency, in large groups, once it has caught up. An
 * agent's reply is not held: while one waits, deliveries go one at a time, the reply first. A hold
 * never lasts longer than DELIVER_HOLD_MAX_MS in a row: past it, under a load the box cannot keep
 * up with, deliveries go one at a time until ingestion has caught up, so no one waits for ever.
 * Checked every INGEST_FIRST_CHECK_MS.
 */
export const INGEST_BEHIND_MS = 100;
export const DELIVER_HOLD_MAX_MS = 30_000;
const INGEST_FIRST_CHECK_MS = 100;

/** Lets a held deliver worker run again, `concurrency` jobs at once. */
function run(deliver: Worker, concurrency: number): void {
  // resume() is a no-op while the paused worker's loop still winds down; the next check retries
  if (deliver.isPaused()) deliver.resume();
  if (deliver.concurrency !== concurrency) deliver.concurrency = concurrency;
}

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
  /** Since when deliveries are held for ingestion (null: they are not). */
  private holdingSince: number | null = null;

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

  /** Holds deliveries back while ingestion is behind, within DELIVER_HOLD_MAX_MS (see INGEST_BEHIND_MS). */
  async yieldToIngest(deliver: Worker, now = Date.now()): Promise<void> {
    try {
      const behind =
        this.batcher.lagMs(now) >= INGEST_BEHIND_MS || (await this.queues[QueueName.Ingest].getWaitingCount()) > 0;
      if (!behind) {
        this.holdingSince = null;
        return run(deliver, CONCURRENCY[QueueName.Deliver]);
      }
      this.holdingSince ??= now;
      if (now - this.holdingSince >= DELIVER_HOLD_MAX_MS) return run(deliver, 1);
      // only the desk's own mail is held: agents' replies (and notifications) carry no BullMQ
      // priority, so while one waits the worker runs one job at a time, and it is taken first
      if ((await this.queues[QueueName.Deliver].getWaitingCount()) > 0) return run(deliver, 1);
      if (!deliver.isPaused()) {
        this.log.debug(`ingestion is behind: deliveries held (at most ${DELIVER_HOLD_MAX_MS / 1000} s)`);
        deliver.pause(true).catch((e: Error) => this.log.warn(`holding deliveries failed: ${e.message}`));
      }
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
