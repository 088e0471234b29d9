import type { CORSOptions } from 'graphql-yoga';

/**
 * Who may use the gateway from a web page of another origin: GraphQL over
 * HTTP and SSE (CORS headers, yoga's `cors` option), and WebSocket upgrades
 * (the `Origin` check against cross-site WebSocket hijacking).
 *
 * The page's own origin (the gateway serving GraphiQL) is never cross-origin
 * and always allowed: the `Origin` names the Host the request came to, or the
 * `X-Forwarded-Host` a proxy in front says the browser asked for (a page cannot
 * set that header on a WebSocket or a request it could send without a
 * preflight). Requests without `Origin` (curl, servers) are not from a web page
 * and are allowed too.
 */

/** `CORS_ORIGINS` as configured: exact origins, `*` (any origin), or unset (the default for the mode). */
export type CorsOrigins = readonly string[] | '*' | undefined;

/**
 * Parses `CORS_ORIGINS`: `*` alone, or comma-separated exact origins
 * (`https://app.example.com,http://localhost:3000`). Returns the problems of a
 * bad value instead (each with its fix); unset or empty is `undefined`.
 */
export function parseCorsOrigins(value: string | undefined): CorsOrigins | { problems: string[] } {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  if (text === '*') return '*';
  const problems: string[] = [];
  const origins: string[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '*') {
      problems.push(
        '`*` allows every origin and must be the whole value: set CORS_ORIGINS=* or list origins',
      );
      continue;
    }
    const url = URL.canParse(item) ? new URL(item) : null;
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
      problems.push(
        `"${item}" is not an origin: write it as scheme://host[:port], e.g. https://app.example.com`,
      );
    } else if (url.origin !== item) {
      problems.push(
        `"${item}" is not an exact origin: write "${url.origin}" (no path, no trailing slash, lower case)`,
      );
    } else {
      origins.push(item);
    }
  }
  return problems.length > 0 ? { problems } : origins;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The cross-origin policy of one gateway. */
export interface CorsPolicy {
  /** Whether a page of `origin` may use the gateway, reached at `hosts` (the request's Host and X-Forwarded-Host). */
  allows(origin: string | null | undefined, ...hosts: (string | null | undefined)[]): boolean;
  /** Yoga's `cors` option: CORS headers for allowed origins, none for the others. */
  yoga(request: Request): CORSOptions | false;
}

export interface CorsPolicyOptions {
  origins: CorsOrigins;
  /** Production mode: unset `origins` allows no other origin (development: loopback origins on any port). */
  production: boolean;
}

/**
 * The policy for `CORS_ORIGINS`. Unset, development allows pages served from
 * localhost, 127.0.0.1 and [::1] on any port (a front end in development),
 * production none; the gateway's own origin is always allowed.
 */
export function createCorsPolicy(options: CorsPolicyOptions): CorsPolicy {
  const { origins, production } = options;
  const listed = new Set(Array.isArray(origins) ? origins : []);
  const isListed = (origin: string): boolean => {
    if (origins === '*') return true;
    if (origins !== undefined) return listed.has(origin);
    if (production || !URL.canParse(origin)) return false;
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  };
  const allows = (origin: string | null | undefined, ...hosts: (string | null | undefined)[]): boolean => {
    if (origin === null || origin === undefined) return true;
    if (isListed(origin)) return true;
    return hosts.some((host) => sameOrigin(origin, host));
  };
  return {
    allows,
    yoga(request) {
      const origin = request.headers.get('origin');
      const headers = request.headers;
      if (origin === null || !allows(origin, headers.get('host'), headers.get('x-forwarded-host')))
        return false;
      // Credentials (cookies of a proxy in front) only for origins named on purpose, never for `*`.
      return { origin: [origin], credentials: origins !== '*', maxAge: 600 };
    },
  };
}

/** Whether `origin` is the origin of the gateway itself, as the browser reached it. */
function sameOrigin(origin: string, host: string | null | undefined): boolean {
  // X-Forwarded-Host lists one host per proxy; the first is the one the browser asked for.
  const first = host?.split(',')[0]?.trim();
  if (first === undefined || first === '' || !URL.canParse(origin)) return false;
  return new URL(origin).host === first.toLowerCase();
}
