import { createDataSource, runMigrations, MIGRATIONS } from '@desk/core';
import { createEmptyDatabase, databaseUrl, dropDatabase } from '@desk/testing';

describe('migrations', () => {
  it('create the schema from empty, match the entities exactly, and revert one by one to empty', async () => {
    const name = await createEmptyDatabase();
    const ds = createDataSource({ url: databaseUrl(name), poolSize: 2 });
    await ds.initialize();
    try {
      const ran = await runMigrations(ds);
      expect(ran).toHaveLength(MIGRATIONS.length);
      const diff = await ds.driver.createSchemaBuilder().log();
      expect(diff.upQueries.map((q) => q.query)).toEqual([]);

      // every column and index of the schema: each revert must change it, and the last must empty it
      const fingerprint = async () =>
        JSON.stringify(
          await ds.query(
            `SELECT table_name || '.' || column_name AS x FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
             UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
          ),
        );
      let before = await fingerprint();
      for (let i = 0; i < MIGRATIONS.length; i++) {
        await ds.undoLastMigration({ transaction: 'each' });
        const after = await fingerprint();
        expect(after).not.toEqual(before);
        before = after;
      }
      expect(before).toBe('[]');
      const types: unknown[] = await ds.query(`SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`);
      expect(types).toEqual([]);
      // and forward again: revert left nothing that blocks a re-run
      expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
    } finally {
      await ds.destroy();
      await dropDatabase(name);
    }
  });
});
