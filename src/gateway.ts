import type { AddressInfo } from 'node:net';
import { DateTimeResolver } from 'graphql-scalars';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
import pkg from '../package.json' with { type: 'json' };
import { watchBreakers } from './alerts/breaker-alerts.ts';
import { watchCredentials } from './alerts/credential-alerts.ts';
import { createAlerts } from './alerts/create-alerts.ts';
import type { GatewayAlerts } from './alerts/create-alerts.ts';
import { createAuth } from './auth/create-auth.ts';
import { NOBODY } from './auth/principal.ts';
import type { Principal } from './auth/principal.ts';
import type { Config } from './config.ts';
import type { Connector } from './connector.ts';
import { createContextFactory } from './context-factory.ts';
import { createErrorMasking } from './error-masking.ts';
import { ErrorCode } from './errors.ts';
import type { EventLog } from './events/log.ts';
import { createMemoryEventLog } from './events/memory-log.ts';
import { createRedisEventLog } from './events/redis-log.ts';
import { eventResolvers } from './events/resolvers.ts';
import { collectSecrets, Redactor, redactUrl } from './redact.ts';
import { sourceSecrets } from './source-secrets.ts';
import type { GatewayEvent } from './events/event.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { useHideSuggestions } from './limits/hide-suggestions.ts';
import { createOperationLimits } from './limits/operation-limits.ts';
import { useOperationLimits } from './limits/use-operation-limits.ts';
import { useKnownOperationTypes } from './limits/known-operation-types.ts';
import { useValidationStatus } from './limits/use-validation-status.ts';
import { createDemoWorld } from './sandbox/demo-world.ts';
import { startDemoClock } from './sandbox/demo-clock.ts';
import { createWebhookOutbox } from './sandbox/webhook-outbox.ts';
import type { WebhookOutbox } from './sandbox/webhook-outbox.ts';
import type { DemoClock } from './sandbox/demo-clock.ts';
import { buildSchema } from './schema.ts';
import { createJsonScalar } from './json-scalar.ts';
import { createCorsPolicy } from './http/cors.ts';
import { createSandboxFaultsRoute } from './http/sandbox-faults-route.ts';
import { useCsrfPrevention } from './http/csrf.ts';
import { graphiqlOptions, renderLocalGraphiQL } from './graphiql.ts';
import { GRAPHIQL_TABS } from './graphiql-tabs.ts';
import { useDisableIntrospection } from './disable-introspection.ts';
import { graphiqlEnabled, graphiqlSubscriptions, introspectionEnabled } from './production-mode.ts';
import { GatewayMetrics } from './metrics/metrics.ts';
import { CredentialWatch } from './upstream/credential-watch.ts';
import { metricsAccess } from './metrics/metrics-route.ts';
import { noteUpstreamAttempt } from './metrics/operation-scope.ts';
import { useOperationTelemetry } from './metrics/use-operation-telemetry.ts';
import { createOutbound } from './outbound/create-outbound.ts';
import type { Outbound } from './outbound/create-outbound.ts';
import { outboundObserver } from './outbound/observer.ts';
import { OutboundMetrics } from './metrics/outbound-metrics.ts';
import { useSharedExecution } from './execution/shared-execution.ts';
import { invalidateOnEvents } from './execution/cache-invalidation.ts';
import { ResponseCache } from './execution/response-cache.ts';
import { createResponseCaching } from './execution/response-caching.ts';
import { createInvalidationChannel } from './execution/redis-invalidation.ts';
import { ResponseCacheMetrics } from './metrics/response-cache-metrics.ts';
import { createHttpServer } from './server.ts';
import type { HttpServer } from './server.ts';
import { startSources, stopSources } from './sources.ts';
import { createGatewayTracing } from './tracing/gateway-tracing.ts';
import { createRateBudgets } from './upstream/rate-budgets.ts';
import { createCustomerResolvers } from './unified/customer.ts';
import { createNodeResolvers } from './unified/nodes.ts';
import type { Source } from './sources.ts';
import { createIdempotencyStore } from './writes/create-idempotency-store.ts';

/** Gives graphql-armor's rejections the gateway's error code, and HTTP 400 (yoga answers 200 without it). */
function asBadUserInput(_context: unknown, error: GraphQLError): void {
  const extensions = error.extensions as Record<string, unknown>;
  extensions['code'] = ErrorCode.BAD_USER_INPUT;
  extensions['http'] = { status: 400 };
}

