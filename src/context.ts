import type { Logger } from 'pino';
import type { Connector, SourceScope } from './connector.ts';
import type { EventLog } from './events/log.ts';

/** The per-request context every resolver receives. */
export interface GatewayContext {
  requestId: string;
  /** Epoch ms by which every upstream call of this request must be done. */
  deadline: number;
  signal: AbortSignal | undefined;
  log: Logger;
  events: EventLog;
  /**
   * This request's scope of a connector (typed client and DataLoaders, created on
   * first use). Throws UPSTREAM_UNAVAILABLE when the connector is off.
   */
  source<Config, Client, Loaders>(
    connector: Connector<Config, Client, Loaders>,
  ): SourceScope<Client, Loaders>;
}
