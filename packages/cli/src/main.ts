#!/usr/bin/env node
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import {

  ConfigError,
  checkDependencies,
  createDataSource,
  die,
  hashPassword,
  loadConfig,
  runMigrations,
  Agent,
  AuditEvent,
} from '@desk/core';
import { CreateAgentRequest } from '@desk/contracts';
import { parseFlags } from './args';
import { localAppSecret, startPostgres, startRedis, type Started } from './local-services';
import { answers, demoSandbox, DeskNotRunningError, deskUrlFrom, seedDemoThroughDesk } from './seed-social';


const USAGE = `usage: desk <command>
  start                                  run api, worker and console (embedded Postgres/Redis when none is configured)
  create-admin --email E --password P [--name N]
  seed-demo                              fill an empty desk with demo agents, inboxes and threads
  migration:run | migration:revert | migration:show`;

const dataDir = () => resolve(process.env.DATA_DIR || './.data');

/** DATABASE_URL, or the local/embedded default; the second value stops what we started. */
async function database(): Promise<Started> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, note: 'using DATABASE_URL' };
  return startPostgres(dataDir());
}

async function withDataSource<T>(fn: (ds: ReturnType<typeof createDataSource>) => Promise<T>): Promise<T> {
  const db = await database();
  const ds = createDataSource({ url: db.url, poolSize: 2 });
  try {
    await ds.initialize();
  } catch (e) {
    await db.stop?.();
    die(`Cannot connect to the database: ${(e as Error).message}`);
  }
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
    await db.stop?.();
  }
}

async function createAdmin(flags: Record<string, string>) {
  const input = CreateAgentRequest.safeParse({
    email: flags.email,
    password: flags.password,
    name: flags.name ?? flags.email?.split('@')[0] ?? 'Admin',
    role: 'admin',
  });
  if (!input.success) {
    const i = input.error.issues[0]!;
    die(`create-admin: --${String(i.path[0])} ${flags[String(i.path[0])] === undefined ? 'is required' : i.message}`);
  }
  await withDataSource(async (ds) => {
    await runMigrations(ds);
    const existing = await ds.getRepository(Agent).createQueryBuilder('a').where('lower(a.email) = lower(:e)', { e: input.data.email }).getOne();
    if (existing) {
      await ds.getRepository(Agent).update({ id: existing.id }, { role: 'admin', passwordHash: await hashPassword(input.data.password), isActive: true });
      await ds.getRepository(AuditEvent).save({ actorKind: 'system', action: 'agent.promoted_by_cli', data: { agentId: existing.id } });
      process.stdout.write(`updated ${input.data.email}: role admin, new password\n`);
      return;
    }
    const agent = await ds.getRepository(Agent).save({
      email: input.data.email,
      name: input.data.name,
      role: 'admin',
      passwordHash: await hashPassword(input.data.password),
    });
    await ds.getRepository(AuditEvent).save({ actorKind: 'system', action: 'agent.created_by_cli', data: { agentId: agent.id } });
    process.stdout.write(`created admin ${agent.email}\n`);
  });
}

async function migration(cmd: string) {
  await withDataSource(async (ds) => {
    if (cmd === 'migration:run') {
      const ran = await runMigrations(ds);
      process.stdout.write(ran.length ? `ran ${ran.join(', ')}\n` : 'schema is up to date\n');
    } else if (cmd === 'migration:revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      process.stdout.write((await ds.showMigrations()) ? 'migrations are pending\n' : 'schema is up to date\n');
    }
  });
}

/** `pnpm start`: resolve or start Postgres and Redis, migrate, then run api and worker as children. */
async function start() {
  const stops: Array<() => Promise<void>> = [];
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir() };
  try {
    if (!env.DATABASE_URL) {
      const pg = await startPostgres(dataDir());
      process.stdout.write(`desk: ${pg.note}\n`);
      env.DATABASE_URL = pg.url;
      if (pg.stop) stops.push(pg.stop);
    }
    if (!env.REDIS_URL) {
      const redis = await startRedis(dataDir());
      process.stdout.write(`desk: ${redis.note}\n`);
      env.REDIS_URL = redis.url;
      if (redis.stop) stops.push(redis.stop);
    }
  } catch (e) {
    await Promise.all(stops.map((s) => s()));
    die(`desk: ${(e as Error).message}`);
  }
  env.APP_SECRET ||= localAppSecret(dataDir());

  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    await Promise.all(stops.map((s) => s()));
    if (e instanceof ConfigError) die(e.message);
    throw e;
  }
  await checkDependencies(config, { migrate: true });

  const children: ChildProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r();
            c.once('exit', () => r());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await Promise.all(stops.map((s) => s().catch(() => undefined)));
    process.exit(code);
  };
  // api and worker run as separate processes, as they would in production
  for (const [name, pkg] of [
    ['api', '@desk/api'],
    ['worker', '@desk/worker'],
  ] as const) {
    const main = join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'main.js');
    const child = spawn(process.execPath, [main], { env: { ...env, RUN_MIGRATIONS: 'false' }, stdio: 'inherit' });
    child.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`desk: the ${name} exited (${code ?? 'signal'}); stopping\n`);
        void shutdown(code || 1);
      }
    });
    children.push(child);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.stdout.write(`desk: open ${config.PUBLIC_URL} (create an admin with: pnpm cli create-admin --email you@example.com --password '...')\n`);
}

/**
 * `pnpm seed:demo`: needs the desk running (`pnpm start`), because the social conversations go
 * through its webhooks and worker; the social inboxes talk to the provider sandbox.
 */
async function seedDemoCommand(flags: Record<string, string>) {
  const deskUrl = deskUrlFrom(flags, process.env);
  if (!(await answers(`${deskUrl}/health`))) die(new DeskNotRunningError(deskUrl).message);
  const { target, started } = await demoSandbox(process.env);
  try {
    await withDataSource(async (ds) => {
      await runMigrations(ds);
      const s = await seedDemoThroughDesk(ds, { deskUrl, sandbox: target, log: (l) => process.stdout.write(`${l}\n`) });
      if (s.skipped) {
        process.stdout.write('demo data is already there; nothing added\n');
        return;
      }
      process.stdout.write(
        `demo desk ready: ${s.agents} agents, ${s.teams} teams, ${s.inboxes} inboxes, ${s.contacts} contacts, ${s.threads} email/web-form threads, ${s.messages} messages; ` +
          `${s.socialIngested}/${s.socialEvents} social messages ingested through the webhooks\nsign in as ${s.adminEmail} / ${s.password}\n`,
      );
    });
  } finally {
    await started?.stop();
  }
  process.stdout.write(
    `the X, Facebook and Instagram inboxes talk to the provider sandbox at ${target.url}; ` +
      (started
        ? `it stopped with this command. Keep one running there to receive the agents' replies: pnpm --filter @desk/sandbox build && pnpm --filter @desk/sandbox start\n`
        : `replies the agents send are recorded there\n`) +
      `  (it prints every call it receives, and lists them as JSON at ${target.url}/_sandbox/calls)\n`,
  );
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  let flags: Record<string, string>;
  try {
    flags = parseFlags(rest);
  } catch (e) {
    die(`${(e as Error).message}\n${USAGE}`);
  }
  switch (cmd) {
    case 'start':
      return start();
    case 'create-admin':
      return createAdmin(flags);
    case 'seed-demo':
      return seedDemoCommand(flags);
    case 'migration:run':
    case 'migration:revert':
    case 'migration:show':
      return migration(cmd);
    default:
      die(USAGE);
  }
}

main().catch((e: Error) => die(`desk: ${e.message}`));
