import { TEMPLATE_ENV, createTemplateDatabase, dropDatabase, dropStaleTestDatabases } from './databases';

/** jest globalSetup: one migrated template per test run, named in the environment for the workers. */
export async function globalSetup(): Promise<void> {
  await dropStaleTestDatabases();
  process.env[TEMPLATE_ENV] = await createTemplateDatabase();
}

export async function globalTeardown(): Promise<void> {
  const name = process.env[TEMPLATE_ENV];
  if (name) await dropDatabase(name);
}
