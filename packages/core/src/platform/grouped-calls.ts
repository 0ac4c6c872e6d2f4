export interface GroupLimits<I> {
  maxItems?: number;
  maxWeight?: number;
  weight?: (item: I) => number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for any "do this for one item" that is cheaper done for many at once: calls made
 * while the previous group runs (or in the same turn of the event loop) become ONE `run` call, and
 * each caller gets its own item's answer. A lone call waits one turn of the event loop; under load,
 * N calls cost one round trip instead of N. `run` answers in the order it was given. A group that
 * fails is run again item by item, so one bad item (a row a constraint refuses) fails alone and its
 * caller gets the error. A group holds at most `maxItems` items and, when `weight` is given, at
 * most `maxWeight` of it (a first item heavier than that still goes, alone).
 */
export class GroupedCalls<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly limits: GroupLimits<I> = {},
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** How many of the waiting calls the next group takes. */
  private groupSize(): number {
    const { maxItems = 64, maxWeight = Infinity, weight } = this.limits;
    let n = 0;
    let total = 0;
    while (n < this.waiting.length && n < maxItems) {
      total += weight ? weight(this.waiting[n]!.item) : 0;
      if (n > 0 && total > maxWeight) break;
      n++;
    }
    return n;
  }

  private async settle(group: Array<Waiting<I, O>>): Promise<void> {
    const out = await this.run(group.map((w) => w.item));
    if (out.length !== group.length) throw new Error(`a group of ${group.length} got ${out.length} answers`);
    group.forEach((w, i) => w.resolve(out[i] as O));
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const group = this.waiting.splice(0, this.groupSize());
        try {
          await this.settle(group);
        } catch (e) {
          if (group.length === 1) group[0]!.reject(e);
          else for (const w of group) await this.settle([w]).catch((err: unknown) => w.reject(err));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
