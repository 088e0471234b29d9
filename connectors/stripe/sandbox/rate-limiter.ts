/**
 * Stripe's published request limits, enforced per API key as a token bucket:
 * `perSecond` requests a second (25 for test-mode keys, 100 for live ones),
 * with bursts up to that many. Past it, Stripe answers 429 `rate_limit`.
 * Tests may lower `perSecond`, and read `refused`.
 */
export class StripeRateLimiter {
  /** Requests a second for test-mode keys (`sk_test_`, `rk_test_`). Default 25. */
  testPerSecond = 25;
  /** Requests a second for live-mode keys. Default 100. */
  livePerSecond = 100;
  /** Requests answered 429 so far. */
  refused = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Counts one request with `key`; false when it is over the limit (answer 429). */
  take(key: string, now: number = Date.now()): boolean {
    const perSecond = /^(sk|rk)_live_/.test(key) ? this.livePerSecond : this.testPerSecond;
    const bucket = this.buckets.get(key) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      this.refused += 1;
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  reset(): void {
    this.buckets.clear();
    this.refused = 0;
  }
}
