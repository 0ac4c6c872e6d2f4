import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { HealthStatus } from '@desk/contracts';
import { QUEUES, REDIS, type Queues } from '@desk/core';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

@Injectable()
export class HealthService {
  constructor(
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUES) private readonly queues: Queues,
  ) {}

  async check(): Promise<HealthStatus> {
    const database = await withTimeout(this.ds.query('SELECT 1'), 2000).then(
      () => ({ ok: true }),
      (e: Error) => ({ ok: false, error: e.message }),
    );
    const redis = await withTimeout(this.redis.ping(), 2000).then(
      () => ({ ok: true }),
      (e: Error) => ({ ok: false, error: e.message }),
    );
    const queues: HealthStatus['queues'] = {};
    if (redis.ok) {
      for (const [name, q] of Object.entries(this.queues)) {
        const c = await withTimeout(q.getJobCounts('waiting', 'active', 'delayed', 'failed'), 2000).catch(() => null);
        if (c) queues[name] = { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
      }
    }
    return { status: database.ok && redis.ok ? 'ok' : 'degraded', database, redis, queues };
  }
}
