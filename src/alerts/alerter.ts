import type { Logger } from 'pino';
import type { Alerts, AlertInput, AlertPayload, AlertSeverity } from './alert.ts';
import type { AlertSender } from './alert-sender.ts';

/** Options of {@link createAlerter}. */
export interface AlerterOptions {
  log: Logger;
  /** Delivery to `ALERT_WEBHOOK_URL`; null: alerts are only logged. */
  sender: AlertSender | null;
  /** After a firing alert was sent, the same key stays quiet this long even if it resolves and fires again, in ms. */
  cooldownMs: number;
  now?: () => number;
}

interface Firing {
  since: number;
  severity: AlertSeverity;
  source: string | null;
  message: string;
  details: Record<string, unknown>;
  /** Whether this episode's firing alert went out (a recovery is sent only then). */
  announced: boolean;
}

/**
 * Keeps the state of every alert key: one firing alert per outage, a recovery
 * when it ends, and a cooldown so a flapping condition is not a storm. Each
 * alert is logged (error when firing, info when resolved) and POSTed.
 */
export function createAlerter(options: AlerterOptions): Alerts & { readonly sender: AlertSender | null } {
  const now = options.now ?? Date.now;
  const firing = new Map<string, Firing>();
  const lastAnnounced = new Map<string, number>();

  function emit(key: string, state: Firing, resolvedAt?: number): void {
    const payload: AlertPayload = {
      text:
        resolvedAt === undefined
          ? `:rotating_light: [${state.severity}] ${state.message}`
          : `:white_check_mark: Resolved: ${state.message}`,
      key,
      state: resolvedAt === undefined ? 'firing' : 'resolved',
      severity: state.severity,
      source: state.source,
      since: new Date(state.since).toISOString(),
      ...(resolvedAt === undefined ? {} : { resolvedAt: new Date(resolvedAt).toISOString() }),
      message: state.message,
      details: state.details,
      service: 'switchyard',
    };
    const fields = { alert: { ...payload, text: undefined } };
    if (resolvedAt === undefined) options.log.error(fields, payload.text);
    else options.log.info(fields, payload.text);
    options.sender?.send(payload);
  }

  return {
    sender: options.sender,
    raise(key: string, input: AlertInput): void {
      if (firing.has(key)) return;
      const at = now();
      const state: Firing = {
        since: at,
        severity: input.severity ?? 'critical',
        source: input.source ?? null,
        message: input.message,
        details: input.details ?? {},
        announced: false,
      };
      firing.set(key, state);
      const last = lastAnnounced.get(key);
      if (last !== undefined && at - last < options.cooldownMs) return;
      state.announced = true;
      lastAnnounced.set(key, at);
      emit(key, state);
    },
    resolve(key: string, message?: string): void {
      const state = firing.get(key);
      if (state === undefined) return;
      firing.delete(key);
      if (!state.announced) return;
      emit(key, { ...state, message: message ?? state.message }, now());
    },
  };
}
