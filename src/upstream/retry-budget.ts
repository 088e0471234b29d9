/** Options of {@link createRetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, in percent. Default 20 (`RETRY_BUDGET_PERCENT`). */
  percent?: number;
  /** Most retries the bucket holds, and its initial fill. Default 20. */
  reserve?: number;
  /** Retries the bucket regains per second whatever the traffic, so a quiet source still retries. Default 1. */
  refillPerSecond?: number;
  /** Clock in epoch ms. Default `Date.now`; tests inject their own. */
  now?: () => number;
}

/** A per-source token bucket that caps retries at a share of the calls. */
export interface RetryBudget {
  /** Counts a call (its first attempt): deposits `percent / 100` of a retry. */
  recordCall(): void;
  /** Spends one retry; false when the budget is spent and the failed attempt must be final. */
  tryRetry(): boolean;
  /** Retries currently available (for tests and metrics). */
  readonly available: number;
}

const DEFAULT_PERCENT = 20;
const DEFAULT_RESERVE = 20;
const DEFAULT_REFILL_PER_SECOND = 1;

/**
 * Creates a retry budget: a bucket of at most `reserve` tokens (full at
 * first); every call deposits `percent`/100 of a token, every second adds
 * `refillPerSecond`, every retry takes a whole one. Over any stretch of N calls
 * lasting S seconds, retries stay below `reserve + N * percent / 100 + S *
 * refillPerSecond`, so an outage cannot multiply the load on a source by the
 * retry count.
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const share = (options.percent ?? DEFAULT_PERCENT) / 100;
  const reserve = options.reserve ?? DEFAULT_RESERVE;
  const refillPerMs = (options.refillPerSecond ?? DEFAULT_REFILL_PER_SECOND) / 1000;
  const now = options.now ?? Date.now;
  let tokens = reserve;
  let updatedAt = now();

  function add(amount: number): void {
    const at = now();
    tokens = Math.min(reserve, tokens + amount + (at - updatedAt) * refillPerMs);
    updatedAt = at;
  }

  return {
    recordCall() {
      add(share);
    },
    tryRetry() {
      add(0);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    get available() {
      add(0);
      return tokens;
    },
  };
}
