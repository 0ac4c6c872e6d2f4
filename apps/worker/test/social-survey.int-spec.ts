import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { startSandbox, xDm, xMention, type Sandbox } from '@desk/sandbox';
// the real api (webhooks, status change, hosted survey page), booted on the same test env as the worker below
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { waitFor } from './support';

jest.setTimeout(90_000);

/**
 * The satisfaction survey on social threads (issue 4), against the provider sandbox: resolving a
 * thread sends the signed link as a PRIVATE message on the thread's network through the outbox and
 * the deliver job; never as a public post. Without a private route it falls back to a linked email
 * address, else the thread's audit trail says why nothing was sent.
 */
describe('satisfaction survey on social channels', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let sandbox: Sandbox;
  let agent: string;
  let base: string;
  let xInbox: string;
  let xOpenInbox: string;
  const xSecret = randomBytes(16).toString('hex');
  const ourX = '910000000000000001';
  const ourXOpen = '910000000000000002';
  let seq = 0;
  const tweetId = () => `19${Date.now()}${String(seq++).padStart(4, '0')}`;

  beforeAll(async () => {
    h = await startApi({ PUBLIC_URL: 'https://desk.test' });
    worker = await createWorker(h.env.config, { logger: false });
    agent = await h.login(await h.f.agent({ role: 'agent' }));
    sandbox = await startSandbox({ port: 0, xConsumerSecret: xSecret, metaAppSecret: 'unused' });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    const x = { consumerSecret: xSecret, bearerToken: 'user-token', apiBaseUrl: sandbox.url, webhook: true, pollMentions: false };
    xInbox = (await h.f.inbox({ channel: 'x', address: '@acme', settings: { ...x, userId: ourX }, autoAckEnabled: false })).id;
    // this account may DM people who only mentioned it (they accept DMs from anyone)
    xOpenInbox = (await h.f.inbox({ channel: 'x', address: '@acme_open', settings: { ...x, userId: ourXOpen, dmToMentioners: true }, autoAckEnabled: false })).id;
    // the mailbox an email fallback leaves from
    await h.f.inbox({ channel: 'email', address: `support-${Date.now()}@acme.test` });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await worker?.close();
    await h?.close();
  });

  const post = async (inboxId: string, event: unknown) => expect(await sandbox.postXEvent(event, { url: `${base}/webhooks/x/${inboxId}` })).toBe(200);
  const ingested = (externalId: string) =>
    waitFor(async () => {
      const [m] = await h.ds.query(`SELECT thread_id, contact_id FROM messages WHERE channel = 'x' AND external_id = $1`, [externalId]);
      return m as { thread_id: string; contact_id: string } | undefined;
    }, `x message ${externalId} to be ingested`);
  async function resolve(threadId: string) {
    const res = await h.http().patch(`/api/threads/${threadId}`).set('Cookie', agent).send({ status: 'resolved' });
    expect(res.status).toBe(200);
  }
  const surveyMessages = async (threadId: string) =>
    (await h.ds.query(
      `SELECT m.channel, m.is_public, m.body_text, d.recipient FROM messages m JOIN outbound_deliveries d ON d.message_id = m.id
        WHERE m.thread_id = $1 AND m.metadata @> '{"survey": true}'`,
      [threadId],
    )) as Array<{ channel: string; is_public: boolean; body_text: string; recipient: Record<string, unknown> }>;
  const tokenOf = (text: string) => /https:\/\/desk\.test\/public\/survey\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text)?.[1];
  const audit = async (threadId: string, action: string) =>
    (await h.ds.query(`SELECT reason, data FROM audit_events WHERE thread_id = $1 AND action = $2`, [threadId, action])) as Array<{ reason: string | null; data: Record<string, unknown> }>;

  it('X DM thread resolved → the signed link is DMed to the customer → a low score reopens the thread', async () => {
    const id = tweetId();
    await post(xInbox, xDm({ forUserId: ourX, sender: { id: '41', screenName: 'sue' }, text: 'my invoice is wrong', id }));
    const { thread_id } = await ingested(id);
    await resolve(thread_id);

    const call = await waitFor(
      async () => sandbox.sent.find((c) => c.method === 'POST' && c.path === '/2/dm_conversations/with/41/messages' && c.status < 300),
      'the survey DM',
    );
    const token = tokenOf((call.body as { text: string }).text);
    expect(token).toBeDefined();
    // a private message, never a public tweet
    expect(sandbox.sent.some((c) => c.path === '/2/tweets')).toBe(false);
    const [msg] = await surveyMessages(thread_id);
    expect(msg).toMatchObject({ channel: 'x', is_public: false, recipient: { target: { kind: 'x-dm', id: '41' } } });
    expect(await audit(thread_id, 'survey.sent')).toEqual([expect.objectContaining({ data: expect.objectContaining({ channel: 'x' }) })]);

    const res = await h.http().post(`/public/survey/${token}`).type('form').send('score=1&comment=still+wrong');
    expect(res.status).toBe(201);
    const [t] = await h.ds.query(`SELECT status FROM threads WHERE id = $1`, [thread_id]);
    expect(t.status).toBe('open');
    expect(await audit(thread_id, 'thread.reopened')).toHaveLength(1);
  });

  it('public X mention: no DM without the inbox allowing it → email when linked, else audited as not sent', async () => {
    const lone = tweetId();
    await post(xInbox, xMention({ forUserId: ourX, user: { id: '42', screenName: 'pat' }, text: '@acme broken again', id: lone }));
    const a = await ingested(lone);
    await resolve(a.thread_id);
    expect(await surveyMessages(a.thread_id)).toHaveLength(0);
    const [skipped] = await audit(a.thread_id, 'survey.skipped');
    expect(skipped?.reason).toMatch(/only publicly.*no linked email address/);

    const linked = tweetId();
    await post(xInbox, xMention({ forUserId: ourX, user: { id: '43', screenName: 'val' }, text: '@acme please help', id: linked }));
    const b = await ingested(linked);
    await h.ds.query(`INSERT INTO contact_identities (contact_id, kind, value, normalized_value) VALUES ($1, 'email', 'Val@Example.com', 'val@example.com')`, [b.contact_id]);
    await resolve(b.thread_id);
    const [mail] = await surveyMessages(b.thread_id);
    expect(mail).toMatchObject({ channel: 'email', recipient: expect.objectContaining({ to: ['val@example.com'] }) });
    expect(tokenOf(mail!.body_text)).toBeDefined();
    expect(await audit(b.thread_id, 'survey.sent')).toEqual([expect.objectContaining({ reason: expect.stringContaining('sent by email instead') })]);
    expect(sandbox.sent.some((c) => c.path === '/2/dm_conversations/with/42/messages' || c.path === '/2/dm_conversations/with/43/messages')).toBe(false);
  });

  it('public X mention on an inbox that may DM mentioners → the survey is DMed to the author', async () => {
    const id = tweetId();
    await post(xOpenInbox, xMention({ forUserId: ourXOpen, forScreenName: 'acme_open', user: { id: '44', screenName: 'kai' }, text: '@acme_open hello', id }));
    const { thread_id } = await ingested(id);
    await resolve(thread_id);
    const call = await waitFor(async () => sandbox.sent.find((c) => c.path === '/2/dm_conversations/with/44/messages' && c.status < 300), 'the survey DM to the mentioner');
    expect(tokenOf((call.body as { text: string }).text)).toBeDefined();
    expect(sandbox.sent.some((c) => c.path === '/2/tweets')).toBe(false);
  });
});
