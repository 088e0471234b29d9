import type { RateLimit } from './rate-limit.ts';

/**
 * Where the starts of one source's calls are counted: in this process, or in
 * Redis so that every instance shares them (see `createRedisRateWindow`).
 */
export interface RateWindow {
  /**
   * Records one call starting now if fewer than `rate.limit` started in the
   * last `rate.windowMs` and the source is not paused.
   * @returns 0 when the call may start, else the ms to wait before asking again.
   */
  tryStart(rate: RateLimit): Promise<number>;
  /** No call may start before `until` (epoch ms): the source said none is left. */
  pause(until: number): Promise<void>;
  /** Starts counted in the last `windowMs` (for `/readyz` and the remaining gauge). */
  used(windowMs: number): number;
}

/** A sliding-window log of call starts in this process's memory. */
export function createLocalRateWindow(now: () => number = Date.now): RateWindow {
  let starts: number[] = [];
  let pausedUntil = 0;

  function prune(at: number, windowMs: number): void {
    const from = at - windowMs;
    let drop = 0;
    while (drop < starts.length && (starts[drop] ?? 0) <= from) drop += 1;
    if (drop > 0) starts = starts.slice(drop);
  }

  return {
    tryStart(rate) {
      return Promise.resolve(startNow(rate));
    },
    pause(until) {
      pausedUntil = Math.max(pausedUntil, until);
      return Promise.resolve();
    },
    used(windowMs) {
      prune(now(), windowMs);
      return starts.length;
    },
  };

  function startNow(rate: RateLimit): number {
    const at = now();
    if (pausedUntil > at) return pausedUntil - at;
    prune(at, rate.windowMs);
    if (starts.length < rate.limit) {
      starts.push(at);
      return 0;
    }
    // The oldest start that must leave the window before one more fits.
    const oldest = starts[starts.length - rate.limit] ?? at;
    return Math.max(1, oldest + rate.windowMs - at + 1);
  }
}
