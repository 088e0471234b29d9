import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { UpstreamAttempt } from '../upstream/types.ts';

/** What one GraphQL execution gathers while it runs: its upstream calls. */
export interface OperationScope {
  log: Logger;
  /** Upstream calls finished (retries counted once per call). */
  upstreamCalls: number;
}

const scopes = new AsyncLocalStorage<OperationScope>();

/** Runs `execute` so that upstream calls it makes are counted in `scope` and logged with its logger. */
export function runInOperation<T>(scope: OperationScope, execute: () => T): T {
  return scopes.run(scope, execute);
}

/**
 * An upstream attempt, seen from the operation that made it: logged at debug
 * with the request's logger (so with its request id), counted when it is the
 * call's last attempt. An attempt outside any operation is ignored here.
 */
export function noteUpstreamAttempt(info: UpstreamAttempt): void {
  const scope = scopes.getStore();
  if (scope === undefined) return;
  if (info.retryInMs === undefined) scope.upstreamCalls++;
  const code = (info.error as { code?: unknown } | undefined)?.code;
  scope.log.debug(
    {
      source: info.source,
      operation: info.operation,
      method: info.method,
      attempt: info.attempt,
      status: info.status,
      errorCode: typeof code === 'string' ? code : undefined,
      durationMs: info.durationMs,
      retryInMs: info.retryInMs,
    },
    'upstream call',
  );
}
