import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '@desk/core';
import { TEMPLATE_ENV, createDatabaseFromTemplate, databaseUrl, dropDatabase } from './databases';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnv {
  config: AppConfig;
  databaseName: string;
  /** Drops the database and deletes every Redis key under this file's prefix. */
  cleanup(): Promise<void>;
}

/** A fresh database (from the migrated template) and a unique Redis key prefix for one test file. */
export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: run integration tests through jest's globalSetup`);
  const databaseName = await createDatabaseFromTemplate(template);
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(databaseName),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    APP_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: `/tmp/desk-test-${prefix}`,
    RUN_MIGRATIONS: 'false',
    SMTP_ENABLED: 'false',
    ...overrides,
  });
  return {
    config,
    databaseName,
    async cleanup() {
      await deleteRedisPrefix(TEST_REDIS_URL, prefix);
      await dropDatabase(databaseName);
    },
  };
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
