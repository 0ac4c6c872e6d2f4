import { DataSource } from 'typeorm';
import { createDataSource, statementName } from '@desk/core';
import { startApi, type Harness } from './harness';

/** The app's connections prepare each parameterized statement once; unparameterized ones run as before. */
describe('prepared statements', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function preparedOn(ds: DataSource, text: string, runs: number): Promise<{ names: string[]; results: unknown[] }> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      const results: unknown[] = [];
      for (let i = 0; i < runs; i++) results.push(await runner.query(text, [i]));
      const rows: Array<{ name: string }> = await runner.query(`SELECT name FROM pg_prepared_statements`);
      return { names: rows.map((r) => r.name), results };
    } finally {
      await runner.release();
    }
  }

  it('the app prepares a parameterized statement once per connection, named by its text, and still answers each call', async () => {
    const text = `SELECT $1::int + 1 AS n /* ${Date.now()} */`;
    const { names, results } = await preparedOn(h.app.get(DataSource), text, 3);
    expect(results).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    expect(names.filter((n) => n === statementName(text))).toHaveLength(1);
    // the unparameterized query that listed them was not prepared
    expect(names.every((n) => n.startsWith('d_'))).toBe(true);
  });

  it('a plain data source (migrations, tools) prepares nothing', async () => {
    const ds = createDataSource({ url: h.env.config.DATABASE_URL, poolSize: 1 });
    await ds.initialize();
    try {
      const { names, results } = await preparedOn(ds, 'SELECT $1::int AS n', 2);
      expect(results).toEqual([[{ n: 0 }], [{ n: 1 }]]);
      expect(names).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('names differ for different texts and are stable for one text', () => {
    expect(statementName('SELECT $1')).toBe(statementName('SELECT $1'));
    expect(statementName('SELECT $1')).not.toBe(statementName('SELECT $2'));
  });
});
