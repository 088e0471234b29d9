import { ErrorCode, GatewayError } from '../errors.ts';
import { formatRateLimit, lowerRate } from './rate-limit.ts';
import { parseRetryAfter } from './retry-after.ts';
import type { RateLimit, RateLimitReading } from './rate-limit.ts';
import { createLocalRateWindow } from './rate-window.ts';
import type { RateWindow } from './rate-window.ts';
import type { UpstreamResponse } from './types.ts';

/** Options of {@link createRateBudget}. */
export interface RateBudgetOptions {
  source: string;
  /** The limit in force: the user's `<SOURCE>_RATE_LIMIT`, else the connector's published one. */
  rate: RateLimit;
  /** Reads the live limit from a response (the connector's `readRateLimit`). Default: none. */
  read?: ((response: UpstreamResponse) => RateLimitReading | undefined) | undefined;
  /** Where starts are counted. Default: this process's memory. */
  window?: RateWindow | undefined;
  /** Observes how long each admitted call queued, in ms (metrics). Must not throw. */
  onQueued?: ((source: string, waitedMs: number) => void) | undefined;
  /** Observes each call refused because it could not start before its deadline. Must not throw. */
  onRefused?: ((source: string) => void) | undefined;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** What `/readyz` shows of a source's budget. */
export interface RateBudgetStatus {
  /** The rate in force (`25/s`), live headers included. */
  limit: string;
  /** Calls this instance started in the current window (with Redis, the others count too but are not shown). */
  used: number;
  /** Calls waiting for a slot. */
  queued: number;
  /** When the source said none is left: the ISO time calls resume. */
  pausedUntil?: string | undefined;
}

/** The calls one source may start, shared by all its callers in FIFO order. */
export interface RateBudget {
  readonly source: string;
  /**
   * Waits for a slot, in arrival order, until `deadline` (epoch ms). Rejects at
   * once with UPSTREAM_RATE_LIMITED when the call cannot start before it, and
   * with the abort reason when `signal` aborts (the caller leaves the queue).
   */
  take(deadline: number, signal?: AbortSignal): Promise<void>;
  /** Feeds a response back: its live headers may pause the source or lower the rate. */
  observe(response: UpstreamResponse): void;
  status(): RateBudgetStatus;
  /** Rejects every queued call (the upstream is closing). */
  close(): void;
}

/** The window is counted this share longer than the upstream's, and at least {@link MIN_PADDING_MS} longer. */
const PADDING_SHARE = 0.1;
const MIN_PADDING_MS = 100;

interface Waiter {
  deadline: number;
  enqueuedAt: number;
  resolve(): void;
  reject(error: Error): void;
  leave(): void;
}

/**
 * Creates a source's rate budget: a sliding window of at most `rate.limit`
 * call starts per `rate.windowMs` (counted 10 % longer, at least 100 ms, so
 * that network jitter cannot make calls arrive closer together than that). Callers queue first in, first out; the
 * head asks the window for a slot and, when there is none, everyone waits
 * for the time it names. A caller whose estimated start (the head's wait plus
 * one slot interval per caller ahead of it) is not before its deadline is
 * refused at once rather than left to wait in vain. A response whose live
 * headers say no call is left pauses the source until their reset; a live
 * limit lower than `rate` lowers it (never raises it). A 429 pauses no
 * one but its own call, whose retry honours its `Retry-After`: the pause
 * comes from the answer that took the last slot, before anyone is refused.
 */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { source } = options;
  const now = options.now ?? Date.now;
  const window = options.window ?? createLocalRateWindow(now);
  const queue: Waiter[] = [];
  let live: RateLimit | undefined;
  let nextFreeAt = 0;
  let pausedUntil = 0;
  let pumping = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const rate = (): RateLimit => lowerRate(options.rate, live);
  // Calls reach the upstream a little later than they start here, and not all equally late; a
  // window a little longer than the upstream's keeps that jitter from pushing a call over its limit.
  const padded = (): RateLimit => {
    const { limit, windowMs } = rate();
    return { limit, windowMs: windowMs + Math.max(MIN_PADDING_MS, windowMs * PADDING_SHARE) };
  };
  const slotMs = (): number => padded().windowMs / padded().limit;

