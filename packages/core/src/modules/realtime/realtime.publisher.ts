import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { RealtimeEvents, type RealtimeEventName, type RealtimeEventPayload } from '@desk/contracts';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { createRedis } from '../../platform/redis/redis.module';

export const socketIoKey = (c: Pick<AppConfig, 'REDIS_PREFIX'>) => `${c.REDIS_PREFIX}:socket.io`;

export const Rooms = {
  agent: (id: string) => `agent:${id}`,
  team: (id: string) => `team:${id}`,
  thread: (id: string) => `thread:${id}`,
  supervisors: 'supervisors',
  allAgents: 'all-agents',
} as const;

/**
 * Domain services publish typed events here, after their transaction commits. Delivery goes
 * through Redis (socket.io emitter), so a worker reaches agents connected to any api node.
 * A failed publish is logged, never thrown: the fact is already committed and the console
 * catches up by refetching on reconnect.
 */
@Injectable()
export class RealtimePublisher implements OnApplicationShutdown {
  private readonly log = new Logger(RealtimePublisher.name);
  private readonly redis: Redis;
  private readonly emitter: Emitter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = createRedis(config.REDIS_URL);
    this.emitter = new Emitter(this.redis, { key: socketIoKey(config) });
  }

  publish<N extends RealtimeEventName>(rooms: string[], name: N, payload: RealtimeEventPayload<N>): void {
    if (rooms.length === 0) return;
    try {
      const checked = RealtimeEvents[name].parse(payload);
      this.emitter.to(rooms).emit(name, checked);
    } catch (e) {
      this.log.warn(`realtime publish of ${name} failed: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
