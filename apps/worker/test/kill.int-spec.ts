import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createDataSource } from '@desk/core';
import { createTestEnv, type TestEnv } from '@desk/testing';
import type { DataSource } from 'typeorm';
import { freePort, rawMail, sendRaw, uid, waitFor } from './support';

jest.setTimeout(240_000);

const MAIN = join(__dirname, '../dist/main.js');
const N = 200;

/** Kill -9 the worker (a child process running the built dist) while mail is arriving, start it again. */
describe('killing the worker while mail arrives', () => {
  let env: TestEnv;
  let ds: DataSource;
  let port: number;
  const children: ChildProcess[] = [];

  function startWorker(): Promise<ChildProcess> {
    const c = env.config;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: c.DATABASE_URL,
        REDIS_URL: c.REDIS_URL,
        REDIS_PREFIX: c.REDIS_PREFIX,
        APP_SECRET: c.APP_SECRET,
        DATA_DIR: c.DATA_DIR,
        LOG_LEVEL: 'silent',
        SMTP_ENABLED: 'true',
        SMTP_LISTEN_HOST: '127.0.0.1',
        SMTP_LISTEN_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('desk worker started')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
    });
  }

  beforeAll(async () => {
    port = await freePort();
    env = await createTestEnv();
    ds = createDataSource({ url: env.config.DATABASE_URL, poolSize: 2 });
    await ds.initialize();
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }
    }
    await ds?.destroy();
    await env?.cleanup();
  });

  it('every mail that got a 250 appears exactly once', async () => {
    const address = `support-${uid()}@desk.test`;
    await ds.query(`INSERT INTO inboxes (name, channel, address) VALUES ('Support', 'email', $1)`, [address]);
    let worker = await startWorker();

    const mails = Array.from({ length: N }, (_, i) => ({ mid: `kill-${i}-${uid()}@example.com` }));
    const accepted = new Set<string>();
    let refused = 0;
    let killed = false;
    let restarted: Promise<ChildProcess> | null = null;
    const next = { i: 0 };

    async function sender() {
      for (;;) {
        const m = mails[next.i++];
        if (!m) return;
        const raw = rawMail({ messageId: m.mid, to: address, body: `mail ${m.mid}` });
        for (let tries = 0; ; tries++) {
          const res = await sendRaw(port, raw, { from: 'customer@example.com', to: [address] });
          if (res.ok) {
            accepted.add(m.mid);
            break;
          }
          refused++;
          if (tries > 200) throw new Error(`could not deliver ${m.mid}: ${res.message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        if (!killed && accepted.size >= N / 3) {
          killed = true;
          worker.kill('SIGKILL');
          restarted = new Promise((r) => setTimeout(r, 300)).then(() => startWorker());
        }
      }
    }
    await Promise.all(Array.from({ length: 20 }, sender));
    expect(killed).toBe(true);
    worker = await restarted!;
    expect(accepted.size).toBe(N);

    // every accepted mail becomes exactly one message (stalled jobs come back after the lock expires)
    const counts = await waitFor(
      async () => {
        const rows: Array<{ external_id: string; n: number }> = await ds.query(
          `SELECT external_id, count(*)::int AS n FROM messages WHERE external_id = ANY($1) GROUP BY external_id`,
          [[...accepted]],
        );
        return rows.length === accepted.size ? rows : null;
      },
      'every accepted mail to be a message',
      200_000,
      500,
    );
    expect(counts.filter((r) => r.n !== 1)).toEqual([]);
    const events = (await ds.query(`SELECT status, count(*)::int AS n FROM inbound_events GROUP BY status`)) as Array<{ status: string; n: number }>;
    expect(events).toEqual([{ status: 'processed', n: N }]);
    // visible in the test output: how many sends were refused while the worker was down
    console.log(`kill test: ${accepted.size} accepted, ${refused} refused/retried sends`);
  });
});
