import { Queue, Worker } from 'bullmq';
import { AUTOMATIC_DELIVERY_PRIORITY, JOB_NAMES, QUEUES, QueueName, createRedis, queuePrefix, type IngestBatcher, type Queues } from '@desk/core';
import { createTestEnv, sleep, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { INGEST_BEHIND_MS, WorkerHost } from '../src/jobs/worker-host';
import { waitFor } from './support';
import { HANDLERS } from '../src/worker.module';

describe('WorkerHost schedulers of periodic jobs', () => {
  let env: TestEnv;
  let app: Awaited<ReturnType<typeof createWorker>>;
  beforeAll(async () => {
    env = await createTestEnv();
    app = await createWorker(env.config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    await env.cleanup();
  });

  it('creates one scheduler per periodic job, and re-creates one Redis lost', async () => {
    const queues = app.get<Queues>(QUEUES);
    const periodic = HANDLERS.map((h) => app.get(h)).filter((h) => h.every);
    expect(periodic.map((h) => h.name)).toEqual(expect.arrayContaining(['ingest-reconcile', 'deliver-reconcile', 'session-cleanup', 'sla-reconcile']));
    for (const h of periodic) expect(await queues[h.queue].getJobScheduler(h.name)).toMatchObject({ every: h.every });

    const lost = periodic.find((h) => h.name === 'ingest-reconcile')!;
    await queues[lost.queue].removeJobScheduler(lost.name);
    expect(await queues[lost.queue].getJobScheduler(lost.name)).toBeFalsy();
    await app.get(WorkerHost).ensureSchedulers(true);
    expect(await queues[lost.queue].getJobScheduler(lost.name)).toMatchObject({ every: lost.every });
  });
});

describe('WorkerHost holds deliveries while ingestion is behind (a real BullMQ worker on Redis)', () => {
  let env: TestEnv;
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await env.cleanup();
  });

  it("takes no new job while held except an agent's reply, and runs them all once ingestion caught up", async () => {
    const prefix = queuePrefix(env.config);
    const connection = createRedis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('hold-test', { connection, prefix });
    const done: string[] = [];
    const workerConnection = createRedis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker('hold-test', async (job) => void done.push(job.id!), {
      connection: workerConnection,
      prefix,
      concurrency: 32,
    });
    // the ingest queue the host asks about: empty, so only this worker's lag can hold deliveries
    const ingest = new Queue('hold-test-ingest', { connection, prefix });
    closers.push(() => connection.quit(), () => workerConnection.quit(), () => queue.close(), () => ingest.close(), () => worker.close());
    await queue.add('warm', {}, { jobId: 'warm' });
    await waitFor(async () => done.includes('warm'), 'the first job');

    const lag = { ms: INGEST_BEHIND_MS * 10 };
    const handlers = Object.entries(JOB_NAMES).flatMap(([q, names]) => names.map((n) => ({ queue: q as QueueName, name: n, handle: async () => undefined })));
    const host = new WorkerHost(handlers, env.config, { [QueueName.Ingest]: ingest, [QueueName.Deliver]: queue } as unknown as Queues, { lagMs: () => lag.ms } as unknown as IngestBatcher);
    await host.yieldToIngest(worker);
    expect(worker.isPaused()).toBe(true);
    // acknowledgements: the priority the desk gives its own mail
    await queue.addBulk([1, 2, 3, 4, 5].map((i) => ({ name: 'ack', data: {}, opts: { jobId: `held-${i}`, priority: AUTOMATIC_DELIVERY_PRIORITY } })));
    await sleep(700);
    // an idle worker already blocked waiting for a job may still take the one that wakes it; no more
    expect(done.filter((id) => id.startsWith('held-')).length).toBeLessThanOrEqual(1);

    // an agent's reply (no priority) is not held: it goes next, before the held acknowledgements
    const before = done.length;
    await queue.add('reply', {}, { jobId: 'reply' });
    await waitFor(async () => (await host.yieldToIngest(worker), done.includes('reply')), 'the reply', 20_000, 100);
    expect(done[before]).toBe('reply');
    expect(worker.concurrency).toBe(1);
    await host.yieldToIngest(worker); // none waits any more: held again
    expect(worker.isPaused()).toBe(true);

    lag.ms = 0;
    // resume() waits for the paused loop to wind down: the host's periodic check tries again
    await waitFor(async () => (await host.yieldToIngest(worker), !worker.isPaused() && done.filter((id) => id.startsWith('held-')).length === 5), 'the held jobs', 20_000, 100);
    expect(worker.concurrency).toBe(32);
  });
});
