import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Principal } from './auth/principal.ts';
import type { SocketAuth } from './auth/ws-auth.ts';
import type { GatewayContext } from './context.ts';
import type { ErrorMasking } from './error-masking.ts';
import type { EventLog } from './events/log.ts';
import { GRAPHIQL_ASSETS_PATH, serveGraphiQLAsset } from './graphiql.ts';
import { readGraphQLBody } from './http/body-limit.ts';
import type { CorsPolicy } from './http/cors.ts';
import { readiness } from './http/readiness.ts';
import { SANDBOX_FAULTS_PATH } from './http/sandbox-faults-route.ts';
import { sendJson } from './http/send-json.ts';
import { httpTimeoutOptions } from './http/timeouts.ts';
import type { HttpTimeouts } from './http/timeouts.ts';
import { createWebhookRoute } from './http/webhook-route.ts';
import type { WebhookRouteOptions } from './http/webhook-route.ts';
import type { WebhookRoute } from './tracing/webhook-tracing.ts';
import type { CheckOperation } from './limits/operation-limits.ts';
import { createMetricsRoute } from './metrics/metrics-route.ts';
import type { MetricsAccess } from './metrics/metrics-route.ts';
import type { GatewayMetrics } from './metrics/metrics.ts';
import type { Source } from './sources.ts';
import type { CredentialWatch } from './upstream/credential-watch.ts';
import { serveGraphQLOverWebSockets } from './subscriptions/graphql-ws-server.ts';
import type { WebSocketLimits } from './subscriptions/graphql-ws-server.ts';
import type { SharedSubscriptions } from './subscriptions/shared.ts';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  yoga: YogaServerInstance<{ request?: Request; principal?: Principal }, GatewayContext>;
  sources: readonly Source[];
  events: EventLog;
  log: Logger;
  /** Largest webhook body in bytes. */
  webhookMaxBytes: number;
  /** Deepest nesting of a webhook body. Default: {@link handleWebhook}'s. */
  webhookMaxDepth?: number;
  /** Path of the GraphQL endpoint, shared by HTTP, SSE and graphql-ws. */
  graphqlPath: string;
  /** Limits that depend on variables; over graphql-ws a refusal is the operation's `error` message. Default: none. */
  checkOperation?: CheckOperation;
  /** The hub sharing one execution between identical graphql-ws subscriptions. Default: a new one. */
  subscriptions?: SharedSubscriptions;
  /** How errors reach clients (masked in production, credentials redacted); also hides close reasons in production. */
  errors: ErrorMasking;
  /** Largest GraphQL request in bytes: an HTTP body (413 beyond it) or a graphql-ws message (close 1009). */
  graphqlMaxBytes: number;
  /** Which web pages may open WebSockets (the same policy yoga's CORS headers follow). */
  cors: CorsPolicy;
  /** Limits of WebSocket connections. */
  ws: WebSocketLimits;
  timeouts: HttpTimeouts;
  /** graphql-ws authentication (`connection_init`) and per-operation rate budget. */
  sockets: SocketAuth;
  /** Served at `/metrics`, and told about webhooks, connections and subscriptions. */
  metrics: GatewayMetrics;
  /** Who may read `/metrics`. */
  metricsAccess: MetricsAccess;
  /** `POST`/`DELETE /admin/sandbox/faults/<source>` (sandbox only). Default: none (404). */
  sandboxFaults?: (req: IncomingMessage, res: ServerResponse, segment: string) => Promise<void>;
  /** How each source last judged the gateway's credentials, for `/readyz`. */
  credentials: CredentialWatch;
  /** Told each webhook delivery's outcome (alerts). Default: nobody. */
  onWebhookOutcome?: WebhookRouteOptions['onOutcome'];
  /** Answers a GraphQL request from the response cache when it can (resolves true). Default: none. */
  serveCached?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  /** Wraps the webhook route (tracing). Default: none. */
  wrapWebhookRoute?: ((route: WebhookRoute) => WebhookRoute) | undefined;
}

