import { mapConcurrently } from './map-concurrently';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('mapConcurrently', () => {
  it('keeps the order of the items whatever order they finish in', async () => {
    const out = await mapConcurrently([30, 10, 20, 0], 4, async (ms, i) => {
      await new Promise((r) => setTimeout(r, ms));
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:10', '2:20', '3:0']);
  });

  it('never runs more than the limit at once, and does run that many', async () => {
    let running = 0;
    let most = 0;
    await mapConcurrently(Array.from({ length: 10 }, (_, i) => i), 3, async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      await tick();
      running--;
    });
    expect(most).toBe(3);
  });

  it('rejects when one item throws, like Promise.all', async () => {
    await expect(
      mapConcurrently([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });

  it('answers an empty list, and refuses a limit below one', async () => {
    await expect(mapConcurrently([], 4, async () => 1)).resolves.toEqual([]);
    await expect(mapConcurrently([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
