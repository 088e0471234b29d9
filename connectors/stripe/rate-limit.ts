import type { RateLimit } from '../../src/upstream/rate-limit.ts';

/** Stripe's published limits: 100 read operations a second in live mode, 25 in test mode. */
export const STRIPE_LIVE_RATE: RateLimit = { limit: 100, windowMs: 1000 };
export const STRIPE_TEST_RATE: RateLimit = { limit: 25, windowMs: 1000 };

/** The published limit of a key's mode (`sk_live_`/`rk_live_`: live, anything else: test). */
export function stripePublishedRate(apiKey: string | undefined): RateLimit {
  return /^(sk|rk)_live_/.test(apiKey ?? '') ? STRIPE_LIVE_RATE : STRIPE_TEST_RATE;
}
