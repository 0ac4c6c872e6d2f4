import 'reflect-metadata';
import { checkDependencies, configOrDie, die } from '@desk/core';
import { createWorker } from './worker.factory';

async function main() {
  const config = configOrDie();
  // the api owns migrations; the worker only checks the schema is current
  await checkDependencies(config, { migrate: false });
  await createWorker(config);
  process.stdout.write('desk worker started\n');
}

main().catch((e: Error) => die(`desk worker failed to start: ${e.message}`));
