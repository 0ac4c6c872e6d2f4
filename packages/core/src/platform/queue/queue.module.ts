import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { createRedis } from '../redis/redis.module';
import { QueueName } from './queue-names';

export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
export const QUEUES = Symbol('QUEUES');
export type Queues = Record<QueueName, Queue>;

export function queuePrefix(config: Pick<AppConfig, 'REDIS_PREFIX'>): string {
  return `${config.REDIS_PREFIX}:bull`;
}

/** Producers for every queue, on one connection (BullMQ wants maxRetriesPerRequest null). */
@Global()
@Module({
  providers: [
    { provide: QUEUE_CONNECTION, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createRedis(c.REDIS_URL, { maxRetriesPerRequest: null }) },
    {
      provide: QUEUES,
      inject: [APP_CONFIG, QUEUE_CONNECTION],
      useFactory: (c: AppConfig, connection: Redis): Queues => {
        const make = (name: QueueName) => new Queue(name, { connection, prefix: queuePrefix(c) });
        return Object.fromEntries(Object.values(QueueName).map((n) => [n, make(n)])) as Queues;
      },
    },
  ],
  exports: [QUEUES, QUEUE_CONNECTION],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(
    @Inject(QUEUES) private readonly queues: Queues,
    @Inject(QUEUE_CONNECTION) private readonly connection: Redis,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
