import { RepeatContactService, SlaPolicy, Thread } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

describe('repeat contacts (threshold 3 in 14 days by default)', () => {
  let h: Harness;
  let svc: RepeatContactService;

  beforeAll(async () => {
    h = await startApi();
    svc = h.app.get(RepeatContactService);
  });
  afterAll(() => h.close());

  const flags = async (id: string) => (await h.ds.getRepository(Thread).findOneByOrFail({ id })).flags;

  it('flags the third new thread within the window, not the second, and not when an older one is outside it', async () => {
    const inbox = await h.f.inbox();
    const c = await h.f.contact();
    await h.f.thread({ inboxId: inbox.id, contactId: c.id, createdAt: daysAgo(10) });
    const second = await h.f.thread({ inboxId: inbox.id, contactId: c.id, createdAt: daysAgo(5) });
    expect(await svc.flagIfRepeat(second.id)).toEqual({ flagged: false, count: 2 });
    expect(await flags(second.id)).toEqual({});
    const third = await h.f.thread({ inboxId: inbox.id, contactId: c.id });
    expect(await svc.flagIfRepeat(third.id)).toMatchObject({ flagged: true, count: 3, priority: null });
    expect(await flags(third.id)).toEqual({ repeatContact: { count: 3, windowDays: 14 } });
    const audit = await h.ds.query(`SELECT action, actor_kind FROM audit_events WHERE thread_id = $1`, [third.id]);
    expect(audit).toEqual([{ action: 'thread.flagged', actor_kind: 'system' }]);
    // idempotent: a retried hook does not flag or audit twice
    expect(await svc.flagIfRepeat(third.id)).toMatchObject({ flagged: true, already: true });
    expect(await h.ds.query(`SELECT 1 FROM audit_events WHERE thread_id = $1`, [third.id])).toHaveLength(1);

    const d = await h.f.contact();
    await h.f.thread({ inboxId: inbox.id, contactId: d.id, createdAt: daysAgo(20) }); // outside 14 days
    await h.f.thread({ inboxId: inbox.id, contactId: d.id, createdAt: daysAgo(3) });
    const now = await h.f.thread({ inboxId: inbox.id, contactId: d.id });
    expect(await svc.flagIfRepeat(now.id)).toEqual({ flagged: false, count: 2 });
  });

  it("raises the priority one step when the matched policy's conditions say raisePriorityOnRepeat", async () => {
    const inbox = await h.f.inbox();
    await h.ds.getRepository(SlaPolicy).save({ name: 'vip repeat', position: 1, conditions: { inboxIds: [inbox.id], raisePriorityOnRepeat: true } as SlaPolicy['conditions'], firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const c = await h.f.contact();
    await h.f.thread({ inboxId: inbox.id, contactId: c.id, createdAt: daysAgo(2) });
    await h.f.thread({ inboxId: inbox.id, contactId: c.id, createdAt: daysAgo(1) });
    const t = await h.f.thread({ inboxId: inbox.id, contactId: c.id, priority: 'normal' });
    expect(await svc.flagIfRepeat(t.id)).toMatchObject({ flagged: true, count: 3, priority: { from: 'normal', to: 'high' } });
    const after = await h.ds.getRepository(Thread).findOneByOrFail({ id: t.id });
    expect(after.priority).toBe('high');
    expect(after.version).toBeGreaterThan(t.version);
  });
});
