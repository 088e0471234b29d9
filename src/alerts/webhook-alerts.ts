import { webhookSecretVariable } from '../events/webhooks-off.ts';
import type { Alerts } from './alert.ts';

/** Options of {@link watchWebhooks}. */
export interface WebhookWatchOptions {
  alerts: Alerts;
  /** More than this many signature rejections (401) of one source within the window fire an alert. */
  rejectionThreshold: number;
  /** The sliding window, in ms. */
  rejectionWindowMs: number;
  now?: () => number;
}

/** Told the outcome of every webhook delivery (`status`, and the refusal's `code` if any). */
export type WebhookOutcome = (source: string, status: number, code: string | undefined) => void;

/** Key of the alert for a source's spike of signature rejections. */
export const rejectionsKey = (source: string) => `webhook-rejections:${source}`;
/** Key of the alert for an event log that cannot append. */
export const EVENT_LOG_KEY = 'event-log-unavailable';

/**
 * Turns webhook outcomes into alerts: a spike of 401s from one source (a
 * rotated signing secret nobody updated) until a delivery verifies again, and
 * an event log refusing appends (503 `EVENT_LOG_UNAVAILABLE`) until one succeeds.
 */
export function watchWebhooks(options: WebhookWatchOptions): WebhookOutcome {
  const now = options.now ?? Date.now;
  const rejections = new Map<string, number[]>();
  return (source, status, code) => {
    if (status === 401) {
      const at = now();
      const recent = (rejections.get(source) ?? []).filter((t) => at - t < options.rejectionWindowMs);
      recent.push(at);
      // Only the newest threshold + 1 matter, so a flood cannot grow the list.
      rejections.set(source, recent.slice(-(options.rejectionThreshold + 1)));
      if (recent.length > options.rejectionThreshold) {
        options.alerts.raise(rejectionsKey(source), {
          source,
          severity: 'critical',
          message: `Webhooks from ${source} are being rejected for bad signatures (more than ${options.rejectionThreshold} in ${options.rejectionWindowMs / 1000}s): was its signing secret rotated? Update ${webhookSecretVariable(source)}.`,
          details: {
            rejections: recent.length,
            threshold: options.rejectionThreshold,
            windowS: options.rejectionWindowMs / 1000,
            lastCode: code ?? null,
          },
        });
      }
    } else if (status >= 200 && status < 300) {
      rejections.delete(source);
      options.alerts.resolve(rejectionsKey(source), `Webhooks from ${source} verify again.`);
      options.alerts.resolve(EVENT_LOG_KEY, 'The event log stores webhook events again.');
    }
    if (status === 503 && code === 'EVENT_LOG_UNAVAILABLE') {
      options.alerts.raise(EVENT_LOG_KEY, {
        source,
        severity: 'critical',
        message:
          'The event log cannot append: webhook deliveries are refused with 503 and subscriptions get no new events. Check the event log back-end (see /readyz).',
        details: { refusedSource: source },
      });
    }
  };
}
