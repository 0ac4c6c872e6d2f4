/**
 * `pnpm bench:console [--threads 100000] [--messages 1000000] [--history 10000] [--rate 200]
 *   [--duration 20] [--clients 500] [--emit-rate 30] [--emit-seconds 10] [--concurrency 64]`
 *
 * 0. Sizes: defaults are the full benchmark; pass smaller flags for a quick run.
 * 1. Its own database (created and migrated by @desk/testing's template helper, dropped at the
 *    end) filled with set-based SQL (generate_series): `threads` threads, `messages` messages, one
 *    contact owning `history` messages across 100 threads. Secondary indexes of messages are dropped
 *    during the load and rebuilt after (same definitions), then VACUUM ANALYZE and CHECKPOINT.
 * 2. The real api (apps/api/dist/main.js) in a child process, so the load generator does not share
 *    its event loop; its own Redis prefix (keys removed at the end).
 * 3. HTTP, open loop: request i is due at start + i/rate; latency is measured from that due time
 *    (a server that falls behind is charged for the wait), at most `concurrency` in flight
 *    (keep-alive agent); a request that cannot start because the cap is reached counts as dropped.
 *    inbox = GET /api/threads?view=all; thread = GET /api/threads/:id and /messages in parallel;
 *    history = the 10,000-message customer: /api/contacts/:id/threads and pages of /messages.
 * 4. Realtime: `clients` socket.io clients (4 child processes, cookies of 5 logged-in agents),
 *    all in the all-agents room; events published through the socket.io Redis emitter at
 *    `emit-rate` per second for `emit-seconds`, each carrying its emit timestamp, after one
 *    second of the same emits that is not counted (as the HTTP phases have a warm-up: the first
 *    fan-outs of a fresh api run before V8 has optimized that path, 50-125 ms late);
 *    delivered/s = deliveries / (last delivery − first emit); p99 of emit-to-receive.
 * 5. JS: the console's entry chunk(s) referenced by apps/console/dist/index.html, gzipped.
 * The last line is the machine-readable summary.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { hashPassword, Rooms, socketIoKey } from '@desk/core';
import {
  createTemplateDatabase,
  databaseUrl,
  deleteRedisPrefix,
  dropDatabase,
  TEST_REDIS_URL,
  numberFlag as flag,
  textFlag as text,
  sleep,
  freePort,
  percentile as pct,
} from '@desk/testing';

const ROOT = resolve(__dirname, '../../../..');
const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
const CONSOLE_DIST = join(ROOT, 'apps/console/dist');
const PASSWORD = 'bench-password-123456';

const now = () => performance.timeOrigin + performance.now();
const log = (s: string) => process.stdout.write(`${s}\n`);

const fmt = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : 'n/a');

// ---------------------------------------------------------------- realtime client process
async function clientsProcess(): Promise<void> {
  const { io } = await import('socket.io-client');
  const url = text('url');
  const cookies = text('cookies').split('|');
  const n = flag('n', 125);
  const sockets: ReturnType<typeof io>[] = [];
  const latencies: number[] = [];
  let received = 0;
  let last = 0;
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((res, rej) => {
          const s = io(url, {
            path: '/socket.io',
            transports: ['websocket'],
            extraHeaders: { cookie: cookies[i % cookies.length]! },
            reconnection: false,
            forceNew: true,
          });
          sockets.push(s);
          s.once('ready', () => res());
          s.once('connect_error', rej);
          s.on('bench.ping', (p: { t: number; warm?: boolean }) => {
            if (p.warm) return;
            const t = now();
            received++;
            last = t;
            latencies.push(t - p.t);
          });
        }),
    ),
  );
  process.send!({ type: 'ready' });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'report') {
      process.send!({ type: 'report', received, last, latencies });
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

// ---------------------------------------------------------------- HTTP load
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(base: string, path: string, cookie: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = http.get(
      `${base}${path}`,
      { agent, headers: { cookie, accept: 'application/json' } },
      (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode ?? 0));
        r.on('error', rej);
      },
    );
    req.on('error', rej);
  });
}

function getJson<T>(base: string, path: string, cookie: string): Promise<T> {
  return new Promise((res, rej) => {
    http
      .get(`${base}${path}`, { agent, headers: { cookie, accept: 'application/json' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () =>
          r.statusCode === 200
            ? res(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T)
            : rej(new Error(`${path}: ${r.statusCode}`)),
        );
      })
      .on('error', rej);
  });
}

interface LoadResult {
  name: string;
  ok: number;
  errors: number;
  dropped: number;
  p50: number;
  p99: number;
  max: number;
}

/** Open loop at `rate` ops/s for `seconds`; an op is one or more GETs in parallel; latency from the due time. */
async function openLoop(
  name: string,
  rate: number,
  seconds: number,
  cap: number,
  op: (i: number) => Promise<number[]>,
): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const lat: number[] = [];
  let ok = 0;
  let errors = 0;
  const reasons = new Map<string, number>();
  const failed = (reason: string) => {
    errors++;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  let dropped = 0;
  let inflight = 0;
  const start = now() + 50;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    if (inflight >= cap) {
      dropped++;
      continue;
    }
    inflight++;
    pending.push(
      op(i)
        .then((codes) => {
          if (codes.every((c) => c === 200)) {
            ok++;
            lat.push(now() - due);
          } else failed(`HTTP ${codes.filter((c) => c !== 200).join('+')}`);
        })
        .catch((e: Error & { code?: string }) => failed(e.code ?? e.message))
        .finally(() => void inflight--),
    );
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  // an error is never silent: what it was is printed with the phase
  if (errors) log(`http ${name}: errors ${[...reasons].map(([r, n]) => `${r} × ${n}`).join(', ')}`);
  return { name, ok, errors, dropped, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1] ?? NaN };
}

