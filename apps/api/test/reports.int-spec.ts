import { SlaClock, type Inbox, type Thread } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

const FROM = '2026-03-01T00:00:00.000Z';
const TO = '2026-03-02T00:00:00.000Z';
const at = (h: number, s = 0) => new Date(Date.parse(FROM) + h * 3_600_000 + s * 1000);

describe('SLA report (hand-built fixture, expected numbers computed by hand)', () => {
  let h: Harness;
  let cookie: string;
  let a: Inbox;
  let b: Inbox;
  let teamId: string;

  beforeAll(async () => {
    h = await startApi();
    cookie = await h.login(await h.f.agent({ role: 'supervisor' }));
    const team = await h.f.team({ name: 'Tier 1' });
    teamId = team.id;
    a = await h.f.inbox({ name: 'Alpha' });
    b = await h.f.inbox({ name: 'Beta' });
    const clocks = h.ds.getRepository(SlaClock);
    const thread = (inbox: Inbox, p: Partial<Thread> = {}) => h.f.thread({ inboxId: inbox.id, ...p });
    const clock = async (t: Thread, p: Partial<SlaClock>) => clocks.save({ threadId: t.id, dueAt: at(20), ...p } as SlaClock);

    // Alpha (team Tier 1): first response met after 60, 120, 300 s; one breached (never answered);
    // one breached then answered after 900 s. Next response met after 30 and 90 s.
    for (const secs of [60, 120, 300]) await clock(await thread(a, { teamId }), { metric: 'first_response', status: 'met', startedAt: at(1), metAt: at(1, secs) });
    await clock(await thread(a, { teamId }), { metric: 'first_response', status: 'breached', startedAt: at(2), dueAt: at(3), breachedAt: at(3) });
    const late = await thread(a, { teamId });
    await clock(late, { metric: 'first_response', status: 'breached', startedAt: at(4), dueAt: at(4, 600), breachedAt: at(4, 600), metAt: at(4, 900) });
    const chat = await thread(a, { teamId });
    await clock(chat, { metric: 'next_response', status: 'met', startedAt: at(5), metAt: at(5, 30) });
    await clock(chat, { metric: 'next_response', status: 'met', startedAt: at(6), metAt: at(6, 90) });
    // outside the report: met before the range, a resolution clock, a still running clock
    await clock(chat, { metric: 'next_response', status: 'met', startedAt: at(-5), metAt: at(-4) });
    await clock(chat, { metric: 'resolution', status: 'met', startedAt: at(1), metAt: at(7) });
    await clock(await thread(a, { teamId }), { metric: 'first_response', status: 'running', startedAt: at(8) });

    // auto-acknowledgements: two Alpha threads in range (one acknowledged twice), one before the range, one plain reply
    const auto1 = await thread(a, { teamId });
    const auto2 = await thread(a, { teamId });
    const msg = (t: Thread, createdAt: Date, metadata: Record<string, unknown>) => h.f.message({ threadId: t.id, direction: 'outbound', isAutomatic: true, metadata, createdAt });
    await msg(auto1, at(1), { autoAck: true });
    await msg(auto1, at(9), { autoAck: true });
    await msg(auto2, at(2), { autoAck: true });
    await msg(late, at(-30), { autoAck: true });
    await msg(chat, at(3), {});

    // Beta (no team): one first response met after 600 s
    await clock(await thread(b), { metric: 'first_response', status: 'met', startedAt: at(10), metAt: at(10, 600) });
  });
  afterAll(() => h.close());

  const report = (query: Record<string, string>) => h.http().get('/api/reports/sla').query(query).set('Cookie', cookie);

  it('by inbox: compliance, breaches, median and p90 (percentile_cont), automatic vs human acknowledgement', async () => {
    const res = await report({ from: FROM, to: TO, groupBy: 'inbox' });
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([
      {
        key: a.id,
        label: 'Alpha',
        met: 5, // 3 first + 2 next response clocks met in range
        breaches: 2,
        compliancePercent: 71.43, // 5 / 7
        firstResponseMedianSeconds: 210, // [60, 120, 300, 900] → (120 + 300) / 2
        firstResponseP90Seconds: 720, // rank 0.9 × 3 = 2.7 → 300 + 0.7 × 600
        nextResponseMedianSeconds: 60, // [30, 90]
        nextResponseP90Seconds: 84, // 30 + 0.9 × 60
        acknowledgedAutomatically: 2,
        acknowledgedByPerson: 4, // threads whose first response was met in range, late included
      },
      {
        key: b.id,
        label: 'Beta',
        met: 1,
        breaches: 0,
        compliancePercent: 100,
        firstResponseMedianSeconds: 600,
        firstResponseP90Seconds: 600,
        nextResponseMedianSeconds: null,
        nextResponseP90Seconds: null,
        acknowledgedAutomatically: 0,
        acknowledgedByPerson: 1,
      },
    ]);
  });

  it('by team and by agent, threads without one in their own row', async () => {
    const byTeam = await report({ from: FROM, to: TO, groupBy: 'team' });
    expect(byTeam.body.rows.map((r: { key: string | null; label: string; met: number }) => [r.key, r.label, r.met])).toEqual([
      [null, '(no team)', 1],
      [teamId, 'Tier 1', 5],
    ]);
    const byAgent = await report({ from: FROM, to: TO, groupBy: 'agent' });
    expect(byAgent.body.rows).toHaveLength(1);
    expect(byAgent.body.rows[0]).toMatchObject({ key: null, label: '(unassigned)', met: 6, breaches: 2 });
  });

  it('validates the range, naming the field', async () => {
    const missing = await report({ to: TO });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^from: /);
    const reversed = await report({ from: TO, to: FROM });
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toMatch(/^to: /);
    const tooLong = await report({ from: '2024-01-01T00:00:00Z', to: '2025-01-03T00:00:00Z' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/^to: .*366 days/);
    const garbage = await report({ from: 'yesterday', to: TO });
    expect(garbage.body.message).toMatch(/^from: /);
  });
});
