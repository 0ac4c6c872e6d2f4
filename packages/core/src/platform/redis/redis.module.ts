import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';

/** The shared ioredis connection for commands (rate limits, presence). Keys go through `redisKey`. */
export const REDIS = Symbol('REDIS');

/** BullMQ workers need `maxRetriesPerRequest: null` (block forever); plain commands fail after 3 tries. */
export function createRedis(url: string, extra: { maxRetriesPerRequest?: number | null } = {}): Redis {
  const maxRetriesPerRequest = extra.maxRetriesPerRequest === undefined ? 3 : extra.maxRetriesPerRequest;
  return new Redis(url, { maxRetriesPerRequest, enableReadyCheck: true, lazyConnect: false });
}

/** Every key of this deployment lives under the configured prefix, so tests and tenants never collide. */
export function redisKey(config: Pick<AppConfig, 'REDIS_PREFIX'>, ...parts: string[]): string {
  return [config.REDIS_PREFIX, ...parts].join(':');
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createRedis(c.REDIS_URL) }],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
