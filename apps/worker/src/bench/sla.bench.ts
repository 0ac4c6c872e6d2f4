/**
 * `pnpm bench:sla [--n 100000] [--spread-seconds 300] [--workers 1]`
 *
 * Its own migrated database and its own redis-server (free port, --hz 100, no persistence), both
 * removed afterwards. Three phases:
 *  1. breach lateness: N running clocks due uniformly over the spread (warnings too), their timers
 *     scheduled in throttled batches, processed by the worker's real SLA processors in-process;
 *     lateness = breachedAt − dueAt; missed = running clocks past due at the end; duplicated =
 *     duplicate breach rows (impossible by the constraint) + processor runs that found a breach.
 *  2. met/s: N more clocks due in an hour, half of them met by SlaService.onAgentReply.
 *  3. recovery: FLUSHALL, then the time until every remaining running clock has its timers again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import {
  QUEUES,
  QueueName,
  SlaReconciler,
  SlaScheduler,
  SlaService,
  inBatches,
  loadConfig,
  slaJobId,
  sleep,
  type Queues,
  type SlaFireOutcome,
} from '@desk/core';
import {
  createTemplateDatabase,
  databaseUrl,
  dropDatabase,
  numberFlag as flag,
  freePort,
} from '@desk/testing';
import { createWorker } from '../worker.factory';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--hz', '100'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const r = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return child;
    } catch {
      r.disconnect();
      await sleep(50);
    }
  }
  child.kill('SIGTERM');
  throw new Error('redis-server did not start');
}

const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');

/** Inserts `n` threads with one running first-response clock each; due = start + i/n × spread. */
async function insertClocks(
  ds: DataSource,
  o: {
    n: number;
    tag: string;
    inboxId: string;
    contactId: string;
    policyId: string;
    firstDue: Date;
    spreadMs: number;
    warnBeforeMs: number | null;
  },
) {
  const chunk = 20_000;
  for (let from = 0; from < o.n; from += chunk) {
    const count = Math.min(chunk, o.n - from);
    await ds.query(
      `WITH t AS (
         INSERT INTO threads (subject, contact_id, inbox_id, channel, status, last_customer_message_at, last_message_at, version)
         SELECT $1 || ':' || g, $2, $3, 'email', 'open', now(), now(), 1 FROM generate_series($4::int, $5::int) g RETURNING id, subject)
       INSERT INTO sla_clocks (thread_id, policy_id, metric, status, started_at, due_at, warn_at)
       SELECT t.id, $6, 'first_response', 'running', now(), d.due,
              CASE WHEN $9::double precision IS NULL OR d.due - make_interval(secs => $9 / 1000.0) <= $7::timestamptz THEN NULL
                   ELSE d.due - make_interval(secs => $9 / 1000.0) END
         FROM t, LATERAL (SELECT $7::timestamptz + make_interval(secs => (split_part(t.subject, ':', 2)::int::double precision / $10) * $8 / 1000.0) AS due) d`,
      [
        o.tag,
        o.contactId,
        o.inboxId,
        from,
        from + count - 1,
        o.policyId,
        o.firstDue,
        o.spreadMs,
        o.warnBeforeMs,
        o.n,
      ],
    );
  }
  await ds.query(
    `UPDATE threads t SET sla_due_at = c.due_at FROM sla_clocks c WHERE c.thread_id = t.id AND t.subject LIKE $1 || ':%'`,
    [o.tag],
  );
}

/** Adds the timers of the given running clocks in throttled batches, soonest first. */
async function scheduleAll(ds: DataSource, queues: Queues, tag: string): Promise<number> {
  const queue = queues[QueueName.Sla];
  let after = '00000000-0000-0000-0000-000000000000';
  let added = 0;
  let afterDue = new Date(0);
  for (;;) {
    const rows: Array<{ id: string; due_at: Date; warn_at: Date | null }> = await ds.query(
      `SELECT c.id, c.due_at, c.warn_at FROM sla_clocks c JOIN threads t ON t.id = c.thread_id
        WHERE c.status = 'running' AND t.subject LIKE $1 || ':%' AND (c.due_at, c.id) > ($2, $3::uuid)
        ORDER BY c.due_at, c.id LIMIT 5000`,
      [tag, afterDue, after],
    );
    if (rows.length === 0) return added;
    const last = rows[rows.length - 1]!;
    after = last.id;
    afterDue = last.due_at;
    for (let i = 0; i < rows.length; i += 1000) {
      const now = Date.now();
      const jobs = rows
        .slice(i, i + 1000)
        .flatMap((r) =>
          SlaScheduler.jobsFor({ id: r.id, dueAt: r.due_at, warnAt: r.warn_at, warnedAt: null }, now),
        );
      await queue.addBulk(jobs);
      added += jobs.length;
      await sleep(5);
    }
  }
}

