import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { IngestProcessor, type IngestOutcome } from './ingest-processor.service';

interface Waiting {
  eventId: string;
  /** When its job was queued (ms since the epoch): how far behind ingestion is (lagMs). */
  queuedAt: number;
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * Batches read, parsed and committed at once: one commits while the next is read and parsed. A
 * batch gives its place up at its commit, so its hooks (acknowledgements, SLA, assignment) never
 * hold the next batch back; their jobs stay active until the hooks end, so INGEST_CONCURRENCY
 * still bounds the work in the process.
 */
const BATCHES_IN_FLIGHT = 2;

/**
 * Gathers the ingest jobs a worker runs at once into batches for IngestProcessor.processMany, so
 * that a busy worker pays one claim, one contact lookup, one commit and one round of hooks per
 * batch instead of per mail. Each job still waits for (and reports) its own event's outcome, and
 * an event's failure fails only its own job, which BullMQ retries alone. A quiet worker's batch is
 * a single event: the first job starts a batch at once (after the jobs delivered in the same turn
 * of the event loop), and only while batches are running do later jobs wait for the next one.
 */
@Injectable()
export class IngestBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** Each batch running (until it has committed), with its earliest queuedAt. */
  private readonly running = new Map<Waiting[], number>();

  constructor(
    private readonly processor: IngestProcessor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * How long the oldest mail this worker holds (waiting for a batch, or in one not yet committed)
   * has waited since its job was queued, its wait in Redis included; 0 when it holds none.
   * Ingestion promises each mail is committed within a fraction of a second, so this says when it
   * falls behind (WorkerHost). The job's time is the accepting process's clock: hosts must keep
   * their clocks in step (NTP), or a slow clock's skew counts as lag.
   */
  lagMs(now = Date.now()): number {
    let oldest = Infinity;
    for (const w of this.waiting) oldest = Math.min(oldest, w.queuedAt);
    for (const t of this.running.values()) oldest = Math.min(oldest, t);
    return oldest === Infinity ? 0 : Math.max(0, now - oldest);
  }

  process(eventId: string, queuedAt = Date.now()): Promise<IngestOutcome> {
    if (this.config.INGEST_BATCH_SIZE <= 1) return this.processor.process(eventId);
    return new Promise((resolve, reject) => {
      this.waiting.push({ eventId, queuedAt, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running.size >= BATCHES_IN_FLIGHT || !this.waiting.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running.size >= BATCHES_IN_FLIGHT) return;
      const batch = this.waiting.splice(0, this.config.INGEST_BATCH_SIZE);
      if (!batch.length) return;
      this.running.set(batch, Math.min(...batch.map((w) => w.queuedAt)));
      const release = () => {
        if (this.running.delete(batch)) this.schedule();
      };
      void this.run(batch, release).finally(release);
      this.schedule();
    });
  }

  private async run(batch: Waiting[], committed: () => void): Promise<void> {
    try {
      const results = await this.processor.processMany(batch.map((w) => w.eventId), committed);
      for (const w of batch) {
        const r = results.get(w.eventId);
        if (r instanceof Error) w.reject(r);
        else if (r) w.resolve(r);
        else w.reject(new Error(`no outcome for inbound event ${w.eventId}`));
      }
    } catch (e) {
      for (const w of batch) w.reject(e as Error);
    }
  }
}
