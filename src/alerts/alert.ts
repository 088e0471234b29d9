/** How bad an alert is. */
export type AlertSeverity = 'critical' | 'warning';

/** What a caller says when raising an alert. */
export interface AlertInput {
  /** The source concerned (`stripe`), if any. */
  source?: string;
  /** Default `critical`. */
  severity?: AlertSeverity;
  /** One human sentence: what is wrong and what to do. */
  message: string;
  /** Structured facts (counts, thresholds); never credentials. */
  details?: Record<string, unknown>;
}

/** The JSON body POSTed to `ALERT_WEBHOOK_URL`: Slack-compatible `text`, plus structured fields. */
export interface AlertPayload {
  text: string;
  /** Stable identity of the condition (`webhook-rejections:stripe`, `event-log-unavailable`, `breaker:hubspot`). */
  key: string;
  state: 'firing' | 'resolved';
  severity: AlertSeverity;
  source: string | null;
  /** When the condition started, ISO 8601. */
  since: string;
  /** When it ended (resolved alerts only), ISO 8601. */
  resolvedAt?: string;
  message: string;
  details: Record<string, unknown>;
  service: 'switchyard';
}

/**
 * Where any part of the gateway reports a condition a human must hear about.
 * `raise` while a key is firing does nothing (one outage, one alert); `resolve`
 * of a firing key sends the recovery. A circuit breaker wires in with one line:
 * `open ? alerts.raise(\`breaker:${source}\`, { source, message }) : alerts.resolve(\`breaker:${source}\`)`.
 */
export interface Alerts {
  raise(key: string, input: AlertInput): void;
  resolve(key: string, message?: string): void;
}
