import { ErrorCode } from '../errors.ts';
import type { UpstreamAttempt } from '../upstream/types.ts';

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** A label value from the closed vocabulary: an unknown code counts as INTERNAL_SERVER_ERROR. */
export function errorCodeOf(code: string | undefined): string {
  return code !== undefined && CODES.has(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * How an upstream call ended, from its last attempt: `ok` (1xx–3xx),
 * `rate_limited` (429), `client_error` (other 4xx), `server_error` (5xx),
 * `timeout`, `unavailable` (no connection), `aborted` (the client went away).
 */
export function upstreamOutcome(info: UpstreamAttempt): string {
  if (info.status !== undefined) {
    if (info.status === 429) return 'rate_limited';
    if (info.status >= 500) return 'server_error';
    if (info.status >= 400) return 'client_error';
    return 'ok';
  }
  const code = (info.error as { code?: unknown } | undefined)?.code;
  if (code === ErrorCode.UPSTREAM_TIMEOUT) return 'timeout';
  if (code === ErrorCode.UPSTREAM_UNAVAILABLE) return 'unavailable';
  return 'aborted';
}

/** What a webhook answer says: the refusal `code`, or how many events were `stored` and were `duplicates`. */
export function webhookOutcome(response: { status: number; body: unknown }): {
  code?: string;
  stored?: number;
  duplicates?: number;
} {
  const body = response.body as { stored?: unknown; duplicates?: unknown; error?: { code?: unknown } } | null;
  if (response.status === 200) {
    return {
      stored: typeof body?.stored === 'number' ? body.stored : 0,
      duplicates: typeof body?.duplicates === 'number' ? body.duplicates : 0,
    };
  }
  return { code: typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${response.status}` };
}
