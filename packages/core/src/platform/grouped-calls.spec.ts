import { GroupedCalls } from './grouped-calls';

describe('GroupedCalls', () => {
  it('makes calls of one turn of the event loop one group, each caller getting its own answer', async () => {
    const groups: number[][] = [];
    const g = new GroupedCalls<number, string>(async (items) => {
      groups.push(items);
      return items.map((n) => `#${n}`);
    });
    const answers = await Promise.all([1, 2, 3].map((n) => g.call(n)));
    expect(answers).toEqual(['#1', '#2', '#3']);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('gathers the calls made while a group runs into the next group, at most maxGroup at once', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const g = new GroupedCalls<number, number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await first;
      return items.map((n) => n * 10);
    }, { maxItems: 2 });
    const a = g.call(1);
    await new Promise((r) => setImmediate(r));
    // the first group runs: these wait for it, then go in groups of two
    const rest = [2, 3, 4].map((n) => g.call(n));
    release();
    expect(await Promise.all([a, ...rest])).toEqual([10, 20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3], [4]]);
  });

  it('keeps a group under maxWeight, and a first item heavier than that goes alone', async () => {
    const groups: number[][] = [];
    const g = new GroupedCalls<number, number>(async (items) => (groups.push(items), items), { maxWeight: 10, weight: (n) => n });
    await Promise.all([3, 4, 5, 20, 1].map((n) => g.call(n)));
    expect(groups).toEqual([[3, 4], [5], [20], [1]]);
  });

  it('runs a failed group again item by item, so only the bad item fails', async () => {
    const groups: number[][] = [];
    const g = new GroupedCalls<number, number>(async (items) => {
      groups.push(items);
      if (items.includes(2)) throw new Error('item 2 breaks a constraint');
      return items;
    });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => g.call(n)));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('item 2 breaks a constraint');
    expect(groups).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(await g.call(4)).toBe(4);
  });

  it('refuses an answer list of the wrong length instead of answering callers with undefined', async () => {
    const g = new GroupedCalls<number, number>(async (items) => items.slice(1));
    await expect(g.call(1)).rejects.toThrow('a group of 1 got 0 answers');
  });
});
