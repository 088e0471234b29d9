import type { Delivery, Endpoint } from '../outbound/model.ts';
import type { Alerts } from './alert.ts';

/**
 * Alerts of outbound webhooks: an endpoint disabled (410, or failing too long), and a
 * delivery that failed for good (one alert per endpoint until a delivery to it succeeds).
 */
export function outboundAlerts(alerts: Alerts) {
  return {
    disabled(endpoint: Endpoint, reason: string): void {
      alerts.raise(`outbound-disabled:${endpoint.id}`, {
        severity: 'critical',
        message: `Outbound webhook endpoint ${endpoint.id} (${endpoint.url}) was disabled: ${reason}. Fix the receiver, then enable it with updateWebhookEndpoint and re-send with recoverWebhookEndpoint.`,
        details: { endpoint: endpoint.id },
      });
    },
    failed(endpoint: Endpoint, delivery: Delivery): void {
      alerts.raise(`outbound-failed:${endpoint.id}`, {
        severity: 'warning',
        message: `An outbound webhook to ${endpoint.id} (${endpoint.url}) failed for good after ${delivery.attempts.length} attempts (last: ${delivery.attempts.at(-1)?.error ?? 'unknown'}). Re-send it with retryWebhookDelivery or recoverWebhookEndpoint.`,
        details: { endpoint: endpoint.id, delivery: delivery.id, event: delivery.event.id },
      });
    },
    succeeded(endpoint: Endpoint): void {
      alerts.resolve(`outbound-failed:${endpoint.id}`, `Outbound webhooks to ${endpoint.id} succeed again.`);
    },
    enabled(endpointId: string): void {
      alerts.resolve(
        `outbound-disabled:${endpointId}`,
        `Outbound webhook endpoint ${endpointId} is enabled again.`,
      );
    },
  };
}
