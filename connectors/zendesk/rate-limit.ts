import type { RateLimitReading, RateLimit } from '../../src/upstream/rate-limit.ts';
import { numberHeader, readIetfRateLimit } from '../../src/upstream/rate-limit.ts';
import type { UpstreamResponse } from '../../src/upstream/types.ts';

/**
 * Zendesk Support's published limit on Enterprise plans: 700 requests a
 * minute (Team 200, Growth and Professional 400: their `X-Rate-Limit`
 * header lowers the budget after the first answer, or set ZENDESK_RATE_LIMIT).
 */
export const ZENDESK_PUBLISHED_RATE: RateLimit = { limit: 700, windowMs: 60_000 };

/**
 * Reads the IETF `ratelimit-*` headers when present, else `X-Rate-Limit` (per
 * minute) and `X-Rate-Limit-Remaining` (none left waits out the minute).
 */
export function readZendeskRateLimit(response: UpstreamResponse): RateLimitReading | undefined {
  const ietf = readIetfRateLimit(response.headers, ZENDESK_PUBLISHED_RATE.windowMs);
  if (ietf !== undefined) return ietf;
  const limit = numberHeader(response.headers, 'x-rate-limit');
  const remaining = numberHeader(response.headers, 'x-rate-limit-remaining');
  if (limit === undefined && remaining === undefined) return undefined;
  return {
    remaining,
    limit:
      limit !== undefined && limit > 0 ? { limit, windowMs: ZENDESK_PUBLISHED_RATE.windowMs } : undefined,
  };
}
