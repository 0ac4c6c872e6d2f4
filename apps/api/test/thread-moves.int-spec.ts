import type { Agent, Contact, Inbox } from '@desk/core';
import { startApi, type Harness } from './harness';

describe('thread moves API (split and merge)', () => {
  let h: Harness;
  let agent: Agent;
  let inbox: Inbox;
  let contact: Contact;
  let cookie: string;

  beforeAll(async () => {
    h = await startApi();
    agent = await h.f.agent({ name: 'Ada' });
    inbox = await h.f.inbox();
    contact = await h.f.contact();
    cookie = await h.login(agent);
  });
  afterAll(() => h.close());

  const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute));

  /** A thread with messages at the given minutes; each inbound one has a Message-ID on record. */
  async function threadWith(specs: Array<{ minute: number; direction?: 'inbound' | 'outbound' | 'note'; body?: string }>, contactId = contact.id) {
    const thread = await h.f.thread({ inboxId: inbox.id, contactId });
    const messages = [];
    for (const s of specs) {
      const direction = s.direction ?? 'inbound';
      const externalId = direction === 'note' ? null : `${s.minute}-${thread.id}@example.com`;
      const m = await h.f.message({
        threadId: thread.id,
        direction,
        contactId: direction === 'note' ? null : contactId,
        authorAgentId: direction === 'inbound' ? null : agent.id,
        externalId,
        bodyText: s.body ?? `message at ${s.minute}`,
        visibleText: s.body ?? `message at ${s.minute}`,
        createdAt: at(s.minute),
      });
      if (externalId) {
        await h.ds.query(`INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source) VALUES ($1, $2, $3, $4)`, [
          externalId,
          thread.id,
          m.id,
          direction === 'inbound' ? 'inbound' : 'outbound',
        ]);
      }
      messages.push(m);
    }
    return { thread, messages };
  }

  const auditOf = async (threadId: string) => (await h.http().get(`/api/threads/${threadId}/audit`).set('Cookie', cookie)).body as Array<{ action: string; reason: string | null; data: Record<string, unknown> }>;

  it('splits messages into a new thread of the same contact, moving their Message-IDs and auditing both threads', async () => {
    const { thread, messages } = await threadWith([
      { minute: 1, body: 'My printer is broken' },
      { minute: 2, direction: 'outbound', body: 'Try turning it off and on' },
      { minute: 3, body: 'Also, my invoice is wrong' },
      { minute: 4, direction: 'note', body: 'billing question' },
    ]);
    const [first, reply, invoice, note] = messages;
    const before = (await h.http().get(`/api/threads/${thread.id}`).set('Cookie', cookie)).body;

    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/split`)
      .send({ messageIds: [invoice!.id, note!.id], subject: 'Invoice', reason: 'second question' })
      .set('Cookie', cookie);
    expect(res.status).toBe(201);
    const { newThread, sourceThread, movedMessageIds } = res.body;
    expect(movedMessageIds.sort()).toEqual([invoice!.id, note!.id].sort());
    expect(newThread).toMatchObject({
      subject: 'Invoice',
      status: 'open',
      channel: thread.channel,
      inboxId: inbox.id,
      linkedThreadId: thread.id,
      contact: { id: contact.id },
      preview: 'Also, my invoice is wrong',
      lastCustomerMessageAt: at(3).toISOString(),
      lastAgentMessageAt: null,
      mergedIntoThreadId: null,
    });
    // the source's times and preview come from what stayed; its version moved on
    expect(sourceThread).toMatchObject({ preview: 'My printer is broken', lastCustomerMessageAt: at(1).toISOString(), lastAgentMessageAt: at(2).toISOString(), lastMessageAt: at(2).toISOString() });
    expect(sourceThread.version).toBeGreaterThan(before.version);

    const listed = async (id: string) =>
      ((await h.http().get(`/api/threads/${id}/messages`).set('Cookie', cookie)).body.items as Array<{ id: string }>).map((m) => m.id);
    expect(await listed(newThread.id)).toEqual([invoice!.id, note!.id]);
    expect(await listed(thread.id)).toEqual([first!.id, reply!.id]);

    const ids: Array<{ message_id_header: string; thread_id: string }> = await h.ds.query(
      `SELECT message_id_header, thread_id FROM mail_message_ids WHERE message_id = ANY($1) ORDER BY message_id_header`,
      [[first!.id, invoice!.id]],
    );
    expect(ids).toEqual([
      { message_id_header: `1-${thread.id}@example.com`, thread_id: thread.id },
      { message_id_header: `3-${thread.id}@example.com`, thread_id: newThread.id },
    ]);

    for (const id of [thread.id, newThread.id]) {
      const split = (await auditOf(id)).find((e) => e.action === 'thread.split');
      expect(split).toMatchObject({ reason: 'second question', data: { messageIds: expect.arrayContaining([invoice!.id, note!.id]) } });
    }
  });

  it('refuses a split that would empty the thread or names a foreign message, naming messageIds', async () => {
    const { thread, messages } = await threadWith([{ minute: 1 }, { minute: 2 }]);
    const other = await threadWith([{ minute: 5 }]);
    const all = await h.http().post(`/api/threads/${thread.id}/split`).send({ messageIds: messages.map((m) => m.id) }).set('Cookie', cookie);
    expect(all.status).toBe(400);
    expect(all.body.message).toMatch(/^messageIds: at least one message must stay/);
    expect(all.body.fields).toEqual([{ path: 'messageIds', message: expect.any(String) }]);
    const foreign = await h.http().post(`/api/threads/${thread.id}/split`).send({ messageIds: [other.messages[0]!.id] }).set('Cookie', cookie);
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toMatch(/^messageIds: .* not a message of thread/);
    const empty = await h.http().post(`/api/threads/${thread.id}/split`).send({ messageIds: [] }).set('Cookie', cookie);
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^messageIds: /);
    // nothing moved
    expect((await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1`, [thread.id]))[0].n).toBe(2);
  });

  it('merges a thread into another of the same contact: messages, Message-IDs and social keys move, the source is resolved and points there', async () => {
    const source = await threadWith([{ minute: 10, body: 'still broken' }]);
    const target = await threadWith([
      { minute: 1, body: 'printer broken' },
      { minute: 5, direction: 'outbound', body: 'on it' },
    ]);
    await h.ds.query(`INSERT INTO thread_keys (inbox_id, key, thread_id) VALUES ($1, $2, $3)`, [inbox.id, `fb-dm:${source.thread.id}`, source.thread.id]);

    const res = await h.http().post(`/api/threads/${source.thread.id}/merge`).send({ targetThreadId: target.thread.id, reason: 'same printer' }).set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.body.movedMessageIds).toEqual([source.messages[0]!.id]);
    expect(res.body.targetThread).toMatchObject({ preview: 'still broken', lastCustomerMessageAt: at(10).toISOString(), lastAgentMessageAt: at(5).toISOString() });

    const detail = (await h.http().get(`/api/threads/${source.thread.id}`).set('Cookie', cookie)).body;
    expect(detail).toMatchObject({ status: 'resolved', mergedIntoThreadId: target.thread.id, mergedIntoThreadNumber: target.thread.number });
    expect((await h.ds.query(`SELECT thread_id FROM messages WHERE id = $1`, [source.messages[0]!.id]))[0].thread_id).toBe(target.thread.id);
    expect((await h.ds.query(`SELECT thread_id FROM mail_message_ids WHERE message_id_header = $1`, [`10-${source.thread.id}@example.com`]))[0].thread_id).toBe(target.thread.id);
    expect((await h.ds.query(`SELECT thread_id FROM thread_keys WHERE key = $1`, [`fb-dm:${source.thread.id}`]))[0].thread_id).toBe(target.thread.id);

    for (const [id, role] of [
      [source.thread.id, 'source'],
      [target.thread.id, 'target'],
    ] as const) {
      expect((await auditOf(id)).find((e) => e.action === 'thread.merged')).toMatchObject({ reason: 'same printer', data: { role, messageIds: [source.messages[0]!.id] } });
    }

    // gone from the inbox lists and the contact's history: its messages show in the target
    const open = await h.http().get('/api/threads').query({ contactId: contact.id, status: 'open,pending' }).set('Cookie', cookie);
    expect(open.body.items.map((t: { id: string }) => t.id)).not.toContain(source.thread.id);
    expect(open.body.items.map((t: { id: string }) => t.id)).toContain(target.thread.id);
    const history = await h.http().get(`/api/contacts/${contact.id}/threads`).set('Cookie', cookie);
    expect(history.status).toBe(200);
    expect(history.body.items.map((t: { id: string }) => t.id)).not.toContain(source.thread.id);

    const again = await h.http().post(`/api/threads/${source.thread.id}/merge`).send({ targetThreadId: target.thread.id, reason: 'again' }).set('Cookie', cookie);
    expect(again.status).toBe(409);
  });

  it('refuses to merge threads of different contacts, or a thread into itself, naming targetThreadId', async () => {
    const mine = await threadWith([{ minute: 1 }]);
    const theirs = await threadWith([{ minute: 2 }], (await h.f.contact()).id);
    const res = await h.http().post(`/api/threads/${mine.thread.id}/merge`).send({ targetThreadId: theirs.thread.id, reason: 'looks alike' }).set('Cookie', cookie);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^targetThreadId: .*another contact/);
    expect(res.body.fields).toEqual([{ path: 'targetThreadId', message: expect.stringMatching(/another contact/) }]);
    expect((await h.ds.query(`SELECT thread_id FROM messages WHERE id = $1`, [mine.messages[0]!.id]))[0].thread_id).toBe(mine.thread.id);

    const self = await h.http().post(`/api/threads/${mine.thread.id}/merge`).send({ targetThreadId: mine.thread.id, reason: 'oops' }).set('Cookie', cookie);
    expect(self.status).toBe(400);
    expect(self.body.message).toMatch(/^targetThreadId: /);
    const noReason = await h.http().post(`/api/threads/${mine.thread.id}/merge`).send({ targetThreadId: theirs.thread.id }).set('Cookie', cookie);
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/^reason: /);
  });

  it('answers 401 without a session', async () => {
    const { thread, messages } = await threadWith([{ minute: 1 }, { minute: 2 }]);
    expect((await h.http().post(`/api/threads/${thread.id}/split`).send({ messageIds: [messages[1]!.id] })).status).toBe(401);
    expect((await h.http().post(`/api/threads/${thread.id}/merge`).send({ targetThreadId: thread.id, reason: 'x' })).status).toBe(401);
    expect((await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1`, [thread.id]))[0].n).toBe(2);
  });
});
