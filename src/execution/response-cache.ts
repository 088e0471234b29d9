/** One cached HTTP answer to a query, replayed byte for byte. */
export interface CachedResponse {
  readonly status: number;
  /** Its headers, without the per-request ones (request id, length, date, connection). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
  /** The operation's name, for logs. */
  readonly operationName: string | null;
  /** The sources it read: a change in any of them evicts it. */
  readonly sources: readonly string[];
  /** Epoch ms it was stored at. */
  readonly storedAt: number;
}

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** How long an entry may be served, in ms, if no change evicts it first. */
  ttlMs: number;
  /** Bytes of bodies the cache may hold; the oldest entries leave first. */
  maxBytes: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Query responses by key (what the request asked, and the scopes it was asked
 * with), each tagged with the sources it read. A change to a source (a webhook
 * in the log, a mutation) evicts every response that read it; the TTL bounds
 * how long a change that announces itself nowhere stays unseen.
 *
 * A response computed while a source it read changed is stale from birth: a
 * caller takes a {@link mark} before it executes, and {@link set} refuses the
 * entry if any of its sources was invalidated since.
 */
export class ResponseCache {
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, CachedResponse>();
  readonly #bySource = new Map<string, Set<string>>();
  #bytes = 0;
  /** Invalidations so far: a mark is the value when an execution started. */
  #sequence = 0;
  readonly #invalidatedAt = new Map<string, number>();
  #clearedAt = 0;

  constructor(options: ResponseCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The most bytes of bodies it holds (so also the largest body it takes). */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The fresh entry under `key`, if any. */
  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() - entry.storedAt >= this.#ttlMs) {
      this.#delete(key, entry);
      return undefined;
    }
    return entry;
  }

  /** Where the invalidations stand now; pass it to {@link set} for a response computed from here on. */
  mark(): number {
    return this.#sequence;
  }

  /**
   * Stores a response computed since `mark`, unless a source it read changed
   * since then or it alone is larger than the cache; resolves whether it did.
   */
  set(key: string, entry: Omit<CachedResponse, 'storedAt'>, mark: number): boolean {
    if (this.#clearedAt > mark || entry.body.length > this.#maxBytes) return false;
    for (const source of entry.sources) {
      if ((this.#invalidatedAt.get(source) ?? -1) > mark) return false;
    }
    const old = this.#entries.get(key);
    if (old !== undefined) this.#delete(key, old);
    const stored: CachedResponse = { ...entry, storedAt: this.#now() };
    this.#entries.set(key, stored);
    this.#bytes += stored.body.length;
    for (const source of stored.sources) {
      let keys = this.#bySource.get(source);
      if (keys === undefined) this.#bySource.set(source, (keys = new Set()));
      keys.add(key);
    }
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#delete(oldestKey, oldest);
    }
    return true;
  }

  /** Evicts every response that read one of `sources`; returns how many. */
  invalidate(sources: Iterable<string>): number {
    let evicted = 0;
    this.#sequence++;
    for (const source of sources) {
      this.#invalidatedAt.set(source, this.#sequence);
      const keys = this.#bySource.get(source);
      if (keys === undefined) continue;
      for (const key of [...keys]) {
        const entry = this.#entries.get(key);
        if (entry !== undefined) {
          this.#delete(key, entry);
          evicted++;
        }
      }
    }
    return evicted;
  }

  /** Evicts everything, and refuses responses computed before now (changes may have been missed). */
  clear(): void {
    this.#sequence++;
    this.#clearedAt = this.#sequence;
    this.#entries.clear();
    this.#bySource.clear();
    this.#bytes = 0;
  }

  #delete(key: string, entry: CachedResponse): void {
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
    for (const source of entry.sources) {
      const keys = this.#bySource.get(source);
      keys?.delete(key);
      if (keys?.size === 0) this.#bySource.delete(source);
    }
  }
}
