import { JOB_NAMES, QueueName } from '@desk/core';
import { checkHandlers } from './worker-host';

describe('checkHandlers', () => {
  const h = (queue: QueueName, name: string) => ({ queue, name, handle: async () => undefined });
  // every declared job, so each test changes only what it is about
  const complete = () =>
    Object.entries(JOB_NAMES).flatMap(([q, names]) => names.map((n) => h(q as QueueName, n)));

  it('refuses to start when a declared job has no processor', () => {
    expect(() => checkHandlers([])).toThrow(/no processor for job\(s\): .*maintenance\/session-cleanup/);
    expect(() => checkHandlers(complete().filter((x) => x.name !== 'session-cleanup'))).toThrow(
      /no processor for job\(s\): maintenance\/session-cleanup$/,
    );
  });

  it('refuses two processors for one job', () => {
    expect(() => checkHandlers([...complete(), h(QueueName.Maintenance, 'session-cleanup')])).toThrow(
      /two processors/,
    );
  });

  it('accepts a complete set', () => {
    expect(() => checkHandlers(complete())).not.toThrow();
  });
});
