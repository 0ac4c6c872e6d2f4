import { NestFactory } from '@nestjs/core';
import { StructuredLogger, type AppConfig } from '@desk/core';
import { WorkerModule } from './worker.module';

/** The worker as a NestJS application context (no HTTP): used by main and by integration tests. */
export async function createWorker(config: AppConfig, opts: { logger?: boolean } = {}) {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
    logger: opts.logger === false ? false : undefined,
  });
  app.useLogger(app.get(StructuredLogger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
