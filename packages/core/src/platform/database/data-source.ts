import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { PreparingClient } from './preparing-client';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceParams {
  url: string;
  poolSize?: number;
  applicationName?: string;
  logging?: boolean;
  /** Named prepared statements for parameterized queries (see PreparingClient). */
  preparedStatements?: boolean;
}

export function dataSourceOptions(p: DataSourceParams): DataSourceOptions {
  return {
    type: 'postgres',
    url: p.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // gen_random_uuid() is built into Postgres 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: p.logging ?? false,
    extra: {
      max: p.poolSize ?? 10,
      application_name: p.applicationName ?? 'desk',
      connectionTimeoutMillis: 5000,
      ...(p.preparedStatements ? { Client: PreparingClient } : {}),
    },
  };
}

export function createDataSource(p: DataSourceParams): DataSource {
  return new DataSource(dataSourceOptions(p));
}

/** Any number of api replicas may start at once; one runs the migrations, the rest wait for it. */
const MIGRATION_LOCK = 727_011;

export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
