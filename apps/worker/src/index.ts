export { createWorker } from './worker.factory';
export { WorkerModule, HANDLERS } from './worker.module';