async function main() {
  const n = Math.round(flag('n', 100_000));
  const spreadSeconds = flag('spread-seconds', 300);
  const workerCount = Math.round(flag('workers', 1));
  const metCount = Math.floor(n / 2);
  const port = await freePort();
  log(
    `sla bench: ${n} clocks over ${spreadSeconds} s, ${workerCount} worker context(s), redis-server on ${port} (--hz 100)`,
  );

  const redisChild = await startRedis(port);
  const dbName = await createTemplateDatabase();
  const workers: INestApplicationContext[] = [];
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: `bench${randomBytes(3).toString('hex')}`,
      APP_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'error',
      DATA_DIR: `/tmp/desk-bench-${dbName}`,
      RUN_MIGRATIONS: 'false',
      SMTP_ENABLED: 'false',
    });
    for (let i = 0; i < workerCount; i++) workers.push(await createWorker(config, { logger: false }));
    const w = workers[0]!;
    const ds = w.get(DataSource);
    const queues = w.get<Queues>(QUEUES);

    // count what every processor found (all worker contexts), to report duplicate runs
    const outcomes: Record<string, number> = {};
    for (const ctx of workers) {
      const svc = ctx.get(SlaService);
      const orig = svc.fireBreach.bind(svc);
      svc.fireBreach = async (id: string, now?: Date): Promise<SlaFireOutcome> => {
        const o = await orig(id, now);
        outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
        return o;
      };
    }

    const [inbox] = await ds.query(
      `INSERT INTO inboxes (name, channel, address) VALUES ('Bench', 'email', 'bench@desk.test') RETURNING id`,
    );
    const [contact] = await ds.query(
      `INSERT INTO contacts (name, primary_email) VALUES ('Bench', 'bench@example.com') RETURNING id`,
    );
    const [policy] = await ds.query(
      `INSERT INTO sla_policies (name, position, conditions, first_response_minutes, next_response_minutes, warning_percent) VALUES ('bench', 0, '{}', 60, 60, 75) RETURNING id`,
    );

    // --- phase 1: breach lateness ------------------------------------------------------------
    const leadMs = Math.max(5_000, n / 10); // room to insert and schedule before the first deadline
    const spreadMs = spreadSeconds * 1000;
    let t = Date.now();
    const firstDue = new Date(Date.now() + leadMs + n / 20);
    await insertClocks(ds, {
      n,
      tag: 'A',
      inboxId: inbox.id,
      contactId: contact.id,
      policyId: policy.id,
      firstDue,
      spreadMs,
      warnBeforeMs: spreadMs / 4,
    });
    log(`inserted ${n} clocks in ${Date.now() - t} ms`);
    t = Date.now();
    const jobs = await scheduleAll(ds, queues, 'A');
    log(
      `scheduled ${jobs} timers in ${Date.now() - t} ms; first deadline in ${firstDue.getTime() - Date.now()} ms`,
    );

    const lastDue = firstDue.getTime() + spreadMs;
    let lastReport = 0;
    for (;;) {
      await sleep(1000);
      const [{ running, breached }] = await ds.query(
        `SELECT count(*) FILTER (WHERE c.status = 'running')::int AS running, count(*) FILTER (WHERE c.status = 'breached')::int AS breached
           FROM sla_clocks c JOIN threads t ON t.id = c.thread_id WHERE t.subject LIKE 'A:%'`,
      );
      if (Date.now() - lastReport > 15_000) {
        log(`  ${breached} breached, ${running} running`);
        lastReport = Date.now();
      }
      if (running === 0 || Date.now() > lastDue + 30_000) break;
    }
    const [lat] = await ds.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*)::int AS n
         FROM (SELECT extract(epoch FROM (b.breached_at - b.due_at)) * 1000 AS ms FROM sla_breaches b JOIN threads t ON t.id = b.thread_id WHERE t.subject LIKE 'A:%') x`,
    );
    const [{ missed }] = await ds.query(
      `SELECT count(*)::int AS missed FROM sla_clocks c JOIN threads t ON t.id = c.thread_id WHERE t.subject LIKE 'A:%' AND c.status = 'running' AND c.due_at < now()`,
    );
    const [{ dupRows }] = await ds.query(
      `SELECT (count(*) - count(DISTINCT clock_id))::int AS "dupRows" FROM sla_breaches`,
    );
    const [{ warned }] = await ds.query(
      `SELECT count(*)::int AS warned FROM sla_clocks c JOIN threads t ON t.id = c.thread_id WHERE t.subject LIKE 'A:%' AND c.warned_at IS NOT NULL`,
    );
    // where the tail comes from: the worst lateness per 10 s of deadlines
    const windows: Array<{ w: number; n: number; p99: number; max: number }> = await ds.query(
      `SELECT floor(extract(epoch FROM (b.due_at - $1::timestamptz)) / 10)::int AS w, count(*)::int AS n,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM (b.breached_at - b.due_at)) * 1000) AS p99,
              max(extract(epoch FROM (b.breached_at - b.due_at)) * 1000) AS max
         FROM sla_breaches b JOIN threads t ON t.id = b.thread_id WHERE t.subject LIKE 'A:%' GROUP BY 1 ORDER BY 1`,
      [firstDue],
    );
    log(
      `lateness by 10 s of deadlines (p99/max ms): ${windows.map((x) => `${x.w * 10}s:${fmt(Number(x.p99))}/${fmt(Number(x.max))}`).join(' ')}`,
    );
    const dupRuns = (outcomes['already-breached'] ?? 0) + (outcomes['duplicate'] ?? 0);
    log(`breaches: ${lat.n}; warnings: ${warned}; processor outcomes: ${JSON.stringify(outcomes)}`);
    log(
      `lateness p50 ${Number(lat.p50).toFixed(1)} ms, p99 ${Number(lat.p99).toFixed(1)} ms, max ${Number(lat.max).toFixed(1)} ms; missed ${missed}; duplicate rows ${dupRows}, processor runs that found a breach ${dupRuns}`,
    );

    // --- phase 2: meeting clocks by agent replies ---------------------------------------------
    t = Date.now();
    await insertClocks(ds, {
      n,
      tag: 'B',
      inboxId: inbox.id,
      contactId: contact.id,
      policyId: policy.id,
      firstDue: new Date(Date.now() + 3_600_000),
      spreadMs,
      warnBeforeMs: 600_000,
    });
    await scheduleAll(ds, queues, 'B');
    log(`phase 2: ${n} clocks due in an hour inserted and scheduled in ${Date.now() - t} ms`);
    const toMeet: Array<{ thread_id: string }> = await ds.query(
      `SELECT c.thread_id FROM sla_clocks c JOIN threads t ON t.id = c.thread_id WHERE t.subject LIKE 'B:%' ORDER BY random() LIMIT $1`,
      [metCount],
    );
    const sla = w.get(SlaService);
    t = Date.now();
    await inBatches(toMeet, 32, async (r) => {
      await sla.onAgentReply(r.thread_id, new Date());
    });
    const metSeconds = (Date.now() - t) / 1000;
    const metPerSecond = toMeet.length / metSeconds;
    const [{ met }] = await ds.query(
      `SELECT count(*)::int AS met FROM sla_clocks c JOIN threads t ON t.id = c.thread_id WHERE t.subject LIKE 'B:%' AND c.status = 'met'`,
    );
    log(`met ${met} clocks by agent replies in ${metSeconds.toFixed(1)} s: ${metPerSecond.toFixed(0)}/s`);

    // --- phase 3: FLUSHALL and recovery --------------------------------------------------------
    const admin = new Redis(port, '127.0.0.1');
    const running: Array<{ id: string; warn_at: Date | null }> = await ds.query(
      `SELECT id, warn_at FROM sla_clocks WHERE status = 'running'`,
    );
    await admin.flushall();
    t = Date.now();
    const result = await w.get(SlaReconciler).reconcileNow();
    const recoverySeconds = (Date.now() - t) / 1000;
    const queue = queues[QueueName.Sla];
    let missing = 0;
    for (let i = 0; i < running.length; i += 5000) {
      const pipe = admin.pipeline();
      const ids = running
        .slice(i, i + 5000)
        .flatMap((r) => [slaJobId(r.id, 'breach'), ...(r.warn_at ? [slaJobId(r.id, 'warn')] : [])]);
      for (const id of ids) pipe.exists(queue.toKey(id));
      missing += ((await pipe.exec()) ?? []).filter(([, v]) => Number(v) === 0).length;
    }
    admin.disconnect();
    log(
      `recovery: ${running.length} running clocks, ${result.rescheduled} timers re-added in ${recoverySeconds.toFixed(2)} s; timers still missing: ${missing}`,
    );

    log(
      `sla: ${n} clocks, p50 ${fmt(Number(lat.p50))} ms, p99 ${fmt(Number(lat.p99))} ms, max ${fmt(Number(lat.max))} ms, missed ${missed}, duplicated ${dupRows + dupRuns}, met/s ${metPerSecond.toFixed(0)}, recovery ${recoverySeconds.toFixed(1)} s`,
    );
  } finally {
    for (const ctx of workers) await ctx.close().catch(() => undefined);
    await dropDatabase(dbName).catch(() => undefined);
    redisChild.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
