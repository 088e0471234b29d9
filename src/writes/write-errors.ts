import { ErrorCode, GatewayError, badUserInput } from '../errors.ts';

/** One field a provider (or the gateway's validation) refused, and why. */
export interface FieldError {
  /** The argument path (`input.email`), or the provider's own name of the field when it has no counterpart. */
  field: string;
  message: string;
}

/**
 * BAD_USER_INPUT for a write refused field by field: the message lists them,
 * `extensions.fields` has each `{ field, message }`.
 */
export function invalidFields(
  who: string,
  fields: readonly FieldError[],
  options: { source?: string; details?: Record<string, unknown> } = {},
): GatewayError {
  const listed = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new GatewayError(ErrorCode.BAD_USER_INPUT, `${who} refused the input (${listed}).`, {
    ...(options.source === undefined ? {} : { source: options.source }),
    details: { ...options.details, fields: fields.map((f) => ({ field: f.field, message: f.message })) },
  });
}

// Failures where the request cannot have reached the provider: the write did not happen.
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codesOf(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === 'string' ? [own] : [];
  if (error instanceof AggregateError) for (const e of error.errors) codes.push(...codesOf(e, seen));
  if (error instanceof Error && error.cause !== undefined) codes.push(...codesOf(error.cause, seen));
  return codes;
}

/**
 * How a write that got no answer ends. A timeout, or a connection that broke
 * after the request may have been sent (a reset mid-response), leaves its
 * outcome unknown: UPSTREAM_TIMEOUT with `extensions.outcome: "unknown"` and
 * what to do. A connection that was never made, or an open circuit breaker,
 * means nothing was sent (`outcome: "not_applied"`). Other errors pass unchanged.
 *
 * `retrySafe` says whether a retry with the same key cannot write twice: the
 * provider de-duplicates the key, or the write sets values (an update).
 */
export function asWriteError(error: unknown, context: { title: string; retrySafe: boolean }): unknown {
  if (!(error instanceof GatewayError)) return error;
  if (error.code === ErrorCode.UPSTREAM_UNAVAILABLE) {
    const extensions = error.extensions as Record<string, unknown>;
    // The provider answered (a 5xx, refused credentials): its answer is the outcome, not a lost one.
    if (extensions['upstreamStatus'] !== undefined) return error;
    const codes = codesOf((error as { cause?: unknown }).cause);
    if (extensions['breaker'] !== undefined || codes.some((c) => NOT_SENT_CODES.has(c))) {
      extensions['outcome'] = 'not_applied';
      return error;
    }
    if (codes.length === 0) return error;
  } else if (error.code !== ErrorCode.UPSTREAM_TIMEOUT) {
    return error;
  }
  const what =
    error.code === ErrorCode.UPSTREAM_TIMEOUT ? 'did not answer in time' : 'dropped the connection';
  const advice = context.retrySafe
    ? 'Retry with the same idempotencyKey: the write happens at most once.'
    : `Retry with the same idempotencyKey: if the first attempt was written, ${context.title} has no ` +
      'idempotency keys of its own to notice it, so look for the object first if a duplicate would matter.';
  const message = `${context.title} ${what} after the write was sent, so its outcome is unknown: it may or may not have happened. ${advice}`;
  return new GatewayError(ErrorCode.UPSTREAM_TIMEOUT, message, {
    ...(error.sourceName === undefined ? {} : { source: error.sourceName }),
    details: { outcome: 'unknown' },
    cause: error,
  });
}

/** The `idempotencyKey` argument: 1 to 255 characters, or absent. */
export function checkIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    const message = `must be 1 to 255 characters; got ${key.length}`;
    throw badUserInput(`Argument "idempotencyKey" ${message}.`, {
      argument: 'idempotencyKey',
      fields: [{ field: 'idempotencyKey', message }],
    });
  }
  return key;
}
