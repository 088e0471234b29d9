import { request } from 'undici';
import type { Logger } from 'pino';
import { fullJitterDelay } from '../upstream/backoff.ts';
import { redactUrl } from '../redact.ts';
import type { AlertPayload } from './alert.ts';

/** Options of {@link createAlertSender}. */
export interface AlertSenderOptions {
  /** Where alerts are POSTed. */
  url: string;
  log: Logger;
  /** Timeout of one delivery attempt, in ms. */
  timeoutMs: number;
  /** Attempts per alert (the first included). Default 5. */
  attempts?: number;
  /** Base of the full-jitter backoff between attempts, in ms. Default 500. */
  backoffBaseMs?: number;
  /** Longest wait between attempts, in ms. Default 30000. */
  backoffCapMs?: number;
  /** Alerts waiting for delivery beyond which new ones are dropped (and logged). Default 100. */
  maxQueue?: number;
  random?: () => number;
}

/** Delivers alerts in the background, one at a time, never blocking the caller. */
export interface AlertSender {
  /** Queues the alert; returns at once. */
  send(payload: AlertPayload): void;
  /** Resolves when the queue is empty (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops: pending retries are abandoned. */
  close(): void;
}

/**
 * POSTs alerts as JSON with undici, retrying failures (a non-2xx answer, a
 * refused or hung connection) with full-jitter exponential backoff. The URL's
 * credentials never reach a log line.
 */
export function createAlertSender(options: AlertSenderOptions): AlertSender {
  const attempts = options.attempts ?? 5;
  const baseMs = options.backoffBaseMs ?? 500;
  const capMs = options.backoffCapMs ?? 30_000;
  const maxQueue = options.maxQueue ?? 100;
  const random = options.random ?? Math.random;
  const shownUrl = redactUrl(options.url);
  const queue: AlertPayload[] = [];
  const stop = new AbortController();
  let running: Promise<void> | null = null;

  async function deliver(payload: AlertPayload): Promise<void> {
    const body = JSON.stringify(payload);
    for (let attempt = 0; attempt < attempts && !stop.signal.aborted; attempt++) {
      let problem: string;
      try {
        const response = await request(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) return;
        problem = `answered ${response.statusCode}`;
      } catch (error) {
        problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      options.log.warn(
        { alert: payload.key, attempt: attempt + 1, url: shownUrl, problem },
        'alert delivery failed',
      );
      if (attempt + 1 < attempts) await sleep(fullJitterDelay(attempt, baseMs, capMs, random), stop.signal);
    }
    if (!stop.signal.aborted)
      options.log.error(
        { alert: payload.key, url: shownUrl },
        `alert not delivered after ${attempts} attempts`,
      );
  }

  async function drain(): Promise<void> {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await deliver(next);
    running = null;
  }

  return {
    send(payload) {
      if (stop.signal.aborted) return;
      if (queue.length >= maxQueue) {
        options.log.error({ alert: payload.key }, 'alert queue full; alert dropped');
        return;
      }
      queue.push(payload);
      running ??= drain();
    },
    async idle() {
      while (running !== null) await running;
    },
    close() {
      queue.length = 0;
      stop.abort();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
