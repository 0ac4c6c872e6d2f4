import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QUEUES, type Queues } from '@desk/core';

/**
 * Prometheus metrics. Counts that matter across processes (ingested and failed events, SLA
 * breaches) are read from Postgres at scrape time, so every api replica reports the same truth.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(ds: DataSource, @Inject(QUEUES) queues: Queues) {
    collectDefaultMetrics({ register: this.registry, prefix: 'desk_' });
    this.httpDuration = new Histogram({
      name: 'desk_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'desk_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const [name, q] of Object.entries(queues)) {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'desk_inbound_events',
      help: 'Inbound events by processing status (processed = ingested, quarantined = failed)',
      labelNames: ['source', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows: Array<{ source: string; status: string; n: string }> = await ds.query(
          'SELECT source, status, count(*) AS n FROM inbound_events GROUP BY 1, 2',
        );
        for (const r of rows) this.set({ source: r.source, status: r.status }, Number(r.n));
      },
    });
    new Gauge({
      name: 'desk_sla_breaches',
      help: 'SLA breaches recorded',
      registers: [this.registry],
      async collect() {
        const [row] = (await ds.query('SELECT count(*) AS n FROM sla_breaches')) as Array<{ n: string }>;
        this.set(Number(row?.n ?? 0));
      },
    });
  }

  counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
