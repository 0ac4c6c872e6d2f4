import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SlaService } from './sla.service';
import { SlaScheduler, type BulkJob } from './sla-scheduler';
import { slaJobId } from './sla-jobs';

export interface SlaReconcileOptions {
  /** Running clocks read (and job ids checked in one Redis pipeline) per page. */
  pageSize?: number;
  /** Jobs added per addBulk call… */
  addBatch?: number;
  /** …and the pause after each, so re-scheduling in bulk does not hold up timers that are firing. */
  pauseMs?: number;
  /** Clocks overdue by more than this are breached by the reconciler itself (their job is lost or stuck). */
  overdueGraceMs?: number;
}

export interface SlaReconcileResult {
  checked: number;
  rescheduled: number;
  breachedDirectly: number;
  ms: number;
}

interface Row {
  id: string;
  due_at: Date;
  warn_at: Date | null;
  warned_at: Date | null;
}

/**
 * Rebuilds lost SLA timers from the rows (Postgres is the truth, Redis the engine): every running
 * clock must have its breach job, and its warning job until warned. A job exists while its hash
 * exists (jobs are removed on completion and on final failure), so the check is one pipelined
 * EXISTS per job. Missing jobs are added soonest-first, in throttled batches; a missing job whose
 * instant passed is added without delay, i.e. fires at once.
 */
@Injectable()
export class SlaReconciler {
  private readonly log = new Logger(SlaReconciler.name);
  private current: Promise<SlaReconcileResult> | null = null;
  private queued: Promise<SlaReconcileResult> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: SlaScheduler,
    private readonly sla: SlaService,
  ) {}

  /**
   * One full pass that starts after this call: a pass already running may have checked some jobs
   * before Redis was flushed, so a caller never just joins it; it waits for it and gets the next
   * one (shared with other callers that arrive meanwhile).
   */
  reconcileNow(opts: SlaReconcileOptions = {}): Promise<SlaReconcileResult> {
    const start = () => {
      this.current = this.pass(opts).finally(() => {
        this.current = null;
      });
      return this.current;
    };
    if (!this.current) return start();
    this.queued ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return start();
      });
    return this.queued;
  }

  private async pass(opts: SlaReconcileOptions): Promise<SlaReconcileResult> {
    const started = Date.now();
    const pageSize = opts.pageSize ?? 1000;
    const addBatch = opts.addBatch ?? 500;
    const pauseMs = opts.pauseMs ?? 10;
    const grace = opts.overdueGraceMs ?? 60_000;
    const queue = this.scheduler.queue;
    const client = await queue.client;

    let breachedDirectly = 0;
    // long overdue: the job is lost or stuck behind a dead worker; breach from here
    for (;;) {
      const overdue: Array<{ id: string }> = await this.ds.query(
        `SELECT id FROM sla_clocks WHERE status = 'running' AND due_at < now() - make_interval(secs => $1) ORDER BY due_at LIMIT 500`,
        [grace / 1000],
      );
      if (overdue.length === 0) break;
      let progressed = 0;
      await inBatches(overdue, 8, async (r) => {
        const o = await this.sla.fireBreach(r.id);
        if (o.outcome !== 'early') progressed++;
        if (o.outcome === 'breached') breachedDirectly++;
      });
      if (progressed === 0) break;
    }

    let checked = 0;
    let rescheduled = 0;
    // each job with its instant; the delay is computed when it is added, not when it was found missing
    const pending: Array<{ job: BulkJob; at: number }> = [];
    const flush = async (all: boolean) => {
      while (pending.length >= addBatch || (all && pending.length > 0)) {
        const now = Date.now();
        const batch = pending.splice(0, addBatch).map(({ job, at }) => ({ ...job, opts: { ...job.opts, delay: Math.max(0, at - now) } }));
        await queue.addBulk(batch);
        rescheduled += batch.length;
        if (pauseMs > 0) await sleep(pauseMs);
      }
    };
    let after: { due: Date; id: string } | null = null;
    for (;;) {
      const rows: Row[] = await this.ds.query(
        `SELECT id, due_at, warn_at, warned_at FROM sla_clocks
          WHERE status = 'running' ${after ? `AND due_at >= $2 AND (due_at > $2 OR id > $3)` : ''}
          ORDER BY due_at, id LIMIT $1`,
        after ? [pageSize, after.due, after.id] : [pageSize],
      );
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!;
      after = { due: last.due_at, id: last.id };
      checked += rows.length;

      const now = Date.now();
      const wanted = rows.flatMap((r) => SlaScheduler.jobsFor({ id: r.id, dueAt: r.due_at, warnAt: r.warn_at, warnedAt: r.warned_at }, now));
      const pipe = client.pipeline();
      for (const j of wanted) pipe.exists(queue.toKey(j.opts.jobId!));
      const found = (await pipe.exec()) ?? [];
      const missing = wanted.filter((_, i) => Number(found[i]?.[1] ?? 0) === 0);
      // a job that completed between the read and the check leaves its clock no longer running: re-read
      const stillRunning = missing.length
        ? new Set(
            ((await this.ds.query(`SELECT id FROM sla_clocks WHERE id = ANY($1::uuid[]) AND status = 'running'`, [[...new Set(missing.map((j) => (j.data as { clockId: string }).clockId))]])) as Array<{ id: string }>).map((r) => r.id),
          )
        : new Set<string>();
      for (const j of missing) if (stillRunning.has((j.data as { clockId: string }).clockId)) pending.push({ job: j, at: now + (j.opts.delay ?? 0) });
      await flush(false);
      // a pass must not crowd out the timers firing meanwhile: it walks the clocks in small steps
      if (pauseMs > 0) await sleep(pauseMs);
    }
    await flush(true);
    const result = { checked, rescheduled, breachedDirectly, ms: Date.now() - started };
    if (rescheduled || breachedDirectly) this.log.log(`SLA reconcile: ${checked} running clocks, ${rescheduled} timers re-added, ${breachedDirectly} breached directly`);
    return result;
  }

  /** Job ids a running clock should have, for checks and tests. */
  static timerIds(clockId: string): string[] {
    return [slaJobId(clockId, 'warn'), slaJobId(clockId, 'breach')];
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
export async function inBatches<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