/** The gateway's HTTP server, with what it needs to shut down gracefully. */
export interface HttpServer {
  server: Server;
  /** Shared graphql-ws subscription executions (groups, members), for metrics and tests. */
  subscriptions: SharedSubscriptions;
  /** Stop accepting, let in-flight requests finish for up to `timeoutMs`, then close every socket. */
  shutdown(timeoutMs: number): Promise<void>;
}

/**
 * One HTTP server carrying everything: GraphQL over HTTP and SSE (yoga),
 * graphql-ws on the same path, webhook ingress, health and readiness.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { yoga } = options;
  let draining = false;
  const webhook = createWebhookRoute({
    sources: options.sources,
    events: options.events,
    log: options.log,
    maxBytes: options.webhookMaxBytes,
    maxDepth: options.webhookMaxDepth,
    metrics: options.metrics,
    onOutcome: options.onWebhookOutcome,
  });
  const webhookRoute = options.wrapWebhookRoute?.(webhook) ?? webhook;
  const metrics = createMetricsRoute(options.metrics, options.metricsAccess);

  function route(req: IncomingMessage, res: ServerResponse, done: (error: unknown) => void): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/webhooks/')) {
      webhookRoute(req, res, path.slice('/webhooks/'.length)).catch(done);
    } else if (path.startsWith(SANDBOX_FAULTS_PATH) && options.sandboxFaults) {
      options.sandboxFaults(req, res, path.slice(SANDBOX_FAULTS_PATH.length)).catch(done);
    } else if (path.startsWith(GRAPHIQL_ASSETS_PATH)) {
      serveGraphiQLAsset(path, res)
        .then((served) => {
          if (!served) sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${path}.` } });
        })
        .catch(done);
    } else if (path === '/metrics') {
      metrics(req, res).catch(done);
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const { ready, body } = readiness(
        options.sources,
        options.events,
        options.errors,
        options.credentials,
        draining,
      );
      sendJson(res, ready ? 200 : 503, body);
    } else {
      readGraphQLBody(req, res, options.graphqlMaxBytes)
        .then(async (ok) => {
          if (ok && (path !== options.graphqlPath || !(await options.serveCached?.(req, res)))) {
            await yoga.handle(req, res);
          }
        })
        .catch(done);
    }
  }

  const server = createServer(httpTimeoutOptions(options.timeouts), (req, res) => {
    const done = (error: unknown) => {
      const body = options.errors.internalErrorBody(error, { path: (req.url ?? '/').split('?')[0] });
      if (!res.headersSent) sendJson(res, 500, body);
      else res.destroy();
    };
    // Whatever a request carries, a throw while routing it must answer 500, never end the process.
    try {
      route(req, res, done);
    } catch (error) {
      done(error);
    }
  });

  const graphqlWs = serveGraphQLOverWebSockets({
    yoga,
    log: options.log,
    errors: options.errors,
    sockets: options.sockets,
    cors: options.cors,
    ws: options.ws,
    maxMessageBytes: options.graphqlMaxBytes,
    checkOperation: options.checkOperation,
    subscriptions: options.subscriptions,
  });
  options.metrics.watch({
    connections: () => graphqlWs.clients.size,
    subscriptions: () => graphqlWs.subscriptions.stats(),
  });
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.graphqlPath || draining) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    graphqlWs.upgrade(req, socket, head);
  });

  let inFlight = 0;
  const idle: (() => void)[] = [];
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
    });
  });

  return {
    server,
    subscriptions: graphqlWs.subscriptions,
    async shutdown(timeoutMs) {
      draining = true;
      server.close();
      server.closeIdleConnections();
      for (const client of graphqlWs.clients) client.close(1001, 'Server shutting down');
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      for (const client of graphqlWs.clients) client.terminate();
      server.closeAllConnections();
      await graphqlWs.close();
    },
  };
}
