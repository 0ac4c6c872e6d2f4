import { io, type Socket } from 'socket.io-client';
import { SlaClock, SlaPolicy, StalledService, type Agent, type Inbox, type Thread } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

const ago = (min: number) => new Date(Date.now() - min * 60_000);
const GHOST = '00000000-0000-4000-8000-000000000001';

describe('supervisor API: bulk reassignment, stalled threads, agents load', () => {
  let h: Harness;
  let supervisor: Agent;
  let agent: Agent;
  let supCookie: string;
  let agentCookie: string;

  beforeAll(async () => {
    h = await startApi();
    supervisor = await h.f.agent({ role: 'supervisor', name: 'Sue' });
    agent = await h.f.agent({ name: 'Ada' });
    supCookie = await h.login(supervisor);
    agentCookie = await h.login(agent);
  });
  afterAll(() => h.close());

  const policy = (inbox: Inbox, p: Partial<SlaPolicy> = {}) =>
    h.ds.getRepository(SlaPolicy).save({ name: `p-${inbox.id}`, position: 1, conditions: { inboxIds: [inbox.id] }, firstResponseMinutes: 60, nextResponseMinutes: 60, stallMinutes: 30, ...p });

  it('refuses agents on every supervisor and report route', async () => {
    const routes = [
      h.http().post('/api/supervisor/reassign').send({ threadIds: [GHOST], assigneeId: null, reason: 'x' }),
      h.http().get('/api/supervisor/stalled'),
      h.http().get('/api/supervisor/agents'),
      h.http().get('/api/reports/sla').query({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
    ];
    for (const r of routes) expect((await r.set('Cookie', agentCookie)).status).toBe(403);
    expect((await h.http().get('/api/supervisor/stalled')).status).toBe(401);
  });

  it('reassigns many threads with a reason: audited with from/to/who/why, the new agent hears it live, unknown threads fail alone', async () => {
    const bob = await h.f.agent({ name: 'Bob' });
    const inbox = await h.f.inbox();
    const t1 = await h.f.thread({ inboxId: inbox.id, assigneeId: agent.id });
    const t2 = await h.f.thread({ inboxId: inbox.id });

    const missing = await h.http().post('/api/supervisor/reassign').send({ threadIds: [t1.id], assigneeId: bob.id }).set('Cookie', supCookie);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^reason: /);
    const empty = await h.http().post('/api/supervisor/reassign').send({ threadIds: [], assigneeId: bob.id, reason: 'x' }).set('Cookie', supCookie);
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^threadIds: /);

    const port = (h.app.getHttpServer().address() as { port: number }).port;
    const connect = async (a: Agent): Promise<Socket> => {
      const s = io(`http://127.0.0.1:${port}`, { extraHeaders: { Cookie: await h.login(a) }, transports: ['websocket'] });
      await new Promise<void>((resolve, reject) => {
        s.once('ready', () => resolve());
        s.once('connect_error', reject);
      });
      return s;
    };
    const bobSocket = await connect(bob);
    const adaSocket = await connect(agent);
    const heardByBob = new Set<string>();
    const bobHeardBoth = new Promise<void>((resolve) =>
      bobSocket.on('thread.updated', (e: { thread: { id: string; assignee: { id: string } | null } }) => {
        if (e.thread.assignee?.id === bob.id) heardByBob.add(e.thread.id);
        if (heardByBob.has(t1.id) && heardByBob.has(t2.id)) resolve();
      }),
    );
    const adaHeard = new Promise<{ thread: { id: string } }>((resolve) => adaSocket.on('thread.updated', resolve));

    const res = await h.http().post('/api/supervisor/reassign').send({ threadIds: [t1.id, GHOST, t2.id], assigneeId: bob.id, reason: 'Ada is on leave' }).set('Cookie', supCookie);
    expect(res.status).toBe(200);
    expect(res.body.updated).toEqual([t1.id, t2.id]);
    expect(res.body.failed).toEqual([{ threadId: GHOST, message: 'thread not found' }]);
    await bobHeardBoth;
    expect((await adaHeard).thread.id).toBe(t1.id); // the agent losing the thread is told too
    bobSocket.close();
    adaSocket.close();

    const audit: Array<{ thread_id: string; actor_agent_id: string; reason: string; data: unknown; created_at: Date }> = await h.ds.query(
      `SELECT thread_id, actor_agent_id, reason, data, created_at FROM audit_events WHERE action = 'thread.reassigned' AND thread_id = ANY($1::uuid[]) ORDER BY thread_id`,
      [[t1.id, t2.id]],
    );
    expect(audit).toHaveLength(2);
    const byThread = new Map(audit.map((a) => [a.thread_id, a]));
    expect(byThread.get(t1.id)).toMatchObject({ actor_agent_id: supervisor.id, reason: 'Ada is on leave', data: { from: { assigneeId: agent.id }, to: { assigneeId: bob.id } } });
    expect(byThread.get(t2.id)).toMatchObject({ actor_agent_id: supervisor.id, reason: 'Ada is on leave', data: { from: { assigneeId: null }, to: { assigneeId: bob.id } } });
    expect(byThread.get(t1.id)!.created_at).toBeInstanceOf(Date);

    // back to the queue
    const back = await h.http().post('/api/supervisor/reassign').send({ threadIds: [t2.id], assigneeId: null, reason: 'needs triage' }).set('Cookie', supCookie);
    expect(back.body).toEqual({ updated: [t2.id], failed: [] });
  });

  describe('stalled threads', () => {
    let inbox: Inbox;
    const t: Record<string, Thread> = {};
    const ids = (items: Array<{ thread: { id: string; inboxId: string } }>) => items.filter((i) => i.thread.inboxId === inbox.id).map((i) => i.thread.id);

    beforeAll(async () => {
      inbox = await h.f.inbox();
      await policy(inbox);
      const away = await h.f.agent({ name: 'Mia Away', availability: 'away' });
      const offline = await h.f.agent({ name: 'Olga Offline', availability: 'offline' });
      const online = await h.f.agent({ name: 'Zed Online' });
      const contact = await h.f.contact();
      const th = (p: Partial<Thread>) => h.f.thread({ inboxId: inbox.id, contactId: contact.id, ...p });
      t.idle = await th({ lastCustomerMessageAt: ago(120) });
      t.away = await th({ assigneeId: away.id, lastCustomerMessageAt: ago(10) });
      t.offline = await th({ assigneeId: offline.id, lastCustomerMessageAt: ago(50) });
      t.noted = await th({ assigneeId: online.id, lastCustomerMessageAt: ago(120), lastAgentMessageAt: ago(180) });
      await h.f.message({ threadId: t.noted.id, direction: 'note', authorAgentId: online.id, createdAt: ago(5) });
      t.fresh = await th({ assigneeId: online.id, lastCustomerMessageAt: ago(10) });
      t.answered = await th({ assigneeId: online.id, lastCustomerMessageAt: ago(120), lastAgentMessageAt: ago(100) });
      t.resolved = await th({ status: 'resolved', lastCustomerMessageAt: ago(120) });
      t.late = await th({ assigneeId: online.id, lastCustomerMessageAt: ago(40) });
      const clocks = h.ds.getRepository(SlaClock);
      await clocks.save({ threadId: t.late.id, metric: 'next_response', status: 'running', startedAt: ago(40), dueAt: ago(1), warnAt: ago(10) });
      await clocks.save({ threadId: t.idle.id, metric: 'first_response', status: 'running', startedAt: ago(120), dueAt: new Date(Date.now() + 3_600_000), warnAt: ago(1) });
    });

    it('lists threads waiting on us idle past the stall time or with an absent assignee, with reason, age and SLA state', async () => {
      const res = await h.http().get('/api/supervisor/stalled').set('Cookie', supCookie);
      expect(res.status).toBe(200);
      const items = res.body.items.filter((i: { thread: { inboxId: string } }) => i.thread.inboxId === inbox.id);
      const byId = new Map<string, { reason: string; reasons: string[]; ageSeconds: number; sla: unknown; stallMinutes: number }>(items.map((i: { thread: { id: string } }) => [i.thread.id, i]));
      expect(new Set(byId.keys())).toEqual(new Set([t.idle!.id, t.away!.id, t.offline!.id, t.late!.id]));
      expect(byId.get(t.idle!.id)).toMatchObject({ reason: 'no_agent_activity', reasons: ['no_agent_activity'], stallMinutes: 30, sla: { metric: 'first_response', state: 'at_risk' } });
      expect(byId.get(t.away!.id)).toMatchObject({ reason: 'assignee_away', reasons: ['assignee_away'], sla: null });
      expect(byId.get(t.offline!.id)).toMatchObject({ reason: 'assignee_offline', reasons: ['assignee_offline', 'no_agent_activity'] });
      expect(byId.get(t.late!.id)).toMatchObject({ reason: 'no_agent_activity', sla: { metric: 'next_response', state: 'breached' } });
      expect(byId.get(t.idle!.id)!.ageSeconds).toBeGreaterThanOrEqual(7199);
      expect(byId.get(t.idle!.id)!.ageSeconds).toBeLessThan(7260);
    });

    it('sorts by age, by SLA due time and by agent', async () => {
      const get = async (sort: string) => ids((await h.http().get('/api/supervisor/stalled').query({ sort }).set('Cookie', supCookie)).body.items);
      expect(await get('age')).toEqual([t.idle!.id, t.offline!.id, t.late!.id, t.away!.id]);
      expect(await get('sla')).toEqual([t.late!.id, t.idle!.id, t.offline!.id, t.away!.id]);
      expect(await get('agent')).toEqual([t.idle!.id, t.away!.id, t.offline!.id, t.late!.id]);
      const bad = await h.http().get('/api/supervisor/stalled').query({ sort: 'mood' }).set('Cookie', supCookie);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^sort: /);
    });

    it('auto-reassigns threads stalled a further autoReassignAfterMinutes to the least-loaded online team member, once', async () => {
      const team = await h.f.team();
      const box = await h.f.inbox({ teamId: team.id });
      await policy(box, { stallMinutes: 30, autoReassignAfterMinutes: 15 });
      const idler = await h.f.agent({ name: 'Idler' });
      const gone = await h.f.agent({ name: 'Gone', availability: 'offline' });
      const busy = await h.f.agent({ name: 'Busy' });
      const free = await h.f.agent({ name: 'Free' });
      for (const a of [idler, gone, busy, free]) await h.ds.query(`INSERT INTO team_members (agent_id, team_id) VALUES ($1, $2)`, [a.id, team.id]);
      await h.f.thread({ inboxId: box.id, teamId: team.id, assigneeId: busy.id }); // Busy carries one
      const th = (p: Partial<Thread>) => h.f.thread({ inboxId: box.id, teamId: team.id, ...p });
      const overdue = await th({ assigneeId: idler.id, lastCustomerMessageAt: ago(50) }); // 50 ≥ 30 + 15
      const notYet = await th({ assigneeId: idler.id, lastCustomerMessageAt: ago(35) }); // stalled, not 45 min yet
      const absent = await th({ assigneeId: gone.id, lastCustomerMessageAt: ago(20) }); // offline, 20 ≥ 15

      const stalled = h.app.get(StalledService);
      await stalled.autoReassign();
      const assignee = async (id: string) => (await h.ds.query(`SELECT assignee_id FROM threads WHERE id = $1`, [id]))[0].assignee_id;
      expect(await assignee(overdue.id)).toBe(free.id);
      expect(await assignee(absent.id)).not.toBe(gone.id);
      // after the first move Idler, Busy and Free carry one open thread each: any is least-loaded
      expect([free.id, busy.id, idler.id]).toContain(await assignee(absent.id));
      expect(await assignee(notYet.id)).toBe(idler.id);
      const audit = await h.ds.query(`SELECT actor_kind, reason, data FROM audit_events WHERE thread_id = $1 AND action = 'thread.reassigned'`, [overdue.id]);
      expect(audit).toEqual([{ actor_kind: 'system', reason: 'auto-reassign: stalled', data: expect.objectContaining({ from: { assigneeId: idler.id }, to: { assigneeId: free.id } }) }]);

      // the move is activity: a second run right after changes nothing for these threads
      await stalled.autoReassign();
      const count = await h.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE thread_id = ANY($1::uuid[]) AND action = 'thread.reassigned'`, [[overdue.id, absent.id, notYet.id]]);
      expect(count[0].n).toBe(2);
    });
  });

  it('shows each agent with availability, capacity, open assigned and breached counts', async () => {
    const carol = await h.f.agent({ name: 'Carol', availability: 'away', capacity: 4 });
    const inbox = await h.f.inbox();
    const a = await h.f.thread({ inboxId: inbox.id, assigneeId: carol.id });
    await h.f.thread({ inboxId: inbox.id, assigneeId: carol.id, status: 'pending' });
    await h.f.thread({ inboxId: inbox.id, assigneeId: carol.id, status: 'resolved' });
    await h.ds.getRepository(SlaClock).save({ threadId: a.id, metric: 'first_response', status: 'breached', startedAt: ago(90), dueAt: ago(30), breachedAt: ago(30) });
    const res = await h.http().get('/api/supervisor/agents').set('Cookie', supCookie);
    expect(res.status).toBe(200);
    expect(res.body.items.find((i: { id: string }) => i.id === carol.id)).toEqual({
      id: carol.id,
      name: 'Carol',
      email: carol.email,
      role: 'agent',
      availability: 'away',
      capacity: 4,
      openAssigned: 2,
      breached: 1,
    });
  });
});
