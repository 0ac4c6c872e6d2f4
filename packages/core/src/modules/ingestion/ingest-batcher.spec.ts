import type { AppConfig } from '../../platform/config/config';
import { IngestBatcher } from './ingest-batcher';
import type { IngestOutcome, IngestProcessor } from './ingest-processor.service';

/** A processor whose batches end when the test says so. */
function gatedProcessor() {
  const gates: Array<{ ids: string[]; commit: () => void }> = [];
  const processor = {
    process: async () => ({ outcome: 'created' }) as unknown as IngestOutcome,
    processMany: (ids: string[], committed: () => void) =>
      new Promise<Map<string, IngestOutcome>>((resolve) => {
        gates.push({
          ids,
          commit: () => {
            committed();
            resolve(new Map(ids.map((id) => [id, { outcome: 'created' } as unknown as IngestOutcome])));
          },
        });
      }),
  };
  return { processor: processor as unknown as IngestProcessor, gates };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('IngestBatcher.lagMs', () => {
  const config = { INGEST_BATCH_SIZE: 2 } as AppConfig;

  it('is the wait of the oldest mail it holds, in a batch or waiting for one, and 0 when it holds none', async () => {
    const { processor, gates } = gatedProcessor();
    const batcher = new IngestBatcher(processor, config);
    expect(batcher.lagMs(10_000)).toBe(0);

    const done = [batcher.process('a', 1_000), batcher.process('b', 1_500)];
    await tick();
    expect(gates.map((g) => g.ids)).toEqual([['a', 'b']]);
    expect(batcher.lagMs(1_600)).toBe(600); // 'a', in the running batch

    const later = [batcher.process('c', 1_550), batcher.process('d', 900), batcher.process('e', 2_000)];
    await tick();
    expect(gates.map((g) => g.ids)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(batcher.lagMs(1_600)).toBe(700); // 'd' in the second batch was queued first

    gates[1]!.commit();
    await tick();
    expect(batcher.lagMs(2_100)).toBe(1_100); // 'a' still in flight; 'e' took the place of the second batch
    gates[0]!.commit();
    await tick();
    expect(batcher.lagMs(2_100)).toBe(100); // only 'e' left
    gates[2]!.commit();
    await Promise.all([...done, ...later]);
    expect(batcher.lagMs(5_000)).toBe(0);
  });

  it('never reports a negative wait (a time before the mail came)', async () => {
    const { processor } = gatedProcessor();
    const batcher = new IngestBatcher(processor, config);
    void batcher.process('a', 5_000);
    expect(batcher.lagMs(4_000)).toBe(0);
  });
});
