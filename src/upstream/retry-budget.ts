/** Options of {@link createRetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, in percent. Default 20 (`RETRY_BUDGET_PERCENT`). */
  percent?: number;
  /** Retries a quiet source may spend beyond its share: the bucket's size and initial fill. Default 10. */
  reserve?: number;
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
const DEFAULT_RESERVE = 10;

/**
 * Creates a retry budget: every call deposits `percent`/100 of a token, every
 * retry takes a whole one, and the bucket holds at most `reserve` tokens (and
 * starts full). Over any stretch of N calls, retries stay below
 * `reserve + N * percent / 100`, so an outage cannot multiply the load on a
 * source by the retry count.
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const share = (options.percent ?? DEFAULT_PERCENT) / 100;
  const reserve = options.reserve ?? DEFAULT_RESERVE;
  let tokens = reserve;
  return {
    recordCall() {
      tokens = Math.min(reserve, tokens + share);
    },
    tryRetry() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    get available() {
      return tokens;
    },
  };
}
