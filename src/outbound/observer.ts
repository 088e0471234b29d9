import { outboundAlerts } from '../alerts/outbound-alerts.ts';
import type { Alerts } from '../alerts/alert.ts';
import type { OutboundMetrics } from '../metrics/outbound-metrics.ts';
import type { DispatchObserver } from './dispatcher.ts';

/** The dispatcher's reports, to metrics and to alerts. */
export function outboundObserver(metrics: OutboundMetrics, alerts: Alerts): DispatchObserver {
  const alerting = outboundAlerts(alerts);
  return {
    attempt: (endpoint, result, status) => metrics.attempt(endpoint, result, status),
    disabled: (endpoint, reason) => alerting.disabled(endpoint, reason),
    failed: (endpoint, delivery) => alerting.failed(endpoint, delivery),
    succeeded: (endpoint) => alerting.succeeded(endpoint),
    enabled: (endpointId) => alerting.enabled(endpointId),
  };
}
