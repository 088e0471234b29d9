import type { IncomingMessage } from 'node:http';
import {
  CloseCode,
  MessageType,
  handleProtocols,
  makeServer,
  parseMessage,
  stringifyMessage,
} from 'graphql-ws';
import { GraphQLError } from 'graphql';
import type { Context, ServerOptions, SubscribePayload } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { operationLimitErrors } from './connection-limits.ts';

/**
 * The graphql-ws transport over `ws`: graphql-ws's own protocol core
 * (`makeServer`) behind a thin adapter, in place of `graphql-ws/use/ws`.
 *
 * It differs from that adapter where thousands of idle subscribers add up:
 * - one keep-alive timer for every socket (pings spread evenly over the
 *   interval) instead of an interval and a timeout per socket;
 * - it keeps the upgrade request's URL, not the request itself;
 * - the connection_init timeout is checked by that same timer (to the second),
 *   not by a timer per socket;
 * - a `subscribe` message can be taken over by {@link TransportOptions.take}
 *   (shared subscriptions), which then owns it without a paused graphql-ws
 *   handler per subscription. Everything else (connection_init, ping/pong,
 *   queries, mutations, complete, close) goes through graphql-ws unchanged.
 */

/** What the transport keeps of the HTTP upgrade request: its URL (authenticate on its headers before the upgrade). */
export interface UpgradeRequest {
  readonly url: string;
}

/** The `extra` of every graphql-ws context of this transport. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: UpgradeRequest;
}

/** A graphql-ws context of this transport. */
export type SocketContext = Context<Record<string, unknown> | undefined, SocketExtra>;

/**
 * A subscription the transport serves outside graphql-ws's per-operation loop.
 * graphql-ws calls `return()` on it when the client completes it or the socket
 * closes (it has to look like an async generator for that).
 */
export type TakenSubscription = AsyncGenerator<unknown, unknown>;

/**
 * Offered every acknowledged `subscribe` message whose id is free. Returns the
 * subscription it took over, `null` to leave the message to graphql-ws, or
 * errors to refuse it (the client gets them in an `error` message).
 * Must decide synchronously, so messages of one socket stay in order.
 * `ended` is to be called once when the subscription ends on its own (not when
 * the client completes it): with `null` the client gets `complete`, with an
 * error an `error` message carrying its message.
 */
export type TakeSubscription = (
  ctx: SocketContext,
  id: string,
  payload: SubscribePayload,
  ended: (error: Error | null) => void,
) => TakenSubscription | readonly GraphQLError[] | null;

/** Where the transport reports what went wrong inside it. */
export interface TransportLogger {
  error(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link serveGraphQLWebSockets}. */
export interface TransportOptions {
  /** graphql-ws's server options (hooks, execute, subscribe...). */
  graphqlWs: ServerOptions<Record<string, unknown> | undefined, SocketExtra>;
  /** Takes over subscriptions; default: none, graphql-ws runs every operation. */
  take?: TakeSubscription;
  /**
   * A socket is pinged once per this many ms and closed when it has not
   * answered the previous ping by the next one; `0` turns keep-alive off.
   * Default `12_000`, as graphql-ws's own adapter.
   */
  keepAliveMs?: number;
  /**
   * A socket that has not sent `connection_init` this many ms after it opened is
   * closed with 4408, checked once a second; `0` waits forever. Default `3_000`,
   * as graphql-ws.
   */
  connectionInitWaitMs?: number;
  /**
   * Most operations (subscriptions, and queries or mutations in flight) one
   * connection may run at once; a `subscribe` beyond it gets an `error` message
   * (`RATE_LIMITED`) and the connection stays open. Default: no limit.
   */
  maxOperationsPerConnection?: number;
  /** Hide internal error messages from close reasons. Default: `NODE_ENV === 'production'`. */
  isProd?: boolean;
  /** Masks credentials in the close reasons shown outside production. Default: none. */
  redact?: (text: string) => string;
  log: TransportLogger;
}

/** The running transport. */
export interface Transport {
  /** Stops the keep-alive timer (sockets are closed by their server). */
  dispose(): void;
}

const KEEP_ALIVE_SLOTS = 12;
/** Upper bound of the timer's period, so the connection_init timeout is kept to about a second. */
const MAX_TICK_MS = 1_000;

/** Longest close reason the WebSocket protocol allows, in bytes. */
const MAX_CLOSE_REASON = 123;

function closeReason(state: TransportState, error: unknown): string {
  if (state.isProd) return 'Internal server error';
  const reason = state.redact(error instanceof Error ? error.message : String(error));
  return Buffer.byteLength(reason) > MAX_CLOSE_REASON ? 'Internal server error' : reason;
}

/** The state the transport keeps per socket; also the socket graphql-ws talks to, and its `extra`. */
class Connection implements SocketExtra {
  readonly socket: WebSocket;
  readonly request: UpgradeRequest;
  readonly transport: TransportState;
  /** graphql-ws's context, once it received `connection_init`. */
  context: SocketContext | null = null;
  /** graphql-ws's handler of the messages this connection does not take itself. */
  handle: ((data: string) => Promise<void>) | null = null;
  /** graphql-ws's close handler. */
  closed: ((code?: number, reason?: string) => Promise<void>) | null = null;
  /** Epoch ms by which `connection_init` must have arrived; 0 once it did (or with no limit). */
  initDeadline: number;
  awaitingPong = false;

