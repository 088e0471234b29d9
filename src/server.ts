import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, OperationTypeNode, getOperationAST } from 'graphql';
import type { DocumentNode, ExecutionArgs, GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Principal } from './auth/principal.ts';
import { scopeKey } from './auth/scopes.ts';
import type { SocketAuth } from './auth/ws-auth.ts';
import type { WebhookRequest } from './connector.ts';
import type { GatewayContext } from './context.ts';
import { WebhookError } from './connector.ts';
import type { ErrorMasking } from './error-masking.ts';
import { handleWebhook, readRawBody } from './events/ingress.ts';
import { GRAPHIQL_ASSETS_PATH, serveGraphiQLAsset } from './graphiql.ts';
import { readGraphQLBody } from './http/body-limit.ts';
import type { CorsPolicy } from './http/cors.ts';
import { httpTimeoutOptions } from './http/timeouts.ts';
import type { HttpTimeouts } from './http/timeouts.ts';
import type { EventLog } from './events/log.ts';
import type { CheckOperation } from './limits/operation-limits.ts';
import type { Source } from './sources.ts';
import {
  DocumentCache,
  SharedSubscriptions,
  groupKey,
  isLiveFeed,
  rootFieldOf,
} from './subscriptions/shared.ts';
import type { CachedDocument, MemberSink } from './subscriptions/shared.ts';
import { createUpgradeGuard } from './subscriptions/connection-limits.ts';
import { HeartbeatBudget, heartbeatRate } from './subscriptions/heartbeat-budget.ts';
import { serveGraphQLWebSockets } from './subscriptions/ws-transport.ts';
import type { SocketContext } from './subscriptions/ws-transport.ts';

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
}

/** Limits of WebSocket connections (see README, "Limits"). */
export interface WebSocketLimits {
  /** Most operations one connection may run at once. */
  maxOperationsPerConnection: number;
  /** Most connections one client (IP address) may hold at once; 0: no limit. */
  maxConnectionsPerClient: number;
  /** Heartbeat messages per second one connection may receive in all. */
  maxHeartbeatsPerSecond: number;
}

