import type { Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { errorCodeOf } from '../metrics/labels.ts';

/** Attribute listing every error code (`extensions.code`) a span's work ended with. */
export const ATTR_ERROR_CODES = 'switchyard.error_codes';

/** The `extensions.code` of an error, from the closed vocabulary (an unknown one is INTERNAL_SERVER_ERROR). */
export function codeOfError(error: unknown): string {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return errorCodeOf(typeof extensions?.code === 'string' ? extensions.code : undefined);
}

/**
 * What a failure below the GraphQL layer is: the gateway's error code when it
 * has one (UPSTREAM_TIMEOUT...), else the error's name (`AbortError` when the
 * client went away), never its message.
 */
export function errorTypeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (typeof code === 'string') return errorCodeOf(code);
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Marks a span failed with the gateway's error codes: status ERROR, `error.type`
 * the first code, {@link ATTR_ERROR_CODES} all of them. The status message is the
 * code only: error messages may quote upstream text, never meant for a trace store.
 */
export function markFailed(span: Span, codes: readonly string[]): void {
  const first = codes[0];
  if (first === undefined) return;
  span.setAttribute(ATTR_ERROR_TYPE, first);
  span.setAttribute(ATTR_ERROR_CODES, [...new Set(codes)]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: first });
}
