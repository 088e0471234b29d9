import { randomUUID } from 'node:crypto';

/** A client's `x-request-id` is kept only when it is a short token: no spaces, quotes or control characters to forge log lines with. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const ids = new WeakMap<Request, string>();

/**
 * The id of an HTTP request, the same every time it is asked for: the client's
 * `x-request-id` when it is 1–64 characters of letters, digits and `._:-`
 * (starting with a letter or digit), else a new UUID. Without a request
 * (graphql-ws), a new UUID.
 */
export function requestIdOf(request: Request | undefined): string {
  if (request === undefined) return randomUUID();
  let id = ids.get(request);
  if (id === undefined) {
    id = requestIdFrom(request.headers.get('x-request-id'));
    ids.set(request, id);
  }
  return id;
}

/** The request id a client's `x-request-id` header value gives (see {@link requestIdOf}). */
export function requestIdFrom(given: string | null | undefined): string {
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
