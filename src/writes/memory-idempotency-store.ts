import type { IdempotencyScope, IdempotencyStore, StoredKey } from './idempotency-store.ts';
import { IDEMPOTENCY_TTL_MS, pendingEntry, replayOrConflict, stillInProgress } from './idempotency-store.ts';

interface Entry extends StoredKey {
  expiresAt: number;
  /** Settles when the first run ends, for repeats that wait. */
  settled?: Promise<unknown>;
}

/** Options of {@link createMemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /** How long a result is kept, in ms. Default {@link IDEMPOTENCY_TTL_MS} (24 h). */
  ttlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** The idempotency store of one instance, in its memory (lost on restart, not shared). */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let writes = 0;

  function prune(): void {
    const at = now();
    for (const [id, entry] of entries)
      if (entry.state === 'done' && entry.expiresAt <= at) entries.delete(id);
  }

  async function run<T>(
    scope: IdempotencyScope,
    input: unknown,
    write: () => Promise<T>,
    deadline: number,
  ): Promise<{ result: T; replayed: boolean }> {
    const id = JSON.stringify([scope.principal, scope.mutation, scope.key]);
    for (;;) {
      const existing = entries.get(id);
      if (existing !== undefined && existing.state === 'done' && existing.expiresAt <= now()) {
        entries.delete(id);
        continue;
      }
      if (existing !== undefined) {
        const replay = replayOrConflict<T>(scope, existing, input);
        if (replay) return replay;
        // Pending: wait for the first run, then look again (it may have failed and freed the key).
        const left = deadline - Date.now();
        if (left <= 0) throw stillInProgress(scope);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          existing.settled?.then(
            () => false,
            () => false,
          ),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), left);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut === true) throw stillInProgress(scope);
        continue;
      }
      const entry: Entry = { ...pendingEntry(input), expiresAt: Infinity };
      const running = write();
      entry.settled = running;
      entries.set(id, entry);
      if (++writes % 1000 === 0) prune();
      try {
        const result = await running;
        entry.state = 'done';
        entry.result = JSON.stringify(result);
        entry.expiresAt = now() + ttlMs;
        delete entry.settled;
        return { result: JSON.parse(entry.result) as T, replayed: false };
      } catch (error) {
        if (entries.get(id) === entry) entries.delete(id);
        throw error;
      }
    }
  }

  return {
    run,
    close: () => {
      entries.clear();
      return Promise.resolve();
    },
  };
}
