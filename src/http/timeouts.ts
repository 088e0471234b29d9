import type { ServerOptions } from 'node:http';

/** The HTTP server's timeouts, in ms. */
export interface HttpTimeouts {
  /** Time a client has to send a request's headers (a WebSocket upgrade's too); then the socket is closed. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included; then 408 and the socket is closed. */
  requestTimeoutMs: number;
}

/** Node's own keep-alive timeout: an idle kept-alive connection is closed after 5 s. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * Options of `createServer` that cut off slow clients (slowloris): Node checks
 * the headers and request timeouts of open connections on an interval,
 * 30 s by default, which would let a slow client hold a socket for up to
 * 30 s past its timeout; here it checks at least once a second. Long
 * responses (SSE, downloads) are not limited: the timeouts cover receiving
 * the request only.
 */
export function httpTimeoutOptions(timeouts: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
  };
}
