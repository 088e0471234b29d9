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
import { handleWebhook, readRawBody } from './events/ingress.ts';
import { GRAPHIQL_ASSETS_PATH, serveGraphiQLAsset } from './graphiql.ts';
import type { EventLog } from './events/log.ts';
import type { Source } from './sources.ts';
import {
  DocumentCache,
  SharedSubscriptions,
  groupKey,
  isLiveFeed,
  rootFieldOf,
} from './subscriptions/shared.ts';
import type { CachedDocument, MemberSink } from './subscriptions/shared.ts';
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
  /** Path of the GraphQL endpoint, shared by HTTP, SSE and graphql-ws. */
  graphqlPath: string;
  /** The hub sharing one execution between identical graphql-ws subscriptions. Default: a new one. */
  subscriptions?: SharedSubscriptions;
  /** graphql-ws authentication (`connection_init`) and per-operation rate budget. */
  sockets: SocketAuth;
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

/** Largest graphql-ws message a client may send; a larger one closes its socket with 1009. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

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
    return {
      ready,
      body: { status: ready ? 'ready' : draining ? 'shutting down' : 'not ready', eventLog, sources },
    };
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const done = (error: unknown) => {
      log.error({ err: error, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'Internal error.' } });
      else res.destroy();
    };
    if (path.startsWith('/webhooks/')) {
      webhook(req, res, decodeURIComponent(path.slice('/webhooks/'.length))).catch(done);
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
      Promise.resolve(yoga.handle(req, res)).catch(done);
    }
  });

  const subscriptions = options.subscriptions ?? new SharedSubscriptions();
  const documents = new DocumentCache();
  // ws would buffer messages of up to 100 MiB; a GraphQL operation is a few KB (graphql-armor bounds its tokens).
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket: Socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.graphqlPath || draining) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
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
      entry = { schema, document: null, errors: [error] };
    }
    documents.set(params.query, entry);
    return entry;
  }

  const transport = serveGraphQLWebSockets(wsServer, {
    log,
    graphqlWs: {
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      onConnect: options.sockets.onConnect,
      // Queries, mutations and operations that are not valid subscriptions (their errors are sent as graphql-ws does).
      onSubscribe: (ctx, _id, params) => {
        const limited = options.sockets.spend(ctx.extra.socket);
        if (limited) return [limited];
        const { errors } = cachedDocument(ctx, params);
        return errors.length > 0 ? errors : ownExecution(ctx, params);
      },
    },
    // Subscriptions: every client with the same document, operation and variables shares one execution.
    take: (ctx, id, params, ended) => {
      const { schema, document, errors } = cachedDocument(ctx, params);
      if (document === null || errors.length > 0) return null;
      const operation = getOperationAST(document, params.operationName);
      if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) return null;
      const variables = params.variables ?? null;
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
        onEnd: ended,
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
