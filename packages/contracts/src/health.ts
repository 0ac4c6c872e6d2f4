import { z } from 'zod';

export const HealthStatus = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean(), error: z.string().optional() }),
  redis: z.object({ ok: z.boolean(), error: z.string().optional() }),
  queues: z.record(z.string(), z.object({ waiting: z.number(), active: z.number(), delayed: z.number(), failed: z.number() })),
});
export type HealthStatus = z.infer<typeof HealthStatus>;
