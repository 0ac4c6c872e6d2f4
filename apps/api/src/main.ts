import 'reflect-metadata';
import { checkDependencies, configOrDie, die } from '@desk/core';
import { createApp } from './app.factory';

async function main() {
  const config = configOrDie();
  await checkDependencies(config, { migrate: config.RUN_MIGRATIONS });
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`desk api listening on ${config.PUBLIC_URL}\n`);
}

main().catch((e: Error) => die(`desk api failed to start: ${e.message}`));
