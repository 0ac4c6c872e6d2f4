import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { fbComment, igComment, igDm, messengerMessage, startSandbox, xDm, xMention, type Sandbox } from '@desk/sandbox';
// the real api (webhooks, reply API), booted on the same test env as the worker below
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { waitFor } from './support';

jest.setTimeout(90_000);

/**
 * Social channels end to end against the provider sandbox: signed webhook → thread → agent reply
 * through the API → the worker posts it to the network → the customer's answer to OUR post comes
 * back into the same thread.
 */
describe('social round trips (X, Facebook, Instagram) through the sandbox', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let sandbox: Sandbox;
  let agent: string;
  let base: string;
  let xInbox: string;
  let fbInbox: string;
  let igInbox: string;
  let xAckInbox: string;
  const ourXAck = '900000000000000002';
  const xSecret = randomBytes(16).toString('hex');
  const appSecret = randomBytes(16).toString('hex');
  const ourX = '900000000000000001';
  const pageId = '100200300';
  const igUserId = '178400000000001';
  let seq = 0;
  const tweetId = () => `18${Date.now()}${String(seq++).padStart(4, '0')}`;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    agent = await h.login(await h.f.agent({ role: 'agent' }));
    sandbox = await startSandbox({ port: 0, xConsumerSecret: xSecret, metaAppSecret: appSecret });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    xInbox = (
      await h.f.inbox({ channel: 'x', address: '@acme', settings: { userId: ourX, consumerSecret: xSecret, bearerToken: 'user-token', apiBaseUrl: sandbox.url, webhook: true, pollMentions: false }, autoAckEnabled: false })
    ).id;
    // the acknowledgement case has its own X inbox with autoAckEnabled (off by default for social inboxes)
    xAckInbox = (
      await h.f.inbox({
        channel: 'x',
        address: '@acme_help',
        autoAckEnabled: true,
        settings: { userId: ourXAck, consumerSecret: xSecret, bearerToken: 'user-token', apiBaseUrl: sandbox.url, webhook: true, pollMentions: false },
      })
    ).id;
    const meta = { appSecret, verifyToken: 'v', pageAccessToken: 'page-token', graphBaseUrl: `${sandbox.url}/v21.0` };
    fbInbox = (await h.f.inbox({ channel: 'facebook', address: pageId, settings: { ...meta, pageId }, autoAckEnabled: false })).id;
    igInbox = (await h.f.inbox({ channel: 'instagram', address: igUserId, settings: { ...meta, igUserId }, autoAckEnabled: false })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
    await worker?.close();
    await h?.close();
  });

  const postX = async (event: unknown) => expect(await sandbox.postXEvent(event, { url: `${base}/webhooks/x/${xInbox}` })).toBe(200);
  const postMeta = async (inboxId: string, event: unknown) => expect(await sandbox.postMetaEvent(event, { url: `${base}/webhooks/meta/${inboxId}` })).toBe(200);

  /** The message with this external id once ingested, with its thread. */
  const ingested = (channel: string, externalId: string) =>
    waitFor(async () => {
      const [m] = await h.ds.query(`SELECT id, thread_id, created_at, metadata FROM messages WHERE channel = $1 AND external_id = $2`, [channel, externalId]);
      return m as { id: string; thread_id: string; created_at: Date; metadata: Record<string, unknown> } | undefined;
    }, `${channel} message ${externalId} to be ingested`);

  async function reply(threadId: string, body: string, extra: Record<string, unknown> = {}) {
    const [t] = await h.ds.query(`SELECT version FROM threads WHERE id = $1`, [threadId]);
    return h.http().post(`/api/threads/${threadId}/messages`).set('Cookie', agent).send({ kind: 'reply', body, seenVersion: t.version, ...extra });
  }

  /** Waits until the reply is sent and returns the network's id recorded on it. */
  const delivered = (messageId: string, timeoutMs = 20_000) =>
    waitFor(async () => {
      const [m] = await h.ds.query(`SELECT delivery_state, delivery_error, external_id FROM messages WHERE id = $1`, [messageId]);
      if (m.delivery_state === 'failed') throw new Error(`delivery failed: ${m.delivery_error}`);
      return m.delivery_state === 'sent' ? (m.external_id as string) : null;
    }, `message ${messageId} to be sent`, timeoutMs);

  it('X: mention → thread → public reply tweet (in_reply_to) → the answer to our tweet joins the thread', async () => {
    const t1 = tweetId();
    await postX(xMention({ forUserId: ourX, user: { id: '11', screenName: 'jane' }, text: '@acme my order is late', id: t1 }));
    const first = await ingested('x', t1);
    const [identity] = await h.ds.query(`SELECT kind, normalized_value, display_name FROM contact_identities WHERE kind = 'x' AND normalized_value = '11'`);
    expect(identity).toMatchObject({ kind: 'x', display_name: '@jane' });

    const res = await reply(first.thread_id, 'Sorry Jane, we are on it');
    expect(res.status).toBe(201);
    expect(res.body.isPublic).toBe(true);
    const ourTweet = await delivered(res.body.id);
    const call = sandbox.sent.find((c) => c.method === 'POST' && c.path === '/2/tweets');
    expect(call?.body).toMatchObject({ text: 'Sorry Jane, we are on it', reply: { in_reply_to_tweet_id: t1 } });
    const [d] = await h.ds.query(`SELECT status, provider_message_id FROM outbound_deliveries WHERE message_id = $1`, [res.body.id]);
    expect(d).toEqual({ status: 'sent', provider_message_id: ourTweet });

    const t2 = tweetId();
    await postX(xMention({ forUserId: ourX, user: { id: '11', screenName: 'jane' }, text: '@acme thanks!', id: t2, inReplyToStatusId: ourTweet }));
    const answer = await ingested('x', t2);
    expect(answer.thread_id).toBe(first.thread_id);
    expect(answer.metadata).toMatchObject({ threading: { rule: 'reply' } });
  });

  it('X: a public reply over 280 characters is refused with 400 naming body; a DM thread is answered by DM', async () => {
    const dm = tweetId();
    await postX(xDm({ forUserId: ourX, sender: { id: '12', screenName: 'joe' }, text: 'private question', id: dm }));
    const m = await ingested('x', dm);
    const tooLong = await reply(m.thread_id, 'x'.repeat(281), { public: true });
    // no public tweet in this thread to reply to: 422; with one, the limit answers 400 (below)
    expect(tooLong.status).toBe(422);
    const res = await reply(m.thread_id, 'y'.repeat(400));
    expect(res.status).toBe(201);
    expect(res.body.isPublic).toBe(false);
    await delivered(res.body.id);
    expect(sandbox.sent.find((c) => c.path === '/2/dm_conversations/with/12/messages')?.body).toMatchObject({ text: 'y'.repeat(400) });

    const t = tweetId();
    await postX(xMention({ forUserId: ourX, user: { id: '13', screenName: 'amy' }, text: '@acme hello', id: t }));
    const pub = await ingested('x', t);
    const refused = await reply(pub.thread_id, 'z'.repeat(281));
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([{ path: 'body', message: expect.stringContaining('280') }]);
    const [count] = await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1 AND direction = 'outbound'`, [pub.thread_id]);
    expect(count.n).toBe(0);
  });

  it('X: duplicate delivery → one message; a reply delivered before its parent → both in one thread, in sentAt order', async () => {
    const parent = tweetId();
    const child = tweetId();
    const t0 = new Date(Date.now() - 60_000);
    const childEvent = xMention({ forUserId: ourX, user: { id: '14', screenName: 'kim' }, text: '@acme (2) also this', id: child, inReplyToStatusId: parent, createdAt: new Date(t0.getTime() + 5_000) });
    await postX(childEvent);
    await postX(childEvent);
    const c = await ingested('x', child);
    await postX(xMention({ forUserId: ourX, user: { id: '14', screenName: 'kim' }, text: '@acme (1) first', id: parent, createdAt: t0 }));
    const p = await ingested('x', parent);
    expect(p.thread_id).toBe(c.thread_id);
    const [n] = await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE channel = 'x' AND external_id = $1`, [child]);
    expect(n.n).toBe(1);
    const list = await h.http().get(`/api/threads/${c.thread_id}/messages`).set('Cookie', agent);
    expect(list.status).toBe(200);
    const texts = (list.body.items as Array<{ visibleText: string }>).map((x) => x.visibleText);
    expect(texts).toEqual(['@acme (1) first', '@acme (2) also this']);
  });

  it('X: a burst of first DMs from a new sender (one delivery, processed concurrently) opens ONE thread', async () => {
    const ids = [tweetId(), tweetId(), tweetId()];
    const dms = ids.map((id, i) => xDm({ forUserId: ourX, sender: { id: '16', screenName: 'max' }, text: `part ${i + 1}`, id, createdAt: new Date(Date.now() - 3_000 + i * 1_000) }));
    const body = { ...dms[0], direct_message_events: dms.flatMap((d) => d.direct_message_events as unknown[]) };
    await postX(body);
    const threads = new Set<string>();
    for (const id of ids) threads.add((await ingested('x', id)).thread_id);
    expect(threads.size).toBe(1);
  });

  it('X: a 429 from the network is retried, then sent', async () => {
    const t = tweetId();
    await postX(xMention({ forUserId: ourX, user: { id: '15', screenName: 'lee' }, text: '@acme retry me', id: t }));
    const m = await ingested('x', t);
    sandbox.failNext('/2/tweets', 429, 1);
    const res = await reply(m.thread_id, 'Here you go');
    expect(res.status).toBe(201);
    await waitFor(async () => {
      const [d] = await h.ds.query(`SELECT status, last_error, attempts FROM outbound_deliveries WHERE message_id = $1`, [res.body.id]);
      return d.attempts >= 1 && d.status === 'retrying' ? d : null;
    }, 'the first attempt to be marked retrying');
    await delivered(res.body.id, 30_000);
    const calls = sandbox.sent.filter((c) => c.path === '/2/tweets' && (c.body as { text?: string }).text === 'Here you go');
    expect(calls.map((c) => c.status)).toEqual([429, expect.any(Number)]);
    expect(calls[1]!.status).toBeLessThan(300);
  });

  it('a permanent provider error fails the delivery at once with the provider\'s message', async () => {
    await postMeta(fbInbox, messengerMessage({ pageId, psid: '5590', text: 'hello?', mid: 'm_perm' }));
    const m = await ingested('facebook', 'm_perm');
    sandbox.failNext('/me/messages', 400, 1);
    const res = await reply(m.thread_id, 'this one is refused');
    expect(res.status).toBe(201);
    const failed = await waitFor(async () => {
      const [d] = await h.ds.query(`SELECT d.status, d.attempts, d.last_error, m.delivery_state FROM outbound_deliveries d JOIN messages m ON m.id = d.message_id WHERE d.message_id = $1`, [res.body.id]);
      return d.status === 'failed' ? d : null;
    }, 'the delivery to fail');
    expect(failed).toMatchObject({ attempts: 1, delivery_state: 'failed', last_error: 'sandbox failure (400)' });
  });

  it('Facebook: Messenger message → reply via the Send API → the answer joins the same thread', async () => {
    await postMeta(fbInbox, messengerMessage({ pageId, psid: '5551', text: 'hi page', mid: 'm_one' }));
    const first = await ingested('facebook', 'm_one');
    const res = await reply(first.thread_id, 'Hello from Acme');
    expect(res.status).toBe(201);
    await delivered(res.body.id);
    expect(sandbox.sent.filter((c) => c.method === 'POST' && c.path === '/me/messages').map((c) => c.body)).toContainEqual({
      recipient: { id: '5551' },
      messaging_type: 'RESPONSE',
      message: { text: 'Hello from Acme' },
    });
    await postMeta(fbInbox, messengerMessage({ pageId, psid: '5551', text: 'thanks', mid: 'm_two' }));
    expect((await ingested('facebook', 'm_two')).thread_id).toBe(first.thread_id);
  });

  it('Facebook comments and Instagram DMs: contact by the network user id, replies to the comment / by the Send API', async () => {
    await postMeta(fbInbox, fbComment({ pageId, postId: `${pageId}_42`, commentId: '42_9001', from: { id: '5553', name: 'Bob' }, message: 'is this in stock?' }));
    const comment = await ingested('facebook', '42_9001');
    expect(comment.metadata).toMatchObject({ conversationKey: expect.stringContaining('5553'), replyTarget: { kind: 'facebook-comment', id: '42_9001' } });
    const [bob] = await h.ds.query(`SELECT c.name FROM contact_identities i JOIN contacts c ON c.id = i.contact_id WHERE i.kind = 'facebook' AND i.normalized_value = '5553'`);
    expect(bob).toBeDefined();
    const res = await reply(comment.thread_id, 'Yes it is');
    expect(res.status).toBe(201);
    await delivered(res.body.id);
    expect(sandbox.sent.find((c) => c.method === 'POST' && c.path === '/42_9001/comments')?.body).toMatchObject({ message: 'Yes it is' });

    await postMeta(igInbox, igDm({ igUserId, igsid: '6670', text: 'dm on instagram', mid: 'aWdf_dm1' }));
    const dm = await ingested('instagram', 'aWdf_dm1');
    const [ig] = await h.ds.query(`SELECT 1 FROM contact_identities WHERE kind = 'instagram' AND normalized_value = '6670'`);
    expect(ig).toBeDefined();
    const answer = await reply(dm.thread_id, 'Hi from Acme');
    expect(answer.status).toBe(201);
    expect(answer.body.isPublic).toBe(false);
    await delivered(answer.body.id);
    expect(sandbox.sent.filter((c) => c.path === '/me/messages').map((c) => c.body)).toContainEqual(expect.objectContaining({ recipient: { id: '6670' } }));
  });

  it('Instagram: comment → reply to the comment → the answer to our reply joins the same thread', async () => {
    await postMeta(igInbox, igComment({ igUserId, mediaId: '1790001', commentId: '1791001', from: { id: '6661', username: 'ann' }, text: 'where is it?' }));
    const first = await ingested('instagram', '1791001');
    const res = await reply(first.thread_id, '@ann it ships today');
    expect(res.status).toBe(201);
    const ours = await delivered(res.body.id);
    expect(sandbox.sent.find((c) => c.method === 'POST' && c.path === '/1791001/replies')?.body).toMatchObject({ message: '@ann it ships today' });
    await postMeta(igInbox, igComment({ igUserId, mediaId: '1790001', commentId: '1791002', parentId: ours, from: { id: '6661', username: 'ann' }, text: 'great' }));
    expect((await ingested('instagram', '1791002')).thread_id).toBe(first.thread_id);
  });

  it('X with autoAckEnabled: a DM is acknowledged by one DM with the thread number; a public mention gets none', async () => {
    const post = async (event: unknown) => expect(await sandbox.postXEvent(event, { url: `${base}/webhooks/x/${xAckInbox}` })).toBe(200);
    const dm = tweetId();
    await post(xDm({ forUserId: ourXAck, sender: { id: '31', screenName: 'ack_me' }, text: 'where is my parcel?', id: dm }));
    const m = await ingested('x', dm);
    const [t] = await h.ds.query(`SELECT number FROM threads WHERE id = $1`, [m.thread_id]);
    const path = '/2/dm_conversations/with/31/messages';
    const call = await waitFor(async () => sandbox.sent.find((c) => c.method === 'POST' && c.path === path && (c.status ?? 0) < 300), 'the acknowledgement DM', 20_000);
    expect((call.body as { text: string }).text).toContain(String(t.number));
    const [ack] = await h.ds.query(
      `SELECT is_public, author_agent_id, metadata FROM messages WHERE thread_id = $1 AND direction = 'outbound'`,
      [m.thread_id],
    );
    expect(ack).toMatchObject({ is_public: false, author_agent_id: null, metadata: expect.objectContaining({ autoAck: true }) });
    // the acknowledgement is not the human answer: the thread still waits for an agent
    const [th] = await h.ds.query(`SELECT last_agent_message_at FROM threads WHERE id = $1`, [m.thread_id]);
    expect(th.last_agent_message_at).toBeNull();

    const mention = tweetId();
    await post(xMention({ forUserId: ourXAck, user: { id: '32', screenName: 'loud' }, text: '@acme_help anyone there?', id: mention }));
    const pub = await ingested('x', mention);
    await new Promise((r) => setTimeout(r, 1500));
    const [count] = await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1 AND direction = 'outbound'`, [pub.thread_id]);
    expect(count.n).toBe(0);
    expect(sandbox.sent.filter((c) => c.method === 'POST' && c.path === path)).toHaveLength(1);
    expect(sandbox.sent.some((c) => c.path === '/2/tweets' && (c.body as { reply?: { in_reply_to_tweet_id?: string } }).reply?.in_reply_to_tweet_id === mention)).toBe(false);
  });
});