// ---------------------------------------------------------------- seed
async function seed(
  c: Client,
  o: { threads: number; messages: number; history: number; agentIds: string[] },
) {
  const HIST_THREADS = 100;
  const t0 = Date.now();
  await c.query(`SET synchronous_commit = off`);
  await c.query(`
    INSERT INTO inboxes (name, channel, address)
    SELECT 'Bench ' || ch, ch::channel_kind, 'bench-' || ch || '@desk.test' FROM unnest(ARRAY['email','webform','x','facebook','instagram']) ch`);
  const contacts = Math.max(1, Math.floor(o.threads / 5));
  await c.query(
    `CREATE TEMP TABLE bc AS SELECT gen_random_uuid() AS id, g AS rn FROM generate_series(0, $1::int - 1) g`,
    [contacts],
  );
  await c.query(
    `INSERT INTO contacts (id, name, primary_email) SELECT id, 'Customer ' || rn, 'customer' || rn || '@example.com' FROM bc`,
  );
  await c.query(
    `INSERT INTO contact_identities (contact_id, kind, value, normalized_value) SELECT id, 'email', 'customer' || rn || '@example.com', 'customer' || rn || '@example.com' FROM bc`,
  );
  // threads: the first HIST_THREADS belong to contact rn 0 (the 10,000-message customer)
  await c.query(
    `CREATE TEMP TABLE bt AS
       SELECT gen_random_uuid() AS id, g AS rn,
              CASE WHEN g < $2 THEN 0 ELSE (g % ($3::int - 1)) + 1 END AS crn,
              (ARRAY['email','webform','x','facebook','instagram'])[1 + g % 5] AS ch,
              now() - ((g % 525600) * interval '1 minute') AS created
       FROM generate_series(0, $1::int - 1) g`,
    [o.threads, HIST_THREADS, Math.max(2, contacts)],
  );
  const agents = `ARRAY[${o.agentIds.map((a) => `'${a}'::uuid`).join(',')}]`;
  await c.query(`
    INSERT INTO threads (id, subject, preview, contact_id, inbox_id, channel, status, priority, assignee_id, tags,
                         last_message_at, last_customer_message_at, last_agent_message_at, sla_due_at, version, created_at, updated_at)
    SELECT bt.id, 'Order question #' || bt.rn, 'Hello, about my order ' || bt.rn, bc.id, i.id, bt.ch::channel_kind,
           (ARRAY['open','open','pending','resolved','snoozed'])[1 + bt.rn % 5]::thread_status,
           (ARRAY['low','normal','normal','high','urgent'])[1 + bt.rn % 5]::thread_priority,
           CASE WHEN bt.rn % 3 = 0 THEN NULL ELSE (${agents})[1 + bt.rn % ${o.agentIds.length}] END,
           CASE WHEN bt.rn % 7 = 0 THEN ARRAY['vip'] ELSE '{}' END,
           bt.created + interval '1 hour', bt.created + interval '1 hour', bt.created + interval '30 minutes',
           CASE WHEN bt.rn % 5 IN (0, 1) THEN now() + ((bt.rn % 2880) - 600) * interval '1 minute' END,
           1, bt.created, bt.created
    FROM bt JOIN bc ON bc.rn = bt.crn JOIN inboxes i ON i.channel = bt.ch::channel_kind`);
  log(`seed: ${o.threads} threads in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // drop the secondary indexes of messages for the load, rebuild the same definitions after
  const { rows: idx } = await c.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.tablename = 'messages' AND i.schemaname = 'public'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
  );
  for (const i of idx) await c.query(`DROP INDEX "${i.indexname}"`);
  const t1 = Date.now();
  const perHist = Math.floor(o.history / HIST_THREADS);
  // the history customer: HIST_THREADS threads × perHist messages
  await c.query(
    `INSERT INTO messages (thread_id, direction, channel, contact_id, body_text, visible_text, delivery_state, thread_version, created_at)
     SELECT bt.id, d.dir::message_direction, bt.ch::channel_kind, CASE WHEN d.dir = 'inbound' THEN bc.id END,
            'Message ' || g || ' of the long history: ' || md5(bt.rn::text || g::text), NULL,
            CASE WHEN d.dir = 'inbound' THEN 'received' ELSE 'sent' END::delivery_state, 1,
            bt.created + g * interval '1 minute'
     FROM bt JOIN bc ON bc.rn = bt.crn
     CROSS JOIN generate_series(1, $1::int) g
     CROSS JOIN LATERAL (SELECT CASE WHEN g % 2 = 0 THEN 'outbound' ELSE 'inbound' END AS dir) d
     WHERE bt.rn < $2`,
    [perHist, HIST_THREADS],
  );
  const rest = o.messages - perHist * HIST_THREADS;
  const others = o.threads - HIST_THREADS;
  await c.query(
    `INSERT INTO messages (thread_id, direction, channel, contact_id, body_text, delivery_state, thread_version, created_at)
     SELECT bt.id, d.dir::message_direction, bt.ch::channel_kind, CASE WHEN d.dir = 'inbound' THEN bc.id END,
            'Hello, this is message ' || g || ' about order ' || bt.rn || ': ' || md5(g::text),
            CASE WHEN d.dir = 'inbound' THEN 'received' ELSE 'sent' END::delivery_state, 1,
            bt.created + (g / $2::int) * interval '1 minute'
     FROM generate_series(0, $1::int - 1) g
     JOIN bt ON bt.rn = $3::int + (g % $2::int)
     JOIN bc ON bc.rn = bt.crn
     CROSS JOIN LATERAL (SELECT CASE WHEN (g / $2::int) % 2 = 1 THEN 'outbound' ELSE 'inbound' END AS dir) d`,
    [rest, others, HIST_THREADS],
  );
  log(`seed: ${o.messages} messages in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const t2 = Date.now();
  await c.query(`SET maintenance_work_mem = '512MB'`);
  for (const i of idx) await c.query(i.indexdef);
  // VACUUM too: a million fresh rows would otherwise bring autovacuum (and hint-bit writes) into
  // the measurement; CHECKPOINT so the bulk load's WAL is not flushed during it
  await c.query(`VACUUM (ANALYZE)`);
  await c.query(`CHECKPOINT`);
  log(
    `seed: ${idx.length} message indexes rebuilt + VACUUM ANALYZE + CHECKPOINT in ${((Date.now() - t2) / 1000).toFixed(1)} s`,
  );
  const { rows } = await c.query<{ id: string }>(`SELECT bc.id FROM bc WHERE rn = 0`);
  const hist = await c.query<{ id: string }>(`SELECT id FROM bt WHERE rn < $1 ORDER BY rn`, [HIST_THREADS]);
  const sample = await c.query<{ id: string }>(
    `SELECT id FROM bt WHERE rn >= $1 ORDER BY random() LIMIT 2000`,
    [HIST_THREADS],
  );
  return {
    historyContactId: rows[0]!.id,
    historyThreadIds: hist.rows.map((r) => r.id),
    sampleThreadIds: sample.rows.map((r) => r.id),
  };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  if (process.argv.includes('--clients-worker')) return clientsProcess();
  const threads = flag('threads', 100_000);
  const messages = flag('messages', 1_000_000);
  const history = flag('history', 10_000);
  const rate = flag('rate', 200);
  const duration = flag('duration', 20);
  const clients = flag('clients', 500);
  const emitRate = flag('emit-rate', 30);
  const emitSeconds = flag('emit-seconds', 10);
  const cap = flag('concurrency', 64);
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} missing: build the api first`);

  const prefix = `bench${randomBytes(4).toString('hex')}`;
  let dbName: string | null = null;
  let api: ChildProcess | null = null;
  const children: ChildProcess[] = [];
  try {
    dbName = await createTemplateDatabase();
    log(`bench: database ${dbName}, redis prefix ${prefix}`);
    const c = new Client({ connectionString: databaseUrl(dbName) });
    await c.connect();
    const hash = await hashPassword(PASSWORD);
    const agentIds: string[] = [];
    const emails: string[] = [];
    for (let i = 0; i < 5; i++) {
      const email = `bench-${i}@desk.test`;
      const { rows } = await c.query<{ id: string }>(
        `INSERT INTO agents (email, name, role, availability, password_hash) VALUES ($1, $2, $3, 'online', $4) RETURNING id`,
        [email, `Bench Agent ${i}`, i === 0 ? 'admin' : 'agent', hash],
      );
      agentIds.push(rows[0]!.id);
      emails.push(email);
    }
    const data = await seed(c, { threads, messages, history, agentIds });
    await c.end();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // BENCH_API_NODE_ARGS: node flags for the api when profiling (e.g. --cpu-prof)
    const apiNodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    api = spawn(process.execPath, [...apiNodeArgs, API_MAIN], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl(dbName),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        APP_SECRET: randomBytes(32).toString('hex'),
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        LOG_LEVEL: 'warn',
        RUN_MIGRATIONS: 'false',
        CONSOLE_DIST,
        DATA_DIR: `/tmp/desk-bench-${prefix}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      if (api.exitCode !== null) throw new Error(`api exited with ${api.exitCode}`);
      const up = await get(base, '/health', '').catch(() => 0);
      if (up === 200) break;
      if (i > 600) throw new Error('api did not become healthy');
      await sleep(100);
    }
    const cookies: string[] = [];
    for (const email of emails) {
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
      cookies.push(res.headers.getSetCookie()[0]!.split(';')[0]!);
    }
    const admin = cookies[0]!;
    // history pages: walk one long thread's cursors once, then replay them under load
    const pages: string[] = [`/api/threads/${data.historyThreadIds[0]}/messages`];
    {
      let cursor: string | null = null;
      do {
        const p: { nextCursor: string | null } = await getJson(
          base,
          `/api/threads/${data.historyThreadIds[0]}/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
          admin,
        );
        cursor = p.nextCursor;
        if (cursor)
          pages.push(
            `/api/threads/${data.historyThreadIds[0]}/messages?cursor=${encodeURIComponent(cursor)}`,
          );
      } while (cursor && pages.length < 50);
    }
    // serial latency of each endpoint (no load): tells a slow query from a saturated server
    for (const [name, path] of [
      ['inbox', '/api/threads?view=all'],
      ['thread', `/api/threads/${data.sampleThreadIds[0]}`],
      ['thread messages', `/api/threads/${data.sampleThreadIds[0]}/messages`],
      ['contact threads', `/api/contacts/${data.historyContactId}/threads`],
      ['history page', pages[pages.length - 1]!],
    ] as const) {
      const l: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = now();
        await get(base, path, admin);
        l.push(now() - t);
      }
      l.sort((a, b) => a - b);
      log(`serial ${name}: median ${fmt(pct(l, 50))} ms`);
    }
    if (process.env.BENCH_PAUSE) {
      log(`paused ${process.env.BENCH_PAUSE} s: database ${dbName}, api ${base}, cookie ${admin}`);
      await sleep(Number(process.env.BENCH_PAUSE) * 1000);
    }
    // the machine may be shared: say how busy it was, since every figure below depends on it
    log(
      `machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} before the load`,
    );
    // warm-up
    await openLoop('warmup', 50, 2, cap, (i) =>
      Promise.all([
        get(base, '/api/threads?view=all', admin),
        get(base, `/api/threads/${data.sampleThreadIds[i % data.sampleThreadIds.length]}`, admin),
      ]),
    );

    const results: LoadResult[] = [];
    results.push(
      await openLoop('inbox', rate, duration, cap, () =>
        Promise.all([get(base, '/api/threads?view=all', admin)]),
      ),
    );
    results.push(
      await openLoop('thread', rate, duration, cap, (i) => {
        const id = data.sampleThreadIds[i % data.sampleThreadIds.length];
        return Promise.all([
          get(base, `/api/threads/${id}`, admin),
          get(base, `/api/threads/${id}/messages`, admin),
        ]);
      }),
    );
    results.push(
      await openLoop('history', rate, duration, cap, (i) => {
        if (i % 2 === 0)
          return Promise.all([get(base, `/api/contacts/${data.historyContactId}/threads`, admin)]);
        const k = (i - 1) / 2;
        const path =
          k % 2 === 0
            ? pages[k % pages.length]!
            : `/api/threads/${data.historyThreadIds[k % data.historyThreadIds.length]}/messages`;
        return Promise.all([get(base, path, admin)]);
      }),
    );
    for (const r of results)
      log(
        `http ${r.name}: ${r.ok} ok, ${r.errors} errors, ${r.dropped} dropped at ${rate}/s; p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms`,
      );

    // realtime
    const procs = 4;
    const per = Math.ceil(clients / procs);
    const ready: Promise<void>[] = [];
    for (let p = 0; p < procs; p++) {
      const n = Math.min(per, clients - p * per);
      if (n <= 0) break;
      const child = fork(
        __filename,
        ['--clients-worker', '--url', base, '--cookies', cookies.join('|'), '--n', String(n)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      children.push(child);
      ready.push(
        new Promise((res, rej) => {
          child.once('message', () => res());
          child.once('exit', (code) => rej(new Error(`client process exited ${code}`)));
        }),
      );
    }
    await Promise.all(ready);
    log(`realtime: ${clients} clients connected`);
    const redis = new Redis(TEST_REDIS_URL);
    const emitter = new Emitter(redis, { key: socketIoKey({ REDIS_PREFIX: prefix }) });
    const totalEmits = Math.round(emitRate * emitSeconds);
    // warm-up: one second of the same fan-out, not counted
    const warmStart = now();
    for (let i = 0; i < emitRate; i++) {
      const wait = warmStart + (i * 1000) / emitRate - now();
      if (wait > 1) await sleep(wait);
      emitter.to(Rooms.allAgents).emit('bench.ping', { i: -1, t: now(), warm: true });
    }
    await sleep(1000 / emitRate);
    const firstEmit = now();
    for (let i = 0; i < totalEmits; i++) {
      const due = firstEmit + (i * 1000) / emitRate;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      emitter.to(Rooms.allAgents).emit('bench.ping', { i, t: now() });
    }
    await sleep(3000);
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise<{ received: number; last: number; latencies: number[] }>((res) => {
            child.on(
              'message',
              (m: { type: string; received: number; last: number; latencies: number[] }) =>
                m.type === 'report' && res(m),
            );
            child.send({ type: 'report' });
          }),
      ),
    );
    redis.disconnect();
    const delivered = reports.reduce((s, r) => s + r.received, 0);
    const lastAt = Math.max(...reports.map((r) => r.last));
    const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const perSec = delivered / ((lastAt - firstEmit) / 1000);
    log(
      `realtime: ${totalEmits} emits × ${clients} clients = ${totalEmits * clients} expected, ${delivered} delivered, ${fmt(perSec)} deliveries/s; p50 ${fmt(pct(lat, 50))} ms, p99 ${fmt(pct(lat, 99))} ms`,
    );

    log(
      `machine: load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} after the load`,
    );
    // JS
    const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    const entries = [
      ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
    ].map((m) => m[1]!);
    let gz = 0;
    for (const src of new Set(entries))
      gz += gzipSync(readFileSync(join(CONSOLE_DIST, src.replace(/^\//, '')))).length;
    const kb = gz / 1024;
    log(`js: ${[...new Set(entries)].join(', ')} → ${kb.toFixed(1)} KB gz`);

    const [inbox, thread, hist] = results;
    log(
      `console: inbox p99 ${fmt(inbox!.p99)} ms, thread p99 ${fmt(thread!.p99)} ms, history p99 ${fmt(hist!.p99)} ms, realtime ${Math.round(perSec)} events/s p99 ${fmt(pct(lat, 99))} ms, js ${kb.toFixed(0)} KB gz`,
    );
  } finally {
    for (const ch of children) if (ch.exitCode === null) ch.kill();
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => {
        api!.once('exit', r);
        setTimeout(r, 5000);
      });
    }
    await deleteRedisPrefix(TEST_REDIS_URL, prefix).catch(() => undefined);
    if (dbName) await dropDatabase(dbName).catch(() => undefined);
  }
}

main().then(
  () => {
    if (!process.argv.includes('--clients-worker')) process.exit(0);
  },
  (e: Error) => {
    process.stderr.write(`bench:console failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
