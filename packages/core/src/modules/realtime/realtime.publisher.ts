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

/** Most PUBLISHes one turn of the event loop sends in one pipeline. */
const MAX_PIPELINE = 500;

/**
 * Domain services publish typed events here, after their transaction commits. Delivery goes
 * through Redis (socket.io emitter), so a worker reaches agents connected to any api node.
 * A failed publish is logged, never thrown: the fact is already committed and the console
 * catches up by refetching on reconnect.
 *
 * The emitter's PUBLISHes are gathered for one turn of the event loop and sent as ONE pipeline,
 * in order: a busy worker finishes many jobs per turn, and every round trip to Redis costs a
 * socket write. An event leaves at most one turn later than it would have alone.
 */
@Injectable()
export class RealtimePublisher implements OnApplicationShutdown {
  private readonly log = new Logger(RealtimePublisher.name);
  private readonly redis: Redis;
  private readonly emitter: Emitter;
  private pending: Array<[channel: string, message: Buffer | string]> = [];
  private flushScheduled = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = createRedis(config.REDIS_URL);
    // the emitter only ever calls publish(channel, message) on its client
    const gathering = { publish: (channel: string, message: Buffer | string) => this.gather(channel, message) };
    this.emitter = new Emitter(gathering, { key: socketIoKey(config) });
  }

  private gather(channel: string, message: Buffer | string): void {
    this.pending.push([channel, message]);
    if (this.pending.length >= MAX_PIPELINE) return this.flush();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what was gathered as one pipeline. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.redis
      .pipeline(batch.map(([channel, message]) => ['publish', channel, message]))
      .exec()
      .then((results) => {
        const failed = results?.filter(([err]) => err).length ?? 0;
        if (failed) this.log.warn(`realtime: ${failed} of ${batch.length} publishes failed`);
      })
      .catch((e: Error) => this.log.warn(`realtime: publishing ${batch.length} event(s) failed: ${e.message}`));
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
    this.flush();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
