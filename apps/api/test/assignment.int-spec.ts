import { DataSource } from 'typeorm';
import { AssignmentService, AuditService, RealtimePublisher, createDataSource, type Agent, type AssignOutcome, type Inbox, type Team } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

describe('automatic assignment (real Postgres, row locks)', () => {
  let h: Harness;
  let svc: AssignmentService;

  beforeAll(async () => {
    h = await startApi();
    svc = h.app.get(AssignmentService);
  });
  afterAll(() => h.close());

  const join = (team: Team, ...agents: Agent[]) =>
    Promise.all(agents.map((a) => h.ds.query(`INSERT INTO team_members (agent_id, team_id) VALUES ($1, $2)`, [a.id, team.id])));
  const assigneeOf = async (threadId: string) => ((await h.ds.query(`SELECT assignee_id FROM threads WHERE id = $1`, [threadId])) as Array<{ assignee_id: string | null }>)[0]?.assignee_id;

  async function setup(mode: Inbox['assignmentMode'], agents: Array<Partial<Agent>>) {
    const team = await h.f.team();
    const base = Date.now() - 3_600_000;
    const made: Agent[] = [];
    // explicit createdAt: the rotation order is when agents joined
    for (const [i, p] of agents.entries()) made.push(await h.f.agent({ createdAt: new Date(base + i * 1000), ...p }));
    await join(team, ...made);
    const inbox = await h.f.inbox({ assignmentMode: mode, teamId: team.id });
    return { team, agents: made, inbox };
  }

  for (const mode of ['least_loaded', 'round_robin'] as const) {
    it(`${mode}: 20 threads assigned concurrently by two services on separate pools never exceed capacity nor double-assign`, async () => {
      const { agents, inbox } = await setup(mode, [{ capacity: 3 }, { capacity: 3 }]);
      const contact = await h.f.contact();
      const threads = [];
      for (let i = 0; i < 20; i++) threads.push(await h.f.thread({ inboxId: inbox.id, contactId: contact.id }));

      // a second "worker": its own DataSource (own connection pool) and service instance
      const ds2: DataSource = createDataSource({ url: h.env.config.DATABASE_URL, poolSize: 10 });
      await ds2.initialize();
      try {
        const svc2 = new AssignmentService(ds2, new AuditService(ds2), h.app.get(RealtimePublisher));
        const results: AssignOutcome[] = await Promise.all(threads.map((t, i) => (i % 2 ? svc2 : svc).assignNewThread(t.id)));
        const assigned = results.filter((r) => r.outcome === 'assigned');
        expect(assigned).toHaveLength(6);
        expect(results.filter((r) => r.outcome === 'skipped' && r.reason === 'no_capacity')).toHaveLength(14);
      } finally {
        await ds2.destroy();
      }
      const load: Array<{ assignee_id: string | null; n: number }> = await h.ds.query(
        `SELECT assignee_id, count(*)::int AS n FROM threads WHERE inbox_id = $1 GROUP BY assignee_id ORDER BY assignee_id NULLS LAST`,
        [inbox.id],
      );
      expect(load).toEqual(expect.arrayContaining([{ assignee_id: agents[0]!.id, n: 3 }, { assignee_id: agents[1]!.id, n: 3 }, { assignee_id: null, n: 14 }]));
      const audits: Array<{ thread_id: string; n: number; mode: string }> = await h.ds.query(
        `SELECT thread_id, count(*)::int AS n, min(data->>'mode') AS mode FROM audit_events WHERE action = 'thread.assigned' AND thread_id = ANY($1::uuid[]) GROUP BY thread_id`,
        [threads.map((t) => t.id)],
      );
      expect(audits).toHaveLength(6);
      expect(audits.every((a) => a.n === 1 && a.mode === mode)).toBe(true);

      // a duplicate call for an assigned thread changes nothing
      const again = await svc.assignNewThread(audits[0]!.thread_id);
      expect(again).toMatchObject({ outcome: 'skipped', reason: 'taken' });

      // capacity frees: the sweep hands the waiting threads out, oldest first
      await h.ds.query(`UPDATE threads SET status = 'resolved' WHERE assignee_id = $1`, [agents[0]!.id]);
      const sweep = await svc.assignUnassigned();
      expect(sweep.assigned).toBe(3);
      expect(await assigneeOf(threads.find((t) => !audits.some((a) => a.thread_id === t.id))!.id)).toBe(agents[0]!.id);
    });
  }

  it('round-robin rotates in join order, skipping an away agent and one at capacity, and resumes when capacity frees', async () => {
    const { agents, inbox } = await setup('round_robin', [{ name: 'A' }, { name: 'B', availability: 'away' }, { name: 'C' }, { name: 'D', capacity: 1 }, { name: 'E' }]);
    const [a, , c, d] = agents as [Agent, Agent, Agent, Agent, Agent];
    await h.f.thread({ inboxId: inbox.id, assigneeId: d.id }); // D is full
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await h.f.thread({ inboxId: inbox.id });
      const r = await svc.assignNewThread(t.id);
      expect(r.outcome).toBe('assigned');
      got.push((await assigneeOf(t.id))!);
    }
    const names = new Map(agents.map((x) => [x.id, x.name]));
    expect(got.map((id) => names.get(id))).toEqual(['A', 'C', 'E', 'A', 'C', 'E']);
    expect(got).not.toContain(d.id);

    await h.ds.query(`UPDATE threads SET status = 'resolved' WHERE assignee_id = $1`, [d.id]);
    const t = await h.f.thread({ inboxId: inbox.id });
    await svc.assignNewThread(t.id);
    expect(await assigneeOf(t.id)).toBe(a.id); // the cursor is at E: wraps to A
    const t2 = await h.f.thread({ inboxId: inbox.id });
    await svc.assignNewThread(t2.id);
    expect(await assigneeOf(t2.id)).toBe(c.id);
    const t3 = await h.f.thread({ inboxId: inbox.id });
    await svc.assignNewThread(t3.id);
    expect(await assigneeOf(t3.id)).toBe(d.id); // D has room again
  });

  it('least-loaded picks the online agent with the fewest open threads, ties by the longest since the last assignment', async () => {
    const { agents, inbox } = await setup('least_loaded', [
      { name: 'X' },
      { name: 'Y' },
      { name: 'Z' },
      { name: 'W', availability: 'away' },
      { name: 'V', capacity: 1 },
    ]);
    const [x, y, z, , v] = agents as [Agent, Agent, Agent, Agent, Agent];
    const contact = await h.f.contact();
    const give = async (agent: Agent, n: number, status: 'open' | 'pending' | 'resolved' = 'open') => {
      for (let i = 0; i < n; i++) await h.f.thread({ inboxId: inbox.id, contactId: contact.id, assigneeId: agent.id, status });
    };
    await give(x, 2);
    await give(y, 1);
    await give(z, 1, 'pending'); // pending counts as carried
    await give(z, 3, 'resolved'); // resolved does not
    await give(v, 1); // V is full
    await h.ds.query(`INSERT INTO agent_assignment_stats (agent_id, last_assigned_at) VALUES ($1, now() - interval '1 hour'), ($2, now() - interval '2 hours')`, [y.id, z.id]);

    const t = await h.f.thread({ inboxId: inbox.id, contactId: contact.id });
    expect(await svc.assignNewThread(t.id)).toMatchObject({ outcome: 'assigned', agentId: z.id, mode: 'least_loaded' });
    const t2 = await h.f.thread({ inboxId: inbox.id, contactId: contact.id });
    // Z now carries 2: Y (1) is the least loaded
    expect(await svc.assignNewThread(t2.id)).toMatchObject({ outcome: 'assigned', agentId: y.id });
    const audit = await h.ds.query(`SELECT actor_kind, data FROM audit_events WHERE thread_id = $1 AND action = 'thread.assigned'`, [t2.id]);
    expect(audit).toEqual([{ actor_kind: 'system', data: expect.objectContaining({ mode: 'least_loaded', to: { assigneeId: y.id } }) }]);
    // the thread took the inbox's team
    expect((await h.ds.query(`SELECT team_id FROM threads WHERE id = $1`, [t2.id]))[0].team_id).toBe(inbox.teamId);
  });

  it('leaves threads of manual inboxes and of inboxes without a team alone', async () => {
    const team = await h.f.team();
    const manual = await h.f.inbox({ assignmentMode: 'manual', teamId: team.id });
    const noTeam = await h.f.inbox({ assignmentMode: 'least_loaded' });
    const t1 = await h.f.thread({ inboxId: manual.id });
    const t2 = await h.f.thread({ inboxId: noTeam.id });
    expect(await svc.assignNewThread(t1.id)).toMatchObject({ outcome: 'skipped', reason: 'manual' });
    expect(await svc.assignNewThread(t2.id)).toMatchObject({ outcome: 'skipped', reason: 'no_team' });
  });
});
