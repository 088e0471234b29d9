import type { GatewayEvent } from '../events/event.ts';
import type { ResponseCacheMetrics } from '../metrics/response-cache-metrics.ts';
import type { ResponseCache } from './response-cache.ts';

/**
 * Keeps the response cache fresh from the event log: handed every batch of
 * live events (verified webhooks, appended by whichever instance received
 * them: on Redis every instance's tail reads them all), it evicts the
 * responses that read each event's source.
 */
export function invalidateOnEvents(
  cache: ResponseCache,
  metrics: ResponseCacheMetrics,
): (events: readonly GatewayEvent[]) => void {
  return (events) => {
    if (events.length === 0) return;
    const sources = new Set<string>();
    for (const event of events) sources.add(event.source);
    metrics.evicted('webhook', cache.invalidate(sources));
  };
}
