import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { QUEUES, QueueName, XMentionsPoller, type Queues } from '@desk/core';
import { startSandbox, xMention, type Sandbox } from '@desk/sandbox';
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { waitFor } from './support';

jest.setTimeout(60_000);

describe('X mentions polling', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let sandbox: Sandbox;
  let inboxId: string;
  const secret = randomBytes(16).toString('hex');
  const ourX = '900000000000000009';
  const mentionCalls = () => sandbox.sent.filter((c) => c.method === 'GET' && c.route === '/2/users/:id/mentions');

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    sandbox = await startSandbox({ port: 0, xConsumerSecret: secret, metaAppSecret: 'unused', mentionsRateLimit: 2 });
    inboxId = (
      await h.f.inbox({ channel: 'x', address: '@acme', settings: { userId: ourX, consumerSecret: secret, bearerToken: 'app-token', apiBaseUrl: sandbox.url, webhook: false, pollMentions: false } })
    ).id;
    // the worker's own 60-second schedule would race the polls below: stop it, let a run in flight
    // finish (it finds no polling inbox yet), then switch polling on for the inbox
    const queue = worker.get<Queues>(QUEUES)[QueueName.Ingest];
    await queue.removeJobScheduler('x-mentions-poll');
    await waitFor(async () => (await queue.getJobs(['active', 'waiting', 'delayed'])).every((j) => j.name !== 'x-mentions-poll'), 'no poll job in flight');
    await h.ds.query(`UPDATE inboxes SET settings = settings || '{"pollMentions": true}'::jsonb WHERE id = $1`, [inboxId]);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await worker?.close();
    await h?.close();
  });

  const messageOf = (id: string) =>
    waitFor(async () => (await h.ds.query(`SELECT id, thread_id FROM messages WHERE channel = 'x' AND external_id = $1`, [id]))[0] as { id: string; thread_id: string } | undefined, `tweet ${id}`);

  it('stores new mentions with since_id checkpointed, dedupes with the webhook on the tweet id, and pauses when the rate limit is used up', async () => {
    const poller = worker.get(XMentionsPoller);
    const a = sandbox.queueMention({ forUserId: ourX, author: { id: '21', username: 'pat' }, text: '@acme first' });
    sandbox.queueMention({ forUserId: ourX, author: { id: ourX, username: 'acme' }, text: 'our own tweet' });
    const c = sandbox.queueMention({ forUserId: ourX, author: { id: '22', username: 'sam' }, text: '@acme second' });

    const first = await poller.pollInbox(inboxId);
    expect(first).toMatchObject({ outcome: 'polled', accepted: 2, pausedUntil: null });
    expect(mentionCalls()[0]!.query.since_id).toBeUndefined();
    await messageOf(String(a.id));
    await messageOf(String(c.id));
    const [cp] = await h.ds.query(`SELECT since_id FROM x_poll_checkpoints WHERE inbox_id = $1`, [inboxId]);
    expect(cp.since_id).toBe((first as { sinceId: string }).sinceId);

    // the same tweet through the webhook: the same key, so one event and one message
    const base = `http://127.0.0.1:${(h.app.getHttpServer().address() as { port: number }).port}`;
    expect(await sandbox.postXEvent(xMention({ forUserId: ourX, user: { id: '21', screenName: 'pat' }, text: '@acme first', id: String(a.id) }), { url: `${base}/webhooks/x/${inboxId}` })).toBe(200);
    const [ev] = await h.ds.query(`SELECT count(*)::int AS n FROM inbound_events WHERE idempotency_key = $1`, [`${inboxId}:x:${String(a.id)}`]);
    expect(ev.n).toBe(1);

    // second poll: asks since the checkpoint, uses the last call of the window, and pauses until its reset
    const d = sandbox.queueMention({ forUserId: ourX, author: { id: '21', username: 'pat' }, text: '@acme third' });
    const second = await poller.pollInbox(inboxId);
    expect(mentionCalls()[1]!.query.since_id).toBe(cp.since_id);
    expect(second).toMatchObject({ outcome: 'polled', accepted: 1, pausedUntil: expect.any(Date) });
    const dm = await messageOf(String(d.id));
    expect(dm.thread_id).toBeDefined();

    const third = await poller.pollInbox(inboxId);
    expect(third).toMatchObject({ outcome: 'paused' });
    expect(mentionCalls()).toHaveLength(2);
    // pollAll covers the inbox too and honours the pause
    expect(await poller.pollAll()).toEqual([expect.objectContaining({ inboxId, outcome: 'paused' })]);
  });
});