  constructor(socket: WebSocket, request: IncomingMessage, transport: TransportState) {
    this.socket = socket;
    this.request = { url: request.url ?? '/' };
    this.transport = transport;
    this.initDeadline = transport.initWaitMs > 0 ? Date.now() + transport.initWaitMs : 0;
  }

  // The graphql-ws WebSocket interface.
  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) {
        resolve();
        return;
      }
      socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.handle = handle;
  }

  fail(error: unknown, message: string): void {
    this.transport.log.error({ err: error }, message);
    this.socket.close(CloseCode.InternalServerError, closeReason(this.transport, error));
  }

  message(text: string): void {
    let taken: boolean;
    try {
      taken = this.take(text);
    } catch (error) {
      // Thrown from inside a socket's 'message' event it would take the whole process down.
      this.fail(error, 'graphql-ws subscribe handling failed');
      return;
    }
    if (taken) return;
    this.handle?.(text).catch((error: unknown) => this.fail(error, 'graphql-ws message handling failed'));
  }

  /** Answers a `subscribe` with an `error` message: that operation is refused, the connection stays open. */
  refuse(id: string, errors: readonly GraphQLError[]): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    socket.send(stringifyMessage({ id, type: MessageType.Error, payload: errors.map((e) => e.toJSON()) }));
  }

  /** Hands an acknowledged `subscribe` with a free id to the transport's `take`; whether it took (or refused) it. */
  take(text: string): boolean {
    const take = this.transport.take;
    const ctx = this.context;
    // JSON can only spell "subscribe" without those letters through escapes: such a message is parsed too, so
    // that no subscription reaches graphql-ws's own loop around `take` and its limits.
    if (take === undefined || ctx?.acknowledged !== true) return false;
    if (!text.includes('"subscribe"') && !text.includes('\\')) return false;
    let message;
    try {
      message = parseMessage(text);
    } catch {
      return false;
    }
    if (message.type !== MessageType.Subscribe || message.id in ctx.subscriptions) return false;
    const subscriptions = ctx.subscriptions as Record<string, TakenSubscription | null>;
    const ending = new Ending(this.socket, subscriptions, message.id);
    const subscription =
      operationLimitErrors(Object.keys(subscriptions).length, this.transport.maxOperations) ??
      take(ctx, message.id, message.payload, ending.ended);
    if (subscription === null) return false;
    if (isErrors(subscription)) {
      this.refuse(message.id, subscription);
      return true;
    }
    subscriptions[message.id] = subscription;
    ending.attach(subscription);
    return true;
  }
}

function isErrors(value: TakenSubscription | readonly GraphQLError[]): value is readonly GraphQLError[] {
  return Array.isArray(value);
}

/** Tells the client a taken subscription ended, unless the client ended it. */
class Ending {
  readonly #socket: WebSocket;
  readonly #subscriptions: Record<string, TakenSubscription | null>;
  readonly #id: string;
  #subscription: TakenSubscription | null = null;
  #early: { error: Error | null } | null = null;

  constructor(socket: WebSocket, subscriptions: Record<string, TakenSubscription | null>, id: string) {
    this.#socket = socket;
    this.#subscriptions = subscriptions;
    this.#id = id;
  }

