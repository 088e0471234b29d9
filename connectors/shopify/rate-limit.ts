import type { RateLimitReading, RateLimit } from '../../src/upstream/rate-limit.ts';
import type { UpstreamResponse } from '../../src/upstream/types.ts';
import { throttleWaitMs } from './client.ts';
import { ShopifyCost } from './models.ts';

/**
 * Shopify's GraphQL Admin API limits query cost, not calls: the Standard
 * plan restores 100 points a second and a query costs at least one, so 100
 * calls a second is the most it can ever take. The cost bucket itself is
 * read live from every answer (see {@link readShopifyRateLimit}).
 */
export const SHOPIFY_PUBLISHED_RATE: RateLimit = { limit: 100, windowMs: 1000 };

/**
 * Reads `extensions.cost` of an answered query: when the bucket
 * (`throttleStatus.currentlyAvailable`) cannot pay for another query of the
 * same requested cost, calls wait until `restoreRate` has refilled the
 * deficit. A THROTTLED answer is Shopify's 429: the client's own retry waits it out.
 */
export function readShopifyRateLimit(response: UpstreamResponse): RateLimitReading | undefined {
  const extensions = (response.json as { extensions?: { cost?: unknown } } | undefined)?.extensions;
  const cost = ShopifyCost.safeParse(extensions?.cost);
  if (!cost.success || throttleWaitMs(response.json) !== undefined) return undefined;
  const { requestedQueryCost } = cost.data;
  const { currentlyAvailable, restoreRate } = cost.data.throttleStatus;
  if (currentlyAvailable >= requestedQueryCost || restoreRate <= 0) return { remaining: 1 };
  const deficit = requestedQueryCost - currentlyAvailable;
  return { remaining: 0, resetMs: Math.ceil((deficit / restoreRate) * 1000) + 25 };
}
