import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SourceScope } from './connector.ts';
import type { GatewayContext } from './context.ts';
import { ErrorCode, GatewayError } from './errors.ts';
import type { EventLog } from './events/log.ts';
import type { Source } from './sources.ts';

export interface ContextFactoryOptions {
  sources: readonly Source[];
  events: EventLog;
  log: Logger;
  /** Budget of one request in ms. */
  requestTimeoutMs: number;
  /** Aborted on shutdown: ends every subscription. */
  shutdown: AbortSignal;
}

/** Builds the per-request context: deadline, cancellation, and lazily created connector scopes. */
export function createContextFactory(options: ContextFactoryOptions) {
  const byName = new Map(options.sources.map((s) => [s.name, s]));
  return (request: Request | undefined): GatewayContext => {
    const requestId = request?.headers.get('x-request-id') ?? randomUUID();
    const signal = request?.signal;
    let call = { deadline: Date.now() + options.requestTimeoutMs, signal };
    let scopes = new Map<string, SourceScope<unknown, unknown>>();
    return {
      requestId,
      get deadline() {
        return call.deadline;
      },
      signal,
      closing: options.shutdown,
      log: options.log.child({ requestId }),
      events: options.events,
      renew() {
        call = { deadline: Date.now() + options.requestTimeoutMs, signal };
        scopes = new Map();
      },
      source<Client, Loaders>(name: string): SourceScope<Client, Loaders> {
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
      },
    };
  };
}
