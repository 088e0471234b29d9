import type { CircuitBreaker } from './circuit-breaker.ts';

/** Deadline and cancellation that flow from a GraphQL request down to every upstream call it makes. */
export interface CallOptions {
  /** Epoch milliseconds after which the call, its retries included, gives up with UPSTREAM_TIMEOUT. */
  deadline?: number | undefined;
  /** Aborts the call (the client went away). */
  signal?: AbortSignal | undefined;
}

/** One HTTP call to an upstream API. */
export interface UpstreamRequest extends CallOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the upstream's base URL, starting with `/`. */
  path: string;
  /** Query parameters; arrays repeat the key (`expand[]=a&expand[]=b`); undefined values are left out. */
  query?: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
  headers?: Readonly<Record<string, string>>;
  /** The encoded request body. */
  body?: string | undefined;
  /**
   * Makes a non-idempotent call (POST, PATCH) retryable: sent as the provider's
   * idempotency header (see {@link UpstreamOptions.idempotencyHeader}).
   */
  idempotencyKey?: string | undefined;
  /**
   * `true` marks a non-idempotent method as safe to retry because the call only reads
   * (a batch read or a GraphQL query sent with POST) or sets values (a PATCH);
   * `false` marks a PUT or DELETE that is not idempotent (it appends) as never
   * to be retried. Default: by the method.
   */
  idempotent?: boolean | undefined;
  /** Operation name for logs and metrics (`customers.retrieve`). */
  operation: string;
}

/** The final response after retries: any status, the connector maps errors. */
export interface UpstreamResponse {
  status: number;
  /** Response headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** The body as text. */
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
  /** How many attempts the call took (1 = no retry). */
  attempts: number;
}

/** The retry decision for one response. */
export interface RetryHint {
  retry: boolean;
  /** Wait at least this long before the next attempt (from Retry-After or a provider hint). */
  afterMs?: number | undefined;
}

/** Options of `createUpstream`, with their defaults. */
export interface UpstreamOptions {
  /** Connector name, reported as `extensions.source` and in metrics. */
  source: string;
  /** Base URL; paths are appended to it. */
  baseUrl: string;
  /** Headers sent on every call (auth, API version). */
  headers?: Readonly<Record<string, string>>;
  /** Per-attempt timeout in ms. Default 10_000. */
  attemptTimeoutMs?: number;
  /** Deadline for a call with none of its own, in ms from its start. Default 30_000. */
  defaultBudgetMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Backoff base in ms: attempt n waits random(0, min(cap, base * 2^n)). Default 100. */
  backoffBaseMs?: number;
  /** Backoff cap in ms. Default 5_000. */
  backoffCapMs?: number;
  /** Statuses worth retrying. Default 429, 500, 502, 503, 504. */
  retryStatuses?: readonly number[];
  /**
   * Provider-specific override of the retry decision for a response (Stripe's
   * `Stripe-Should-Retry`, HubSpot's `policyName`). Return undefined to use the defaults.
   */
  retryHint?: (response: UpstreamResponse) => RetryHint | undefined;
  /** Header that carries {@link UpstreamRequest.idempotencyKey}. Default `Idempotency-Key`. */
  idempotencyHeader?: string;
  /** Keep-alive connections per origin. Default 16. */
  connections?: number;
  /** Source of randomness for the backoff jitter, in [0, 1). Default `Math.random`; tests inject their own. */
  random?: () => number;
  /**
   * Waits between attempts. Default a timer that ends early when `signal`
   * aborts; an injected one may ignore `signal`, the call still stops at once.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Observes every attempt as it ends, for metrics and logs. Must not throw; what it throws is ignored. */
  onAttempt?: (info: UpstreamAttempt) => void;
  /**
   * Consecutive unhealthy calls (connection error, timeout, status >= 500 once
   * retries are over; never a 4xx) that open the source's circuit breaker. Default 5.
   */
  breakerFailureThreshold?: number | undefined;
  /** How long the breaker stays open before one probe call is let through, in ms. Default 10_000. */
  breakerOpenMs?: number | undefined;
  /**
   * Retries may add at most this percentage of the source's calls, plus a
   * reserve of 20 refilled at one a second for a quiet source (see `createRetryBudget`). Default 20.
   */
  retryBudgetPercent?: number | undefined;
  /**
   * Let identical GETs in flight (same path, query and headers, credentials
   * included) share one call. Default true.
   */
  coalesce?: boolean | undefined;
  /**
   * Wraps each call (its retries included) in a trace span and adds the trace
   * context headers to what is sent; coalescing ignores those headers, and a
   * coalesced call carries its first caller's context. Default: none (no tracing).
   */
  tracer?: UpstreamTracer | undefined;
}

/** What a tracer knows of a call: never its headers or body. */
export interface UpstreamCallInfo {
  source: string;
  baseUrl: string;
  method: UpstreamRequest['method'];
  /** The path sent, base path and query string included. */
  path: string;
  operation: string;
}

/** Traces upstream calls (see `createUpstreamTracer` in src/tracing). */
export interface UpstreamTracer {
  /** Runs one call in a span; `run` is given `headers` plus the trace context to send. */
  call(
    info: UpstreamCallInfo,
    headers: Readonly<Record<string, string>>,
    run: (headers: Record<string, string>) => Promise<UpstreamResponse>,
  ): Promise<UpstreamResponse>;
  /** Another caller joined `shared`, a coalesced call (a promise `call` returned). */
  joined(shared: Promise<UpstreamResponse>): void;
}

/** One finished attempt, as {@link UpstreamOptions.onAttempt} sees it. */
export interface UpstreamAttempt {
  source: string;
  operation: string;
  method: UpstreamRequest['method'];
  /** 1 for the first attempt. */
  attempt: number;
  /** The response status, when the attempt got a response. */
  status?: number | undefined;
  /**
   * Why the attempt got no response: a `GatewayError` (UPSTREAM_TIMEOUT or
   * UPSTREAM_UNAVAILABLE, its cause in `originalError`), or the abort reason
   * when the caller aborted.
   */
  error?: unknown;
  durationMs: number;
  /** The wait before the next attempt, or undefined when this attempt was the last. */
  retryInMs?: number | undefined;
}

/** The HTTP layer every connector shares. */
export interface Upstream {
  readonly source: string;
  readonly baseUrl: string;
  /**
   * Sends the request, retrying idempotent calls on connection errors and
   * retryable statuses with full-jitter backoff, never past the deadline.
   * Resolves with the final response whatever its status; rejects with a
   * `GatewayError` (UPSTREAM_TIMEOUT or UPSTREAM_UNAVAILABLE) when no
   * response could be had.
   */
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * The source's circuit breaker: `breaker.state` (`closed`, `open`,
   * `half-open`), `breaker.retryAt`, and `breaker.onStateChange(listener)`
   * for metrics, readiness and alerts.
   */
  readonly breaker: Pick<CircuitBreaker, 'source' | 'state' | 'retryAt' | 'onStateChange'>;
  close(): Promise<void>;
}
