import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ResponseCache } from '../execution/response-cache.ts';

/** What the response cache answered: `hit` (from the cache), `miss` (executed, may be stored), `stored`. */
export type CacheOutcome = 'hit' | 'miss' | 'stored';

/** Response cache metrics: lookups by outcome, evictions by cause, and what it holds. */
export class ResponseCacheMetrics {
  readonly #lookups: Counter<'result'>;
  readonly #evictions: Counter<'reason'>;
  readonly #byOutcome: Record<CacheOutcome, Counter.Internal>;

  constructor(registry: Registry, cache: ResponseCache) {
    this.#lookups = new Counter({
      name: 'switchyard_response_cache_requests_total',
      help: 'Cacheable query requests by result: hit (answered from the cache), miss (executed), stored (a miss whose response was cached).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.#evictions = new Counter({
      name: 'switchyard_response_cache_evictions_total',
      help: 'Cached responses evicted because a source they read changed, by what told: webhook (an event in the log) or mutation.',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    // Bound once: a hit is the hot path.
    this.#byOutcome = {
      hit: this.#lookups.labels('hit'),
      miss: this.#lookups.labels('miss'),
      stored: this.#lookups.labels('stored'),
    };
    new Gauge({
      name: 'switchyard_response_cache_entries',
      help: 'Responses in the response cache.',
      registers: [registry],
      collect() {
        this.set(cache.size);
      },
    });
    new Gauge({
      name: 'switchyard_response_cache_bytes',
      help: 'Bytes of response bodies in the response cache.',
      registers: [registry],
      collect() {
        this.set(cache.bytes);
      },
    });
  }

  lookup(outcome: CacheOutcome): void {
    this.#byOutcome[outcome].inc();
  }

  evicted(reason: 'webhook' | 'mutation', count: number): void {
    if (count > 0) this.#evictions.inc({ reason }, count);
  }
}