/** Path of the GraphQL endpoint (HTTP, SSE and graphql-ws). */
export const GRAPHQL_PATH = '/graphql';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  config: Config;
  connectors: readonly Connector[];
  log: Logger;
  /** The environment the config came from (sandboxed connectors re-read it with their emulator's values). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Event log to use. Default: in Redis when `REDIS_URL` or `REDIS_CLUSTER_NODES` is set, else in memory; sized by the config. */
  events?: EventLog;
  /** Unix seconds the demo world's seeded history leads up to (its changes happen at the wall-clock time). Default: the start of the current UTC day. */
  demoEpoch?: number;
  /**
   * Masks credentials in errors, `/readyz` and (when the logger shares it) logs; the
   * gateway adds its sources' credentials to it. Default: one holding the secrets of `env`.
   */
  redactor?: Redactor;
}

/** A running gateway. */
export interface Gateway {
  readonly sources: readonly Source[];
  readonly events: EventLog;
  readonly http: HttpServer;
  /** Alerting: `raise(key, ...)`/`resolve(key)` for any part that detects an outage. */
  readonly alerts: GatewayAlerts;
  /** The yoga instance, for in-process requests (`gateway.yoga.fetch(...)`). */
  readonly yoga: { fetch(url: string, init?: RequestInit): Response | Promise<Response> };
  /** Starts listening; resolves with the base URL (`http://localhost:4000`). */
  listen(port: number, host: string): Promise<string>;
  /** The demo clock, once started (sandbox mode with DEMO_EVENTS on). */
  readonly demo: DemoClock | null;
  /** Where sandbox emulators send the webhooks writes cause; `outbox.idle()` waits for them. */
  readonly outbox: WebhookOutbox;
  /** The Prometheus registry `/metrics` serves. */
  readonly metrics: GatewayMetrics;
  /** Outbound webhook endpoints and their delivery loop. */
  readonly outbound: Outbound;
  /** Graceful shutdown: stop accepting, finish in-flight work, close everything. */
  close(): Promise<void>;
}

