import type { DataSource } from 'typeorm';
import { createApp } from '@desk/api';
import { createWorker } from '@desk/worker';
import { createDataSource } from '@desk/core';
import { startSandbox, type Sandbox } from '@desk/sandbox';
import { createTestEnv, type TestEnv } from '@desk/testing';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed-demo';
import { DeskNotRunningError, seedDemoThroughDesk, type DemoThroughDeskResult } from './seed-social';

jest.setTimeout(60_000);

/**
 * `pnpm seed:demo` against a real desk (api + worker booted here on a test database): the social
 * inboxes talk to the sandbox, and the social conversations arrive as signed webhook events that
 * the worker ingests; an agent's reply then lands in the sandbox.
 */
describe('seed-demo through the running desk and the provider sandbox', () => {
  let env: TestEnv;
  let api: Awaited<ReturnType<typeof createApp>>;
  let worker: Awaited<ReturnType<typeof createWorker>>;
  let ds: DataSource;
  let sandbox: Sandbox;
  let deskUrl: string;
  let result: DemoThroughDeskResult;
  const secrets = { xConsumerSecret: 'demo-x-secret', metaAppSecret: 'demo-meta-secret' };
  const lines: string[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    api = await createApp(env.config, { logger: false });
    await api.listen(0, '127.0.0.1');
    worker = await createWorker(env.config, { logger: false });
    deskUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
    ds = createDataSource({ url: env.config.DATABASE_URL, poolSize: 2 });
    await ds.initialize();
    sandbox = await startSandbox({ port: 0, ...secrets });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await ds?.destroy();
    await worker?.close();
    await api?.close();
    await env?.cleanup();
  });

  it('refuses, writing nothing, when no desk answers', async () => {
    const nobody = 'http://127.0.0.1:9'; // the discard port: nothing listens there
    await expect(seedDemoThroughDesk(ds, { deskUrl: nobody, sandbox: { url: sandbox.url, ...secrets } })).rejects.toThrow(DeskNotRunningError);
    await expect(seedDemoThroughDesk(ds, { deskUrl: nobody, sandbox: { url: sandbox.url, ...secrets } })).rejects.toThrow('run `pnpm start` first');
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM inboxes`);
    expect(row.n).toBe(0);
  });

  it('posts the social conversations as signed webhooks; the worker ingests every one into the seeded contacts', async () => {
    result = await seedDemoThroughDesk(ds, { deskUrl, sandbox: { url: sandbox.url, ...secrets }, log: (l) => lines.push(l), ingestTimeoutMs: 40_000 });
    expect(result.skipped).toBe(false);
    expect(result.social.map((t) => t.channel).sort()).toEqual(expect.arrayContaining(['facebook', 'instagram', 'x']));
    expect(result.socialEvents).toBeGreaterThanOrEqual(result.social.length);
    expect(result.socialIngested).toBe(result.socialEvents);

    const events = await ds.query(`SELECT source::text, status, count(*)::int AS n FROM inbound_events GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(events.every((e: { status: string }) => e.status === 'processed')).toBe(true);
    expect(events.reduce((sum: number, e: { n: number }) => sum + e.n, 0)).toBe(result.socialEvents);

    // every social message came through an inbound event, into a thread of a social inbox
    const [social] = await ds.query(
      `SELECT count(*)::int AS messages, count(*) FILTER (WHERE m.inbound_event_id IS NULL)::int AS direct, count(DISTINCT m.thread_id)::int AS threads
         FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.channel IN ('x', 'facebook', 'instagram')`,
    );
    expect(social).toMatchObject({ messages: result.socialEvents, direct: 0 });
    expect(social.threads).toBeGreaterThanOrEqual(Math.ceil(result.social.length / 2));
    for (const channel of ['x', 'facebook', 'instagram']) {
      const [t] = await ds.query(`SELECT count(*)::int AS n FROM threads WHERE channel = $1`, [channel]);
      expect(t.n).toBeGreaterThan(0);
    }
    // the desk's contact resolver found the demo's customers by their network ids: no new contacts
    const [contacts] = await ds.query(`SELECT count(*)::int AS n FROM contacts`);
    expect(contacts.n).toBe(result.contacts);
    // one Instagram caption mention: looked up in the sandbox by the worker, from the demo customer
    const author = result.social.find((t) => t.channel === 'instagram' && t.contact.handle)!;
    const [caption] = await ds.query(
      `SELECT m.body_text, m.inbound_event_id, i.contact_id FROM messages m JOIN contact_identities i ON i.kind = 'instagram' AND i.normalized_value = $1
        WHERE m.channel = 'instagram' AND m.body_text LIKE 'Unboxing day!%'`,
      [author.contact.handle!.toLowerCase()],
    );
    expect(caption).toMatchObject({ inbound_event_id: expect.any(String) });
    const [dmAuthor] = await ds.query(`SELECT contact_id FROM contact_identities WHERE kind = 'instagram' AND normalized_value = $1`, [author.contact.ids.instagram]);
    expect(caption.contact_id).toBe(dmAuthor.contact_id);
    expect(sandbox.sent.some((c) => c.method === 'GET' && c.path === `/${DEMO_ACCOUNTS.igUserId}` && c.query.fields?.startsWith('mentioned_media.media_id(') && c.status === 200)).toBe(true);
    // the email and web-form threads are still written directly, with their history
    const [direct] = await ds.query(`SELECT count(*)::int AS n FROM threads WHERE channel IN ('email', 'webform')`);
    expect(direct.n).toBe(result.threads);
  });

  it('points the social inboxes at the sandbox, so an agent reply lands there', async () => {
    const inboxes = await ds.query(`SELECT channel::text, settings FROM inboxes WHERE channel IN ('x', 'facebook', 'instagram') ORDER BY channel`);
    expect(inboxes).toEqual([
      { channel: 'facebook', settings: expect.objectContaining({ pageId: DEMO_ACCOUNTS.pageId, graphBaseUrl: `${sandbox.url}/v21.0`, appSecret: secrets.metaAppSecret }) },
      { channel: 'instagram', settings: expect.objectContaining({ igUserId: DEMO_ACCOUNTS.igUserId, graphBaseUrl: `${sandbox.url}/v21.0` }) },
      { channel: 'x', settings: expect.objectContaining({ userId: DEMO_ACCOUNTS.xUserId, apiBaseUrl: sandbox.url, consumerSecret: secrets.xConsumerSecret }) },
    ]);

    const [agent] = await ds.query(`SELECT a.email FROM agents a JOIN team_members tm ON tm.agent_id = a.id JOIN teams t ON t.id = tm.team_id WHERE t.name ILIKE '%social%' AND a.role = 'agent' LIMIT 1`);
    const login = await fetch(`${deskUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: agent.email, password: DEMO_PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const [thread] = await ds.query(`SELECT id, version FROM threads WHERE channel = 'facebook' ORDER BY created_at LIMIT 1`);
    const reply = await fetch(`${deskUrl}/api/threads/${thread.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ kind: 'reply', body: 'Hello from the demo', seenVersion: thread.version }),
    });
    expect(reply.status).toBe(201);
    const until = Date.now() + 20_000;
    while (!sandbox.sent.some((c) => c.method === 'POST' && JSON.stringify(c.body).includes('Hello from the demo')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(sandbox.sent.find((c) => JSON.stringify(c.body).includes('Hello from the demo'))).toMatchObject({ method: 'POST', status: 200 });
  });
});
