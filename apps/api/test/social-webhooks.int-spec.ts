import { randomBytes } from 'node:crypto';
import { fbComment, igComment, igDm, messengerMessage, startSandbox, xDm, xMention, type Sandbox } from '@desk/sandbox';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

/** The X and Meta webhook doors: CRC / hub handshake, signatures checked before storing, one event per message. */
describe('social webhooks', () => {
  let h: Harness;
  let sandbox: Sandbox;
  let xInbox: string;
  let fbInbox: string;
  let igInbox: string;
  const xSecret = randomBytes(16).toString('hex');
  const appSecret = randomBytes(16).toString('hex');
  const ourX = '900000000000000001';
  const pageId = '100200300';
  const igUserId = '178400000000001';
  const events = async (inboxId: string) =>
    (await h.ds.query(`SELECT source, idempotency_key FROM inbound_events WHERE inbox_id = $1 ORDER BY received_at, id`, [inboxId])) as Array<{
      source: string;
      idempotency_key: string;
    }>;

  beforeAll(async () => {
    h = await startApi();
    xInbox = (await h.f.inbox({ channel: 'x', address: '@acme', settings: { userId: ourX, consumerSecret: xSecret, bearerToken: 't', webhook: true, pollMentions: false } })).id;
    const meta = { appSecret, verifyToken: 'verify-me', pageAccessToken: 'page-token' };
    fbInbox = (await h.f.inbox({ channel: 'facebook', address: pageId, settings: { ...meta, pageId } })).id;
    igInbox = (await h.f.inbox({ channel: 'instagram', address: igUserId, settings: { ...meta, igUserId } })).id;
    const base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    sandbox = await startSandbox({ port: 0, xConsumerSecret: xSecret, metaAppSecret: appSecret, deskWebhookUrls: { x: `${base}/webhooks/x/${xInbox}`, meta: `${base}/webhooks/meta/${fbInbox}` } });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await h?.close();
  });

  it('answers the X CRC challenge with the consumer secret', async () => {
    expect(await sandbox.checkXCrc()).toBe(true);
    const res = await h.http().get(`/webhooks/x/${xInbox}`).query({ crc_token: 'abc' });
    expect(res.status).toBe(200);
    expect(res.body.response_token).toMatch(/^sha256=/);
    expect((await h.http().get(`/webhooks/x/${xInbox}`)).status).toBe(400);
  });

  it('answers the Meta hub challenge only with the verify token', async () => {
    const ok = await h.http().get(`/webhooks/meta/${fbInbox}`).query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    const bad = await h.http().get(`/webhooks/meta/${fbInbox}`).query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' });
    expect(bad.status).toBe(403);
  });

  it('401 and no inbound_events row for a wrong or missing signature (X and Meta)', async () => {
    const mention = xMention({ forUserId: ourX, user: { id: '11', screenName: 'jane' }, text: '@acme help' });
    expect(await sandbox.postXEvent(mention, { signature: null })).toBe(401);
    expect(await sandbox.postXEvent(mention, { signature: 'sha256=AAAA' })).toBe(401);
    const msg = messengerMessage({ pageId, psid: '5551', text: 'hi' });
    expect(await sandbox.postMetaEvent(msg, { signature: null })).toBe(401);
    expect(await sandbox.postMetaEvent(msg, { signature: `sha256=${'0'.repeat(64)}` })).toBe(401);
    expect(await events(xInbox)).toEqual([]);
    expect(await events(fbInbox)).toEqual([]);
  });

  it('stores every X event kind once, keyed by the tweet / DM id; own-account events are not stored', async () => {
    const mention = xMention({ forUserId: ourX, user: { id: '11', screenName: 'jane' }, text: '@acme my order is late', id: '1800000000000000001' });
    expect(await sandbox.postXEvent(mention)).toBe(200);
    expect(await sandbox.postXEvent(mention)).toBe(200);
    expect(await sandbox.postXEvent(xDm({ forUserId: ourX, sender: { id: '11', screenName: 'jane' }, text: 'dm me', id: '2900000000000000001' }))).toBe(200);
    expect(await sandbox.postXEvent(xMention({ forUserId: ourX, user: { id: ourX, screenName: 'acme' }, text: 'our own reply' }))).toBe(200);
    expect(await sandbox.postXEvent(xDm({ forUserId: ourX, sender: { id: ourX, screenName: 'acme' }, text: 'our own dm' }))).toBe(200);
    expect(await events(xInbox)).toEqual([
      { source: 'x', idempotency_key: `${xInbox}:x:1800000000000000001` },
      { source: 'x', idempotency_key: `${xInbox}:x:2900000000000000001` },
    ]);
  });

  it('stores Messenger messages, Page comments, Instagram comments and DMs by the object of the delivery', async () => {
    expect(await sandbox.postMetaEvent(messengerMessage({ pageId, psid: '5551', text: 'hello', mid: 'm_abc' }))).toBe(200);
    expect(await sandbox.postMetaEvent(fbComment({ pageId, commentId: `${pageId}_77`, from: { id: '5552', name: 'Bob' }, message: 'nice' }))).toBe(200);
    expect(await sandbox.postMetaEvent(fbComment({ pageId, from: { id: pageId, name: 'Acme' }, message: 'our own comment' }))).toBe(200);
    const ig = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}/webhooks/meta/${igInbox}`;
    expect(await sandbox.postMetaEvent(igComment({ igUserId, commentId: '1799', from: { id: '6661', username: 'ann' }, text: 'where?' }), { url: ig })).toBe(200);
    expect(await sandbox.postMetaEvent(igDm({ igUserId, igsid: '6662', text: 'dm', mid: 'aWdf_1' }), { url: ig })).toBe(200);
    expect(await events(fbInbox)).toEqual([
      { source: 'facebook', idempotency_key: `${fbInbox}:facebook:m_abc` },
      { source: 'facebook', idempotency_key: `${fbInbox}:facebook:${pageId}_77` },
    ]);
    expect(await events(igInbox)).toEqual([
      { source: 'instagram', idempotency_key: `${igInbox}:instagram:1799` },
      { source: 'instagram', idempotency_key: `${igInbox}:instagram:aWdf_1` },
    ]);
  });

  it('404 for an unknown inbox or an inbox of another channel', async () => {
    expect((await h.http().get(`/webhooks/x/00000000-0000-4000-8000-000000000000`).query({ crc_token: 'a' })).status).toBe(404);
    expect((await h.http().get(`/webhooks/x/${fbInbox}`).query({ crc_token: 'a' })).status).toBe(404);
  });
});
