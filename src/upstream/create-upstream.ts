import { Pool } from 'undici';
import { ErrorCode, GatewayError } from '../errors.ts';
import { fullJitterDelay } from './backoff.ts';
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
 * - Only GET, HEAD, PUT, DELETE, OPTIONS, calls marked `idempotent` and calls
 *   carrying an `idempotencyKey` are retried, at most `maxRetries` (3) times: after a
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
  ): Promise<AttemptOutcome> {
    const controller = new AbortController();
    const timeout = { fired: false };
    const timer = setTimeout(() => {
      timeout.fired = true;
      controller.abort();
    }, timeoutMs);
    const callerSignal = request.signal;
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

  async function send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const start = Date.now();
    const deadline = request.deadline ?? start + defaultBudgetMs;
    const budgetMs = deadline - start;
    const retryable =
      IDEMPOTENT_METHODS.has(request.method) ||
      request.idempotencyKey !== undefined ||
      request.idempotent === true;
    const path = buildPath(basePath, request);
    const headers = { ...baseHeaders, ...lowerCaseKeys(request.headers ?? {}) };
    if (request.idempotencyKey !== undefined) headers[idempotencyHeader] = request.idempotencyKey;

    let lastResponse: UpstreamResponse | undefined;
    let lastError: GatewayError | undefined;
    let attempt = 0;
    for (;;) {
      request.signal?.throwIfAborted();
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        if (lastResponse) return { ...lastResponse, attempts: attempt };
        if (lastError?.code === ErrorCode.UPSTREAM_UNAVAILABLE) throw lastError;
        throw timeoutError(request, budgetMs, lastError);
      }
      const timeoutMs = Math.min(attemptTimeoutMs, remainingMs);
      attempt += 1;
      const attemptStart = Date.now();
      let outcome: AttemptOutcome;
      try {
        outcome = await attemptOnce(request, path, headers, timeoutMs, attempt);
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
      if (retryable && decision.retry && attempt <= maxRetries) {
        const waitMs = Math.max(
          fullJitterDelay(attempt - 1, backoffBaseMs, backoffCapMs, random),
          decision.afterMs ?? 0,
        );
        if (Date.now() + waitMs < deadline) retryInMs = waitMs;
        else stoppedByDeadline = true;
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
          throw timeoutError(request, budgetMs, outcome.error);
        }
        // outcome.error is set here: lastResponse would be set had any attempt got a response.
        throw outcome.error ?? timeoutError(request, budgetMs);
      }
      await sleepUnlessAborted(sleep, retryInMs, request.signal);
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
    request: send,
    close: () => pool.close(),
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
