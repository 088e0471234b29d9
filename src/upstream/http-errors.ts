import type { z } from 'zod';
import { ErrorCode, GatewayError } from '../errors.ts';
import type { UpstreamResponse } from './types.ts';

/** What a connector knows about a failed upstream response. */
export interface UpstreamFailure {
  /** Connector name, reported as `extensions.source`. */
  source: string;
  /** Provider name for messages (`Stripe`). */
  title: string;
  response: UpstreamResponse;
  /** The provider's own error message, when its error body had one. */
  message?: string | undefined;
  /** The provider's own error code, reported as `extensions.upstreamCode`. */
  upstreamCode?: string | undefined;
  /** The environment variable holding the credentials, named in auth failures. */
  credentialsVariable: string;
}

/** Longest provider identifier (error code, request id) passed on to clients. */
const MAX_IDENTIFIER_LENGTH = 128;

/**
 * A provider's identifier (error code, request id, Retry-After) as clients may
 * see it: at most 128 characters of letters, digits and `._:/-+=`, else
 * undefined, so a provider cannot smuggle prose (or an echoed credential) through it.
 */
export function upstreamIdentifier(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '' || text.length > MAX_IDENTIFIER_LENGTH) return undefined;
  return /^[A-Za-z0-9._:/+=-]+$/.test(text) ? text : undefined;
}

/**
 * Maps a non-2xx upstream response to the gateway's error vocabulary, the same
 * way for every connector: 400/422 → BAD_USER_INPUT (the request carried a
 * value the provider refused), 401/403 → UPSTREAM_UNAVAILABLE (credentials),
 * 404 → UPSTREAM_NOT_FOUND, 429 → UPSTREAM_RATE_LIMITED, anything else →
 * UPSTREAM_UNAVAILABLE.
 *
 * The message ends with the provider's own text; `publicMessage` (what
 * production shows) is the same without it. `extensions` carry `upstreamStatus`
 * and, when they pass {@link upstreamIdentifier}, `upstreamCode`,
 * `upstreamRequestId` and `retryAfter`.
 */
export function upstreamError(failure: UpstreamFailure): GatewayError {
  const { source, title, response } = failure;
  const details: Record<string, unknown> = { upstreamStatus: response.status };
  const upstreamCode = upstreamIdentifier(failure.upstreamCode);
  if (upstreamCode) details['upstreamCode'] = upstreamCode;
  const requestId = upstreamIdentifier(response.headers['request-id'] ?? response.headers['x-request-id']);
  if (requestId) details['upstreamRequestId'] = requestId;
  const status = response.status;
  const error = (code: ErrorCode, message: (said: string) => string): GatewayError =>
    new GatewayError(code, message(failure.message ? `: ${failure.message}` : ''), {
      source,
      details,
      publicMessage: failure.message ? message('') : undefined,
    });
  if (status === 400 || status === 422) {
    return error(ErrorCode.BAD_USER_INPUT, (said) => `${title} refused the request${said}`);
  }
  if (status === 401 || status === 403) {
    return error(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      (said) =>
        `${title} rejected the gateway's credentials (${status})${said}. Check ${failure.credentialsVariable}.`,
    );
  }
  if (status === 404) {
    return error(ErrorCode.UPSTREAM_NOT_FOUND, (said) => `${title} has no such object${said}`);
  }
  if (status === 429) {
    const retryAfter = upstreamIdentifier(response.headers['retry-after']);
    if (retryAfter) details['retryAfter'] = retryAfter;
    return error(
      ErrorCode.UPSTREAM_RATE_LIMITED,
      (said) => `${title} is rate limiting the gateway (429) and retries did not get through in time${said}`,
    );
  }
  return error(ErrorCode.UPSTREAM_UNAVAILABLE, (said) => `${title} failed with HTTP ${status}${said}`);
}

/**
 * Parses an upstream body with its zod schema. A body that breaks the API's
 * promise becomes UPSTREAM_BAD_RESPONSE for the field that asked, never a crash.
 */
export function parseUpstream<T extends z.ZodType>(
  schema: T,
  response: UpstreamResponse,
  context: { source: string; title: string; operation: string },
): z.infer<T> {
  const result = schema.safeParse(response.json);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  const message = `${context.title} answered ${context.operation} with a body the gateway does not understand`;
  throw new GatewayError(ErrorCode.UPSTREAM_BAD_RESPONSE, `${message} (${issues.join('; ')}).`, {
    source: context.source,
    details: { operation: context.operation },
    publicMessage: `${message}.`,
  });
}
