import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.ts';
import type { CorsPolicy } from '../http/cors.ts';
import { graphqlErrorBody } from '../http/error-body.ts';

/**
 * Limits on WebSocket connections: who may open one (the `Origin` of the
 * upgrade), how many one client may hold at once, and how many operations one
 * connection may run at once.
 */

/** Options of {@link createUpgradeGuard}. */
export interface UpgradeGuardOptions {
  cors: CorsPolicy;
  /** Most WebSockets one client (by IP address) may hold open at once; 0: no limit. */
  maxConnectionsPerClient: number;
}

/**
 * Checks an upgrade request before the WebSocket handshake. Returns whether
 * the upgrade may proceed; when it may not, the socket was answered and closed:
 * - 403 `FORBIDDEN`: the `Origin` is another site the CORS policy does not
 *   allow (cross-site WebSocket hijacking); no `Origin` (not a browser) passes;
 * - 429 `RATE_LIMITED`: the client already holds `maxConnectionsPerClient` WebSockets.
 * An admitted socket counts against its client until it closes.
 */
export function createUpgradeGuard(
  options: UpgradeGuardOptions,
): (req: IncomingMessage, socket: Duplex) => boolean {
  const open = new Map<string, number>();
  const max = options.maxConnectionsPerClient;
  return (req, socket) => {
    const origin = req.headers.origin;
    const forwardedHost = req.headers['x-forwarded-host'];
    if (
      !options.cors.allows(
        origin,
        req.headers.host,
        Array.isArray(forwardedHost) ? forwardedHost[0] : forwardedHost,
      )
    ) {
      refuseUpgrade(
        socket,
        403,
        'Forbidden',
        graphqlErrorBody(
          ErrorCode.FORBIDDEN,
          `WebSocket connections from pages of ${String(origin)} are not allowed: add that origin to CORS_ORIGINS to allow it.`,
        ),
      );
      return false;
    }
    if (max === 0) return true;
    // Per address as the gateway sees it: behind a proxy that is the proxy's (see WS_MAX_CONNECTIONS_PER_CLIENT).
    const client = req.socket.remoteAddress ?? 'unknown';
    const count = open.get(client) ?? 0;
    if (count >= max) {
      refuseUpgrade(
        socket,
        429,
        'Too Many Requests',
        graphqlErrorBody(
          ErrorCode.RATE_LIMITED,
          `This client already holds ${max} WebSocket connections, the most WS_MAX_CONNECTIONS_PER_CLIENT allows: close one, or run several subscriptions over one connection.`,
        ),
      );
      return false;
    }
    open.set(client, count + 1);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
    return true;
  };
}

/** Answers an upgrade request with an HTTP error and a GraphQL-shaped JSON body, then closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, statusText: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The refusal of a `subscribe` over the per-connection cap, or `null` when the
 * connection runs fewer than `max` operations. `running` counts the operations
 * the connection has, the new one not included.
 */
export function operationLimitErrors(running: number, max: number): readonly GraphQLError[] | null {
  if (running < max) return null;
  return [
    new GraphQLError(
      `This connection already runs ${max} operations, the most WS_MAX_SUBSCRIPTIONS_PER_CONNECTION allows: complete one before starting another, or open another connection.`,
      { extensions: { code: ErrorCode.RATE_LIMITED, limit: max } },
    ),
  ];
}
