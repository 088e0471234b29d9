import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, OperationTypeNode, getOperationAST } from 'graphql';
import type { DocumentNode, ExecutionArgs, GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.ts';
import { scopeKey } from '../auth/scopes.ts';
import type { SocketAuth } from '../auth/ws-auth.ts';
import type { GatewayContext } from '../context.ts';
import type { ErrorMasking } from '../error-masking.ts';
import type { CorsPolicy } from '../http/cors.ts';
import type { CheckOperation } from '../limits/operation-limits.ts';
import { createUpgradeGuard } from './connection-limits.ts';
import { HeartbeatBudget, heartbeatRate } from './heartbeat-budget.ts';
import { DocumentCache, SharedSubscriptions, groupKey, isLiveFeed, rootFieldOf } from './shared.ts';
import type { CachedDocument, MemberSink } from './shared.ts';
import { serveGraphQLWebSockets } from './ws-transport.ts';
import type { SocketContext } from './ws-transport.ts';

/** Limits of WebSocket connections (see README, "Limits"). */
export interface WebSocketLimits {
  /** Most operations one connection may run at once. */
  maxOperationsPerConnection: number;
  /** Most connections one client (IP address) may hold at once; 0: no limit. */
  maxConnectionsPerClient: number;
  /** Heartbeat messages per second one connection may receive in all. */
  maxHeartbeatsPerSecond: number;
}

/** Options of {@link serveGraphQLOverWebSockets}. */
export interface GraphQLWebSocketOptions {
  yoga: YogaServerInstance<{ request?: Request; principal?: Principal }, GatewayContext>;
  log: Logger;
  /** How errors reach clients (masked in production, credentials redacted); also hides close reasons in production. */
  errors: ErrorMasking;
  /** graphql-ws authentication (`connection_init`) and per-operation rate budget. */
  sockets: SocketAuth;
  /** Which web pages may open WebSockets (the same policy yoga's CORS headers follow). */
  cors: CorsPolicy;
  ws: WebSocketLimits;
  /** Largest graphql-ws message in bytes: a larger one closes its socket with 1009. */
  maxMessageBytes: number;
  /** Limits that depend on variables; a refusal is the operation's `error` message. Default: none. */
  checkOperation?: CheckOperation | undefined;
  /** The hub sharing one execution between identical subscriptions. Default: a new one. */
  subscriptions?: SharedSubscriptions | undefined;
}

/** GraphQL over WebSocket (graphql-ws) on the HTTP server's upgrades. */
export interface GraphQLWebSocketServer {
  readonly subscriptions: SharedSubscriptions;
  /** Admits an upgrade request (origin, connections per client) and makes it a graphql-ws connection. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Every open WebSocket. */
  readonly clients: Set<WebSocket>;
  /** Stops the keep-alive timer and the WebSocket server (sockets are closed by the caller first). */
  close(): Promise<void>;
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
 * Serves graphql-ws with the same envelop pipeline (plugins, context, validation,
 * limits, masking) as HTTP requests; identical subscriptions share one execution.
 */
export function serveGraphQLOverWebSockets(options: GraphQLWebSocketOptions): GraphQLWebSocketServer {
  const { yoga, log } = options;
  const subscriptions = options.subscriptions ?? new SharedSubscriptions();
  const documents = new DocumentCache();
  // ws would buffer messages of up to 100 MiB; a GraphQL operation is a few KB (graphql-armor bounds its tokens).
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const admitUpgrade = createUpgradeGuard({
    cors: options.cors,
    maxConnectionsPerClient: options.ws.maxConnectionsPerClient,
  });
  const heartbeats = new HeartbeatBudget(options.ws.maxHeartbeatsPerSecond);
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

  return {
    subscriptions,
    clients: wsServer.clients,
    upgrade(req, socket, head) {
      if (!admitUpgrade(req, socket)) return;
      wsServer.handleUpgrade(req, socket, head, (ws) => {
        options.sockets.upgraded(ws, req);
        wsServer.emit('connection', ws, req);
      });
    },
    async close() {
      transport.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
