import { checkDependencies, configOrDie } from './bootstrap';
import { createApp } from './app.factory';

async function main() {
  const config = configOrDie();
  await checkDependencies(config, { migrate: config.RUN_MIGRATIONS });
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`desk api listening on ${config.PUBLIC_URL}\n`);
}

void main();
