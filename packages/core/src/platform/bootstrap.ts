import { ConfigError, loadConfig, redactUrl, type AppConfig } from './config/config';
import { createDataSource, runMigrations } from './database/data-source';
import { Redis } from 'ioredis';

/** Prints one line and exits: what an operator needs to see when the desk cannot start. */
export function die(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

export function configOrDie(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) die(e.message);
    throw e;
  }
}

/** Checks Postgres (and migrates when asked) and Redis before Nest starts in api or worker, so failures read as one line. */
export async function checkDependencies(config: AppConfig, opts: { migrate: boolean }): Promise<void> {
  // two connections: the advisory lock holds one while the migrations run on the other
  const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 2 });
  try {
    await ds.initialize();
  } catch (e) {
    die(`Cannot connect to the database at DATABASE_URL=${redactUrl(config.DATABASE_URL)}: ${(e as Error).message}`);
  }
  try {
    if (opts.migrate) await runMigrations(ds);
    const pending = await ds.showMigrations();
    if (pending) die('The database schema is behind this version: run `pnpm migration:run` (or start the api with RUN_MIGRATIONS=true).');
  } finally {
    await ds.destroy();
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    die(`Cannot connect to Redis at REDIS_URL=${redactUrl(config.REDIS_URL)}: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
