import { Pool } from 'undici';
import { ErrorCode, GatewayError } from '../errors.ts';
import { fullJitterDelay } from './backoff.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import { createRetryBudget } from './retry-budget.ts';
import { parseRetryAfter } from './retry-after.ts';
import type {
  RetryHint,
  Upstream,
  UpstreamAttempt,
  UpstreamOptions,
  UpstreamRequest,
  UpstreamResponse,
} from './types.ts';

const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const DEFAULT_BUDGET_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_BACKOFF_BASE_MS = 100;
const DEFAULT_BACKOFF_CAP_MS = 5_000;
const DEFAULT_RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504];
const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';
const DEFAULT_CONNECTIONS = 16;

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

// Failures where the request most likely never reached the application, or the
// connection broke in a way a fresh one may not.
const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

// Errors that describe a malformed request, i.e. a bug in the gateway, not an
// unreachable upstream: they surface unchanged instead of as UPSTREAM_UNAVAILABLE.
const PROGRAMMER_ERROR_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
]);

/** The deadline of a call in progress; a coalesced call's grows as later callers join it. */
interface Clock {
  deadline: number;
}

/** One GET in flight that identical GETs join instead of calling again. */
interface SharedCall {
  promise: Promise<UpstreamResponse>;
  controller: AbortController;
  clock: Clock;
  waiters: number;
  joined: number;
}

type AttemptOutcome =
  | { response: UpstreamResponse; error?: undefined }
  | { response?: undefined; error: GatewayError; transient: boolean };

