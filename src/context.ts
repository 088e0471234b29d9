import type { Logger } from 'pino';
import type { Principal } from './auth/principal.ts';
import type { SourceScope } from './connector.ts';
import type { EventLog } from './events/log.ts';
import type { OperationReads } from './execution/operation-reads.ts';
import type { IdempotencyStore } from './writes/idempotency-store.ts';

/** The per-request context every resolver receives. */
export interface GatewayContext {
  requestId: string;
  /** Epoch ms by which every upstream call of this request must be done. */
  readonly deadline: number;
  /** Aborted when the client goes away; passed to upstream calls. */
  signal: AbortSignal | undefined;
  /**
   * Aborted when the gateway shuts down, or (over HTTP/SSE) when the principal's
   * credentials expire: long-lived operations (subscriptions) end with it.
   */
  readonly closing: AbortSignal;
  log: Logger;
  /** The event log: a resolver reading it calls `reads.readGatewayState()` (its answer is never cached). */
  events: EventLog;
  /** The sources this operation read and wrote, and whether it read the gateway's own state (response cache). */
  readonly reads: OperationReads;
  /** Who is asking: the authenticated API key or JWT subject, or the anonymous principal. */
  principal: Principal;
  /** The request id of the identical query whose execution this one shared, if it did (logs). */
  sharedWith?: string;
  /** Whether the principal's scopes allow reading `source`. */
  mayRead(source: string): boolean;
  /** Every source the principal may read (event feeds are narrowed to these). */
  readableSources(): readonly string[];
  /**
   * This request's scope of a connector (typed client and DataLoaders, created on
   * first use). Throws FORBIDDEN (with `extensions.source`) when the principal may
   * not read it, UPSTREAM_UNAVAILABLE when the connector is off.
   */
  source<Client, Loaders>(name: string): SourceScope<Client, Loaders>;
  /**
   * The same scope, for a mutation: throws FORBIDDEN unless the principal has
   * the source's `<domain>:write` scope (reading is not needed to write).
   */
  writer<Client, Loaders>(name: string): SourceScope<Client, Loaders>;
  /** Where writes to sources without idempotency keys of their own keep their first result. */
  idempotency: IdempotencyStore;
  /**
   * Starts a new unit of work on a long-lived context (one subscription event):
   * a new deadline, and new connector scopes so no loader serves stale data.
   */
  renew(): void;
}
