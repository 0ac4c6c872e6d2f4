import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '@desk/core';

/**
 * Integration tests migrate once into a template database, then each test file gets its own copy
 * (CREATE DATABASE ... TEMPLATE, a few ms) and drops it afterwards. Nothing is shared between files.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_ENV = 'DESK_TEST_TEMPLATE_DB';

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export async function createTemplateDatabase(): Promise<string> {
  const name = uniqueName('desk_tpl');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const ds = createDataSource({ url: databaseUrl(name), poolSize: 2 });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  return name;
}

export async function createDatabaseFromTemplate(template: string): Promise<string> {
  const name = uniqueName('desk_t');
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return name;
}

export async function createEmptyDatabase(): Promise<string> {
  const name = uniqueName('desk_e');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Leftovers of crashed runs older than a day are removed, so a killed run cannot fill the server. */
export async function dropStaleTestDatabases(): Promise<void> {
  await admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^desk_(tpl|t|e)_' AND NOT datistemplate`,
    );
    const dayAgo = Date.now() - 86_400_000;
    for (const { datname } of rows) {
      const stamp = parseInt(datname.split('_')[2] ?? '', 36);
      if (Number.isFinite(stamp) && stamp < dayAgo) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
