import type { CoreConfig } from '../config.ts';
import type { EventLog } from '../events/log.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import type { GatewayContext } from '../context.ts';
import { createDispatcher } from './dispatcher.ts';
import type { DispatchLogger, DispatchObserver, Dispatcher } from './dispatcher.ts';
import type { FileEndpoint } from './endpoints-file.ts';
import { createEndpointService } from './endpoints.ts';
import type { EndpointService } from './endpoints.ts';
import { createMemoryOutboundStore } from './memory-store.ts';
import { createRedisOutboundStore } from './redis-store.ts';
import { createOutboundResolvers, outboundNodeLoaders } from './resolvers.ts';
import { createSender } from './sender.ts';
import type { OutboundStore } from './store.ts';

/** Options of {@link createOutbound}. */
export interface OutboundOptions {
  core: CoreConfig;
  events: EventLog;
  /** Names of the configured sources, which endpoint filters may name. */
  sources: readonly string[];
  log: DispatchLogger;
  /** Default: in Redis when `REDIS_URL` or `REDIS_CLUSTER_NODES` is set (next to the event log), else in memory. */
  store?: OutboundStore;
  /** Metrics and alerts. */
  observer?: DispatchObserver;
  /** Lease of a claimed delivery, in ms. Default: OUTBOUND_TIMEOUT_MS plus 5 s. */
  leaseMs?: number;
  /** Longest sleep between looks at the store, in ms. Default 1000. */
  pollMs?: number;
}

/** Outbound webhooks, assembled: endpoints, the delivery loop and their GraphQL surface. */
export interface Outbound {
  readonly store: OutboundStore;
  readonly service: EndpointService;
  readonly dispatcher: Dispatcher;
  readonly resolvers: Resolvers;
  readonly nodeLoaders: Record<string, (ctx: GatewayContext, sourceId: string) => Promise<unknown>>;
  close(): Promise<void>;
}

/**
 * The file's endpoints into the store: new ones start from the log's head; known ones take the
 * file's url, description, filter and secret but keep their position, deliveries and state;
 * ones the file no longer declares are removed.
 */
async function syncFileEndpoints(
  store: OutboundStore,
  events: EventLog,
  declared: readonly FileEndpoint[],
): Promise<void> {
  const ids = new Set(declared.map((e) => e.id));
  for (const known of await store.listEndpoints()) {
    if (known.fromFile && !ids.has(known.id)) await store.deleteEndpoint(known.id);
  }
  for (const entry of declared) {
    const fields = {
      url: new URL(entry.url).href,
      description: entry.description ?? null,
      filter: entry.filter ?? null,
      secrets: [{ secret: entry.secret, expiresAt: null }],
      fromFile: true,
    };
    const known = await store.getEndpoint(entry.id);
    if (known === null) {
      const enabled = entry.enabled ?? true;
      await store.createEndpoint(
        {
          id: entry.id,
          ...fields,
          enabled,
          disabledReason: enabled ? null : 'disabled in OUTBOUND_ENDPOINTS_FILE',
          createdAt: Date.now(),
          failingSince: null,
        },
        await events.head(),
      );
    } else {
      await store.updateEndpoint(entry.id, fields);
    }
  }
}

export async function createOutbound(options: OutboundOptions): Promise<Outbound> {
  const { core, events } = options;
  const shared = core.REDIS_URL !== undefined || core.REDIS_CLUSTER_NODES !== undefined;
  const store =
    options.store ??
    (shared
      ? createRedisOutboundStore({
          url: core.REDIS_URL,
          clusterNodes: core.REDIS_CLUSTER_NODES,
          keyPrefix: core.REDIS_KEY_PREFIX,
        })
      : createMemoryOutboundStore());
  const declared = core.OUTBOUND_ENDPOINTS_FILE?.endpoints ?? [];
  // Redis may be unreachable at start-up: the gateway serves anyway and declares the endpoints once it answers.
  const declare = (): Promise<void> =>
    syncFileEndpoints(store, events, declared).catch((error: unknown) => {
      options.log.warn(
        { err: String(error) },
        'outbound: cannot declare the file endpoints yet; retrying in 2 s',
      );
      return new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref()).then(declare);
    });
  if (store.kind === 'memory') await declare();
  else void declare();
  const sender = createSender({
    timeoutMs: core.OUTBOUND_TIMEOUT_MS,
    allowPrivate: core.OUTBOUND_ALLOW_PRIVATE,
  });
  const dispatcher = createDispatcher({
    store,
    events,
    sender,
    retryScheduleMs: core.OUTBOUND_RETRY_SCHEDULE,
    disableAfterMs: core.OUTBOUND_DISABLE_AFTER_S * 1000,
    leaseMs: options.leaseMs ?? core.OUTBOUND_TIMEOUT_MS + 5_000,
    // Other instances' work and expired leases are only seen by looking: look often when shared.
    pollMs: options.pollMs ?? (store.kind === 'redis' ? 250 : 1000),
    log: options.log,
    observer: options.observer,
  });
  const service = createEndpointService({
    store,
    events,
    allowPrivate: core.OUTBOUND_ALLOW_PRIVATE,
    sources: options.sources,
    changed: () => dispatcher.wake(),
    enabled: (id) => options.observer?.enabled?.(id),
  });
  dispatcher.wake();
  return {
    store,
    service,
    dispatcher,
    resolvers: createOutboundResolvers(service),
    nodeLoaders: outboundNodeLoaders(service),
    async close() {
      await dispatcher.close();
      await sender.close();
      await store.close();
    },
  };
}
