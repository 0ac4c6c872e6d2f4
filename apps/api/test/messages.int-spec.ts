import type { Queue } from 'bullmq';
import { QUEUES, QueueName, Thread, type Queues } from '@desk/core';
import { startApi, type Harness } from './harness';

describe('replies and notes: POST /api/threads/:id/messages (real Postgres and Redis)', () => {
  let h: Harness;
  let deliverQueue: Queue;
  beforeAll(async () => {
    h = await startApi();
    deliverQueue = h.app.get<Queues>(QUEUES)[QueueName.Deliver];
  });
  afterAll(() => h.close());

  const versionOf = async (threadId: string) => (await h.ds.getRepository(Thread).findOneByOrFail({ id: threadId })).version;

  /** What the ingestion writer does: bump the thread, then add the message stamped with the new version. */
  async function customerWrites(threadId: string, text: string) {
    const repo = h.ds.getRepository(Thread);
    const t = await repo.findOneByOrFail({ id: threadId });
    t.lastCustomerMessageAt = new Date();
    t.lastMessageAt = new Date();
    const saved = await repo.save(t);
    return h.f.message({ threadId, contactId: t.contactId, bodyText: text, externalId: `cust-${Date.now()}-${Math.random()}@example.com`, threadVersion: saved.version });
  }

  it('writes a reply to the outbox in one go and answers 201 without sending anything', async () => {
    const agent = await h.f.agent();
    const contact = await h.f.contact({ email: 'jane@example.com' });
    const thread = await h.f.thread({ contactId: contact.id, subject: 'Broken widget' });
    const cookie = await h.login(agent);
    const seen = (await h.http().get(`/api/threads/${thread.id}`).set('Cookie', cookie)).body.version as number;

    const res = await h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'reply', body: 'We are on it.\n\nBest, Desk', seenVersion: seen });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      threadId: thread.id,
      direction: 'outbound',
      channel: 'email',
      author: { kind: 'agent', id: agent.id },
      subject: 'Re: Broken widget',
      bodyText: 'We are on it.\n\nBest, Desk',
      isPublic: true,
      deliveryState: 'queued',
    });
    expect(res.body.bodyHtml).toContain('<p>We are on it.</p>');

    const [msg] = await h.ds.query(`SELECT external_id, thread_version FROM messages WHERE id = $1`, [res.body.id]);
    expect(msg.external_id).toMatch(/^[0-9a-f-]{36}@desk\.test$/);
    const deliveries = await h.ds.query(`SELECT id, status, attempts, recipient FROM outbound_deliveries WHERE message_id = $1`, [res.body.id]);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'queued', attempts: 0, recipient: { to: ['jane@example.com'], cc: [], bcc: [] } });
    const ids = await h.ds.query(`SELECT message_id_header, source FROM mail_message_ids WHERE message_id = $1`, [res.body.id]);
    expect(ids).toEqual([{ message_id_header: msg.external_id, source: 'outbound' }]);
    const [t] = await h.ds.query(`SELECT last_agent_message_at, version FROM threads WHERE id = $1`, [thread.id]);
    expect(t.last_agent_message_at).not.toBeNull();
    expect(msg.thread_version).toBe(t.version);
    const audit = await h.ds.query(`SELECT data FROM audit_events WHERE action = 'message.sent' AND thread_id = $1`, [thread.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0].data).toMatchObject({ messageId: res.body.id, deliveryId: deliveries[0].id });

    const job = await deliverQueue.getJob(`deliver-${deliveries[0].id}`);
    expect(job?.name).toBe('deliver');
    expect(job?.data).toEqual({ deliveryId: deliveries[0].id });
    expect(job?.opts.attempts).toBe(8);
    expect(job?.opts.backoff).toMatchObject({ type: 'exponential' });
  });

  it('sends to the given recipients and subject instead of the defaults', async () => {
    const agent = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(agent);
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'FYI', to: ['a@example.com'], cc: ['b@example.com'], bcc: ['c@example.com'], subject: 'Other subject', seenVersion: await versionOf(thread.id) });
    expect(res.status).toBe(201);
    expect(res.body.subject).toBe('Other subject');
    const [d] = await h.ds.query(`SELECT recipient FROM outbound_deliveries WHERE message_id = $1`, [res.body.id]);
    expect(d.recipient).toEqual({ to: ['a@example.com'], cc: ['b@example.com'], bcc: ['c@example.com'] });
  });

  it('records a note with its @mentions, and nothing is queued for delivery', async () => {
    const author = await h.f.agent();
    const ada = await h.f.agent({ name: 'Ada Lovelace', email: 'ada@desk.test' });
    const bob = await h.f.agent({ name: 'Bob', email: 'bob@desk.test' });
    await h.f.agent({ name: 'Bobby' });
    const thread = await h.f.thread();
    const cookie = await h.login(author);
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'note', body: '@bob@desk.test can you check? cc @Ada Lovelace', seenVersion: 0 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'note', isPublic: false, deliveryState: 'sent' });
    const [m] = await h.ds.query(`SELECT metadata, external_id FROM messages WHERE id = $1`, [res.body.id]);
    expect(m.external_id).toBeNull();
    expect(m.metadata.mentions).toEqual([
      { agentId: bob.id, name: 'Bob' },
      { agentId: ada.id, name: 'Ada Lovelace' },
    ]);
    expect(await h.ds.query(`SELECT 1 FROM outbound_deliveries WHERE message_id = $1`, [res.body.id])).toHaveLength(0);
    expect(await h.ds.query(`SELECT 1 FROM mail_message_ids WHERE message_id = $1`, [res.body.id])).toHaveLength(0);
    expect(await h.ds.query(`SELECT 1 FROM audit_events WHERE action = 'note.added' AND thread_id = $1`, [thread.id])).toHaveLength(1);
    expect(await deliverQueue.getJobCounts()).toMatchObject({ waiting: expect.any(Number) });
    const [t] = await h.ds.query(`SELECT last_agent_message_at FROM threads WHERE id = $1`, [thread.id]);
    expect(t.last_agent_message_at).toBeNull();
  });

  it('holds a reply with 409 when a customer message arrived after the version seen, and sends it with force', async () => {
    const agentA = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(agentA);
    const seen = (await h.http().get(`/api/threads/${thread.id}`).set('Cookie', cookie)).body.version as number;
    const arrived = await customerWrites(thread.id, 'Actually, never mind: it works now!');

    const held = await h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'reply', body: 'Here is the fix', seenVersion: seen });
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: 'the thread changed since you opened it' });
    expect(held.body.newMessages).toHaveLength(1);
    expect(held.body.newMessages[0]).toMatchObject({ id: arrived.id, direction: 'inbound', bodyText: 'Actually, never mind: it works now!' });
    expect(await h.ds.query(`SELECT 1 FROM messages WHERE thread_id = $1 AND direction = 'outbound'`, [thread.id])).toHaveLength(0);
    expect(await h.ds.query(`SELECT 1 FROM outbound_deliveries d JOIN messages m ON m.id = d.message_id WHERE m.thread_id = $1`, [thread.id])).toHaveLength(0);

    const forced = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'Here is the fix anyway', seenVersion: seen, force: true });
    expect(forced.status).toBe(201);

    // having seen the new message (the current version), the agent sends without force
    const fresh = await h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'reply', body: 'One more', seenVersion: await versionOf(thread.id) });
    expect(fresh.status).toBe(201);
  });

  it('does not hold a reply for changes that add no message (status, tags)', async () => {
    const agent = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(agent);
    const seen = await versionOf(thread.id);
    const patched = await h.http().patch(`/api/threads/${thread.id}`).set('Cookie', cookie).send({ status: 'pending', tags: ['vip'] });
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBeGreaterThan(seen);
    const res = await h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'reply', body: 'Hello', seenVersion: seen });
    expect(res.status).toBe(201);
  });

  it('holds the second of two replies sent from the same stale view (another tab, another agent)', async () => {
    const a = await h.f.agent();
    const b = await h.f.agent();
    const thread = await h.f.thread();
    const [ca, cb] = [await h.login(a), await h.login(b)];
    const seen = await versionOf(thread.id);
    const send = (cookie: string, body: string) =>
      h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'reply', body, seenVersion: seen });
    const results = await Promise.all([send(ca, 'from A'), send(cb, 'from B')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = results.find((r) => r.status === 201)!;
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.newMessages.map((m: { id: string }) => m.id)).toEqual([winner.body.id]);
  });

  it('does not hold a note for a newer message', async () => {
    const agent = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(agent);
    const seen = await versionOf(thread.id);
    await customerWrites(thread.id, 'new info');
    const res = await h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send({ kind: 'note', body: 'seen it', seenVersion: seen });
    expect(res.status).toBe(201);
  });

  it('refuses a social reply with 422 when the thread has no inbound message to answer', async () => {
    const agent = await h.f.agent();
    const xInbox = await h.f.inbox({ channel: 'x', address: '@acme' });
    const thread = await h.f.thread({ channel: 'x', inboxId: xInbox.id });
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', await h.login(agent))
      .send({ kind: 'reply', body: 'hi', seenVersion: await versionOf(thread.id) });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'thread: no inbound x message to reply to' });
    expect(await h.ds.query(`SELECT 1 FROM messages WHERE thread_id = $1`, [thread.id])).toHaveLength(0);
  });

  it('refuses a reply when the contact has no email and none is given (422 naming "to")', async () => {
    const agent = await h.f.agent();
    const contact = await h.f.contact({ primaryEmail: null });
    const thread = await h.f.thread({ contactId: contact.id });
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', await h.login(agent))
      .send({ kind: 'reply', body: 'hi', seenVersion: await versionOf(thread.id) });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^to: /);
  });

  it('answers 401 without a session and 404 for an unknown thread', async () => {
    const thread = await h.f.thread();
    expect((await h.http().post(`/api/threads/${thread.id}/messages`).send({ kind: 'note', body: 'x', seenVersion: 0 })).status).toBe(401);
    const agent = await h.f.agent();
    const res = await h
      .http()
      .post(`/api/threads/00000000-0000-4000-8000-000000000000/messages`)
      .set('Cookie', await h.login(agent))
      .send({ kind: 'note', body: 'x', seenVersion: 0 });
    expect(res.status).toBe(404);
  });

  it('names each failing field of a malformed request', async () => {
    const agent = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(agent);
    const post = (body: object) => h.http().post(`/api/threads/${thread.id}/messages`).set('Cookie', cookie).send(body);
    const paths = async (body: object) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return (res.body.fields as Array<{ path: string }>).map((f) => f.path).sort();
    };
    expect(await paths({ kind: 'reply', body: '', seenVersion: 1 })).toEqual(['body']);
    expect(await paths({ kind: 'reply', body: '   ', seenVersion: 1 })).toEqual(['body']);
    expect(await paths({ kind: 'reply', body: 'x'.repeat(50_001), seenVersion: 1 })).toEqual(['body']);
    expect(await paths({ kind: 'email', body: 'x', seenVersion: 1 })).toEqual(['kind']);
    expect(await paths({ kind: 'reply', body: 'x' })).toEqual(['seenVersion']);
    expect(await paths({ kind: 'reply', body: 'x', seenVersion: 1, to: ['not-an-email'], cc: 'x@y.z' })).toEqual(['cc', 'to.0']);
    expect(await paths({ kind: 'reply', body: 'x', seenVersion: 1, bodyHtml: '<b>x</b>' })).toEqual(['bodyHtml']);
    expect(await paths({ kind: 'note', body: 'x', seenVersion: 1, to: ['a@example.com'] })).toEqual(['to']);
    const res = await post({ kind: 'reply', body: '', seenVersion: 1 });
    expect(res.body.message).toMatch(/^body: /);
  });

  // The console's composer offers these modes and counts against these limits (contracts SOCIAL_REPLY_MODES).
  it('enforces each social reply mode and its limit: 400 naming body over it, 422 naming public without a target', async () => {
    const agent = await h.f.agent();
    const cookie = await h.login(agent);
    const socialThread = async (channel: 'x' | 'facebook' | 'instagram', inbound: Array<{ kind: string; id: string; isPublic: boolean }>) => {
      const inbox = await h.f.inbox({ channel, address: null });
      const thread = await h.f.thread({ channel, inboxId: inbox.id });
      for (const t of inbound) {
        await h.f.message({ threadId: thread.id, channel, isPublic: t.isPublic, externalId: `${channel}-${t.id}-${Math.random()}`, metadata: { replyTarget: { kind: t.kind, id: t.id }, from: { address: 'sender-1' } } });
      }
      return thread;
    };
    const reply = async (threadId: string, body: string, extra: object = {}) =>
      h.http().post(`/api/threads/${threadId}/messages`).set('Cookie', cookie).send({ kind: 'reply', body, seenVersion: await versionOf(threadId), ...extra });
    const refusedBody = async (threadId: string, body: string, extra: object) => {
      const res = await reply(threadId, body, extra);
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([expect.objectContaining({ path: 'body' })]);
    };

    // X: a DM goes to the author of a mention even without an earlier DM; 10,000 characters
    const x = await socialThread('x', [{ kind: 'x-tweet', id: 't1', isPublic: true }]);
    await refusedBody(x.id, 'a'.repeat(10_001), { public: false });
    expect((await reply(x.id, 'a'.repeat(10_000), { public: false })).status).toBe(201);
    await refusedBody(x.id, 'a'.repeat(281), { public: true });

    // Facebook: a comment cannot be answered privately (no Private Replies); comments up to 8000
    const fb = await socialThread('facebook', [{ kind: 'facebook-comment', id: 'c1', isPublic: true }]);
    const noPrivate = await reply(fb.id, 'hi', { public: false });
    expect(noPrivate.status).toBe(422);
    expect(noPrivate.body.message).toMatch(/^public: /);
    await refusedBody(fb.id, 'a'.repeat(8001), { public: true });

    // Instagram: DMs up to 1000, comments up to 2200
    const ig = await socialThread('instagram', [
      { kind: 'instagram-comment', id: 'c2', isPublic: true },
      { kind: 'instagram-dm', id: 'sender-1', isPublic: false },
    ]);
    await refusedBody(ig.id, 'a'.repeat(1001), { public: false });
    await refusedBody(ig.id, 'a'.repeat(2201), { public: true });
    expect((await reply(ig.id, 'a'.repeat(2200), { public: true })).status).toBe(201);
  });
});
