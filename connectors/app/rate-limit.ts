import type { RateLimitReading, RateLimit } from '../../src/upstream/rate-limit.ts';
import { readIetfRateLimit } from '../../src/upstream/rate-limit.ts';
import type { UpstreamResponse } from '../../src/upstream/types.ts';

/** The product API's limit (connectors/app/README.md): 1000 requests a minute per API key. */
export const APP_PUBLISHED_RATE: RateLimit = { limit: 1000, windowMs: 60_000 };

/** Reads `RateLimit-Limit` (per minute), `RateLimit-Remaining` and `RateLimit-Reset` (seconds). */
export function readAppRateLimit(response: UpstreamResponse): RateLimitReading | undefined {
  return readIetfRateLimit(response.headers, APP_PUBLISHED_RATE.windowMs);
}
