import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  graphClient,
  parseMetaWebhook,
  parseXWebhook,
  ProviderError,
  splitMetaWebhook,
  verifyMetaSignature,
  verifyXSignature,
  xClient,
  xCrcResponse,
} from '@desk/channels';
import { fbComment, igComment, igDm, igMention, messengerMessage, xCreatedAt, xDm, xMention } from './events';
import { startSandbox, type Sandbox } from './sandbox';

const X_SECRET = 'x-consumer-secret';
const META_SECRET = 'meta-app-secret';
const OWN_X = '2244994945';
const PAGE = '105000000000001';
const IG = '17841400000000001';

interface Received {
  path: string;
  verified: boolean;
  body: unknown;
}

/** A stand-in for the desk's webhook controllers: verifies signatures with the channels' functions. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://desk');
    if (req.method === 'GET' && url.pathname === '/webhooks/x') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(xCrcResponse(url.searchParams.get('crc_token') ?? '', X_SECRET)));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verified =
        url.pathname === '/webhooks/x'
          ? verifyXSignature(raw, req.headers['x-twitter-webhooks-signature'] as string | undefined, X_SECRET)
          : verifyMetaSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, META_SECRET);
      received.push({ path: url.pathname, verified, body: JSON.parse(raw.toString('utf8')) });
      res.writeHead(verified ? 200 : 401);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('provider sandbox', () => {
  let sandbox: Sandbox;
  let desk: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    desk = await startReceiver();
    sandbox = await startSandbox({
      port: 0,
      xConsumerSecret: X_SECRET,
      metaAppSecret: META_SECRET,
      deskWebhookUrls: { x: `${desk.url}/webhooks/x`, meta: `${desk.url}/webhooks/meta` },
    });
  });

  afterAll(async () => {
    await sandbox.stop();
    await desk.close();
  });

  beforeEach(() => {
    sandbox.reset();
    desk.received.length = 0;
  });

  it('listens on a random port', () => {
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
  });

  it('records X replies and DMs sent with xClient and answers with realistic ids', async () => {
    const client = xClient({ baseUrl: sandbox.url, bearerToken: 'user-token' });
    const reply = await client.replyToTweet('@jane sorry, on it!', '1050118621198921728');
    const dm = await client.sendDm('6253282', 'Could you send your order number?');
    expect(reply.providerMessageId).toMatch(/^\d{18,20}$/);
    expect(dm.providerMessageId).toMatch(/^\d{18,20}$/);
    expect(sandbox.sent.map((c) => [c.method, c.path, c.status])).toEqual([
      ['POST', '/2/tweets', 201],
      ['POST', '/2/dm_conversations/with/6253282/messages', 201],
    ]);
    expect(sandbox.sent[0]?.body).toEqual({ text: '@jane sorry, on it!', reply: { in_reply_to_tweet_id: '1050118621198921728' } });
    expect(sandbox.sent[1]?.body).toEqual({ text: 'Could you send your order number?' });
    expect(sandbox.sent[0]?.authorization).toBe('Bearer user-token');
  });

  it('records Graph calls made with graphClient (version prefix accepted)', async () => {
    const client = graphClient({ baseUrl: `${sandbox.url}/v21.0`, pageAccessToken: 'page-token' });
    const messenger = await client.sendMessengerMessage('7000000000000001', 'Hello from Acme');
    const comment = await client.replyToComment('200000000000003_300000000000004', 'Yes, in blue');
    const igReply = await client.replyToInstagramComment('17860000000000004', 'Link in bio');
    const igMessage = await client.sendInstagramMessage('1230000000000001', 'Shipped today');
    expect(messenger.providerMessageId).toMatch(/^m_/);
    expect(comment.providerMessageId).toMatch(/^300000000000004_\d+$/);
    expect(igReply.providerMessageId).toMatch(/^\d+$/);
    expect(igMessage.providerMessageId).toMatch(/^m_/);
    expect(sandbox.sent.map((c) => [c.method, c.path, c.route, c.body])).toEqual([
      ['POST', '/me/messages', '/me/messages', { recipient: { id: '7000000000000001' }, messaging_type: 'RESPONSE', message: { text: 'Hello from Acme' } }],
      ['POST', '/200000000000003_300000000000004/comments', '/:id/comments', { message: 'Yes, in blue' }],
      ['POST', '/17860000000000004/replies', '/:id/replies', { message: 'Link in bio' }],
      ['POST', '/me/messages', '/me/messages', { recipient: { id: '1230000000000001' }, messaging_type: 'RESPONSE', message: { text: 'Shipped today' } }],
    ]);
    expect(sandbox.sent.every((c) => c.authorization === 'Bearer page-token')).toBe(true);
  });

  it('answers Instagram mention lookups from its fixtures and records them; unknown ids are refused like Graph does', async () => {
    const client = graphClient({ baseUrl: `${sandbox.url}/v21.0`, pageAccessToken: 'page-token' });
    sandbox.addInstagramMedia({ id: '17900000000000022', caption: 'Love my @acme mug', username: 'eve', timestamp: new Date('2023-11-14T22:21:00Z') });
    sandbox.addInstagramMentionComment({ id: '17860000000000021', mediaId: '17900000000000020', text: '@acme help', from: { id: '178', username: 'dan' } });
    await expect(client.getInstagramMention({ igUserId: IG, mediaId: '17900000000000022', commentId: null })).resolves.toEqual({
      id: '17900000000000022',
      mediaId: '17900000000000022',
      text: 'Love my @acme mug',
      username: 'eve',
      fromId: null,
      timestamp: '2023-11-14T22:21:00+0000',
    });
    await expect(client.getInstagramMention({ igUserId: IG, mediaId: '17900000000000020', commentId: '17860000000000021' })).resolves.toMatchObject({ text: '@acme help', fromId: '178' });
    const unknown = client.getInstagramMention({ igUserId: IG, mediaId: '1', commentId: null });
    await expect(unknown).rejects.toBeInstanceOf(ProviderError);
    await expect(unknown).rejects.toMatchObject({ status: 400, classification: 'permanent', providerCode: '100/33' });
    expect(sandbox.sent.map((c) => [c.method, c.path, c.route, c.status])).toEqual([
      ['GET', `/${IG}`, '/:ig-user-id', 200],
      ['GET', `/${IG}`, '/:ig-user-id', 200],
      ['GET', `/${IG}`, '/:ig-user-id', 400],
    ]);
    expect(sandbox.sent[0]?.query.fields).toBe('mentioned_media.media_id(17900000000000022){id,caption,username,timestamp,permalink}');
  });

  it('answers replies to mentions on POST /{ig-user-id}/mentions and refuses /replies on media we do not own, like Graph', async () => {
    const client = graphClient({ baseUrl: `${sandbox.url}/v21.0`, pageAccessToken: 'page-token' });
    sandbox.addInstagramMedia({ id: '17900000000000022', caption: 'Love my @acme mug', username: 'eve' });
    sandbox.addInstagramMentionComment({ id: '17860000000000021', mediaId: '17900000000000020', text: '@acme help', from: { id: '178', username: 'dan' } });
    const caption = await client.replyToInstagramMention(IG, '17900000000000022', null, 'Thank you Eve!');
    const comment = await client.replyToInstagramMention(IG, '17900000000000020', '17860000000000021', 'Sent you a DM');
    expect(caption.providerMessageId).toMatch(/^\d+$/);
    expect(comment.providerMessageId).toMatch(/^\d+$/);
    // the comment is not on that media
    await expect(client.replyToInstagramMention(IG, '17900000000000022', '17860000000000021', 'x')).rejects.toMatchObject({ status: 400, classification: 'permanent', providerCode: '100/33' });
    await expect(client.replyToInstagramComment('17860000000000021', 'wrong door')).rejects.toMatchObject({ status: 400, classification: 'permanent', providerCode: '100/33' });
    expect(sandbox.sent.map((c) => [c.method, c.path, c.route, c.status, c.body])).toEqual([
      ['POST', `/${IG}/mentions`, '/:ig-user-id/mentions', 200, { media_id: '17900000000000022', message: 'Thank you Eve!' }],
      ['POST', `/${IG}/mentions`, '/:ig-user-id/mentions', 200, { media_id: '17900000000000020', comment_id: '17860000000000021', message: 'Sent you a DM' }],
      ['POST', `/${IG}/mentions`, '/:ig-user-id/mentions', 400, { media_id: '17900000000000022', comment_id: '17860000000000021', message: 'x' }],
      ['POST', '/17860000000000021/replies', '/:id/replies', 400, { message: 'wrong door' }],
    ]);
    const missing = await fetch(`${sandbox.url}/v21.0/${IG}/mentions`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('media_id');
  });

  it('takes Instagram media fixtures over HTTP and lists the recorded calls without tokens', async () => {
    const post = (body: unknown) => fetch(`${sandbox.url}/_sandbox/instagram/media`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ id: '1790042', caption: 'Hello @acme', username: 'zoe', timestamp: '2026-01-02T03:04:05.000Z' })).status).toBe(204);
    expect((await post({ id: '1790043' })).status).toBe(400);
    const client = graphClient({ baseUrl: `${sandbox.url}/v21.0`, pageAccessToken: 'secret-token' });
    await expect(client.getInstagramMention({ igUserId: IG, mediaId: '1790042', commentId: null })).resolves.toMatchObject({ text: 'Hello @acme', username: 'zoe', timestamp: '2026-01-02T03:04:05+0000' });
    const listed = (await (await fetch(`${sandbox.url}/_sandbox/calls`)).json()) as { calls: Array<Record<string, unknown>> };
    expect(listed.calls).toEqual([expect.objectContaining({ method: 'GET', path: `/${IG}`, status: 200 })]);
    expect(JSON.stringify(listed)).not.toContain('secret-token');
  });

  it('fails the next N calls with the given status, then recovers', async () => {
    const client = xClient({ baseUrl: sandbox.url, bearerToken: 't' });
    sandbox.failNext('/2/tweets', 503, 2);
    for (let i = 0; i < 2; i++) {
      const err = (await client.replyToTweet('hi', '1').catch((e: unknown) => e)) as ProviderError;
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ status: 503, classification: 'temporary' });
    }
    await expect(client.replyToTweet('hi', '1')).resolves.toMatchObject({ providerMessageId: expect.any(String) });
    expect(sandbox.sent.map((c) => c.status)).toEqual([503, 503, 201]);

    const graph = graphClient({ baseUrl: sandbox.url, pageAccessToken: 't' });
    sandbox.failNext('/:id/comments', 400);
    await expect(graph.replyToComment('1_2', 'x')).rejects.toMatchObject({ status: 400, classification: 'permanent' });
    await expect(graph.replyToComment('1_2', 'x')).resolves.toMatchObject({ providerMessageId: expect.stringMatching(/^2_/) });
    sandbox.failNext('/me/messages', 429);
    await expect(graph.sendMessengerMessage('1', 'x')).rejects.toMatchObject({ status: 429, classification: 'temporary', retryAfterSeconds: 1 });
  });

  it('refuses unauthenticated calls and tweets over the limit, like the real APIs', async () => {
    const noAuth = await fetch(`${sandbox.url}/2/tweets`, { method: 'POST', body: JSON.stringify({ text: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(noAuth.status).toBe(401);
    const tooLong = await fetch(`${sandbox.url}/2/tweets`, {
      method: 'POST',
      body: JSON.stringify({ text: 'x'.repeat(281) }),
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    });
    expect(tooLong.status).toBe(403);
    expect((await fetch(`${sandbox.url}/nope/nothing`)).status).toBe(404);
  });

  it('serves queued mentions honouring since_id, with rate-limit headers', async () => {
    const client = xClient({ baseUrl: sandbox.url, bearerToken: 'app-token' });
    const first = sandbox.queueMention({ forUserId: OWN_X, author: { id: '6253282', username: 'janecustomer', name: 'Jane' }, text: '@AcmeSupport hi' });
    const second = sandbox.queueMention({
      forUserId: OWN_X,
      author: { id: '88', username: 'bob' },
      text: '@AcmeSupport me too',
      inReplyToTweetId: String(first.id),
      conversationId: String(first.id),
    });
    sandbox.queueMention({ forUserId: '999', author: { id: '1', username: 'other' }, text: 'for another account' });

    const page1 = await client.getMentions({ userId: OWN_X });
    expect(page1.messages.map((m) => m.externalId)).toEqual([first.id, second.id]);
    expect(page1.messages[0]?.sender).toEqual({ kind: 'x', value: '6253282', displayName: '@janecustomer', name: 'Jane' });
    expect(page1.messages[1]?.conversationKey).toBe(first.id);
    expect(page1.newestId).toBe(second.id);
    expect(page1.rateLimit.limit).toBe(180);
    expect(page1.rateLimit.remaining).toBe(179);
    expect(page1.rateLimit.resetAt?.getTime()).toBeGreaterThan(Date.now());

    const page2 = await client.getMentions({ userId: OWN_X, sinceId: page1.newestId });
    expect(page2.messages).toEqual([]);
    expect(page2.newestId).toBeNull();
    expect(page2.rateLimit.remaining).toBe(178);
    expect(sandbox.sent[1]?.query.since_id).toBe(second.id);
  });

  it('answers 429 when the mentions window is used up', async () => {
    const tight = await startSandbox({ xConsumerSecret: 'a', metaAppSecret: 'b', mentionsRateLimit: 1 });
    try {
      const client = xClient({ baseUrl: tight.url, bearerToken: 't' });
      await client.getMentions({ userId: OWN_X });
      await expect(client.getMentions({ userId: OWN_X })).rejects.toMatchObject({ status: 429, classification: 'temporary' });
    } finally {
      await tight.stop();
    }
  });

  it('posts X events signed with the consumer secret, which verifyXSignature accepts', async () => {
    const event = xMention({ forUserId: OWN_X, user: { id: '6253282', screenName: 'janecustomer', name: 'Jane' }, text: '@AcmeSupport help' });
    await expect(sandbox.postXEvent(event)).resolves.toBe(200);
    expect(desk.received).toEqual([{ path: '/webhooks/x', verified: true, body: event }]);
    await expect(sandbox.postXEvent(event, { signature: 'sha256=AAAA' })).resolves.toBe(401);
    await expect(sandbox.postXEvent(event, { signature: null })).resolves.toBe(401);
    await expect(sandbox.checkXCrc()).resolves.toBe(true);
  });

  it('posts Meta events signed with the app secret, which verifyMetaSignature accepts', async () => {
    const event = messengerMessage({ pageId: PAGE, psid: '7000000000000001', text: 'Hello' });
    await expect(sandbox.postMetaEvent(event)).resolves.toBe(200);
    expect(desk.received[0]).toEqual({ path: '/webhooks/meta', verified: true, body: event });
    const other = await startSandbox({ xConsumerSecret: X_SECRET, metaAppSecret: 'wrong-secret', deskWebhookUrls: { meta: `${desk.url}/webhooks/meta` } });
    try {
      await expect(other.postMetaEvent(event)).resolves.toBe(401);
    } finally {
      await other.stop();
    }
  });
});

describe('event builders', () => {
  it('build X payloads the channel parser understands', () => {
    const createdAt = new Date('2018-10-10T20:19:24Z');
    expect(xCreatedAt(createdAt)).toBe('Wed Oct 10 20:19:24 +0000 2018');
    const mention = xMention({ forUserId: OWN_X, user: { id: '6253282', screenName: 'jane', name: 'Jane' }, text: '@AcmeSupport hi', id: '42', inReplyToStatusId: '41', createdAt });
    expect(parseXWebhook(mention, { ownUserId: OWN_X })).toEqual([
      expect.objectContaining({ externalId: '42', conversationKey: '41', sentAt: createdAt, sender: { kind: 'x', value: '6253282', displayName: '@jane', name: 'Jane' } }),
    ]);
    const dm = xDm({ forUserId: OWN_X, sender: { id: '6253282', screenName: 'jane' }, text: 'private', id: '43' });
    expect(parseXWebhook(dm, { ownUserId: OWN_X })).toEqual([expect.objectContaining({ externalId: '43', conversationKey: 'dm:6253282', isPublic: false })]);
  });

  it('builds Instagram mention payloads the split keeps (ids only)', () => {
    expect(igMention({ igUserId: IG, mediaId: '179' })).toEqual({ object: 'instagram', entry: [{ id: IG, time: expect.any(Number), changes: [{ field: 'mentions', value: { media_id: '179' } }] }] });
    expect(splitMetaWebhook(igMention({ igUserId: IG, mediaId: '179' }), { ownIds: [IG] }).map((e) => e.externalId)).toEqual(['179']);
  });

  it('build Meta payloads the channel parser understands', () => {
    const ctx = { ownIds: [PAGE, IG] };
    const [m] = parseMetaWebhook(messengerMessage({ pageId: PAGE, psid: '700', text: 'hi', mid: 'm_1' }), ctx);
    expect(m).toMatchObject({ channel: 'facebook', externalId: 'm_1', conversationKey: 'fb-dm:700' });
    const [c] = parseMetaWebhook(fbComment({ pageId: PAGE, postId: `${PAGE}_200`, commentId: '200_300', from: { id: '600', name: 'Jane' }, message: 'blue?' }), ctx);
    expect(c).toMatchObject({ channel: 'facebook', externalId: '200_300', conversationKey: `fb-post:${PAGE}_200:600`, isPublic: true });
    const [ic] = parseMetaWebhook(igComment({ igUserId: IG, mediaId: '179', commentId: '178', from: { id: '555', username: 'jane' }, text: 'link?' }), ctx);
    expect(ic).toMatchObject({ channel: 'instagram', externalId: '178', conversationKey: 'ig-media:179:555' });
    const [id] = parseMetaWebhook(igDm({ igUserId: IG, igsid: '123', text: 'dm', mid: 'ig_1' }), ctx);
    expect(id).toMatchObject({ channel: 'instagram', externalId: 'ig_1', conversationKey: 'ig-dm:123', isPublic: false });
    // our own comment (a reply posted by the desk) is not a customer message
    expect(parseMetaWebhook(fbComment({ pageId: PAGE, from: { id: PAGE, name: 'Acme' }, message: 'our reply' }), ctx)).toEqual([]);
  });
});
