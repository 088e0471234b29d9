import type { Logger } from 'pino';
import type { Principal } from './auth/principal.ts';
import { SourceAccess } from './auth/source-access.ts';
import type { SourceScope } from './connector.ts';
import type { GatewayContext } from './context.ts';
import { ErrorCode, GatewayError } from './errors.ts';
import type { EventLog } from './events/log.ts';
import { OperationReads } from './execution/operation-reads.ts';
import { requestIdOf } from './request-id.ts';
import { createRequestRetryBudget } from './upstream/request-retry-budget.ts';
import type { Source } from './sources.ts';
import type { IdempotencyStore } from './writes/idempotency-store.ts';

export interface ContextFactoryOptions {
  sources: readonly Source[];
  events: EventLog;
  /** Results of writes under idempotency keys. */
  idempotency: IdempotencyStore;
  log: Logger;
  /** Budget of one request in ms. */
  requestTimeoutMs: number;
  /** Retries one request may spend across its upstream calls (`RETRY_BUDGET_PER_REQUEST`). Default: unlimited. */
  retriesPerRequest?: number | undefined;
  /** Aborted on shutdown: ends every subscription. */
  shutdown: AbortSignal;
}

/** Longest delay a timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An SSE subscription of a principal whose credentials expire (a JWT) ends when
 * they do. Over graphql-ws the socket itself is closed then (several sockets may
 * share one execution, so its context must not end with one of them).
 */
function untilExpiry(shutdown: AbortSignal, request: Request | undefined, principal: Principal): AbortSignal {
  const left = principal.expiresAt === undefined ? Infinity : principal.expiresAt - Date.now();
  if (request === undefined || left > MAX_TIMER_MS) return shutdown;
  return AbortSignal.any([shutdown, AbortSignal.timeout(Math.max(0, left))]);
}

/**
 * Builds the per-request context: deadline, cancellation, the principal, and
 * lazily created connector scopes. Every source access goes through
 * `source(name)`, so that is where the principal's scopes are enforced.
 */
export function createContextFactory(options: ContextFactoryOptions) {
  const byName = new Map(options.sources.map((s) => [s.name, s]));
  const access = new SourceAccess(options.sources);
  return (request: Request | undefined, principal: Principal): GatewayContext => {
    const requestId = requestIdOf(request);
    const signal = request?.signal;
    const newCall = () => ({
      deadline: Date.now() + options.requestTimeoutMs,
      signal,
      retryBudget:
        options.retriesPerRequest === undefined
          ? undefined
          : createRequestRetryBudget(options.retriesPerRequest),
    });
    let call = newCall();
    let scopes = new Map<string, SourceScope<unknown, unknown>>();
    let closing: AbortSignal | undefined;
    const reads = new OperationReads();
    return {
      requestId,
      get deadline() {
        return call.deadline;
      },
      signal,
      // Read by subscriptions only, so the expiry timer exists only for them.
      get closing() {
        return (closing ??= untilExpiry(options.shutdown, request, principal));
      },
      log: options.log.child({ requestId, principal: principal.id }),
      events: options.events,
      reads,
      principal,
      mayRead: (source) => access.mayRead(principal, source),
      readableSources: () => access.readable(principal),
      renew() {
        call = newCall();
        scopes = new Map();
      },
      idempotency: options.idempotency,
      writer<Client, Loaders>(name: string): SourceScope<Client, Loaders> {
        if (!access.mayWrite(principal, name)) throw access.forbiddenWrite(name);
        reads.written.add(name);
        return scopeOf<Client, Loaders>(name);
      },
      source<Client, Loaders>(name: string): SourceScope<Client, Loaders> {
        if (!access.mayRead(principal, name)) throw access.forbidden(name);
        reads.sources.add(name);
        return scopeOf<Client, Loaders>(name);
      },
    };
    function scopeOf<Client, Loaders>(name: string): SourceScope<Client, Loaders> {
      let scope = scopes.get(name);
      if (!scope) {
        const source = byName.get(name);
        if (!source || source.mode === 'off' || source.client === null) {
          const title = source?.connector.provider.title ?? name;
          throw new GatewayError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            `${title} is not configured on this gateway: set its credentials (see /readyz) or run in sandbox mode.`,
            { source: name },
          );
        }
        scope = { client: source.client, loaders: source.connector.loaders(source.client, call), call };
        scopes.set(name, scope);
      }
      return scope as SourceScope<Client, Loaders>;
    }
  };
}