/**
 * Creates the HTTP layer for one upstream API: a keep-alive undici `Pool` for
 * the origin of `options.baseUrl`, with deadlines, cancellation and retries.
 *
 * Behaviour, with the defaults of {@link UpstreamOptions}:
 * - The URL is `baseUrl` (its path prefix kept) + `request.path` + the query,
 *   each key and value percent-encoded, array values repeating the key as given,
 *   undefined values left out.
 * - Headers are `options.headers` overlaid by `request.headers` (names compared
 *   case-insensitively), plus `request.idempotencyKey` in `idempotencyHeader`.
 * - Every call has a deadline: `request.deadline`, else now + `defaultBudgetMs`
 *   (30 s). Each attempt is limited to `attemptTimeoutMs` (10 s) and never runs
 *   past the deadline.
 * - Only GET, HEAD, PUT, DELETE, OPTIONS (unless marked `idempotent: false`),
 *   calls marked `idempotent` and calls carrying an `idempotencyKey` are retried, at most `maxRetries` (3) times: after a
 *   connection error (ECONNRESET, ECONNREFUSED, a closed socket...), an attempt
 *   timeout, or a response whose status is in `retryStatuses` (429, 500, 502,
 *   503, 504). For responses with status >= 400, `retryHint` can overrule the
 *   status decision; a 1xx–3xx response is always final.
 * - Retry n (0-based) waits max(`fullJitterDelay(n, backoffBaseMs, backoffCapMs)`,
 *   the hint's `afterMs` or else the response's `Retry-After`). Retrying stops
 *   when the retries run out, the outcome is not retryable, or the wait would
 *   reach the deadline; the call then resolves with the last response any
 *   attempt got (its `attempts` counting every attempt), or else rejects.
 * - Rejections: `GatewayError` UPSTREAM_TIMEOUT (`<source> did not answer
 *   <METHOD> <path> within <n> ms`, n being the call's budget when the deadline
 *   ended it, else the attempt timeout) or UPSTREAM_UNAVAILABLE (`<source> could
 *   not be reached: <cause>`), both with `extensions.source`; their
 *   `publicMessage` leaves out the path and the cause (hosts, ports). When
 *   `request.signal` aborts, the call rejects at once with its reason and is not
 *   retried. undici's invalid-argument errors (a malformed request, i.e. a bug)
 *   are rethrown unchanged.
 * - Circuit breaker (`breaker`, see `createCircuitBreaker`): a call that ends
 *   in UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE or a status >= 500 is a failure,
 *   any other response a success (4xx are answers), an abort neither.
 *   `breakerFailureThreshold` (5) consecutive failures open it: calls then
 *   reject at once with UPSTREAM_UNAVAILABLE (`<source> is failing (<n>
 *   consecutive failed calls), so the gateway is not calling it; it will try
 *   again at <ISO time> (in <n> ms).`, `extensions.breaker` and `retryAt`),
 *   and calls in progress stop retrying. After `breakerOpenMs` (10 s) one probe
 *   goes through (others meanwhile: `<source> is failing and a test call to it
 *   is in progress; try again in a moment.`); its success closes the breaker.
 * - Retry budget (`createRetryBudget`): retries may add `retryBudgetPercent`
 *   (20) % of the calls, plus a reserve of 20 that refills at one a second;
 *   when it is spent, a failed
 *   attempt is final.
 * - Coalescing (`coalesce`, default on): a GET without body identical to one in
 *   flight (path, query and every header, credentials included) waits for that
 *   call instead of making its own; each caller keeps its own deadline and
 *   signal, and the shared call is aborted only when every caller has gone.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const { source } = options;
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const defaultBudgetMs = options.defaultBudgetMs ?? DEFAULT_BUDGET_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const backoffCapMs = options.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS;
  const retryStatuses: ReadonlySet<number> = new Set(options.retryStatuses ?? DEFAULT_RETRY_STATUSES);
  const idempotencyHeader = (options.idempotencyHeader ?? DEFAULT_IDEMPOTENCY_HEADER).toLowerCase();
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const baseHeaders = lowerCaseKeys(options.headers ?? {});
  const pool = new Pool(base.origin, { connections: options.connections ?? DEFAULT_CONNECTIONS });
  const breaker = createCircuitBreaker({
    source,
    failureThreshold: options.breakerFailureThreshold,
    openMs: options.breakerOpenMs,
  });
  const retryBudget = createRetryBudget({ percent: options.retryBudgetPercent });
  const coalesce = options.coalesce ?? true;
  const inflight = new Map<string, SharedCall>();

  function report(info: UpstreamAttempt): void {
    try {
      options.onAttempt?.(info);
    } catch {
      // An observer failing must not fail the call it observes.
    }
  }

  function timeoutError(request: UpstreamRequest, withinMs: number, cause?: unknown): GatewayError {
    const within = `within ${Math.max(0, Math.round(withinMs))} ms`;
    return new GatewayError(
      ErrorCode.UPSTREAM_TIMEOUT,
      `${source} did not answer ${request.method} ${request.path} ${within}`,
      { source, cause, publicMessage: `${source} did not answer ${within}` },
    );
  }

  function decide(response: UpstreamResponse): RetryHint {
    const hint = response.status >= 400 ? options.retryHint?.(response) : undefined;
    return {
      retry: hint ? hint.retry : retryStatuses.has(response.status),
      afterMs: hint?.afterMs ?? parseRetryAfter(response.headers['retry-after'], Date.now()),
    };
  }

  async function attemptOnce(
    request: UpstreamRequest,
    path: string,
    headers: Record<string, string>,
    timeoutMs: number,
    attempt: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    const controller = new AbortController();
    const timeout = { fired: false };
    const timer = setTimeout(() => {
      timeout.fired = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = (): void => {
      controller.abort(callerSignal?.reason);
    };
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const res = await pool.request({
        path,
        method: request.method,
        headers,
        body: request.body ?? null,
        signal: controller.signal,
      });
      // The body is read under the same timer: a response that stalls mid-body is a timeout too.
      const text = await res.body.text();
      return {
        response: {
          status: res.statusCode,
          headers: flattenHeaders(res.headers),
          text,
          json: parseJson(text),
          attempts: attempt,
        },
      };
    } catch (error) {
      callerSignal?.throwIfAborted();
      if (timeout.fired) {
        return { error: timeoutError(request, timeoutMs, error), transient: true };
      }
      if (PROGRAMMER_ERROR_CODES.has(errorCode(error) ?? '')) throw error;
      const unavailable = new GatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `${source} could not be reached: ${describeCause(error)}`,
        { source, cause: error, publicMessage: `${source} could not be reached` },
      );
      return { error: unavailable, transient: isTransient(error) };
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  function send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const start = Date.now();
    const clock = { deadline: request.deadline ?? start + defaultBudgetMs };
    const path = buildPath(basePath, request);
    const headers = { ...baseHeaders, ...lowerCaseKeys(request.headers ?? {}) };
    if (request.idempotencyKey !== undefined) headers[idempotencyHeader] = request.idempotencyKey;
    if (coalesce && request.method === 'GET' && request.body === undefined) {
      return joinShared(request, path, headers, clock.deadline, start);
    }
    return traced(request, path, headers, (sent) =>
      guarded(request, path, sent, clock, request.signal, start),
    );
  }

  /** Runs a call in its trace span, when tracing is on; the trace headers are added after the coalescing key. */
  function traced(
    request: UpstreamRequest,
    path: string,
    headers: Record<string, string>,
    run: (headers: Record<string, string>) => Promise<UpstreamResponse>,
  ): Promise<UpstreamResponse> {
    if (options.tracer === undefined) return run(headers);
    const info = {
      source,
      baseUrl: options.baseUrl,
      method: request.method,
      path,
      operation: request.operation,
    };
    return options.tracer.call(info, headers, run);
  }

  /**
   * Joins the identical GET in flight, or starts it. The shared call has no
   * caller's signal: it is aborted only when every waiter has left, and runs
   * until the latest waiter's deadline; each waiter still leaves at its own.
   */
  function joinShared(
    request: UpstreamRequest,
    path: string,
    headers: Record<string, string>,
    deadline: number,
    start: number,
  ): Promise<UpstreamResponse> {
    request.signal?.throwIfAborted();
    const key = `${request.method} ${path}\n${JSON.stringify(Object.entries(headers).sort())}`;
    let shared = inflight.get(key);
    if (shared) {
      shared.clock.deadline = Math.max(shared.clock.deadline, deadline);
      options.tracer?.joined(shared.promise);
    } else {
      const controller = new AbortController();
      const clock = { deadline };
      const promise = traced(request, path, headers, (sent) =>
        guarded({ ...request, signal: undefined }, path, sent, clock, controller.signal, start),
      );
      const created: SharedCall = { promise, controller, clock, waiters: 0, joined: 0 };
      const forget = (): void => {
        if (inflight.get(key) === created) inflight.delete(key);
      };
      promise.then(forget, forget);
      inflight.set(key, created);
      shared = created;
    }
    const call = shared;
    call.waiters += 1;
    call.joined += 1;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let left = false;
      // Settles this waiter once; `abandon` when it leaves before the shared call ends.
      const finish = (abandon: boolean): boolean => {
        if (left) return false;
        left = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        call.waiters -= 1;
        if (abandon && call.waiters === 0) {
          if (inflight.get(key) === call) inflight.delete(key);
          call.controller.abort(new Error('every caller of this upstream call has gone'));
        }
        return true;
      };
      const onAbort = (): void => {
        // The abort reason is passed on as is, as an unshared call does (`signal.throwIfAborted()`).
        if (finish(true)) reject(request.signal?.reason as Error);
      };
      const timer = setTimeout(
        () => {
          if (finish(true)) reject(timeoutError(request, deadline - start));
        },
        Math.max(0, deadline - Date.now()),
      );
      request.signal?.addEventListener('abort', onAbort, { once: true });
      call.promise.then(
        (response) => {
          // Each caller gets its own parsed body, so that one cannot change what another reads.
          if (finish(false))
            resolve(call.joined > 1 ? { ...response, json: parseJson(response.text) } : response);
        },
        (error: unknown) => {
          if (finish(false)) reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Runs one call under the breaker: what it says about the source's health is reported to it. */
  async function guarded(
    request: UpstreamRequest,
    path: string,
    headers: Record<string, string>,
    clock: Clock,
    signal: AbortSignal | undefined,
    start: number,
  ): Promise<UpstreamResponse> {
    signal?.throwIfAborted();
    // A deadline already gone is the caller's problem, not a sign of the source's health.
    if (clock.deadline <= Date.now()) throw timeoutError(request, clock.deadline - start);
    const permit = breaker.admit();
    retryBudget.recordCall();
    try {
      const response = await execute(request, path, headers, clock, signal, start);
      if (response.status >= 500) permit.failure(`${source} answered HTTP ${response.status}`);
      else permit.success();
      return response;
    } catch (error) {
      if (
        error instanceof GatewayError &&
        (error.code === ErrorCode.UPSTREAM_TIMEOUT || error.code === ErrorCode.UPSTREAM_UNAVAILABLE)
      ) {
        permit.failure(error.message);
      } else {
        permit.release();
      }
      throw error;
    }
  }

  async function execute(
    request: UpstreamRequest,
    path: string,
    headers: Record<string, string>,
    clock: Clock,
    signal: AbortSignal | undefined,
    start: number,
  ): Promise<UpstreamResponse> {
    // `idempotent: false` overrules the method: a PUT that appends (a comment) must not be sent twice.
    const retryable =
      (IDEMPOTENT_METHODS.has(request.method) && request.idempotent !== false) ||
      request.idempotencyKey !== undefined ||
      request.idempotent === true;

    let lastResponse: UpstreamResponse | undefined;
    let lastError: GatewayError | undefined;
    let attempt = 0;
    for (;;) {
      signal?.throwIfAborted();
      const remainingMs = clock.deadline - Date.now();
      if (remainingMs <= 0) {
        if (lastResponse) return { ...lastResponse, attempts: attempt };
        if (lastError?.code === ErrorCode.UPSTREAM_UNAVAILABLE) throw lastError;
        throw timeoutError(request, clock.deadline - start, lastError);
      }
      const timeoutMs = Math.min(attemptTimeoutMs, remainingMs);
      attempt += 1;
      const attemptStart = Date.now();
      let outcome: AttemptOutcome;
      try {
        outcome = await attemptOnce(request, path, headers, timeoutMs, attempt, signal);
      } catch (error) {
        report({ ...attemptInfo(request, attempt, attemptStart), error });
        throw error;
      }

      let decision: RetryHint;
      if (outcome.response) {
        lastResponse = outcome.response;
        decision = decide(outcome.response);
      } else {
        lastError = outcome.error;
        decision = { retry: outcome.transient };
      }
      let retryInMs: number | undefined;
      let stoppedByDeadline = false;
      // Once the breaker has opened (on other calls' failures), retrying only adds load.
      if (retryable && decision.retry && attempt <= maxRetries && breaker.state !== 'open') {
        const waitMs = Math.max(
          fullJitterDelay(attempt - 1, backoffBaseMs, backoffCapMs, random),
          decision.afterMs ?? 0,
        );
        if (Date.now() + waitMs >= clock.deadline) stoppedByDeadline = true;
        else if (retryBudget.tryRetry()) retryInMs = waitMs;
      }
      report({
        ...attemptInfo(request, attempt, attemptStart),
        status: outcome.response?.status,
        error: outcome.error,
        retryInMs,
      });

      if (retryInMs === undefined) {
        if (lastResponse) return { ...lastResponse, attempts: attempt };
        if (
          outcome.error?.code === ErrorCode.UPSTREAM_TIMEOUT &&
          (stoppedByDeadline || timeoutMs < attemptTimeoutMs)
        ) {
          throw timeoutError(request, clock.deadline - start, outcome.error);
        }
        // outcome.error is set here: lastResponse would be set had any attempt got a response.
        throw outcome.error ?? timeoutError(request, clock.deadline - start);
      }
      await sleepUnlessAborted(sleep, retryInMs, signal);
    }
  }

  function attemptInfo(request: UpstreamRequest, attempt: number, attemptStart: number): UpstreamAttempt {
    return {
      source,
      operation: request.operation,
      method: request.method,
      attempt,
      durationMs: Date.now() - attemptStart,
    };
  }

  return {
    source,
    baseUrl: options.baseUrl,
    breaker,
    request: send,
    close: () => {
      breaker.close();
      return pool.close();
    },
  };
}

function buildPath(basePath: string, request: UpstreamRequest): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    const values = typeof value === 'object' ? value : [String(value)];
    for (const item of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
  }
  const path = basePath + request.path;
  if (parts.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

function flattenHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return result;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && TRANSIENT_ERROR_CODES.has(code)) return true;
  // Happy-eyeballs connects fail with an AggregateError of one error per address.
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  if (error instanceof Error && error.cause !== undefined) return isTransient(error.cause);
  return false;
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    if (error.message !== '') return error.message;
    if (error instanceof AggregateError) {
      const first: unknown = error.errors[0];
      if (first !== undefined) return describeCause(first);
    }
    return errorCode(error) ?? error.name;
  }
  return String(error);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function sleepUnlessAborted(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) {
    await sleep(ms);
    return;
  }
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  // Raced so that an injected sleep that ignores the signal still cannot delay an abort.
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => {
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
  signal.throwIfAborted();
}
