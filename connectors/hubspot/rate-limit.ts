import type { RateLimitReading, RateLimit } from '../../src/upstream/rate-limit.ts';
import { numberHeader } from '../../src/upstream/rate-limit.ts';
import type { UpstreamResponse } from '../../src/upstream/types.ts';

/** HubSpot's published limit for a private app on Professional and Enterprise accounts: 190 per rolling 10 s. */
export const HUBSPOT_PUBLISHED_RATE: RateLimit = { limit: 190, windowMs: 10_000 };

/**
 * Reads `X-HubSpot-RateLimit-Max`, `-Interval-Milliseconds` and `-Remaining`:
 * a smaller account's limit lowers the budget; none remaining waits one
 * interval, the window being rolling. The daily limit resets at midnight in
 * the account's time zone, which the headers do not give: it is left to
 * HubSpot's 429 `DAILY`, which is not retried.
 */
export function readHubSpotRateLimit(response: UpstreamResponse): RateLimitReading | undefined {
  const headers = response.headers;
  const max = numberHeader(headers, 'x-hubspot-ratelimit-max');
  const intervalMs = numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
  if (max === undefined && remaining === undefined) return undefined;
  return {
    remaining,
    resetMs: intervalMs,
    limit: max !== undefined && intervalMs !== undefined ? { limit: max, windowMs: intervalMs } : undefined,
  };
}
