import type { Worker } from 'bullmq';
import { JOB_NAMES, QueueName, type AppConfig, type IngestBatcher, type Queues } from '@desk/core';
import { checkHandlers, WorkerHost } from './worker-host';

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
  const host = (waiting: () => Promise<number>, batcher = { backlog: 0 }) =>
    new WorkerHost(handlers, {} as AppConfig, { [QueueName.Ingest]: { getWaitingCount: waiting } } as unknown as Queues, batcher as IngestBatcher);

  it('sends one delivery at a time while ingest jobs wait in Redis, and all at once after', async () => {
    let waiting = 3;
    const h = host(async () => waiting);
    const deliver = { concurrency: 4 } as Worker;
    await h.yieldToIngest(deliver);
    expect(deliver.concurrency).toBe(1);
    waiting = 0;
    await h.yieldToIngest(deliver);
    expect(deliver.concurrency).toBe(32);
  });

  it('also while jobs this worker already took wait for a batch, without asking Redis', async () => {
    const batcher = { backlog: 5 };
    const asked: number[] = [];
    const h = host(async () => (asked.push(1), 0), batcher);
    const deliver = { concurrency: 32 } as Worker;
    await h.yieldToIngest(deliver);
    expect(deliver.concurrency).toBe(1);
    expect(asked).toHaveLength(0);
    batcher.backlog = 0;
    await h.yieldToIngest(deliver);
    expect(deliver.concurrency).toBe(32);
    expect(asked).toHaveLength(1);
  });

  it('leaves the concurrency alone when Redis cannot say', async () => {
    const deliver = { concurrency: 4 } as Worker;
    await host(async () => Promise.reject(new Error('connection lost'))).yieldToIngest(deliver);
    expect(deliver.concurrency).toBe(4);
  });
});