  function refusal(deadline: number, startAt: number): GatewayError {
    const at = new Date(startAt);
    const budgetMs = Math.max(0, Math.round(deadline - now()));
    return new GatewayError(
      ErrorCode.UPSTREAM_RATE_LIMITED,
      `The gateway is holding calls to ${source} under its rate limit (${formatRateLimit(rate())}) and this call could not start within the ${budgetMs} ms left to the request; retry after ${at.toISOString()}.`,
      { source, details: { retryAt: at.toISOString() } },
    );
  }

  /** Refuses every waiter that cannot start before its deadline, given the head starts at `headAt`. */
  function refuseHopeless(headAt: number): void {
    const slot = slotMs();
    for (let i = 0; i < queue.length; i += 1) {
      const waiter = queue[i];
      if (waiter === undefined) continue;
      const startAt = headAt + i * slot;
      if (startAt >= waiter.deadline) {
        queue.splice(i, 1);
        i -= 1;
        waiter.leave();
        safely(() => options.onRefused?.(source));
        waiter.reject(refusal(waiter.deadline, startAt));
      }
    }
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        const waitMs = await window.tryStart(padded());
        if (waitMs === 0) {
          nextFreeAt = now();
          const head = queue.shift();
          if (head === undefined) continue;
          head.leave();
          safely(() => options.onQueued?.(source, now() - head.enqueuedAt));
          head.resolve();
          continue;
        }
        nextFreeAt = now() + waitMs;
        refuseHopeless(nextFreeAt);
        if (queue.length === 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, waitMs);
        });
        wake = undefined;
      }
    } finally {
      pumping = false;
    }
  }

  return {
    source,
    take(deadline, signal) {
      signal?.throwIfAborted();
      const at = now();
      // The head's known wait, and one slot per caller already queued.
      const estimate = Math.max(at, nextFreeAt, pausedUntil) + queue.length * slotMs();
      if (estimate > at && estimate >= deadline) {
        safely(() => options.onRefused?.(source));
        return Promise.reject(refusal(deadline, estimate));
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          waiter.leave();
          reject(signal?.reason as Error);
        };
        const waiter: Waiter = {
          deadline,
          enqueuedAt: at,
          resolve,
          reject,
          leave: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        void pump().catch((error: unknown) => {
          // The window failed (it should fall back by itself): let the queue through rather than hang it.
          for (const w of queue.splice(0)) {
            w.leave();
            w.reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
    },
    observe(response) {
      let reading: RateLimitReading | undefined;
      try {
        reading = options.read?.(response);
      } catch {
        reading = undefined;
      }
      if (reading === undefined) return;
      if (reading.limit !== undefined && reading.limit.limit > 0 && reading.limit.windowMs > 0) {
        live = lowerRate(options.rate, reading.limit) === options.rate ? undefined : reading.limit;
      }
      // A 429 is its own call's business: its retry honours the provider's Retry-After or hint.
      if (reading.remaining !== undefined && reading.remaining <= 0 && response.status !== 429) {
        const resetMs =
          reading.resetMs ?? parseRetryAfter(response.headers['retry-after'], now()) ?? rate().windowMs;
        const until = now() + Math.max(0, resetMs);
        pausedUntil = Math.max(pausedUntil, until);
        void window.pause(until).catch(() => undefined);
      }
    },
    status() {
      const at = now();
      return {
        limit: formatRateLimit(rate()),
        used: window.used(padded().windowMs),
        queued: queue.length,
        ...(pausedUntil > at ? { pausedUntil: new Date(pausedUntil).toISOString() } : {}),
      };
    },
    close() {
      clearTimeout(timer);
      wake?.();
      for (const waiter of queue.splice(0)) {
        waiter.leave();
        waiter.reject(
          new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${source} is shutting down`, { source }),
        );
      }
    },
  };
}

function safely(observe: () => void): void {
  try {
    observe();
  } catch {
    // An observer failing must not fail the call it observes.
  }
}
