import { QueueName } from '@desk/core';
import { checkHandlers } from './worker-host';

describe('checkHandlers', () => {
  const h = (queue: QueueName, name: string) => ({ queue, name, handle: async () => undefined });

  it('refuses to start when a declared job has no processor', () => {
    expect(() => checkHandlers([])).toThrow(/no processor for job\(s\): maintenance\/session-cleanup/);
  });

  it('refuses two processors for one job', () => {
    expect(() => checkHandlers([h(QueueName.Maintenance, 'session-cleanup'), h(QueueName.Maintenance, 'session-cleanup')])).toThrow(/two processors/);
  });

  it('accepts a complete set', () => {
    expect(() => checkHandlers([h(QueueName.Maintenance, 'session-cleanup')])).not.toThrow();
  });
});
