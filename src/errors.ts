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
  /** A subscriber fell too far behind the live stream; resubscribe with `extensions.resumeCursor`. */
  SUBSCRIPTION_LAGGING: 'SUBSCRIPTION_LAGGING',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A GraphQL error with the gateway's `extensions` shape: `{ code, source?, ...details }`. */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  /** The connector the error comes from, also in `extensions.source`. */
  readonly sourceName: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { source?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, {
      extensions: {
        code,
        ...(options.source === undefined ? {} : { source: options.source }),
        ...options.details,
      },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
    this.code = code;
    this.sourceName = options.source;
  }
}

export function badUserInput(message: string, details?: Record<string, unknown>): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, details === undefined ? {} : { details });
}
