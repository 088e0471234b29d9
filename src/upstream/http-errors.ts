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

/**
 * Maps a non-2xx upstream response to the gateway's error vocabulary, the same
 * way for every connector: 400/422 → BAD_USER_INPUT (the request carried a
 * value the provider refused), 401/403 → UPSTREAM_UNAVAILABLE (credentials),
 * 404 → UPSTREAM_NOT_FOUND, 429 → UPSTREAM_RATE_LIMITED, anything else →
 * UPSTREAM_UNAVAILABLE.
 */
export function upstreamError(failure: UpstreamFailure): GatewayError {
  const { source, title, response } = failure;
  const said = failure.message ? `: ${failure.message}` : '';
  const details: Record<string, unknown> = { upstreamStatus: response.status };
  if (failure.upstreamCode) details['upstreamCode'] = failure.upstreamCode;
  const requestId = response.headers['request-id'] ?? response.headers['x-request-id'];
  if (requestId) details['upstreamRequestId'] = requestId;
  const status = response.status;
  if (status === 400 || status === 422) {
    return new GatewayError(ErrorCode.BAD_USER_INPUT, `${title} refused the request${said}`, {
      source,
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `${title} rejected the gateway's credentials (${status})${said}. Check ${failure.credentialsVariable}.`,
      { source, details },
    );
  }
  if (status === 404) {
    return new GatewayError(ErrorCode.UPSTREAM_NOT_FOUND, `${title} has no such object${said}`, {
      source,
      details,
    });
  }
  if (status === 429) {
    const retryAfter = response.headers['retry-after'];
    if (retryAfter) details['retryAfter'] = retryAfter;
    return new GatewayError(
      ErrorCode.UPSTREAM_RATE_LIMITED,
      `${title} is rate limiting the gateway (429) and retries did not get through in time${said}`,
      { source, details },
    );
  }
  return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${title} failed with HTTP ${status}${said}`, {
    source,
    details,
  });
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
  throw new GatewayError(
    ErrorCode.UPSTREAM_BAD_RESPONSE,
    `${context.title} answered ${context.operation} with a body the gateway does not understand (${issues.join('; ')}).`,
    { source: context.source, details: { operation: context.operation } },
  );
}
