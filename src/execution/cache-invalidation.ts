import type { ResponseCacheMetrics } from '../metrics/response-cache-metrics.ts';
import type { ResponseCache } from './response-cache.ts';

/**
 * Keeps the response cache fresh from the event log: told the source of every
 * event stored (verified webhooks, appended by whichever instance received
 * them: on Redis every instance's tail reads them all), it evicts the
 * responses that read those sources.
 */
export function invalidateOnEvents(
  cache: ResponseCache,
  metrics: ResponseCacheMetrics,
): (sources: readonly string[]) => void {
  return (sources) => {
    if (sources.length === 0) return;
    metrics.evicted('webhook', cache.invalidate(new Set(sources)));
  };
}
