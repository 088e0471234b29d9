import type { RateLimitReading, RateLimit } from '../../src/upstream/rate-limit.ts';
import { numberHeader } from '../../src/upstream/rate-limit.ts';
import type { UpstreamResponse } from '../../src/upstream/types.ts';

/** HubSpot's published limit for a private app on Professional and Enterprise accounts: 190 per rolling 10 s. */
export const HUBSPOT_PUBLISHED_RATE: RateLimit = { limit: 190, windowMs: 10_000 };

/**
 * Reads `X-HubSpot-RateLimit-Max`, `-Interval-Milliseconds` and `-Remaining`
 * (a smaller account's limit lowers the budget; none remaining waits one
 * interval, the window being rolling), and `-Daily-Remaining` (none left
 * waits for the next UTC midnight).
 */
export function readHubSpotRateLimit(response: UpstreamResponse): RateLimitReading | undefined {
  const headers = response.headers;
  const max = numberHeader(headers, 'x-hubspot-ratelimit-max');
  const intervalMs = numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
  const dailyRemaining = numberHeader(headers, 'x-hubspot-ratelimit-daily-remaining');
  if (dailyRemaining !== undefined && dailyRemaining <= 0) {
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    return { remaining: 0, resetMs: midnight.getTime() - Date.now() };
  }
  if (max === undefined && remaining === undefined) return undefined;
  return {
    remaining,
    resetMs: intervalMs,
    limit: max !== undefined && intervalMs !== undefined ? { limit: max, windowMs: intervalMs } : undefined,
  };
}
