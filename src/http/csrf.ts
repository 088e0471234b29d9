import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import type { CorsPolicy } from './cors.ts';
import { graphqlErrorBody } from './error-body.ts';

/**
 * CSRF prevention, as Apollo Router does by default: a GraphQL request runs
 * only if a browser would have had to ask first (a CORS preflight, which the
 * CORS policy answers), so a page of another site cannot make a visitor's
 * browser run operations with the visitor's network position or cookies.
 *
 * A request is allowed when it has
 * - a `Content-Type` that is not one of the three a form can send without a
 *   preflight (`application/x-www-form-urlencoded`, `multipart/form-data`,
 *   `text/plain`), e.g. `application/json`; or
 * - a non-empty {@link CSRF_HEADERS} header (any custom header forces a preflight); or
 * - it is a `GET` asking for `text/event-stream` (an `EventSource`, which cannot
 *   set headers) from the gateway's own origin or an allowed one: a cross-origin
 *   `EventSource` sends `Origin`, and a no-cors request is told apart by
 *   `Sec-Fetch-Site`.
 *
 * Anything else (form posts, `text/plain`, plain `GET ?query=`) is refused
 * with 400 `BAD_REQUEST` before it is parsed. GraphiQL's page (`GET` with
 * `Accept: text/html`) and CORS preflights are answered before this check.
 */

/** Headers that make a request CSRF-safe whatever its content type. */
export const CSRF_HEADERS = [
  'x-apollo-operation-name',
  'apollo-require-preflight',
  'graphql-require-preflight',
];

const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

export const CSRF_MESSAGE =
  'This request was refused as a possible cross-site request forgery: POST it with `Content-Type: application/json`, ' +
  'or add a non-empty `GraphQL-Require-Preflight` header ' +
  '(`Apollo-Require-Preflight` and `X-Apollo-Operation-Name` work too).';

/** Whether a browser must have sent a CORS preflight before this request. */
function isPreflighted(headers: Headers): boolean {
  const type = headers.get('content-type');
  if (type !== null) {
    const essence = (type.split(';')[0] ?? '').trim().toLowerCase();
    if (essence !== '' && !SIMPLE_CONTENT_TYPES.has(essence)) return true;
  }
  return CSRF_HEADERS.some((name) => (headers.get(name) ?? '').trim() !== '');
}

/** An `EventSource` of the gateway's own page or of an allowed origin. */
function isTrustedEventSource(request: Request, cors: CorsPolicy): boolean {
  const headers = request.headers;
  if (request.method !== 'GET' || !(headers.get('accept') ?? '').includes('text/event-stream')) return false;
  const origin = headers.get('origin');
  if (origin !== null) return cors.allows(origin, headers.get('host'), headers.get('x-forwarded-host'));
  // No Origin: same-origin, a non-browser client, or a no-cors request from another site.
  const site = headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}

/** The yoga plugin refusing requests that were not preflighted. See the module comment. */
export function useCsrfPrevention(cors: CorsPolicy): Plugin {
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (isPreflighted(request.headers) || isTrustedEventSource(request, cors)) return;
      endResponse(
        new fetchAPI.Response(graphqlErrorBody(ErrorCode.BAD_REQUEST, CSRF_MESSAGE), {
          status: 400,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}