  attach(subscription: TakenSubscription): void {
    this.#subscription = subscription;
    if (this.#early !== null) this.ended(this.#early.error);
  }

  readonly ended = (error: Error | null): void => {
    if (this.#subscription === null) {
      this.#early = { error };
      return;
    }
    const id = this.#id;
    // Gone already when the client completed it or the socket closed: nothing to tell.
    if (this.#subscriptions[id] !== this.#subscription) return;
    Reflect.deleteProperty(this.#subscriptions, id);
    const socket = this.#socket;
    if (socket.readyState !== socket.OPEN) return;
    socket.send(
      stringifyMessage(
        error === null
          ? { id, type: MessageType.Complete }
          : {
              id,
              type: MessageType.Error,
              payload: [error instanceof GraphQLError ? error.toJSON() : { message: error.message }],
            },
      ),
    );
  };
}

interface TransportState {
  readonly take: TakeSubscription | undefined;
  readonly log: TransportLogger;
  readonly isProd: boolean;
  readonly redact: (text: string) => string;
  readonly initWaitMs: number;
  readonly maxOperations: number;
}

const connections = new WeakMap<WebSocket, Connection>();

// Shared listeners (`this` is the socket), so a connection holds no closures of its own.
function onSocketMessage(this: WebSocket, data: Buffer): void {
  connections.get(this)?.message(String(data));
}

function onSocketError(this: WebSocket, error: Error): void {
  connections.get(this)?.fail(error, 'websocket error');
}

function onSocketPong(this: WebSocket): void {
  const connection = connections.get(this);
  if (connection) connection.awaitingPong = false;
}

/**
 * One timer for every socket: pings them in {@link KEEP_ALIVE_SLOTS} groups,
 * one group per tick, so many sockets make a steady trickle of pings rather
 * than bursts; and closes sockets that never sent `connection_init`.
 */
class Sweeper {
  readonly #slots: Set<Connection>[] = Array.from({ length: KEEP_ALIVE_SLOTS }, () => new Set());
  readonly #pendingInit = new Set<Connection>();
  readonly #keepAlive: boolean;
  readonly #timer: NodeJS.Timeout;
  readonly #ticksPerSlot: number;
  #tick = 0;
  #added = 0;

  constructor(keepAliveMs: number) {
    this.#keepAlive = keepAliveMs > 0 && Number.isFinite(keepAliveMs);
    const slotMs = this.#keepAlive ? keepAliveMs / KEEP_ALIVE_SLOTS : MAX_TICK_MS;
    this.#ticksPerSlot = Math.max(1, Math.ceil(slotMs / MAX_TICK_MS));
    this.#timer = setInterval(() => this.#sweep(), slotMs / this.#ticksPerSlot);
    this.#timer.unref();
  }

  add(connection: Connection): void {
    if (this.#keepAlive) this.#slots[this.#added++ % KEEP_ALIVE_SLOTS]?.add(connection);
    if (connection.initDeadline > 0) this.#pendingInit.add(connection);
  }

  initialised(connection: Connection): void {
    connection.initDeadline = 0;
    this.#pendingInit.delete(connection);
  }

  remove(connection: Connection): void {
    for (const slot of this.#slots) if (slot.delete(connection)) break;
    this.#pendingInit.delete(connection);
  }

  #sweep(): void {
    const now = Date.now();
    for (const connection of this.#pendingInit) {
      if (connection.initDeadline > now) continue;
      this.#pendingInit.delete(connection);
      connection.socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }
    const tick = this.#tick++;
    if (!this.#keepAlive || tick % this.#ticksPerSlot !== 0) return;
    const slot = this.#slots[(tick / this.#ticksPerSlot) % KEEP_ALIVE_SLOTS];
    for (const connection of slot ?? []) {
      const socket = connection.socket;
      if (socket.readyState !== socket.OPEN) continue;
      if (connection.awaitingPong) {
        // No pong for a whole interval: the peer is gone without saying so.
        this.remove(connection);
        socket.terminate();
        continue;
      }
      connection.awaitingPong = true;
      socket.ping();
    }
  }

  dispose(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Serves the GraphQL over WebSocket protocol (`graphql-transport-ws`) on
 * `wsServer`'s connections.
 */
export function serveGraphQLWebSockets(wsServer: WebSocketServer, options: TransportOptions): Transport {
  const state: TransportState = {
    take: options.take,
    log: options.log,
    isProd: options.isProd ?? process.env['NODE_ENV'] === 'production',
    redact: options.redact ?? ((text) => text),
    initWaitMs: options.connectionInitWaitMs ?? 3_000,
    maxOperations: options.maxOperationsPerConnection ?? Infinity,
  };
  const sweeper = new Sweeper(options.keepAliveMs ?? 12_000);
  const userOnConnect = options.graphqlWs.onConnect;
  const userOnSubscribe = options.graphqlWs.onSubscribe;
  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    ...options.graphqlWs,
    // The sweeper keeps this timeout for every socket at once.
    connectionInitWaitTimeout: 0,
    onConnect: (ctx) => {
      const connection = connections.get(ctx.extra.socket);
      if (connection) {
        connection.context = ctx;
        sweeper.initialised(connection);
      }
      return userOnConnect?.(ctx);
    },
    // The operations graphql-ws runs itself count against the same cap (its id is already in `subscriptions`).
    onSubscribe: (ctx, id, payload) =>
      operationLimitErrors(Object.keys(ctx.subscriptions).length - 1, state.maxOperations) ??
      userOnSubscribe?.(ctx, id, payload),
  });

  wsServer.options.handleProtocols = handleProtocols;
  wsServer.once('error', (error) => {
    state.log.error({ err: error }, 'websocket server error');
    for (const client of wsServer.clients) {
      client.close(CloseCode.InternalServerError, closeReason(state, error));
    }
  });

  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection = new Connection(socket, request, state);
    connections.set(socket, connection);
    socket.once('error', onSocketError);
    socket.on('pong', onSocketPong);
    socket.on('message', onSocketMessage);
    sweeper.add(connection);
    connection.closed = server.opened(connection, connection);
    socket.once('close', (code: number, reason: Buffer) => {
      sweeper.remove(connection);
      connection
        .closed?.(code, reason.toString())
        .catch((error: unknown) => state.log.error({ err: error }, 'graphql-ws close handling failed'));
    });
  });

  return {
    dispose() {
      sweeper.dispose();
    },
  };
}
