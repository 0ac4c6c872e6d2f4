/**
 * `pnpm bench:ingest [--n 20000] [--concurrency 64] [--rate 500] [--warmup 1000] [--workers 1] [--no-auto-ack] [--no-relay]`
 *
 * Without --rate the sender blasts (as fast as the listener accepts): the maximum throughput.
 * With --rate R it offers a fixed load of R mails/s (mail i is sent at start + i/R s): the honest
 * measure of "R mails/s sustained with p99 < X", since a blast only measures how long a backlog
 * waits. --workers W starts W worker processes: the first runs the SMTP listener, the others only
 * process jobs (the desk scales out this way). --warmup W first sends W mails the same way (at the
 * same rate) and waits until they are committed, so the measured mails meet a worker whose code is
 * compiled and whose pools are open, as a desk that has been running is; they are not counted.
 * After the measured mails, it waits (up to 5 minutes) until the acknowledgements they caused have
 * all reached the relay, and prints how long that took: ingestion is measured without them, but a
 * desk that cannot send them as fast as mail arrives falls behind on its promise.
 *
 * End-to-end ingestion through the real SMTP listener: its own migrated database and Redis key
 * prefix (both removed afterwards), an SMTP relay sink the acknowledgements really go out to (as
 * in production; --no-relay leaves them waiting in the outbox, their deliver jobs retrying), the worker started as a child process from dist/main.js, and
 * the mails sent by a SEPARATE process (this file forked with --sender) over reused SMTP
 * connections with bounded concurrency. Latency per mail = messages.created_at (set in the
 * ingest transaction) − the instant the sender got its 250; throughput = N / (last message
 * committed − first mail sent). lost = accepted mails without a message at the end; duplicated =
 * extra messages for one Message-ID. The last line is the machine-readable summary.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { createDataSource, runMigrations } from '@desk/core';
import {
  CaptureRelay,
  createEmptyDatabase,
  databaseUrl,
  deleteRedisPrefix,
  dropDatabase,
  TEST_REDIS_URL,
  numberFlag as flag,
  textFlag as text,
  sleep,
  freePort,
  percentile,
} from '@desk/testing';

type SenderResult = {
  accepted: Array<[string, number]>;
  failed: number;
  startedAt: number;
  finishedAt: number;
};

/** The customer side, in its own process: N mails, `concurrency` in flight, retried on refusal. */
async function sender(): Promise<void> {
  const port = flag('port', 2525);
  const n = flag('n', 20_000);
  const concurrency = flag('concurrency', 64);
  const to = text('to');
  const run = text('run');
  const tag = text('tag');
  const rate = process.argv.includes('--rate') ? flag('rate', 500) : 0;
  // one SMTP session per lane, reused for all its mails (as a pooled client's), through nodemailer's
  // own SMTP client: the same conversation as a pooled transport, without composing a message
  // object around each raw mail, so the customer side takes less of the box it shares with the desk
  const open = () =>
    new Promise<SMTPConnection>((resolve, reject) => {
      const c = new SMTPConnection({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      c.once('error', reject);
      c.connect(() => {
        c.off('error', reject);
        c.on('error', () => undefined); // a send on a broken session fails, and the next opens a new one
        resolve(c);
      });
    });
  const accepted: Array<[string, number]> = [];
  let failed = 0;
  let next = 0;
  const startedAt = Date.now();
  const body =
    'Hello,\r\n\r\nmy order has not arrived yet. Could you have a look?\r\n\r\nThanks,\r\nA customer\r\n';
  async function lane(): Promise<void> {
    let session: SMTPConnection | null = null;
    const sendRaw = async (envelope: { from: string; to: string[] }, raw: string) => {
      session ??= await open();
      const c = session;
      await new Promise<void>((resolve, reject) =>
        c.send(envelope, raw, (err) => {
          if (!err) return resolve();
          // refused or broken: the next try opens a new session
          c.close();
          session = null;
          reject(err);
        }),
      );
    };
    for (;;) {
      const i = next++;
      if (i >= n) {
        (session as SMTPConnection | null)?.quit();
        return;
      }
      if (rate) {
        const due = startedAt + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const mid = `${tag}-${run}-${i}@customer.test`;
      const raw =
        `From: Customer ${i % 500} <customer${i % 500}@customer.test>\r\nTo: ${to}\r\nSubject: Order ${i}\r\nMessage-ID: <${mid}>\r\n` +
        `Date: ${new Date().toUTCString()}\r\nX-Bench-Sent: ${Date.now()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
      for (let tries = 0; ; tries++) {
        try {
          await sendRaw({ from: `customer${i % 500}@customer.test`, to: [to] }, raw);
          accepted.push([mid, Date.now()]);
          break;
        } catch {
          failed++;
          if (tries >= 20) break;
          await sleep(100 * (tries + 1));
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const result: SenderResult = { accepted, failed, startedAt, finishedAt: Date.now() };
  process.send!(result, undefined, undefined, () => process.exit(0));
}

async function main(): Promise<void> {
  const n = flag('n', 20_000);
  const concurrency = flag('concurrency', 64);
  const rate = process.argv.includes('--rate') ? flag('rate', 500) : 0;
  const workerCount = flag('workers', 1);
  const warmup = process.argv.includes('--warmup') ? flag('warmup', 1000) : 0;
  const run = randomBytes(4).toString('hex');
  const prefix = `bench${run}`;
  const dataDir = `/tmp/desk-bench-${run}`;
  const dbName = await createEmptyDatabase();
  const url = databaseUrl(dbName);
  const ds = createDataSource({ url, poolSize: 2 });
  const workers: ChildProcess[] = [];
  const relay = process.argv.includes('--no-relay') ? null : await new CaptureRelay({ keep: false }).start();
  try {
    await ds.initialize();
    await runMigrations(ds);
    const address = `support@bench.test`;
    // --no-auto-ack: measure the ingest pipeline without the acknowledgement mail each new thread gets
    const autoAck = !process.argv.includes('--no-auto-ack');
    await ds.query(
      `INSERT INTO inboxes (name, channel, address, auto_ack_enabled) VALUES ('Bench', 'email', $1, $2)`,
      [address, autoAck],
    );

    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    for (let w = 0; w < workerCount; w++) {
      // BENCH_WORKER_NODE_ARGS: node flags for the workers when profiling (e.g. --cpu-prof)
      const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const worker = spawn(process.execPath, [...nodeArgs, join(__dirname, '../main.js')], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          DATABASE_URL: url,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: prefix,
          APP_SECRET: secret,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'error',
          // tuning knobs pass through (INGEST_CONCURRENCY, INGEST_BATCH_SIZE, DB_POOL_SIZE)
          ...Object.fromEntries(['INGEST_CONCURRENCY', 'INGEST_BATCH_SIZE', 'DB_POOL_SIZE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
          SMTP_ENABLED: w === 0 ? 'true' : 'false',
          SMTP_LISTEN_HOST: '127.0.0.1',
          SMTP_LISTEN_PORT: String(port),
          ...(relay ? { SMTP_RELAY_URL: relay.url } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (d: Buffer) => d.toString().includes('desk worker started') && resolve());
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
    }
    process.stdout.write(
      `${workerCount} worker process(es) up (SMTP ${port}); sending ${warmup ? `${warmup} warm-up mails, then ` : ''}${n} mails with concurrency ${concurrency}, ${rate ? `offered at ${rate} mails/s` : 'as fast as accepted'}, auto-acknowledgement ${autoAck ? `on (${relay ? 'sent to a relay sink' : 'no relay: left in the outbox'})` : 'off'}, from a separate process\n`,
    );

    /** Sends `count` mails tagged `tag` from a separate process; resolves when the sender is done. */
    const send = async (count: number, tag: string): Promise<SenderResult> => {
      const child = fork(
        __filename,
        [
          '--sender',
          ...['--port', String(port), '--n', String(count), '--concurrency', String(concurrency)],
          ...['--to', address, '--run', run, '--tag', tag],
          ...(rate ? ['--rate', String(rate)] : []),
        ],
        { stdio: 'inherit' },
      );
      return new Promise<SenderResult>((resolve, reject) => {
        child.once('message', (m) => resolve(m as SenderResult));
        child.once('exit', (code) => code !== 0 && reject(new Error(`sender exited with ${code}`)));
      });
    };
    /** Waits until `count` inbound messages exist, or nothing moves for 60 s. */
    const committed = async (count: number): Promise<void> => {
      let last = -1;
      let stillSince = Date.now();
      for (;;) {
        // inbound only: hooks may write outbound messages (auto-acknowledgements) to the same table
        const [{ c }] = await ds.query(`SELECT count(*)::int AS c FROM messages WHERE direction = 'inbound'`);
        if (c >= count) return;
        if (c !== last) {
          last = c;
          stillSince = Date.now();
        } else if (Date.now() - stillSince > 60_000) return;
        await sleep(250);
      }
    };

    let warmed = 0;
    if (warmup > 0) {
      const w = await send(warmup, 'warm');
      warmed = w.accepted.length;
      await committed(warmed);
      process.stdout.write(`warm-up: ${warmed} mails accepted and committed (not counted)\n`);
    }
    const sent = await send(n, 'bench');
    process.stdout.write(
      `sender: ${sent.accepted.length} accepted (250), ${sent.failed} refused/retried, ${((sent.finishedAt - sent.startedAt) / 1000).toFixed(1)} s\n`,
    );
    await committed(warmed + sent.accepted.length);

    const rows: Array<{ external_id: string; created: string; n: number }> = await ds.query(
      `SELECT external_id, (extract(epoch FROM min(created_at)) * 1000)::float8 AS created, count(*)::int AS n
         FROM messages WHERE direction = 'inbound' AND external_id LIKE $1 GROUP BY external_id`,
      [`bench-${run}-%`],
    );
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    const latencies: number[] = [];
    let lost = 0;
    for (const [mid, at] of sent.accepted) {
      const r = byId.get(mid);
      if (!r) lost++;
      else latencies.push(Math.max(0, Number(r.created) - at));
    }
    lost += n - sent.accepted.length;
    const duplicated = rows.reduce((s, r) => s + (r.n - 1), 0);
    latencies.sort((a, b) => a - b);
    const lastCommit = Math.max(...rows.map((r) => Number(r.created)));
    const seconds = (lastCommit - sent.startedAt) / 1000;
    const throughput = rows.length / seconds;
    const [q] = await ds.query(
      `SELECT count(*) FILTER (WHERE status = 'quarantined')::int AS quarantined FROM inbound_events`,
    );
    process.stdout.write(
      `end to end: ${rows.length} messages in ${seconds.toFixed(1)} s; quarantined ${q.quarantined}; accept→commit p50 ${percentile(latencies, 50).toFixed(0)} ms, p90 ${percentile(latencies, 90).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${latencies[latencies.length - 1]?.toFixed(0)} ms\n`,
    );
    if (relay && autoAck) {
      // the acknowledgements of the measured mails: all delivered, or what is left after 5 minutes
      const pending = `SELECT count(*)::int AS c FROM outbound_deliveries WHERE status NOT IN ('sent', 'failed')`;
      const until = Date.now() + 300_000;
      let left = (await ds.query(pending))[0].c as number;
      while (left > 0 && Date.now() < until) {
        await sleep(250);
        left = (await ds.query(pending))[0].c as number;
      }
      const [a] = await ds.query(
        `SELECT count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
                (extract(epoch FROM max(d.sent_at)) * 1000)::float8 AS last
           FROM outbound_deliveries d JOIN messages m ON m.id = d.message_id
          WHERE EXISTS (SELECT 1 FROM messages i WHERE i.thread_id = m.thread_id AND i.direction = 'inbound' AND i.external_id LIKE $1)`,
        [`bench-${run}-%`],
      );
      const drain = (Number(a.last) - lastCommit) / 1000;
      process.stdout.write(
        `acknowledgements: ${a.sent} of the measured mails' sent to the relay, ${left} still queued; the last ${left ? 'sent' : 'one out'} ${drain.toFixed(1)} s after the last mail was committed (${(a.sent / ((Number(a.last) - sent.startedAt) / 1000)).toFixed(0)} acknowledgements/s since the first mail)\n`,
      );
    }
    process.stdout.write(
      `ingest: ${n} mails, ${throughput.toFixed(0)} mails/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, lost ${lost}, duplicated ${duplicated}\n`,
    );
  } finally {
    await Promise.all(
      workers.map(async (worker) => {
        if (worker.exitCode !== null) return;
        const exited = new Promise((r) => worker.once('exit', r));
        worker.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (worker.exitCode === null) worker.kill('SIGKILL');
      }),
    );
    if (relay) process.stdout.write(`relay: ${relay.dataCount} acknowledgements sent\n`);
    await relay?.stop();
    await ds.destroy().catch(() => undefined);
    await dropDatabase(dbName).catch(() => undefined);
    await deleteRedisPrefix(TEST_REDIS_URL, prefix).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

if (process.argv.includes('--sender')) {
  sender().catch((e: Error) => {
    process.stderr.write(`sender failed: ${e.message}\n`);
    process.exit(1);
  });
} else {
  main().catch((e: Error) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
