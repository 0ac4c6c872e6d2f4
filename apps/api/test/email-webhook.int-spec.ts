import { createHmac, randomBytes } from 'node:crypto';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

const sign = (body: Buffer, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('POST /webhooks/email/:inboxId (raw MIME, signed)', () => {
  let h: Harness;
  let inboxId: string;
  const secret = randomBytes(16).toString('hex');
  const mail = (id: string) =>
    Buffer.from(`From: Customer <c@example.com>\r\nTo: support@desk.test\r\nSubject: Hi\r\nMessage-ID: <${id}@example.com>\r\n\r\nHello\r\n`);
  const count = async () => (await h.ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n as number;
  const post = (id: string, body: Buffer) => h.http().post(`/webhooks/email/${id}`).set('Content-Type', 'message/rfc822').send(body);

  beforeAll(async () => {
    h = await startApi();
    inboxId = (await h.f.inbox({ settings: { webhookSecret: secret } })).id;
  });
  afterAll(() => h?.close());

  it('202 with a valid signature; the exact bytes are stored; a second post is a duplicate', async () => {
    const body = mail(randomBytes(4).toString('hex'));
    const res = await post(inboxId, body).set('X-Desk-Signature', sign(body, secret));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ eventId: expect.any(String), duplicate: false });
    const [ev] = await h.ds.query(`SELECT payload, source, inbox_id, status FROM inbound_events WHERE id = $1`, [res.body.eventId]);
    expect(Buffer.compare(ev.payload, body)).toBe(0);
    expect(ev).toMatchObject({ source: 'email', inbox_id: inboxId });
    const again = await post(inboxId, body).set('X-Desk-Signature', sign(body, secret));
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ eventId: res.body.eventId, duplicate: true });
  });

  it('401 and nothing stored with a bad or missing signature', async () => {
    const before = await count();
    const body = mail(randomBytes(4).toString('hex'));
    expect((await post(inboxId, body)).status).toBe(401);
    expect((await post(inboxId, body).set('X-Desk-Signature', sign(body, 'wrong-secret'))).status).toBe(401);
    expect((await post(inboxId, body).set('X-Desk-Signature', sign(Buffer.concat([body, Buffer.from('x')]), secret))).status).toBe(401);
    expect((await post(inboxId, body).set('X-Desk-Signature', 'sha256=zz')).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('401 for an inbox without a secret, 404 for an unknown inbox', async () => {
    const bare = (await h.f.inbox({})).id;
    const body = mail('x');
    expect((await post(bare, body).set('X-Desk-Signature', sign(body, ''))).status).toBe(401);
    expect((await post('00000000-0000-4000-8000-000000000000', body).set('X-Desk-Signature', sign(body, secret))).status).toBe(404);
  });
});
