import type { IncomingMessage } from 'node:http';
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { GatewayError } from '../errors.ts';
import { MISSING_CREDENTIALS } from './authenticator.ts';
import type { Authenticator } from './authenticator.ts';
import { NOBODY } from './principal.ts';
import type { Principal } from './principal.ts';
import { rateLimitKey, rateLimitedError } from './rate-limit.ts';
import type { RateLimiter } from './rate-limit.ts';
import { hasAnyReadScope } from './scopes.ts';

/** What is kept per socket: the upgrade's credentials until `connection_init`, then the principal. */
interface SocketState {
  authorization: string | undefined;
  ip: string | undefined;
  principal: Principal | null;
  limitKey: string;
}

/** The graphql-ws context parts this needs. */
interface ConnectContext {
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined;
  readonly extra: { readonly socket: WebSocket };
}

const MAX_CLOSE_REASON = 123;

function reason(text: string, fallback: string): string {
  return Buffer.byteLength(text) <= MAX_CLOSE_REASON ? text : fallback;
}

/** Longest delay a timer takes (about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A socket authenticated with a token that expires is closed with 4401 when it does. */
function closeAtExpiry(socket: WebSocket, expiresAt: number): void {
  const timer = setTimeout(
    () => {
      if (Date.now() < expiresAt) closeAtExpiry(socket, expiresAt);
      else
        socket.close(CloseCode.Unauthorized, 'Unauthorized: the token has expired; reconnect with a new one');
    },
    Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS),
  );
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Authentication and the rate budget of graphql-ws connections. A client sends
 * `{"authorization": "Bearer <API key or JWT>"}` in its `connection_init`
 * payload, or an `Authorization` header with the upgrade request. Without
 * valid credentials the socket is closed with 4401; authenticated without any
 * read scope, with 4403; authenticated with a JWT, with 4401 when the token
 * expires. Each operation spends one of the principal's rate budget; one over
 * budget gets an `error` message (RATE_LIMITED) and the socket stays open.
 */
export class SocketAuth {
  readonly #authenticator: Authenticator;
  readonly #limiter: RateLimiter;
  readonly #sockets = new WeakMap<WebSocket, SocketState>();

  constructor(authenticator: Authenticator, limiter: RateLimiter) {
    this.#authenticator = authenticator;
    this.#limiter = limiter;
  }

  /** Call once the upgrade is accepted, before the connection is served. */
  upgraded(socket: WebSocket, request: IncomingMessage): void {
    const ip = request.socket.remoteAddress;
    this.#sockets.set(socket, {
      authorization: request.headers.authorization,
      ip,
      principal: null,
      limitKey: '',
    });
  }

  /** graphql-ws's `onConnect`: whether to acknowledge the connection (it closes a refused one itself). */
  readonly onConnect = async (ctx: ConnectContext): Promise<boolean> => {
    const socket = ctx.extra.socket;
    const state = this.#sockets.get(socket);
    if (state === undefined) return false;
    const params = ctx.connectionParams ?? {};
    const given = params['authorization'] ?? params['Authorization'];
    if (given !== undefined && typeof given !== 'string') {
      socket.close(CloseCode.Unauthorized, 'Unauthorized: authorization must be the string "Bearer <key>"');
      return false;
    }
    const outcome = await this.#authenticator.authenticate(given ?? state.authorization);
    // The credentials are not needed any more: do not keep a secret for the socket's lifetime.
    state.authorization = undefined;
    if (!outcome.ok) {
      socket.close(
        CloseCode.Unauthorized,
        outcome.message === MISSING_CREDENTIALS
          ? 'Unauthorized: send {"authorization":"Bearer <key>"} in the connection_init payload'
          : reason(`Unauthorized: ${outcome.message}`, 'Unauthorized: invalid credentials'),
      );
      return false;
    }
    // graphql-ws closes a refused connection with 4403 Forbidden.
    if (!hasAnyReadScope(outcome.principal.scopes)) return false;
    state.principal = outcome.principal;
    state.limitKey = rateLimitKey(outcome.principal, state.ip);
    const expiresAt = outcome.principal.expiresAt;
    if (expiresAt !== undefined) closeAtExpiry(socket, expiresAt);
    return true;
  };

  /** The principal of an acknowledged socket (NOBODY, who may read nothing, for any other). */
  principalOf(socket: WebSocket): Principal {
    return this.#sockets.get(socket)?.principal ?? NOBODY;
  }

  /** Spends one operation of the socket's budget; the error to send instead when it is spent. */
  spend(socket: WebSocket): GatewayError | null {
    const key = this.#sockets.get(socket)?.limitKey ?? 'unknown';
    const decision = this.#limiter.take(key);
    return decision.ok ? null : rateLimitedError(decision.retryAfterS, this.#limiter.perMinute);
  }
}
