import { GraphQLError } from 'graphql';

/**
 * The closed vocabulary of `extensions.code` values a client can see. Every
 * failure the gateway reports maps to exactly one of these.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  UPSTREAM_NOT_FOUND: 'UPSTREAM_NOT_FOUND',
  /** The event log cannot be read or written now (Redis unreachable); retry later. */
  EVENT_LOG_UNAVAILABLE: 'EVENT_LOG_UNAVAILABLE',
  /** A subscriber fell too far behind the live stream; resubscribe with `extensions.resumeCursor`. */
  SUBSCRIPTION_LAGGING: 'SUBSCRIPTION_LAGGING',
  /** The client sent more operations than its budget allows; retry after `extensions.retryAfter` seconds (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The request body is larger than the gateway accepts (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The request itself is malformed or unsafe to run (HTTP 400): wrong content type, no CSRF-safe header, bad JSON. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** An unexpected failure inside the gateway; details are only in its logs. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A GraphQL error with the gateway's `extensions` shape: `{ code, source?, ...details }`. */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  /** The connector the error comes from, also in `extensions.source`. */
  readonly sourceName: string | undefined;
  /**
   * What production shows instead of `message` when `message` carries text from
   * outside the gateway (a provider's error text, a network error naming hosts);
   * undefined when `message` is the gateway's own words throughout.
   */
  readonly publicMessage: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      source?: string;
      details?: Record<string, unknown>;
      cause?: unknown;
      publicMessage?: string | undefined;
    } = {},
  ) {
    super(message, {
      extensions: {
        code,
        ...(options.source === undefined ? {} : { source: options.source }),
        ...options.details,
      },
    });
    // Kept as `cause` (for logs), not as `originalError`: yoga masks a GraphQL error whose
    // original error is not itself a GraphQL error, and this one is safe to show.
    if (options.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false, configurable: true });
    }
    this.code = code;
    this.sourceName = options.source;
    this.publicMessage = options.publicMessage;
  }
}

export function badUserInput(message: string, details?: Record<string, unknown>): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, details === undefined ? {} : { details });
}
