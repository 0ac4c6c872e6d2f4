/**
 * `fn` over `items`, at most `limit` running at once; the results in the items' order. A call that
 * throws rejects the whole map, as `Promise.all` would: callers that want each item's failure
 * catch inside `fn`.
 *
 * For work that is mostly waiting on turns of the event loop (a stream-based parser, a round trip):
 * done one after another on a busy process, each item waits behind everything else queued at every
 * one of its turns; done together, their turns are shared.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
