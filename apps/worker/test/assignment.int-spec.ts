import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QUEUES, QueueName, SlaPolicy, type Queues } from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { StalledAutoReassignJob } from '../src/assignment/stalled-auto-reassign.job';
import { AssignmentSweepJob } from '../src/assignment/assignment-sweep.job';

jest.setTimeout(60_000);

const ago = (min: number) => new Date(Date.now() - min * 60_000);

describe('assignment jobs in the worker (real Postgres and Redis)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  it('schedules both jobs every minute on the maintenance queue', async () => {
    const schedulers = await worker.get<Queues>(QUEUES)[QueueName.Maintenance].getJobSchedulers();
    const byName = new Map(schedulers.map((s) => [s.name, s]));
    expect(byName.get('assignment-sweep')?.every).toBe(60_000);
    expect(byName.get('stalled-auto-reassign')?.every).toBe(60_000);
  });

  it('the stalled job moves an overdue stalled thread to the least-loaded online agent of the team; the sweep assigns waiting threads', async () => {
    const team = await f.team();
    const inbox = await f.inbox({ teamId: team.id });
    await ds.getRepository(SlaPolicy).save({ name: 'p', position: 1, conditions: { inboxIds: [inbox.id] }, firstResponseMinutes: 60, nextResponseMinutes: 60, stallMinutes: 10, autoReassignAfterMinutes: 5 });
    const idle = await f.agent();
    const fresh = await f.agent();
    for (const a of [idle, fresh]) await ds.query(`INSERT INTO team_members (agent_id, team_id) VALUES ($1, $2)`, [a.id, team.id]);
    const t = await f.thread({ inboxId: inbox.id, teamId: team.id, assigneeId: idle.id, lastCustomerMessageAt: ago(20) });

    await worker.get(StalledAutoReassignJob).handle();
    const [row] = await ds.query(`SELECT assignee_id FROM threads WHERE id = $1`, [t.id]);
    expect(row.assignee_id).toBe(fresh.id);
    const audit = await ds.query(`SELECT reason FROM audit_events WHERE thread_id = $1 AND action = 'thread.reassigned'`, [t.id]);
    expect(audit).toEqual([{ reason: 'auto-reassign: stalled' }]);

    const rr = await f.inbox({ teamId: team.id, assignmentMode: 'round_robin' });
    const waiting = await f.thread({ inboxId: rr.id });
    await worker.get(AssignmentSweepJob).handle();
    const [w] = await ds.query(`SELECT assignee_id FROM threads WHERE id = $1`, [waiting.id]);
    expect([idle.id, fresh.id]).toContain(w.assignee_id);
  });
});
