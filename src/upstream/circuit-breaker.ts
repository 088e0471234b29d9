import { ErrorCode, GatewayError } from '../errors.ts';

/** `closed`: calls go through. `open`: calls fail at once. `half-open`: one probe call goes through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One transition of a source's breaker, as {@link CircuitBreaker.onStateChange} listeners see it. */
export interface BreakerStateChange {
  source: string;
  from: BreakerState;
  to: BreakerState;
  /** Epoch ms of the transition. */
  at: number;
  /** Consecutive unhealthy outcomes counted when the transition happened (0 after a close). */
  consecutiveFailures: number;
  /** When `to` is `open`: epoch ms at which a probe will be let through. */
  retryAt?: number | undefined;
  /** When `to` is `open`: the failure that opened it (internal message: may name hosts; do not show to clients). */
  reason?: string | undefined;
}

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  source: string;
  /** Consecutive unhealthy calls that open the breaker. Default 5 (`BREAKER_FAILURE_THRESHOLD`). */
  failureThreshold?: number;
  /** How long it stays open before a half-open probe, in ms. Default 10_000 (`BREAKER_OPEN_MS`). */
  openMs?: number;
}

/** What a call admitted by {@link CircuitBreaker.admit} must report exactly once. */
export interface BreakerPermit {
  /** The upstream answered (any status below 500, 4xx included: they are answers). */
  success(): void;
  /** The upstream looked unhealthy: connection error, timeout, or 5xx after retries. */
  failure(reason: string): void;
  /** No verdict (the caller went away): a half-open probe slot is freed for the next call. */
  release(): void;
}

/** A circuit breaker for one source, read by `/readyz` and metrics through `state` and `onStateChange`. */
export interface CircuitBreaker {
  readonly source: string;
  readonly state: BreakerState;
  /** Epoch ms at which an open breaker lets a probe through; undefined unless open. */
  readonly retryAt: number | undefined;
  /**
   * Subscribes to state transitions; returns the unsubscribe function. Listeners
   * run synchronously in the transition; what they throw is ignored.
   */
  onStateChange(listener: (change: BreakerStateChange) => void): () => void;
  /**
   * Admits a call or throws `UPSTREAM_UNAVAILABLE` (with `extensions.source`
   * and `retryAt`) when the breaker is open, or half-open with its probe in flight.
   */
  admit(): BreakerPermit;
  /** Stops the cool-down timer (the upstream is closing). */
  close(): void;
}

const DEFAULT_FAILURE_THRESHOLD = 5;
const DEFAULT_OPEN_MS = 10_000;

/**
 * Creates a breaker: `failureThreshold` consecutive failures open it; after
 * `openMs` it turns half-open and admits one probe; the probe's success closes
 * it, its failure re-opens it for another `openMs`. Any success in the closed
 * state resets the count.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { source } = options;
  const threshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const openMs = options.openMs ?? DEFAULT_OPEN_MS;
  const listeners = new Set<(change: BreakerStateChange) => void>();
  let state: BreakerState = 'closed';
  let failures = 0;
  let retryAt: number | undefined;
  let probing = false;
  let timer: NodeJS.Timeout | undefined;

  function transition(to: BreakerState, at: number, reason?: string): void {
    const from = state;
    if (from === to) return;
    state = to;
    const change: BreakerStateChange = { source, from, to, at, consecutiveFailures: failures };
    if (to === 'open') Object.assign(change, { retryAt, reason });
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch {
        // A subscriber failing must not change what the breaker does.
      }
    }
  }

  function open(reason: string): void {
    clearTimeout(timer);
    const now = Date.now();
    retryAt = now + openMs;
    probing = false;
    transition('open', now, reason);
    timer = setTimeout(() => {
      retryAt = undefined;
      transition('half-open', Date.now());
    }, openMs);
    // The cool-down alone must not keep the process alive.
    timer.unref();
  }

  function refusal(): GatewayError {
    const when = retryAt ?? Date.now();
    const at = new Date(when).toISOString();
    const inMs = Math.max(0, when - Date.now());
    const message =
      state === 'open'
        ? `${source} is failing (${threshold} consecutive failed calls), so the gateway is not calling it; it will try again at ${at} (in ${inMs} ms).`
        : `${source} is failing and a test call to it is in progress; try again in a moment.`;
    return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, message, {
      source,
      details: { breaker: state, ...(state === 'open' ? { retryAt: at } : {}) },
    });
  }

  return {
    source,
    get state() {
      return state;
    },
    get retryAt() {
      return retryAt;
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    admit() {
      if (state === 'open' || (state === 'half-open' && probing)) throw refusal();
      const probe = state === 'half-open';
      if (probe) probing = true;
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        if (probe) probing = false;
        return true;
      };
      return {
        success() {
          if (!settle()) return;
          failures = 0;
          if (state === 'half-open') transition('closed', Date.now());
        },
        failure(reason) {
          if (!settle()) return;
          failures += 1;
          if (state === 'half-open' || (state === 'closed' && failures >= threshold)) open(reason);
        },
        release() {
          settle();
        },
      };
    },
    close() {
      clearTimeout(timer);
    },
  };
}
