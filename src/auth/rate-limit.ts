import { ErrorCode, GatewayError } from '../errors.ts';
import type { Principal } from './principal.ts';

/** The outcome of {@link RateLimiter.take}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Operations per minute per client; `0` turns the limit off. Also the burst a full bucket allows. */
  perMinute: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full (idle) ones are dropped. */
const SWEEP_AT = 10_000;

/**
 * A token bucket per client, in this process's memory: each instance behind a
 * load balancer counts on its own. A bucket holds `perMinute` tokens and refills
 * continuously at `perMinute` a minute; each operation takes one.
 */
export class RateLimiter {
  readonly perMinute: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;

  constructor(options: RateLimiterOptions) {
    this.perMinute = options.perMinute;
    this.#now = options.now ?? Date.now;
    this.#perMs = options.perMinute / 60_000;
  }

  /** Clients with a bucket now (for metrics and tests). */
  get size(): number {
    return this.#buckets.size;
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Whether `key` has a token now, without taking it. */
  peek(key: string): boolean {
    return !this.enabled || this.#refill(key, this.#now()).tokens >= 1;
  }

  /** Takes one token of `key`'s bucket, or says how many seconds until there is one. */
  take(key: string): RateDecision {
    if (!this.enabled) return { ok: true };
    const now = this.#now();
    const bucket = this.#refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)) };
  }

  #refill(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(now);
      bucket = { tokens: this.perMinute, at: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    return bucket;
  }

  /** A bucket that has refilled completely is the same as no bucket: drop those. */
  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.perMinute) this.#buckets.delete(key);
    }
  }
}

/** Whose budget an operation spends: the principal's, or for anonymous clients their IP address's. */
export function rateLimitKey(principal: Principal, clientIp: string | undefined): string {
  return principal.kind === 'anonymous' ? `ip:${clientIp ?? 'unknown'}` : principal.id;
}

/** The error of an operation over budget: RATE_LIMITED, with `extensions.retryAfter` in seconds (over HTTP also 429 and `Retry-After`). */
export function rateLimitedError(retryAfterS: number, perMinute: number): GatewayError {
  return new GatewayError(
    ErrorCode.RATE_LIMITED,
    `Too many operations: this client may run ${perMinute} a minute. Retry in ${retryAfterS} s.`,
    { details: { retryAfter: retryAfterS } },
  );
}
