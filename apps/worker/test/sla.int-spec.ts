import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  INGEST_HOOKS,
  OutboxService,
  QUEUES,
  QueueName,
  SLA_BREACH_JOB,
  SlaClock,
  SlaPolicy,
  SlaReconciler,
  SlaService,
  Thread,
  ThreadsService,
  slaJobId,
  type IngestHooks,
  type Queues,
  type Viewer,
} from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { waitFor } from './support';
import { PrivateRedis } from './support/redis-server';

/** Policy targets are fractional business minutes on a 24/7 calendar: seconds-long SLAs, the real path. */
const sec = (s: number) => s / 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
jest.setTimeout(30_000);

describe('SLA enforcement with BullMQ timers (real Postgres, a private Redis)', () => {
  const redis = new PrivateRedis();
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;
  let sla: SlaService;
  let queues: Queues;
  let outbox: OutboxService;
  let threads: ThreadsService;

  beforeAll(async () => {
    await redis.start();
    env = await createTestEnv({ REDIS_URL: redis.url });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
    sla = worker.get(SlaService);
    queues = worker.get<Queues>(QUEUES);
    outbox = worker.get(OutboxService);
    threads = worker.get(ThreadsService);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
    await redis.stop();
  });

  let policyPos = 0;
  /** A policy matching only this test's inbox, so tests do not see each other's policies. */
  async function setup(p: Partial<SlaPolicy> = {}) {
    const inbox = await f.inbox();
    await ds.getRepository(SlaPolicy).save({
      name: `p${++policyPos}`,
      position: policyPos,
      conditions: { inboxIds: [inbox.id] },
      firstResponseMinutes: sec(2),
      nextResponseMinutes: sec(2),
      resolutionMinutes: null,
      warningPercent: 50,
      ...p,
    });
    const contact = await f.contact();
    const thread = await f.thread({ inboxId: inbox.id, contactId: contact.id });
    const agent = await f.agent({ role: 'supervisor' });
    const viewer: Viewer = { id: agent.id, role: 'supervisor', teamIds: [] };
    return { inbox, contact, thread, agent, viewer };
  }
  /** A customer's message as ingestion leaves it, then the ingest hook. */
  async function customerWrites(threadId: string, contactId: string, isAutomatic = false) {
    const msg = await f.message({ threadId, contactId, isAutomatic });
    await ds.query(`UPDATE threads SET last_customer_message_at = $2 WHERE id = $1`, [threadId, msg.createdAt]);
    await worker.get<IngestHooks>(INGEST_HOOKS).afterInboundMessage({ threadId, messageId: msg.id, isAutomatic, isNewThread: false });
    return msg;
  }
  const clocksOf = (threadId: string) => ds.getRepository(SlaClock).find({ where: { threadId }, order: { createdAt: 'ASC' } });
  const oneClock = async (threadId: string) => {
    const cs = await clocksOf(threadId);
    expect(cs).toHaveLength(1);
    return cs[0]!;
  };
  const breaches = async (clockId: string) => Number((await ds.query(`SELECT count(*) AS n FROM sla_breaches WHERE clock_id = $1`, [clockId]))[0].n);
  const audits = async (threadId: string, action: string) =>
    Number((await ds.query(`SELECT count(*) AS n FROM audit_events WHERE thread_id = $1 AND action = $2`, [threadId, action]))[0].n);
  const job = (clockId: string, t: 'warn' | 'breach') => queues[QueueName.Sla].getJob(slaJobId(clockId, t));
  const reload = (id: string) => ds.getRepository(SlaClock).findOneByOrFail({ id });
  const settled = (id: string, status: SlaClock['status'], what: string, ms = 20_000) =>
    waitFor(async () => {
      const c = await reload(id);
      return c.status === status ? c : null;
    }, what, ms);
  const reply = async (threadId: string, viewer: Viewer, kind: 'reply' | 'note') => {
    const t = await ds.getRepository(Thread).findOneByOrFail({ id: threadId });
    return outbox.post(threadId, { kind, body: kind === 'note' ? 'internal: checking with billing' : 'We are on it.', seenVersion: t.version }, viewer);
  };

  it('automatic mail never starts a clock; a customer message starts first_response, after an agent reply next_response', async () => {
    const { thread, contact, viewer } = await setup({ firstResponseMinutes: 60, nextResponseMinutes: 30 });
    await customerWrites(thread.id, contact.id, true);
    expect(await clocksOf(thread.id)).toHaveLength(0);

    const msg = await customerWrites(thread.id, contact.id);
    const first = await oneClock(thread.id);
    expect(first).toMatchObject({ metric: 'first_response', status: 'running' });
    expect(first.startedAt.getTime()).toBe(msg.createdAt.getTime());
    expect(first.dueAt.getTime() - first.startedAt.getTime()).toBe(60 * 60_000);
    expect(first.warnAt!.getTime() - first.startedAt.getTime()).toBe(30 * 60_000);
    expect((await ds.getRepository(Thread).findOneByOrFail({ id: thread.id })).slaDueAt?.getTime()).toBe(first.dueAt.getTime());
    // a retry of the hook changes nothing
    await worker.get<IngestHooks>(INGEST_HOOKS).afterInboundMessage({ threadId: thread.id, messageId: msg.id, isAutomatic: false, isNewThread: false });
    expect(await clocksOf(thread.id)).toHaveLength(1);

    await reply(thread.id, viewer, 'reply');
    expect((await reload(first.id)).status).toBe('met');
    expect(await job(first.id, 'breach')).toBeUndefined();
    await sleep(5);
    await customerWrites(thread.id, contact.id);
    const [, next] = await clocksOf(thread.id);
    expect(next).toMatchObject({ metric: 'next_response', status: 'running' });
    expect(next!.dueAt.getTime() - next!.startedAt.getTime()).toBe(30 * 60_000);
  });

  it('a thread matching no policy gets no clock', async () => {
    const thread = await f.thread();
    await customerWrites(thread.id, thread.contactId);
    expect(await clocksOf(thread.id)).toHaveLength(0);
  });

  it('fires the warning, then the breach, each exactly once', async () => {
    const { thread, contact } = await setup();
    const t0 = Date.now();
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    expect(await job(clock.id, 'warn')).toBeDefined();
    expect(await job(clock.id, 'breach')).toBeDefined();

    const done = await settled(clock.id, 'breached', 'the breach');
    expect(done.warnedAt).not.toBeNull();
    expect(done.warnedAt!.getTime()).toBeGreaterThanOrEqual(done.warnAt!.getTime());
    expect(done.breachedAt!.getTime()).toBeGreaterThanOrEqual(done.dueAt.getTime());
    expect(done.warnedAt!.getTime()).toBeLessThan(done.breachedAt!.getTime());
    expect(done.breachedAt!.getTime()).toBeGreaterThan(t0);
    expect(done.breachedAt!.getTime()).toBeLessThan(Date.now());
    expect(await breaches(clock.id)).toBe(1);
    expect(await audits(thread.id, 'sla.warning')).toBe(1);
    expect(await audits(thread.id, 'sla.breached')).toBe(1);
    // the unanswered breach keeps the thread at the top of due-sorted lists
    expect((await ds.getRepository(Thread).findOneByOrFail({ id: thread.id })).slaDueAt?.getTime()).toBe(done.dueAt.getTime());
  });

  it('an agent reply before the due time removes both jobs and nothing is breached', async () => {
    const { thread, contact, viewer } = await setup({ firstResponseMinutes: sec(3), warningPercent: 90 });
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    await reply(thread.id, viewer, 'reply');
    const met = await reload(clock.id);
    expect(met.status).toBe('met');
    expect(met.metAt).not.toBeNull();
    expect(await job(clock.id, 'warn')).toBeUndefined();
    expect(await job(clock.id, 'breach')).toBeUndefined();
    expect((await ds.getRepository(Thread).findOneByOrFail({ id: thread.id })).slaDueAt).toBeNull();
    await sleep(clock.dueAt.getTime() - Date.now() + 1000);
    expect((await reload(clock.id)).status).toBe('met');
    expect(await breaches(clock.id)).toBe(0);
    expect(await audits(thread.id, 'sla.warning')).toBe(0);
  });

  it('an internal note does not meet the clock', async () => {
    const { thread, contact, viewer } = await setup();
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    await reply(thread.id, viewer, 'note');
    expect((await reload(clock.id)).status).toBe('running');
    expect(await job(clock.id, 'breach')).toBeDefined();
    await settled(clock.id, 'breached', 'the breach despite the note');
    expect(await breaches(clock.id)).toBe(1);
  });

  it('pending pauses the clock with its remaining business time; open resumes it with due = resume + remaining', async () => {
    const { thread, contact, viewer } = await setup({ firstResponseMinutes: 10, warningPercent: 50 });
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);

    const pausedAtMs = Date.now();
    await threads.update(thread.id, { status: 'pending' }, viewer);
    const paused = await reload(clock.id);
    expect(paused.status).toBe('paused');
    const remainingMs = paused.remainingMinutes! * 60_000;
    expect(Math.abs(clock.dueAt.getTime() - pausedAtMs - remainingMs)).toBeLessThan(1000);
    expect(await job(clock.id, 'breach')).toBeUndefined();
    expect(await job(clock.id, 'warn')).toBeUndefined();
    expect((await ds.getRepository(Thread).findOneByOrFail({ id: thread.id })).slaDueAt).toBeNull();

    await sleep(1500);
    const resumedAtMs = Date.now();
    await threads.update(thread.id, { status: 'open' }, viewer);
    const resumed = await reload(clock.id);
    expect(resumed.status).toBe('running');
    expect(resumed.remainingMinutes).toBeNull();
    expect(Math.abs(resumed.dueAt.getTime() - (resumedAtMs + remainingMs))).toBeLessThan(1000);
    // it moved by the paused time
    expect(resumed.dueAt.getTime() - clock.dueAt.getTime()).toBeGreaterThanOrEqual(1400);
    // the warning still comes when half of the 10 minutes is left
    expect(Math.abs(resumed.dueAt.getTime() - resumed.warnAt!.getTime() - 5 * 60_000)).toBeLessThan(5);
    const b = await job(clock.id, 'breach');
    expect(Math.abs(b!.timestamp + b!.delay - resumed.dueAt.getTime())).toBeLessThan(1000);
    expect((await ds.getRepository(Thread).findOneByOrFail({ id: thread.id })).slaDueAt?.getTime()).toBe(resumed.dueAt.getTime());

    await threads.update(thread.id, { status: 'resolved' }, viewer);
    expect((await reload(clock.id)).status).toBe('cancelled');
    expect(await job(clock.id, 'breach')).toBeUndefined();
  });

  it('resolving meets the resolution clock', async () => {
    const { thread, contact, viewer } = await setup({ firstResponseMinutes: 30, resolutionMinutes: 600 });
    await customerWrites(thread.id, contact.id);
    const cs = await clocksOf(thread.id);
    expect(cs.map((c) => c.metric).sort()).toEqual(['first_response', 'resolution']);
    await threads.update(thread.id, { status: 'resolved' }, viewer);
    const after = await clocksOf(thread.id);
    expect(after.find((c) => c.metric === 'resolution')?.status).toBe('met');
    expect(after.find((c) => c.metric === 'first_response')?.status).toBe('cancelled');
  });

  it('a duplicate breach job, or concurrent processors, record one breach', async () => {
    const { thread, contact } = await setup({ firstResponseMinutes: 60 });
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    await queues[QueueName.Sla].remove(slaJobId(clock.id, 'breach'));
    await ds.query(`UPDATE sla_clocks SET due_at = now() - interval '1 second' WHERE id = $1`, [clock.id]);

    const outcomes = await Promise.all(Array.from({ length: 6 }, () => sla.fireBreach(clock.id)));
    expect(outcomes.filter((o) => o.outcome === 'breached')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'already-breached')).toHaveLength(5);
    // and a second job under another id
    await queues[QueueName.Sla].add(SLA_BREACH_JOB, { clockId: clock.id }, { jobId: `dup-${clock.id}` });
    await waitFor(async () => (await queues[QueueName.Sla].getJob(`dup-${clock.id}`))?.finishedOn, 'the duplicate job to run');
    expect(await breaches(clock.id)).toBe(1);
    expect(await audits(thread.id, 'sla.breached')).toBe(1);
  });

  it('a stale job (clock met) does nothing', async () => {
    const { thread, contact } = await setup({ firstResponseMinutes: sec(1) });
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    await sla.onAgentReply(thread.id, new Date());
    await sleep(clock.dueAt.getTime() - Date.now() + 200);
    await queues[QueueName.Sla].add(SLA_BREACH_JOB, { clockId: clock.id }, { jobId: slaJobId(clock.id, 'breach') });
    expect(await sla.fireBreach(clock.id)).toEqual({ outcome: 'stale' });
    await waitFor(async () => (await job(clock.id, 'breach'))?.finishedOn, 'the stale job to finish');
    expect((await job(clock.id, 'breach'))?.returnvalue).toEqual({ outcome: 'stale' });
    expect((await reload(clock.id)).status).toBe('met');
    expect(await breaches(clock.id)).toBe(0);
  });

  it('agent exceptions: extend and pause need a reason, are audited and listed for supervisors', async () => {
    const { thread, contact, agent } = await setup({ firstResponseMinutes: 60 });
    await customerWrites(thread.id, contact.id);
    const clock = await oneClock(thread.id);
    const from = new Date(Date.now() - 1000);

    await expect(sla.extendClock(clock.id, 15, '', { id: agent.id })).rejects.toThrow(/^reason: /);
    await expect(sla.pauseClock(clock.id, '  ', { id: agent.id })).rejects.toThrow(/^reason: /);

    const extended = await sla.extendClock(clock.id, 15, 'customer asked us to wait for their logs', { id: agent.id });
    expect(new Date(extended.dueAt).getTime() - clock.dueAt.getTime()).toBe(15 * 60_000);
    const b = await job(clock.id, 'breach');
    expect(Math.abs(b!.timestamp + b!.delay - new Date(extended.dueAt).getTime())).toBeLessThan(1000);

    const paused = await sla.pauseClock(clock.id, 'waiting on the vendor', { id: agent.id });
    expect(paused.status).toBe('paused');
    expect(await job(clock.id, 'breach')).toBeUndefined();
    // a status round trip does not lift an agent's pause
    const viewer: Viewer = { id: agent.id, role: 'supervisor', teamIds: [] };
    await threads.update(thread.id, { status: 'pending' }, viewer);
    await threads.update(thread.id, { status: 'open' }, viewer);
    expect((await reload(clock.id)).status).toBe('paused');

    const list = await sla.listExceptions(from, new Date(Date.now() + 1000));
    expect(list.map((e) => [e.kind, e.reason, e.agentId, e.clockId])).toEqual([
      ['paused', 'waiting on the vendor', agent.id, clock.id],
      ['extended', 'customer asked us to wait for their logs', agent.id, clock.id],
    ]);
    expect(list[1]!.minutes).toBe(15);

    const resumed = await sla.resumeClock(clock.id, { id: agent.id });
    expect(resumed.status).toBe('running');
    expect(await job(clock.id, 'breach')).toBeDefined();
  });

  it('after FLUSHALL, reconcileNow re-schedules running clocks, breaches the overdue at once, and the others still breach on time', async () => {
    const a = await setup({ firstResponseMinutes: sec(1), warningPercent: 0 });
    const b = await setup({ firstResponseMinutes: sec(6), warningPercent: 50 });
    await customerWrites(a.thread.id, a.contact.id);
    await customerWrites(b.thread.id, b.contact.id);
    const ca = await oneClock(a.thread.id);
    const cb = await oneClock(b.thread.id);

    await redis.flushAll();
    expect(await job(ca.id, 'breach')).toBeUndefined();
    await sleep(ca.dueAt.getTime() - Date.now() + 500);
    expect((await reload(ca.id)).status).toBe('running'); // its timer is gone

    const result = await worker.get(SlaReconciler).reconcileNow();
    expect(result.rescheduled).toBeGreaterThanOrEqual(3);
    expect(await job(cb.id, 'breach')).toBeDefined();
    expect(await job(cb.id, 'warn')).toBeDefined();

    const da = await settled(ca.id, 'breached', 'the overdue clock to breach at once', 10_000);
    expect(da.breachedAt!.getTime()).toBeGreaterThan(ca.dueAt.getTime());
    const db = await settled(cb.id, 'breached', 'the other clock to breach on time');
    expect(db.breachedAt!.getTime()).toBeGreaterThanOrEqual(cb.dueAt.getTime());
    expect(db.warnedAt).not.toBeNull();
    expect(await breaches(ca.id)).toBe(1);
    expect(await breaches(cb.id)).toBe(1);
    // a second pass finds nothing to do
    expect((await worker.get(SlaReconciler).reconcileNow()).rescheduled).toBe(0);
  });
});
