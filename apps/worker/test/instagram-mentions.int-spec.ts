import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { igMention, startSandbox, type Sandbox } from '@desk/sandbox';
// the real api (the Meta webhook door), booted on the same test env as the worker below
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { waitFor } from './support';

jest.setTimeout(90_000);

/**
 * Instagram `mentions` webhooks carry ids only. The webhook stores the raw event as for any other
 * event; the worker's ingest looks the caption (or comment) up through the Graph API of the
 * inbox (the sandbox here), retries when the network says "later", and quarantines the event with
 * the provider's answer when the lookup is refused.
 */
describe('Instagram caption mentions through the sandbox', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let sandbox: Sandbox;
  let base: string;
  let igInbox: string;
  let agent: string;
  const appSecret = randomBytes(16).toString('hex');
  const igUserId = '178400000000077';
  let seq = 0;
  const mediaId = () => `1790${Date.now()}${String(seq++).padStart(3, '0')}`;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    agent = await h.login(await h.f.agent({ role: 'agent' }));
    sandbox = await startSandbox({ port: 0, xConsumerSecret: 'unused', metaAppSecret: appSecret });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    igInbox = (
      await h.f.inbox({
        channel: 'instagram',
        address: igUserId,
        autoAckEnabled: false,
        settings: { appSecret, verifyToken: 'v', pageAccessToken: 'page-token', graphBaseUrl: `${sandbox.url}/v21.0`, igUserId },
      })
    ).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
    await worker?.close();
    await h?.close();
  });

  const post = async (event: unknown) => expect(await sandbox.postMetaEvent(event, { url: `${base}/webhooks/meta/${igInbox}` })).toBe(200);
  const event = (id: string) =>
    waitFor(async () => {
      const [e] = await h.ds.query(`SELECT id, status, error, message_id, attempts FROM inbound_events WHERE source = 'instagram' AND idempotency_key = $1`, [
        `${igInbox}:instagram:${id}`,
      ]);
      return e && (e.status === 'processed' || e.status === 'quarantined') ? (e as { id: string; status: string; error: string | null; message_id: string | null; attempts: number }) : null;
    }, `the mention event of ${id} to be processed or quarantined`, 30_000);
  const lookups = (id: string) => sandbox.sent.filter((c) => c.method === 'GET' && c.path === `/${igUserId}` && c.query.fields?.startsWith(`mentioned_media.media_id(${id})`));

  it('a signed caption-mention webhook → the caption is looked up → a thread whose message is the caption, by the mentioning user', async () => {
    const id = mediaId();
    sandbox.addInstagramMedia({ id, caption: 'My @acme blender broke after two days', username: 'Nora.Bakes' });
    await post(igMention({ igUserId, mediaId: id }));
    const e = await event(id);
    expect(e).toMatchObject({ status: 'processed', error: null });
    expect(lookups(id)).toHaveLength(1);
    expect(lookups(id)[0]!.authorization).toBe('Bearer page-token');

    const [m] = await h.ds.query(
      `SELECT m.body_text, m.is_public, m.inbound_event_id, t.channel, t.inbox_id, c.name, i.kind, i.normalized_value, i.display_name
         FROM messages m JOIN threads t ON t.id = m.thread_id JOIN contact_identities i ON i.contact_id = m.contact_id JOIN contacts c ON c.id = m.contact_id
        WHERE m.id = $1`,
      [e.message_id],
    );
    expect(m).toMatchObject({
      body_text: 'My @acme blender broke after two days',
      is_public: true,
      inbound_event_id: e.id,
      channel: 'instagram',
      inbox_id: igInbox,
      kind: 'instagram',
      normalized_value: expect.stringContaining('nora.bakes'),
      display_name: '@Nora.Bakes',
    });
  });

  it('the lookup answers 404 → the event is quarantined with the reason, no message', async () => {
    const id = mediaId();
    sandbox.addInstagramMedia({ id, caption: 'never seen', username: 'ghost' });
    sandbox.failNext(`/${igUserId}`, 404, 1);
    await post(igMention({ igUserId, mediaId: id }));
    const e = await event(id);
    expect(e.status).toBe('quarantined');
    expect(e.error).toBe(`instagram mention lookup of the caption of media ${id} failed (HTTP 404): sandbox failure (404)`);
    expect(e.message_id).toBeNull();
    expect(await h.ds.query(`SELECT 1 FROM messages WHERE channel = 'instagram' AND external_id = $1`, [id])).toHaveLength(0);

    // a media the Graph API does not know: 400 code 100, also permanent
    const unknown = mediaId();
    await post(igMention({ igUserId, mediaId: unknown }));
    expect(await event(unknown)).toMatchObject({ status: 'quarantined', error: expect.stringContaining('(HTTP 400): Unsupported get request') });
  });

  it('a temporary lookup failure (503) is retried by the ingest job, then the mention is ingested', async () => {
    const id = mediaId();
    sandbox.addInstagramMedia({ id, caption: '@acme are you open on Sunday?', username: 'sam' });
    sandbox.failNext(`/${igUserId}`, 503, 1);
    await post(igMention({ igUserId, mediaId: id }));
    const e = await event(id);
    expect(e).toMatchObject({ status: 'processed', attempts: 2 });
    expect(lookups(id).map((c) => c.status)).toEqual([503, 200]);
  });

  /** An agent's reply through the real api (outbox), then the deliver job; resolves with the sent message. */
  async function replyAndDeliver(threadId: string, body: string) {
    const [t] = await h.ds.query(`SELECT version FROM threads WHERE id = $1`, [threadId]);
    const res = await h.http().post(`/api/threads/${threadId}/messages`).set('Cookie', agent).send({ kind: 'reply', body, public: true, seenVersion: t.version });
    expect(res.status).toBe(201);
    return waitFor(async () => {
      const [m] = await h.ds.query(`SELECT delivery_state, delivery_error, external_id, is_public, metadata FROM messages WHERE id = $1`, [res.body.id]);
      if (m.delivery_state === 'failed') throw new Error(`delivery failed: ${m.delivery_error}`);
      return m.delivery_state === 'sent' ? (m as { external_id: string; is_public: boolean; metadata: { replyTarget: unknown } }) : null;
    }, 'the reply to be delivered', 20_000);
  }

  it('an agent\'s public reply to a caption mention is posted with POST /{ig-user-id}/mentions (media_id, message), not /replies', async () => {
    const id = mediaId();
    sandbox.addInstagramMedia({ id, caption: '@acme my order never arrived', username: 'lena' });
    await post(igMention({ igUserId, mediaId: id }));
    const e = await event(id);
    expect(e.status).toBe('processed');
    const [{ thread_id: threadId }] = await h.ds.query(`SELECT thread_id FROM messages WHERE id = $1`, [e.message_id]);

    const sent = await replyAndDeliver(threadId, '@lena sorry! We sent you a DM');
    expect(sent).toMatchObject({ is_public: true, metadata: { replyTarget: { kind: 'instagram-mention', id } } });
    const calls = sandbox.sent.filter((c) => c.method === 'POST' && c.path === `/${igUserId}/mentions` && (c.body as { media_id?: string }).media_id === id);
    expect(calls.map((c) => [c.status, c.body, c.authorization])).toEqual([[200, { media_id: id, message: '@lena sorry! We sent you a DM' }, 'Bearer page-token']]);
    expect(sent.external_id).toMatch(/^\d+$/);
    expect(sandbox.sent.some((c) => c.path === `/${id}/replies`)).toBe(false);
  });

  it('a reply to a comment mention names the comment too (comment_id)', async () => {
    const media = mediaId();
    const commentId = `1786${Date.now()}${String(seq++).padStart(3, '0')}`;
    sandbox.addInstagramMentionComment({ id: commentId, mediaId: media, text: '@acme is this yours?', from: { id: '6001', username: 'tom' } });
    await post(igMention({ igUserId, mediaId: media, commentId }));
    const e = await event(commentId);
    expect(e.status).toBe('processed');
    const [{ thread_id: threadId }] = await h.ds.query(`SELECT thread_id FROM messages WHERE id = $1`, [e.message_id]);

    await replyAndDeliver(threadId, 'Yes, that is our blender');
    const call = sandbox.sent.find((c) => c.method === 'POST' && c.path === `/${igUserId}/mentions` && (c.body as { comment_id?: string }).comment_id === commentId);
    expect(call).toMatchObject({ status: 200, body: { media_id: media, comment_id: commentId, message: 'Yes, that is our blender' } });
    expect(sandbox.sent.some((c) => c.path === `/${commentId}/replies`)).toBe(false);
  });
});
