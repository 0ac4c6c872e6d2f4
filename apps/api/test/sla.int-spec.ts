import { SlaClock, SlaPolicy, SlaService, type Agent, type Thread } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

const GHOST = '00000000-0000-4000-8000-000000000001';

describe('SLA API: clocks of a thread and agent exceptions (pause, extend with a reason, audited)', () => {
  let h: Harness;
  let agent: Agent;
  let supervisor: Agent;
  let agentCookie: string;
  let supCookie: string;
  let position = 0;

  beforeAll(async () => {
    h = await startApi();
    agent = await h.f.agent({ name: 'Ada' });
    supervisor = await h.f.agent({ role: 'supervisor', name: 'Sue' });
    agentCookie = await h.login(agent);
    supCookie = await h.login(supervisor);
  });
  afterAll(() => h.close());

  /** A thread with a running first-response clock of 60 business minutes on a 24/7 calendar. */
  async function runningClock(): Promise<{ thread: Thread; clock: SlaClock }> {
    const inbox = await h.f.inbox();
    await h.ds.getRepository(SlaPolicy).save({
      name: `api-${++position}`,
      position,
      conditions: { inboxIds: [inbox.id] },
      firstResponseMinutes: 60,
      nextResponseMinutes: 60,
      warningPercent: 75,
    });
    const thread = await h.f.thread({ inboxId: inbox.id });
    const { clock } = await h.app.get(SlaService).startClock(thread.id, 'first_response', new Date());
    if (!clock) throw new Error('no clock started');
    return { thread, clock };
  }

  it('lists the clocks of a thread', async () => {
    const { thread, clock } = await runningClock();
    const res = await h.http().get(`/api/threads/${thread.id}/sla`).set('Cookie', agentCookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ id: clock.id, metric: 'first_response', status: 'running', dueAt: clock.dueAt.toISOString() })]);
    expect((await h.http().get(`/api/threads/${thread.id}/sla`)).status).toBe(401);
  });

  it('refuses an exception without a reason: 400 naming `reason`, nothing changes', async () => {
    const { clock } = await runningClock();
    const bodies = [{ minutes: 30 }, { minutes: 30, reason: '  ' }, { minutes: 30, reason: null }];
    for (const body of bodies) {
      const res = await h.http().post(`/api/sla/clocks/${clock.id}/extend`).send(body).set('Cookie', agentCookie);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
      expect(res.body.message).toMatch(/^reason: /);
    }
    const pause = await h.http().post(`/api/sla/clocks/${clock.id}/pause`).send({}).set('Cookie', agentCookie);
    expect(pause.status).toBe(400);
    expect(pause.body.message).toMatch(/^reason: /);
    const noMinutes = await h.http().post(`/api/sla/clocks/${clock.id}/extend`).send({ reason: 'customer on holiday' }).set('Cookie', agentCookie);
    expect(noMinutes.status).toBe(400);
    expect(noMinutes.body.message).toMatch(/^minutes: /);

    const after = await h.ds.getRepository(SlaClock).findOneByOrFail({ id: clock.id });
    expect(after).toMatchObject({ status: 'running', extendedMinutes: 0 });
    expect(after.dueAt.getTime()).toBe(clock.dueAt.getTime());
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE thread_id = $1 AND action LIKE 'sla.clock.%' AND actor_kind = 'agent'`, [clock.threadId]);
    expect(n).toBe(0);
  });

  it('extending a clock moves its due instant (and the thread\'s) and is audited with who, why, from and to', async () => {
    const { thread, clock } = await runningClock();
    const res = await h.http().post(`/api/sla/clocks/${clock.id}/extend`).send({ minutes: 30, reason: 'waiting for the supplier' }).set('Cookie', agentCookie);
    expect(res.status).toBe(200);
    const movedTo = new Date(clock.dueAt.getTime() + 30 * 60_000).toISOString();
    expect(res.body).toMatchObject({ id: clock.id, status: 'running', dueAt: movedTo });

    const stored = await h.ds.getRepository(SlaClock).findOneByOrFail({ id: clock.id });
    expect(stored.dueAt.toISOString()).toBe(movedTo);
    expect(stored.extendedMinutes).toBe(30);
    const [t] = await h.ds.query(`SELECT sla_due_at FROM threads WHERE id = $1`, [thread.id]);
    expect(new Date(t.sla_due_at).toISOString()).toBe(movedTo);

    const audits = await h.ds.query(`SELECT actor_kind, actor_agent_id, reason, data FROM audit_events WHERE thread_id = $1 AND action = 'sla.clock.extended'`, [thread.id]);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_kind: 'agent', actor_agent_id: agent.id, reason: 'waiting for the supplier' });
    expect(audits[0].data).toMatchObject({ clockId: clock.id, metric: 'first_response', minutes: 30 });
    expect(new Date(audits[0].data.fromDueAt).toISOString()).toBe(clock.dueAt.toISOString());
    expect(new Date(audits[0].data.toDueAt).toISOString()).toBe(movedTo);
  });

  it('pausing needs a running clock; an unknown clock is 404', async () => {
    const { clock } = await runningClock();
    const paused = await h.http().post(`/api/sla/clocks/${clock.id}/pause`).send({ reason: 'customer asked us to wait' }).set('Cookie', agentCookie);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused' });
    expect((await h.http().post(`/api/sla/clocks/${clock.id}/pause`).send({ reason: 'again please' }).set('Cookie', agentCookie)).status).toBe(409);
    expect((await h.http().post(`/api/sla/clocks/${GHOST}/extend`).send({ minutes: 5, reason: 'no such clock' }).set('Cookie', agentCookie)).status).toBe(404);
  });

  it('GET /api/sla/exceptions is for supervisors: agents get 403, supervisors see the extension with its reason', async () => {
    const { clock } = await runningClock();
    await h.http().post(`/api/sla/clocks/${clock.id}/extend`).send({ minutes: 15, reason: 'legal review pending' }).set('Cookie', agentCookie).expect(200);

    expect((await h.http().get('/api/sla/exceptions').set('Cookie', agentCookie)).status).toBe(403);
    expect((await h.http().get('/api/sla/exceptions')).status).toBe(401);

    const res = await h.http().get('/api/sla/exceptions').set('Cookie', supCookie);
    expect(res.status).toBe(200);
    const mine = (res.body as Array<Record<string, unknown>>).filter((e) => e.clockId === clock.id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'extended', agentId: agent.id, reason: 'legal review pending', minutes: 15, fromDueAt: clock.dueAt.toISOString(), threadId: clock.threadId }),
    ]);
    const bad = await h.http().get('/api/sla/exceptions').query({ from: 'yesterday' }).set('Cookie', supCookie);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^from: /);
  });
});
