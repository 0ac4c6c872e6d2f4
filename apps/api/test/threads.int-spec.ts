import { io, type Socket } from 'socket.io-client';
import type { Agent, Inbox } from '@desk/core';
import { startApi, type Harness } from './harness';

describe('threads and contacts API', () => {
  let h: Harness;
  let agent: Agent;
  let other: Agent;
  let supervisor: Agent;
  let inbox: Inbox;
  let cookie: string;

  beforeAll(async () => {
    h = await startApi();
    agent = await h.f.agent({ name: 'Ada' });
    other = await h.f.agent({ name: 'Bob' });
    supervisor = await h.f.agent({ role: 'supervisor', name: 'Sue' });
    inbox = await h.f.inbox();
    cookie = await h.login(agent);
  });
  afterAll(() => h.close());

  it('lists by SLA due time with threads without a clock last, and pages with a cursor', async () => {
    const contact = await h.f.contact();
    const now = Date.now();
    const late = await h.f.thread({ inboxId: inbox.id, contactId: contact.id, slaDueAt: new Date(now + 3_600_000) });
    const soon = await h.f.thread({ inboxId: inbox.id, contactId: contact.id, slaDueAt: new Date(now + 60_000) });
    const none = await h.f.thread({ inboxId: inbox.id, contactId: contact.id });
    await h.f.thread({ inboxId: inbox.id, contactId: contact.id, status: 'resolved' });

    const first = await h.http().get('/api/threads').query({ inboxId: inbox.id, limit: 2 }).set('Cookie', cookie);
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { id: string }) => t.id)).toEqual([soon.id, late.id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.http().get('/api/threads').query({ inboxId: inbox.id, limit: 2, cursor: first.body.nextCursor }).set('Cookie', cookie);
    expect(second.body.items.map((t: { id: string }) => t.id)).toEqual([none.id]);
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.items[0].contact.id).toBe(contact.id);
  });

  it('filters the views mine and unassigned, and rejects a bad filter naming it', async () => {
    const box = await h.f.inbox();
    const mine = await h.f.thread({ inboxId: box.id, assigneeId: agent.id });
    const free = await h.f.thread({ inboxId: box.id });
    const get = (view: string) => h.http().get('/api/threads').query({ view, inboxId: box.id }).set('Cookie', cookie);
    expect((await get('mine')).body.items.map((t: { id: string }) => t.id)).toEqual([mine.id]);
    expect((await get('unassigned')).body.items.map((t: { id: string }) => t.id)).toEqual([free.id]);
    const bad = await h.http().get('/api/threads').query({ view: 'everything' }).set('Cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^view: /);
    const badCursor = await h.http().get('/api/threads').query({ cursor: 'garbage' }).set('Cookie', cookie);
    expect(badCursor.status).toBe(400);
  });

  it('returns the newest messages first page in order, and walks back with the cursor', async () => {
    const t = await h.f.thread({ inboxId: inbox.id });
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5; i++) await h.f.message({ threadId: t.id, bodyText: `m${i}`, createdAt: new Date(base + i * 1000) });
    const p1 = await h.http().get(`/api/threads/${t.id}/messages`).query({ limit: 3 }).set('Cookie', cookie);
    expect(p1.body.items.map((m: { bodyText: string }) => m.bodyText)).toEqual(['m2', 'm3', 'm4']);
    const p2 = await h.http().get(`/api/threads/${t.id}/messages`).query({ limit: 3, cursor: p1.body.nextCursor }).set('Cookie', cookie);
    expect(p2.body.items.map((m: { bodyText: string }) => m.bodyText)).toEqual(['m0', 'm1']);
    expect(p2.body.nextCursor).toBeNull();
  });

  it('lets an agent take a thread but not hand it to someone else; a supervisor reassigns with a reason, audited and pushed live', async () => {
    const t = await h.f.thread({ inboxId: inbox.id });
    const take = await h.http().patch(`/api/threads/${t.id}`).send({ assigneeId: agent.id }).set('Cookie', cookie);
    expect(take.status).toBe(200);
    expect(take.body.assignee.id).toBe(agent.id);

    const push = await h.http().patch(`/api/threads/${t.id}`).send({ assigneeId: other.id }).set('Cookie', cookie);
    expect(push.status).toBe(403);
    expect(push.body.message).toMatch(/^assigneeId: /);

    // Bob is connected: he must hear that the thread became his
    const port = (h.app.getHttpServer().address() as { port: number }).port;
    const bob: Socket = io(`http://127.0.0.1:${port}`, { extraHeaders: { Cookie: await h.login(other) }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      bob.once('ready', () => resolve());
      bob.once('connect_error', reject);
    });
    const heard = new Promise<{ thread: { id: string; assignee: { id: string } } }>((resolve) => bob.on('thread.updated', resolve));

    const supCookie = await h.login(supervisor);
    const re = await h.http().patch(`/api/threads/${t.id}`).send({ assigneeId: other.id, reason: 'Ada is on leave' }).set('Cookie', supCookie);
    expect(re.status).toBe(200);
    expect(re.body.assignee.id).toBe(other.id);
    expect(re.body.version).toBeGreaterThan(take.body.version);
    const event = await heard;
    expect(event.thread.id).toBe(t.id);
    expect(event.thread.assignee.id).toBe(other.id);
    bob.close();

    const audit = await h.http().get(`/api/threads/${t.id}/audit`).set('Cookie', cookie);
    const re2 = audit.body.filter((e: { action: string }) => e.action === 'thread.reassigned');
    expect(re2).toHaveLength(2);
    expect(re2[1]).toMatchObject({ reason: 'Ada is on leave', actor: { id: supervisor.id, name: 'Sue' }, data: { from: { assigneeId: agent.id }, to: { assigneeId: other.id } } });
  });

  it('refuses an empty change and an unknown assignee, naming the field', async () => {
    const t = await h.f.thread({ inboxId: inbox.id });
    const supCookie = await h.login(supervisor);
    const empty = await h.http().patch(`/api/threads/${t.id}`).send({ reason: 'x' }).set('Cookie', supCookie);
    expect(empty.status).toBe(400);
    const ghost = await h.http().patch(`/api/threads/${t.id}`).send({ assigneeId: '00000000-0000-4000-8000-000000000001' }).set('Cookie', supCookie);
    expect(ghost.status).toBe(404);
    expect(ghost.body.message).toMatch(/^assigneeId: /);
    expect((await h.http().get('/api/threads/00000000-0000-4000-8000-000000000001').set('Cookie', cookie)).status).toBe(404);
    expect((await h.http().get('/api/threads/not-a-uuid').set('Cookie', cookie)).status).toBe(400);
  });

  it("shows a contact's threads on every channel, newest first, and finds contacts by handle", async () => {
    const contact = await h.f.contact({ name: 'Grace Hopper' });
    await h.ds.query(`INSERT INTO contact_identities (contact_id, kind, value, normalized_value, display_name) VALUES ($1, 'x', '42', '@gracehopper', '@GraceHopper')`, [contact.id]);
    const xInbox = await h.f.inbox({ channel: 'x', address: '@acme' });
    const older = await h.f.thread({ contactId: contact.id, inboxId: xInbox.id, channel: 'x', createdAt: new Date(Date.now() - 86_400_000) });
    const newer = await h.f.thread({ contactId: contact.id, inboxId: inbox.id, channel: 'email' });
    const res = await h.http().get(`/api/contacts/${contact.id}/threads`).set('Cookie', cookie);
    expect(res.body.items.map((t: { id: string; channel: string }) => [t.id, t.channel])).toEqual([
      [newer.id, 'email'],
      [older.id, 'x'],
    ]);
    // a contact without threads answers an empty page; an unknown one is 404, not an empty page
    const quiet = await h.f.contact({ name: 'No Threads Yet' });
    const none = await h.http().get(`/api/contacts/${quiet.id}/threads`).set('Cookie', cookie);
    expect([none.status, none.body.items]).toEqual([200, []]);
    const unknown = await h.http().get('/api/contacts/00000000-0000-4000-8000-000000000002/threads').set('Cookie', cookie);
    expect(unknown.status).toBe(404);
    const found = await h.http().get('/api/contacts').query({ q: '@gracehopper' }).set('Cookie', cookie);
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([contact.id]);
    expect(found.body.items[0].identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'x']);
  });
});
