import DataLoader from 'dataloader';

/** Options of {@link keyedLoader}. */
export interface KeyedLoaderOptions<K, V> {
  /** Loads one key; resolve `null` for a key the upstream does not have. */
  load: (key: K) => Promise<V | null>;
  /** Upstream calls in flight at once for one batch. Default 8. */
  concurrency?: number;
}

/**
 * A DataLoader for an API with no multi-get (Stripe retrieve): de-duplicates
 * keys within the request and bounds how many single calls run at once. Each
 * key's failure stays that key's: one bad id does not fail its neighbours.
 */
export function keyedLoader<K, V>(options: KeyedLoaderOptions<K, V>): DataLoader<K, V | null> {
  const concurrency = options.concurrency ?? 8;
  return new DataLoader<K, V | null>(async (keys) => {
    const results = new Array<V | null | Error>(keys.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const index = next++;
        try {
          results[index] = await options.load(keys[index] as K);
        } catch (error) {
          results[index] = error instanceof Error ? error : new Error(String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
    return results;
  });
}

/**
 * A DataLoader keyed by arbitrary arguments (serialized as JSON), for list
 * calls: the same list asked for twice in one request is fetched once.
 */
export function memoLoader<A, V>(fetch: (args: A) => Promise<V>): DataLoader<A, V, string> {
  return new DataLoader<A, V, string>(async ([args]) => [await fetch(args as A)], {
    batch: false,
    cacheKeyFn: (args) => JSON.stringify(args),
  });
}