/** Assembles the gateway: sources, event log, schema, yoga and the HTTP server, in one visible place. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, log } = options;
  const core = config.core;
  const env = options.env ?? process.env;
  const epoch = options.demoEpoch ?? Math.floor(Date.now() / 86_400_000) * 86_400;
  const metrics = new GatewayMetrics();
  const credentials = new CredentialWatch();
  const tracing = await createGatewayTracing(core, pkg.version, log);
  const outbox = createWebhookOutbox(log);
  const rateBudgets = createRateBudgets({
    redisUrl: core.REDIS_URL,
    clusterNodes: core.REDIS_CLUSTER_NODES,
    keyPrefix: core.REDIS_KEY_PREFIX,
    log,
    onQueued: (source, ms) => metrics.queued(source, ms),
    onRefused: (source) => metrics.budgetRefused(source),
  });
  const { sources, world } = await startSources(
    config,
    options.connectors,
    () => createDemoWorld({ seed: core.DEMO_SEED, epoch }),
    env,
    {
      onAttempt: (attempt) => {
        metrics.attempt(attempt);
        credentials.note(attempt);
        noteUpstreamAttempt(attempt);
        tracing.attempt(attempt);
      },
      tracer: tracing.upstream,
      outbox,
      rateBudgets,
    },
  );
  const redactor = options.redactor ?? new Redactor(collectSecrets(env));
  redactor.add(sourceSecrets(sources));
  const masking = createErrorMasking({
    production: core.NODE_ENV === 'production',
    showDetails: core.NODE_ENV === 'development',
    redactor,
    log,
  });
  const responseCache = createResponseCache(core, metrics);
  const onSources = responseCache
    ? invalidateOnEvents(responseCache.cache, responseCache.cacheMetrics)
    : undefined;
  const events =
    options.events ?? (await createEventLog(config, log, (live) => metrics.liveBatch(live), onSources));
  const shutdown = new AbortController();
  const alerts = createAlerts(core, log);
  watchBreakers(sources, alerts);
  watchCredentials(sources, credentials, alerts);
  metrics.watchBreakers(sources);
  const outboundMetrics = new OutboundMetrics(metrics.registry);
  const outbound = await createOutbound({
    core,
    events,
    sources: sources.map((s) => s.name),
    log,
    observer: outboundObserver(outboundMetrics, alerts),
  });
  outboundMetrics.watchQueues(outbound.store);

  const gatewayResolvers: Resolvers = {
    DateTime: DateTimeResolver,
    JSON: createJsonScalar(core.WEBHOOK_MAX_DEPTH),
    SourceMode: { REAL: 'real', SANDBOX: 'sandbox', OFF: 'off' },
    Query: {
      gateway: () => ({
        version: pkg.version,
        mode: sources.some((s) => s.mode === 'sandbox') ? 'sandbox' : 'real',
        sources: sources.map((s) => ({
          name: s.name,
          mode: s.mode,
          baseUrl: s.upstream ? redactUrl(s.upstream.baseUrl) : null,
          webhooks: s.webhookSecret !== undefined,
        })),
      }),
    },
  };
  const customers = createCustomerResolvers(sources, core.CUSTOMER_DIRECTORY);
  const schema = buildSchema([
    gatewayResolvers,
    eventResolvers,
    ...options.connectors.map((c) => c.resolvers),
    customers.resolvers,
    outbound.resolvers,
    // Last: the global `id` and `sourceId` of every Node type, whatever a connector wrote.
    createNodeResolvers(sources, customers.find, outbound.nodeLoaders),
  ]);
  tracing.traceSchema(schema);
  const idempotency = createIdempotencyStore(config);
  const contextFactory = createContextFactory({
    sources,
    events,
    idempotency,
    log,
    requestTimeoutMs: core.REQUEST_TIMEOUT_MS,
    retriesPerRequest: core.RETRY_BUDGET_PER_REQUEST,
    shutdown: shutdown.signal,
  });
  const auth = createAuth(core);
  const invalidations =
    responseCache && (core.REDIS_URL !== undefined || core.REDIS_CLUSTER_NODES !== undefined)
      ? createInvalidationChannel({
          url: core.REDIS_URL,
          clusterNodes: core.REDIS_CLUSTER_NODES,
          keyPrefix: core.REDIS_KEY_PREFIX,
          cache: responseCache.cache,
          metrics: responseCache.cacheMetrics,
          log,
        })
      : null;
  const responseCaching =
    responseCache &&
    createResponseCaching({
      broadcast: invalidations ? (sources) => invalidations.publish(sources) : undefined,
      ...responseCache,
      graphqlPath: GRAPHQL_PATH,
      admit: auth.http.admit,
      metrics,
      log,
    });

  const cors = createCorsPolicy({ origins: core.CORS_ORIGINS, production: core.NODE_ENV === 'production' });
  const checkOperation = createOperationLimits({ maxCost: core.MAX_QUERY_COST });
  const yoga = createYoga({
    schema,
    cors: (request) => cors.yoga(request),
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: graphiqlEnabled(core)
      ? graphiqlOptions({
          subscriptions: graphiqlSubscriptions(core),
          tabs: GRAPHIQL_TABS,
          authRequired: auth.authenticator.required,
        })
      : false,
    renderGraphiQL: renderLocalGraphiQL,
    // Limits on what one operation may ask for, checked before anything runs: a single query must not
    // be able to fan out into an unbounded number of upstream calls.
    plugins: [
      // First: who is asking, and whether they are within their rate budget, before the body is read.
      auth.http.plugin,
      ...(introspectionEnabled(core) ? [] : [useDisableIntrospection()]),
      maxTokensPlugin({ n: core.MAX_QUERY_TOKENS, onReject: [asBadUserInput] }),
      maxDepthPlugin({
        n: core.MAX_QUERY_DEPTH,
        ignoreIntrospection: true,
        flattenFragments: true,
        onReject: [asBadUserInput],
      }),
      // allowList: armor lets `__typename` aliases through by default; each alias counts here.
      maxAliasesPlugin({ n: core.MAX_QUERY_ALIASES, allowList: [], onReject: [asBadUserInput] }),
      maxDirectivesPlugin({ n: core.MAX_QUERY_DIRECTIVES, onReject: [asBadUserInput] }),
      // List caps and cost, once the variables are known (they may carry the lists).
      useOperationLimits(checkOperation),
      useKnownOperationTypes(),
      useValidationStatus(),
      ...(core.NODE_ENV === 'production' ? [useHideSuggestions()] : []),
      ...tracing.plugins,
      useOperationTelemetry(metrics),
      // After the telemetry: the query that runs counts its upstream calls; the ones sharing it count none.
      ...(core.SHARE_IDENTICAL_QUERIES ? [useSharedExecution()] : []),
      ...(responseCaching ? [responseCaching.plugin] : []),
      masking.plugin,
      useCsrfPrevention(cors),
    ],
    maskedErrors: { maskError: (error) => masking.maskError(error) },
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      // An error the masking logged already (with its request id) is not logged twice.
      error: (...args) => {
        if (!masking.logged(args[0])) log.error(args.map(String).join(' '));
      },
    },
    // Over HTTP the auth plugin found the principal; over graphql-ws the server passes the socket's.
    context: ({ request, principal }: { request?: Request; principal?: Principal }) =>
      contextFactory(request, principal ?? auth.http.principalOf(request) ?? NOBODY),
  });

  const http = createHttpServer({
    yoga,
    sources,
    events,
    log,
    webhookMaxBytes: core.WEBHOOK_MAX_BYTES,
    webhookMaxDepth: core.WEBHOOK_MAX_DEPTH,
    graphqlPath: GRAPHQL_PATH,
    errors: masking,
    graphqlMaxBytes: core.GRAPHQL_MAX_BODY_BYTES,
    cors,
    ws: {
      maxOperationsPerConnection: core.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerClient: core.WS_MAX_CONNECTIONS_PER_CLIENT,
      maxHeartbeatsPerSecond: core.WS_MAX_HEARTBEATS_PER_SECOND,
    },
    timeouts: {
      headersTimeoutMs: core.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: core.HTTP_REQUEST_TIMEOUT_MS,
    },
    checkOperation,
    sockets: auth.sockets,
    metrics,
    metricsAccess: metricsAccess(core),
    credentials,
    onWebhookOutcome: (source, status, code) => {
      alerts.onWebhookOutcome(source, status, code);
      tracing.webhookOutcome(source, status, code);
    },
    wrapWebhookRoute: tracing.webhookRoute,
    sandboxFaults: createSandboxFaultsRoute({
      sources,
      authenticator: auth.authenticator,
      log,
      onChange: (source) => responseCache?.cache.invalidate([source]),
    }),
    serveCached: responseCaching?.serve,
  });

  let demo: DemoClock | null = null;
  let closed: Promise<void> | null = null;

  return {
    sources,
    events,
    http,
    alerts,
    yoga,
    metrics,
    outbound,
    outbox,
    get demo() {
      return demo;
    },
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        http.server.once('error', reject);
        http.server.listen(port, host, () => {
          http.server.off('error', reject);
          resolve();
        });
      });
      const address = http.server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      outbox.connect(`http://127.0.0.1:${address.port}`);
      if (core.DEMO_EVENTS && world) {
        demo = startDemoClock({
          world,
          sources,
          gatewayUrl: `http://127.0.0.1:${address.port}`,
          intervalMs: core.DEMO_INTERVAL_MS,
          log,
        });
      }
      return url;
    },
    close() {
      closed ??= (async () => {
        await demo?.stop();
        await outbox.close();
        shutdown.abort();
        await http.shutdown(core.SHUTDOWN_TIMEOUT_MS);
        await outbound.close();
        await events.close();
        await idempotency.close();
        await invalidations?.close();
        await stopSources(sources);
        await rateBudgets.close();
        alerts.close();
        await tracing.shutdown();
      })();
      return closed;
    },
  };
}

/** The response cache (`RESPONSE_CACHE_TTL_S`, `RESPONSE_CACHE_MAX_MB`) and its metrics; null when off. */
function createResponseCache(
  core: Config['core'],
  metrics: GatewayMetrics,
): { cache: ResponseCache; cacheMetrics: ResponseCacheMetrics } | null {
  if (core.RESPONSE_CACHE_TTL_S === 0) return null;
  const cache = new ResponseCache({
    ttlMs: core.RESPONSE_CACHE_TTL_S * 1000,
    maxBytes: core.RESPONSE_CACHE_MAX_MB * 1024 * 1024,
  });
  const cacheMetrics = new ResponseCacheMetrics(metrics.registry, cache);
  return { cache, cacheMetrics };
}

