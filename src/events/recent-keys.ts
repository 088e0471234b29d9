/**
 * The keys seen within a time window, at most `maxKeys` of them, forgetting
 * the oldest first: the in-memory event log's de-duplication memory.
 *
 * Every operation is O(1) amortized. Arrival order is kept in an array queue
 * rather than read back from a Map's insertion order, because V8 leaves a
 * deleted Map entry in place until the next rehash: finding the oldest key by
 * iterating a Map whose oldest entries are deleted one by one scans every
 * earlier deletion, and at 100,000 keys that scan dominated webhook ingest.
 */
export class RecentKeys {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Key → when it was (last) recorded. */
  readonly #firstSeen = new Map<string, number>();
  /** Recordings in time order, from `#head`; a key recorded again also stays at its older place until popped. */
  #keys: string[] = [];
  #times: number[] = [];
  #head = 0;

  /**
   * @param windowMs how long a key is remembered after it was recorded.
   * @param maxKeys most keys remembered; beyond it the oldest is forgotten early.
   */
  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#firstSeen.size;
  }

  /** Whether `key` was recorded within the window before `at`; records it (from `at`) when it was not. */
  seenOrRecord(key: string, at: number): boolean {
    this.#forgetBefore(at - this.#windowMs);
    const firstSeen = this.#firstSeen.get(key);
    if (firstSeen !== undefined && at - firstSeen <= this.#windowMs) return true;
    this.#firstSeen.set(key, at);
    this.#keys.push(key);
    this.#times.push(at);
    while (this.#firstSeen.size > this.#maxKeys) if (!this.#popOldest()) break;
    return false;
  }

  /** Forgets every key recorded before `cutoff`. */
  #forgetBefore(cutoff: number): void {
    while (this.#head < this.#times.length && (this.#times[this.#head] ?? Infinity) < cutoff) {
      this.#popOldest();
    }
  }

  /** Drops the oldest recording (and its key, unless recorded again since); false when there is none. */
  #popOldest(): boolean {
    if (this.#head >= this.#keys.length) return false;
    const key = this.#keys[this.#head] ?? '';
    const at = this.#times[this.#head];
    this.#head++;
    if (this.#firstSeen.get(key) === at) this.#firstSeen.delete(key);
    if (this.#head > 1024 && this.#head * 2 > this.#keys.length) {
      this.#keys = this.#keys.slice(this.#head);
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }
}
