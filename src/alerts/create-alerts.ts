import type { Logger } from 'pino';
import type { CoreConfig } from '../config.ts';
import type { Alerts } from './alert.ts';
import { createAlertSender } from './alert-sender.ts';
import type { AlertSender } from './alert-sender.ts';
import { createAlerter } from './alerter.ts';
import { watchWebhooks } from './webhook-alerts.ts';
import type { WebhookOutcome } from './webhook-alerts.ts';

/** The gateway's alerting, as assembled from the config. */
export interface GatewayAlerts extends Alerts {
  /** Feed of webhook outcomes (signature rejections, event log refusals). */
  readonly onWebhookOutcome: WebhookOutcome;
  /** Delivery to ALERT_WEBHOOK_URL, or null when it is unset. */
  readonly sender: AlertSender | null;
  close(): void;
}

/** Alerts from the `ALERT_*` settings: logged always, POSTed when ALERT_WEBHOOK_URL is set. */
export function createAlerts(core: CoreConfig, log: Logger): GatewayAlerts {
  const sender =
    core.ALERT_WEBHOOK_URL === undefined
      ? null
      : createAlertSender({ url: core.ALERT_WEBHOOK_URL, log, timeoutMs: core.ALERT_TIMEOUT_MS });
  const alerter = createAlerter({ log, sender, cooldownMs: core.ALERT_COOLDOWN_S * 1000 });
  return {
    raise: (key, input) => alerter.raise(key, input),
    resolve: (key, message) => alerter.resolve(key, message),
    onWebhookOutcome: watchWebhooks({
      alerts: alerter,
      rejectionThreshold: core.ALERT_WEBHOOK_REJECTIONS,
      rejectionWindowMs: core.ALERT_WEBHOOK_REJECTIONS_WINDOW_S * 1000,
    }),
    sender,
    close: () => sender?.close(),
  };
}