/** The gateway's HTTP server, with what it needs to shut down gracefully. */
export interface HttpServer {
  server: Server;
  /** Shared graphql-ws subscription executions (groups, members), for metrics and tests. */
  subscriptions: SharedSubscriptions;
  /** Stop accepting, let in-flight requests finish for up to `timeoutMs`, then close every socket. */
  shutdown(timeoutMs: number): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** `error` with `extensions.code` set to `code` unless it has one: the code yoga gives the same error over HTTP. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions['code'] === 'string') return error;
  return new GraphQLError(error.message, {
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** A path segment with its percent-escapes decoded, or null when they are malformed (`%ZZ`, a cut-off UTF-8 sequence). */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Writes a member's messages to its WebSocket. */
class SocketSink implements MemberSink {
  readonly #socket: WebSocket;
  constructor(socket: WebSocket) {
    this.#socket = socket;
  }
  send(text: string, done: (error?: Error) => void): void {
    const socket = this.#socket;
    if (socket.readyState === socket.OPEN) socket.send(text, done);
    else done();
  }
}

/** Why a graphql-ws operation may not run: its document's errors (cached), else the limit its variables break. */
function refusal(
  entry: CachedDocument,
  params: SubscribePayload,
  check: CheckOperation | undefined,
): readonly GraphQLError[] {
  if (entry.document === null || entry.errors.length > 0) return entry.errors;
  const { schema, document } = entry;
  const error = check?.({
    schema,
    document,
    operationName: params.operationName,
    variableValues: params.variables,
  });
  return error ? [error] : [];
}

/** What yoga's context function gets for a graphql-ws operation: the socket's principal, no request. */
function serverContextOf(sockets: SocketAuth, ctx: SocketContext, params: SubscribePayload) {
  const socket = ctx.extra.socket;
  return { ...ctx, req: ctx.extra.request, socket, params, principal: sockets.principalOf(socket) };
}

/**
 * One HTTP server carrying everything: GraphQL over HTTP and SSE (yoga),
 * graphql-ws on the same path, webhook ingress, health and readiness.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { yoga, log } = options;
  const sourcesByName = new Map(options.sources.map((s) => [s.name, s]));
  let draining = false;

  async function webhook(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const source = sourcesByName.get(name);
    if (!source?.connector.webhooks) {
      sendJson(res, 404, {
        error: { code: 'UNKNOWN_SOURCE', message: `No webhook source is named "${name}".` },
      });
      return;
    }
    if (req.method !== 'POST') {
      sendJson(
        res,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: 'Webhooks are delivered with POST.' } },
        { allow: 'POST' },
      );
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req, options.webhookMaxBytes);
    } catch (error) {
      if (error instanceof WebhookError) {
        sendJson(
          res,
          error.status,
          { error: { code: error.code, message: error.message } },
          { connection: 'close' },
        );
        return;
      }
      throw error;
    }
    const request: WebhookRequest = {
      method: 'POST',
      url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers: lowerHeaders(req),
      rawBody,
    };
    const result = await handleWebhook({
      source: name,
      webhooks: source.connector.webhooks,
      secret: source.webhookSecret,
      request,
      log: options.events,
      maxDepth: options.webhookMaxDepth,
    });
    log.info({ source: name, status: result.status, bytes: rawBody.length }, 'webhook');
    sendJson(res, result.status, result.body);
  }

  function readiness(): { ready: boolean; body: unknown } {
    const eventLog = options.events.health();
    const sources = options.sources.map((s) => ({
      name: s.name,
      mode: s.mode,
      webhooks: s.webhookSecret !== undefined,
      ...(s.mode === 'off' ? { hint: `no credentials: set ${s.connector.provider.credentials}` } : {}),
    }));
    const ready = !draining && eventLog.ok;
    const shown = { ...eventLog, detail: options.errors.redact(eventLog.detail) };
    return {
      ready,
      body: { status: ready ? 'ready' : draining ? 'shutting down' : 'not ready', eventLog: shown, sources },
    };
  }

  function route(req: IncomingMessage, res: ServerResponse, done: (error: unknown) => void): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/webhooks/')) {
      const name = decodePathSegment(path.slice('/webhooks/'.length));
      if (name === null) {
        sendJson(res, 404, {
          error: {
            code: 'UNKNOWN_SOURCE',
            message: 'The webhook path is not a valid percent-encoded source name.',
          },
        });
        return;
      }
      webhook(req, res, name).catch(done);
    } else if (path.startsWith(GRAPHIQL_ASSETS_PATH)) {
      serveGraphiQLAsset(path, res)
        .then((served) => {
          if (!served) sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${path}.` } });
        })
        .catch(done);
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const { ready, body } = readiness();
      sendJson(res, ready ? 200 : 503, body);
    } else {
      readGraphQLBody(req, res, options.graphqlMaxBytes)
        .then((ok) => (ok ? yoga.handle(req, res) : undefined))
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

  const subscriptions = options.subscriptions ?? new SharedSubscriptions();
  const documents = new DocumentCache();
  // ws would buffer messages of up to 100 MiB; a GraphQL operation is a few KB (graphql-armor bounds its tokens).
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: options.graphqlMaxBytes });
  const admitUpgrade = createUpgradeGuard({
    cors: options.cors,
    maxConnectionsPerClient: options.ws.maxConnectionsPerClient,
  });
  const heartbeats = new HeartbeatBudget(options.ws.maxHeartbeatsPerSecond);
  server.on('upgrade', (req, socket: Socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.graphqlPath || draining) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!admitUpgrade(req, socket)) return;
    wsServer.handleUpgrade(req, socket, head, (ws) => {
      options.sockets.upgraded(ws, req);
      wsServer.emit('connection', ws, req);
    });
  });

  interface RootValue {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  }

  /** Queries and mutations over graphql-ws: the same envelop pipeline (plugins, context, validation) as HTTP requests. */
  async function ownExecution(
    ctx: SocketContext,
    params: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const enveloped = yoga.getEnveloped(serverContextOf(options.sockets, ctx, params));
    const schema = enveloped.schema as GraphQLSchema;
    const document = enveloped.parse(params.query) as DocumentNode;
    const contextValue: unknown = await enveloped.contextFactory();
    const rootValue: RootValue = {
      execute: enveloped.execute as RootValue['execute'],
      subscribe: enveloped.subscribe as RootValue['subscribe'],
    };
    const args: ExecutionArgs = {
      schema,
      operationName: params.operationName ?? null,
      document,
      variableValues: params.variables ?? null,
      contextValue,
      rootValue,
    };
    const errors = enveloped.validate(schema, document) as readonly GraphQLError[];
    return errors.length > 0 ? errors : args;
  }

  /** Parsed and validated once per query text, with the same envelop pipeline. */
  function cachedDocument(ctx: SocketContext, params: SubscribePayload): CachedDocument {
    const hit = documents.get(params.query);
    if (hit) return hit;
    const enveloped = yoga.getEnveloped(serverContextOf(options.sockets, ctx, params));
    const schema = enveloped.schema as GraphQLSchema;
    let entry: CachedDocument;
    try {
      const document = enveloped.parse(params.query) as DocumentNode;
      entry = { schema, document, errors: enveloped.validate(schema, document) as readonly GraphQLError[] };
    } catch (error) {
      // A syntax error, or a limit the parser enforces (graphql-armor's token count): the client's `error` message.
      if (!(error instanceof GraphQLError)) throw error;
      entry = { schema, document: null, errors: [withCode(error, 'GRAPHQL_PARSE_FAILED')] };
    }
    documents.set(params.query, entry);
    return entry;
  }

  const transport = serveGraphQLWebSockets(wsServer, {
    log,
    isProd: options.errors.production,
    redact: (text) => options.errors.redact(text),
    maxOperationsPerConnection: options.ws.maxOperationsPerConnection,
    graphqlWs: {
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      onConnect: options.sockets.onConnect,
      // Queries, mutations and operations that are not valid subscriptions (their errors are sent as graphql-ws does).
      onSubscribe: (ctx, _id, params) => {
        const limited = options.sockets.spend(ctx.extra.socket);
        if (limited) return [limited];
        const errors = refusal(cachedDocument(ctx, params), params, options.checkOperation);
        return errors.length > 0 ? errors : ownExecution(ctx, params);
      },
    },
    // Subscriptions: every client with the same document, operation and variables shares one execution.
    take: (ctx, id, params, ended) => {
      const entry = cachedDocument(ctx, params);
      const { schema, document } = entry;
      // Refused: graphql-ws's onSubscribe sends the `error` message.
      if (document === null || refusal(entry, params, options.checkOperation).length > 0) return null;
      const operation = getOperationAST(document, params.operationName);
      if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) return null;
      const variables = params.variables ?? null;
      const refused = heartbeats.claim(ctx, id, heartbeatRate(schema, document, operation, variables));
      if (refused) return refused;
      // Over budget: left to graphql-ws, whose onSubscribe answers with the RATE_LIMITED error.
      if (options.sockets.spend(ctx.extra.socket) !== null) return null;
      const principal = options.sockets.principalOf(ctx.extra.socket);
      const start = async (signal: AbortSignal) => {
        const enveloped = yoga.getEnveloped(serverContextOf(options.sockets, ctx, params));
        const contextValue = (await enveloped.contextFactory()) as { signal?: AbortSignal };
        // No request over graphql-ws, so no request signal: the group's ends the execution when its last member leaves.
        contextValue.signal ??= signal;
        return enveloped.subscribe({
          schema,
          operationName: params.operationName ?? null,
          document,
          variableValues: variables,
          contextValue,
        }) as unknown;
      };
      return subscriptions.join({
        // Principals with different scopes see different data: they never share an execution.
        key: groupKey(params.query, params.operationName, variables, scopeKey(principal.scopes)),
        id,
        sink: new SocketSink(ctx.extra.socket),
        start,
        joinableMidStream: isLiveFeed(schema, operation, variables),
        rootField: rootFieldOf(operation),
        // A failed execution reaches the client masked, as over HTTP.
        onEnd: (error) => ended(error === null ? null : options.errors.maskError(error)),
      });
    },
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
    subscriptions,
    async shutdown(timeoutMs) {
      draining = true;
      transport.dispose();
      server.close();
      server.closeIdleConnections();
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      for (const client of wsServer.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
