import { io, type Socket } from 'socket.io-client';
import { Notification as NotificationDto } from '@desk/contracts';
import { startApi, type Harness } from './harness';

describe('notifications: @mentions in notes, /api/notifications (real Postgres and Redis)', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await startApi();
    url = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => h.close());

  const note = async (cookie: string, threadId: string, body: string) => {
    const res = await h.http().post(`/api/threads/${threadId}/messages`).set('Cookie', cookie).send({ kind: 'note', body, seenVersion: 0 });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  it('a note mentioning an agent notifies exactly that agent, once, never the author, and tells their socket', async () => {
    const author = await h.f.agent({ name: 'Nora Author' });
    const ada = await h.f.agent({ name: 'Ada Lovelace' });
    const bystander = await h.f.agent({ name: 'Bystander Bee' });
    const thread = await h.f.thread({ subject: 'Kettle on fire' });
    const [authorCookie, adaCookie, beeCookie] = [await h.login(author), await h.login(ada), await h.login(bystander)];

    const socket: Socket = io(url, { transports: ['websocket'], extraHeaders: { Cookie: adaCookie }, reconnection: false });
    await new Promise((resolve) => socket.once('ready', resolve));
    const pushed = new Promise<unknown>((resolve) => socket.once('notification.created', resolve));

    // mentioned twice (name and email) and the author mentions themself: one row, for Ada only
    const n = await note(authorCookie, thread.id, `@Ada Lovelace please look, and @${ada.email.toUpperCase()} again. — @Nora Author`);
    const rows = await h.ds.query(`SELECT agent_id, kind, thread_id, message_id, actor_agent_id, read_at FROM notifications WHERE message_id = $1`, [n.id]);
    expect(rows).toEqual([{ agent_id: ada.id, kind: 'mention', thread_id: thread.id, message_id: n.id, actor_agent_id: author.id, read_at: null }]);

    const event = (await pushed) as { notification: unknown };
    const dto = NotificationDto.parse(event.notification);
    expect(dto).toMatchObject({ kind: 'mention', threadId: thread.id, messageId: n.id, thread: { number: thread.number, subject: 'Kettle on fire' }, actor: { id: author.id, name: 'Nora Author' }, readAt: null });
    expect(dto.excerpt).toContain('@Ada Lovelace please look');
    socket.close();

    const mine = await h.http().get('/api/notifications').set('Cookie', adaCookie);
    expect(mine.status).toBe(200);
    expect(mine.body.unreadCount).toBe(1);
    expect(mine.body.items.map((x: { messageId: string }) => x.messageId)).toEqual([n.id]);
    for (const cookie of [authorCookie, beeCookie]) {
      const other = await h.http().get('/api/notifications').set('Cookie', cookie);
      expect(other.body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
    }
  });

  it('a note without mentions and a reply create none', async () => {
    const author = await h.f.agent();
    const thread = await h.f.thread();
    const cookie = await h.login(author);
    const colleague = await h.f.agent({ name: 'Colleague Cal' });
    const n = await note(cookie, thread.id, 'just thinking aloud, @nobody');
    const reply = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'I asked @Colleague Cal', seenVersion: thread.version + 10 });
    expect(reply.status).toBe(201);
    expect(await h.ds.query(`SELECT 1 FROM notifications WHERE message_id = ANY($1::uuid[]) OR agent_id = $2`, [[n.id, reply.body.id], colleague.id])).toHaveLength(0);
  });

  it('pages newest first by keyset cursor and marks read by ids (own only) or all, audited', async () => {
    const author = await h.f.agent();
    const target = await h.f.agent({ name: 'Paged Pat' });
    const other = await h.f.agent({ name: 'Other Olga' });
    const thread = await h.f.thread();
    const [ca, ct, co] = [await h.login(author), await h.login(target), await h.login(other)];
    const notes: string[] = [];
    for (let i = 0; i < 5; i++) notes.push((await note(ca, thread.id, `@Paged Pat #${i}`)).id);
    const olgas = (await note(ca, thread.id, '@Other Olga hi')).id;

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.http().get('/api/notifications').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set('Cookie', ct);
      expect(res.status).toBe(200);
      expect(res.body.unreadCount).toBe(5);
      seen.push(...res.body.items.map((x: { messageId: string }) => x.messageId));
      cursor = res.body.nextCursor;
    } while (cursor);
    // every one exactly once, in the server's order (newest first; id breaks a tie within a millisecond)
    expect([...seen].sort()).toEqual([...notes].sort());
    const order = (await h.ds.query(`SELECT message_id FROM notifications WHERE agent_id = $1 ORDER BY created_at DESC, id DESC`, [target.id])) as Array<{ message_id: string }>;
    expect(seen).toEqual(order.map((r) => r.message_id));
    expect(seen[0]).toBe(notes[4]);

    const page = (await h.http().get('/api/notifications').set('Cookie', ct)).body as { items: Array<{ id: string }> };
    const [olgaNotification] = (await h.ds.query(`SELECT id FROM notifications WHERE message_id = $1`, [olgas])) as Array<{ id: string }>;
    const some = await h.http().post('/api/notifications/read').set('Cookie', ct).send({ ids: [page.items[0]!.id, page.items[1]!.id, olgaNotification!.id] });
    expect(some.status).toBe(200);
    expect(some.body).toEqual({ updated: 2, unreadCount: 3 });
    // Pat's request left Olga's notification alone
    expect((await h.http().get('/api/notifications').set('Cookie', co)).body.unreadCount).toBe(1);

    const all = await h.http().post('/api/notifications/read').set('Cookie', ct).send({ all: true });
    expect(all.body).toEqual({ updated: 3, unreadCount: 0 });
    const audit = await h.ds.query(`SELECT data FROM audit_events WHERE action = 'notifications.read' AND actor_agent_id = $1 ORDER BY created_at, id`, [target.id]);
    expect(audit.map((a: { data: { count: number } }) => a.data.count)).toEqual([2, 3]);
    const again = await h.http().post('/api/notifications/read').set('Cookie', ct).send({ all: true });
    expect(again.body).toEqual({ updated: 0, unreadCount: 0 });
  });

  it('answers 400 naming the field and 401 without a session', async () => {
    const agent = await h.f.agent();
    const cookie = await h.login(agent);
    const paths = async (req: ReturnType<ReturnType<Harness['http']>['get']>) => {
      const res = await req.set('Cookie', cookie);
      expect(res.status).toBe(400);
      return (res.body.fields as Array<{ path: string }>).map((f) => f.path).sort();
    };
    expect(await paths(h.http().post('/api/notifications/read').send({}))).toEqual(['ids']);
    expect(await paths(h.http().post('/api/notifications/read').send({ ids: ['nope'] }))).toEqual(['ids.0']);
    expect(await paths(h.http().post('/api/notifications/read').send({ ids: [], all: true }))).toEqual(['all', 'ids'].sort());
    expect(await paths(h.http().post('/api/notifications/read').send({ all: false }))).toEqual(['all']);
    expect(await paths(h.http().get('/api/notifications').query({ limit: 0 }))).toEqual(['limit']);
    const bad = await h.http().get('/api/notifications').query({ cursor: 'garbage' }).set('Cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^cursor: /);

    expect((await h.http().get('/api/notifications')).status).toBe(401);
    expect((await h.http().post('/api/notifications/read').send({ all: true })).status).toBe(401);
  });
});
