import type { Source } from '../sources.ts';
import type { Alerts } from './alert.ts';

/**
 * One alert per outage of a source: raised when its circuit breaker opens from
 * closed, resolved when a probe closes it again. A failed probe (half-open →
 * open) is the same outage, not a new alert.
 */
export function watchBreakers(sources: readonly Source[], alerts: Alerts): void {
  for (const source of sources) {
    const breaker = source.upstream?.breaker;
    if (!breaker) continue;
    const key = `breaker:${source.name}`;
    breaker.onStateChange((change) => {
      if (change.from === 'closed' && change.to === 'open') {
        const retryAt =
          change.retryAt === undefined
            ? ''
            : ` It is tried again at ${new Date(change.retryAt).toISOString()}.`;
        alerts.raise(key, {
          source: source.name,
          severity: 'critical',
          message: `${source.name} is failing: its circuit breaker opened after ${change.consecutiveFailures} consecutive failed calls, so its fields fail fast.${retryAt}`,
          details: { consecutiveFailures: change.consecutiveFailures },
        });
      } else if (change.to === 'closed') {
        alerts.resolve(key, `${source.name} answers again: its circuit breaker closed.`);
      }
    });
  }
}
