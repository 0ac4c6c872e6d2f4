import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { createRedis, socketIoKey, type AppConfig } from '@desk/core';

/** socket.io over the Redis adapter: any api node reaches any agent, and workers emit through Redis. */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions) {
    const server = super.createIOServer(port, { ...options, cors: { origin: false } });
    this.pub = createRedis(this.config.REDIS_URL);
    this.sub = this.pub.duplicate();
    server.adapter(createAdapter(this.pub, this.sub, { key: socketIoKey(this.config) }));
    return server;
  }

  override async close(server: Parameters<IoAdapter['close']>[0]) {
    await super.close(server);
    await Promise.all([this.pub?.quit().catch(() => undefined), this.sub?.quit().catch(() => undefined)]);
  }
}
