import type { Worker } from 'bullmq';
import { JOB_NAMES, QueueName, type AppConfig, type IngestBatcher, type Queues } from '@desk/core';
import { checkHandlers, DELIVER_HOLD_MAX_MS, INGEST_BEHIND_MS, WorkerHost } from './worker-host';

describe('checkHandlers', () => {
  const h = (queue: QueueName, name: string) => ({ queue, name, handle: async () => undefined });
  // every declared job, so each test changes only what it is about
  const complete = () =>
    Object.entries(JOB_NAMES).flatMap(([q, names]) => names.map((n) => h(q as QueueName, n)));

  it('refuses to start when a declared job has no processor', () => {
    expect(() => checkHandlers([])).toThrow(/no processor for job\(s\): .*maintenance\/session-cleanup/);
    expect(() => checkHandlers(complete().filter((x) => x.name !== 'session-cleanup'))).toThrow(
      /no processor for job\(s\): maintenance\/session-cleanup$/,
    );
  });

  it('refuses two processors for one job', () => {
    expect(() => checkHandlers([...complete(), h(QueueName.Maintenance, 'session-cleanup')])).toThrow(
      /two processors/,
    );
  });

  it('accepts a complete set', () => {
    expect(() => checkHandlers(complete())).not.toThrow();
  });
});

describe('WorkerHost.yieldToIngest', () => {
  const handlers = Object.entries(JOB_NAMES).flatMap(([q, names]) => names.map((n) => ({ queue: q as QueueName, name: n, handle: async () => undefined })));
  /** `waiting`: ingest jobs waiting in Redis; `replies`: deliveries without priority (agents' replies) waiting. */
  const host = (waiting: () => Promise<number>, batcher = { lag: 0 }, replies: () => Promise<number> = async () => 0) =>
    new WorkerHost(
      handlers,
      {} as AppConfig,
      { [QueueName.Ingest]: { getWaitingCount: waiting }, [QueueName.Deliver]: { getWaitingCount: replies } } as unknown as Queues,
      { lagMs: () => batcher.lag } as unknown as IngestBatcher,
    );
  /** The parts of a BullMQ Worker the host drives. */
  const deliverWorker = (concurrency: number) => {
    const w = {
      concurrency,
      paused: false,
      isPaused: () => w.paused,
      pause: async () => void (w.paused = true),
      resume: () => void (w.paused = false),
    };
    return w;
  };
  const drive = (h: WorkerHost, w: ReturnType<typeof deliverWorker>, at: number) => h.yieldToIngest(w as unknown as Worker, at);

  it('holds deliveries while this worker is behind on its mail, without asking Redis, and sends all at once after', async () => {
    const batcher = { lag: INGEST_BEHIND_MS };
    const asked: number[] = [];
    const h = host(async () => (asked.push(1), 0), batcher);
    const w = deliverWorker(32);
    await drive(h, w, 0);
    expect(w.paused).toBe(true);
    expect(asked).toHaveLength(0);
    batcher.lag = INGEST_BEHIND_MS - 1; // the oldest mail in flight is young again: caught up
    await drive(h, w, 1_000);
    expect(w.paused).toBe(false);
    expect(w.concurrency).toBe(32);
    expect(asked).toHaveLength(1);
  });

  it('holds them while ingest jobs wait in Redis for any worker', async () => {
    let waiting = 3;
    const h = host(async () => waiting);
    const w = deliverWorker(32);
    await drive(h, w, 0);
    expect(w.paused).toBe(true);
    waiting = 0;
    await drive(h, w, 100);
    expect([w.paused, w.concurrency]).toEqual([false, 32]);
  });

  it('never holds them longer than DELIVER_HOLD_MAX_MS in a row: then one at a time until ingestion caught up', async () => {
    const batcher = { lag: 5_000 };
    const h = host(async () => 0, batcher);
    const w = deliverWorker(32);
    await drive(h, w, 0);
    await drive(h, w, DELIVER_HOLD_MAX_MS - 1);
    expect(w.paused).toBe(true);
    await drive(h, w, DELIVER_HOLD_MAX_MS);
    expect([w.paused, w.concurrency]).toEqual([false, 1]);
    await drive(h, w, DELIVER_HOLD_MAX_MS + 5_000);
    expect([w.paused, w.concurrency]).toEqual([false, 1]);
    // caught up: full concurrency, and the next time it falls behind a new hold may start
    batcher.lag = 0;
    await drive(h, w, DELIVER_HOLD_MAX_MS + 6_000);
    expect([w.paused, w.concurrency]).toEqual([false, 32]);
    batcher.lag = 5_000;
    await drive(h, w, DELIVER_HOLD_MAX_MS + 7_000);
    expect(w.paused).toBe(true);
  });

  it("lets an agent's reply through a hold: one job at a time while one waits, then held again", async () => {
    let replies = 1;
    const h = host(async () => 0, { lag: 5_000 }, async () => replies);
    const w = deliverWorker(32);
    await drive(h, w, 0);
    expect([w.paused, w.concurrency]).toEqual([false, 1]);
    replies = 0;
    await drive(h, w, 100);
    expect(w.paused).toBe(true);
  });

  it('leaves the deliver worker alone when Redis cannot say', async () => {
    const w = deliverWorker(4);
    await drive(host(async () => Promise.reject(new Error('connection lost'))), w, 0);
    expect([w.paused, w.concurrency]).toEqual([false, 4]);
  });
});
