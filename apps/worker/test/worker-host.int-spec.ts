import { QUEUES, type Queues } from '@desk/core';
import { createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { WorkerHost } from '../src/jobs/worker-host';
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