/** How long start-up waits for Redis before serving anyway, not ready, while the log keeps reconnecting. */
const REDIS_STARTUP_WAIT_MS = 10_000;

/** The event log the config asks for: Redis when it names one (shared by every instance), else in memory. */
async function createEventLog(
  config: Config,
  log: Logger,
  onLive: (events: readonly GatewayEvent[]) => void,
  onSources: ((sources: readonly string[]) => void) | undefined,
): Promise<EventLog> {
  const core = config.core;
  if (core.REDIS_URL === undefined && core.REDIS_CLUSTER_NODES === undefined) {
    return createMemoryEventLog({
      maxEvents: core.EVENT_LOG_MAX_EVENTS,
      maxAgeMs: core.EVENT_LOG_MAX_AGE_S * 1000,
      dedupeWindowMs: core.DEDUPE_WINDOW_S * 1000,
      onLive,
      onSources,
    });
  }
  const events = createRedisEventLog({
    url: core.REDIS_URL,
    clusterNodes: core.REDIS_CLUSTER_NODES,
    keyPrefix: core.REDIS_KEY_PREFIX,
    maxLen: core.REDIS_STREAM_MAXLEN,
    maxAgeMs: core.REDIS_STREAM_MAX_AGE_S * 1000,
    dedupeWindowS: core.DEDUPE_WINDOW_S,
    appendTimeoutMs: core.REDIS_APPEND_TIMEOUT_MS,
    log,
    onLive,
    onSources,
  });
  if (!(await events.ready(REDIS_STARTUP_WAIT_MS))) {
    // Queries need no Redis: serve them, and let /readyz say why webhooks are refused until it connects.
    log.warn({ eventLog: events.health().detail }, 'Redis is not reachable yet; starting anyway, not ready');
  }
  return events;
}
