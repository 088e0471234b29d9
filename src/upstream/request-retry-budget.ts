/** Retries one GraphQL request may still spend, across all its upstream calls. */
export interface RequestRetryBudget {
  /** Spends one retry; false when the request has spent all of them and the failed attempt must be final. */
  tryRetry(): boolean;
  /** Retries left. */
  readonly left: number;
}

/**
 * Creates the retry allowance of one GraphQL request (`RETRY_BUDGET_PER_REQUEST`):
 * at most `retries` retries across every upstream call it makes, whatever the
 * source, so one query fanning out to a failing source cannot multiply the load.
 * 0 means its calls are never retried.
 */
export function createRequestRetryBudget(retries: number): RequestRetryBudget {
  let left = retries;
  return {
    tryRetry() {
      if (left <= 0) return false;
      left -= 1;
      return true;
    },
    get left() {
      return left;
    },
  };
}
