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
    }, 2);
    const a = g.call(1);
    await new Promise((r) => setImmediate(r));
    // the first group runs: these wait for it, then go in groups of two
    const rest = [2, 3, 4].map((n) => g.call(n));
    release();
    expect(await Promise.all([a, ...rest])).toEqual([10, 20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3], [4]]);
  });

  it('rejects every caller of a failed group, and the next group runs', async () => {
    let calls = 0;
    const g = new GroupedCalls<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('database went away');
      return items;
    });
    const failed = await Promise.allSettled([g.call(1), g.call(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason.message).toBe('database went away');
    expect(await g.call(3)).toBe(3);
  });

  it('refuses an answer list of the wrong length instead of answering callers with undefined', async () => {
    const g = new GroupedCalls<number, number>(async (items) => items.slice(1));
    await expect(Promise.all([g.call(1), g.call(2)])).rejects.toThrow('a group of 2 got 1 answers');
  });
});
