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
 * fails is run again item by item (as IngestionService does with its groups), so one bad item (a
 * row a constraint refuses) fails alone and its caller gets the error.
 */
export class GroupedCalls<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxGroup = 64,
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

  private async settle(group: Array<Waiting<I, O>>): Promise<void> {
    const out = await this.run(group.map((w) => w.item));
    if (out.length !== group.length) throw new Error(`a group of ${group.length} got ${out.length} answers`);
    group.forEach((w, i) => w.resolve(out[i] as O));
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const group = this.waiting.splice(0, this.maxGroup);
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
