import type { z } from 'zod';
import { parseUpstream, upstreamError } from '../../src/upstream/http-errors.ts';
import type { CallOptions, Upstream, UpstreamRequest, UpstreamResponse } from '../../src/upstream/types.ts';
import { AppErrorBody, AppUser, AppUserBatch, AppUserPage } from './models.ts';
import { invalidFields } from '../../src/writes/write-errors.ts';

const source = 'app';
/** How messages name the product's API (`App API failed with HTTP 503`). */
export const TITLE = 'App API';

/** The product API's largest page and largest batch. */
export const MAX_PAGE_SIZE = 100;
export const MAX_BATCH_SIZE = 100;

/** Arguments of `GET /v1/users`. */
export interface ListUsersParams {
  /** 1 to {@link MAX_PAGE_SIZE}. */
  limit: number;
  /** `next_cursor` of the previous page; undefined for the first page. */
  cursor?: string | undefined;
  /** Only the active user with this email (case-insensitive). */
  email?: string | undefined;
}

/** Typed operations of the product's REST API, one per upstream call; every body is zod-parsed. */
export interface AppClient {
  /** `GET /v1/users`: active users, newest first. */
  listUsers(params: ListUsersParams, call: CallOptions): Promise<AppUserPage>;
  /** `GET /v1/users/{id}`: resolves null for an id the product does not know (404 `not_found`). */
  retrieveUser(id: string, call: CallOptions): Promise<AppUser | null>;
  /** `POST /v1/users/batch` by ids (at most {@link MAX_BATCH_SIZE}): the users found, in any order. */
  batchUsersById(ids: readonly string[], call: CallOptions): Promise<AppUser[]>;
  /** `POST /v1/users/batch` by emails (at most {@link MAX_BATCH_SIZE}): the active users found, in any order. */
  batchUsersByEmail(emails: readonly string[], call: CallOptions): Promise<AppUser[]>;
  /**
   * `PATCH /v1/users/{id}` with the fields to set (retried like a PUT: it only
   * sets values); null for an id the product does not know.
   */
  updateUser(id: string, changes: UserUpdate, call: CallOptions): Promise<AppUser | null>;
}

/** The fields `PATCH /v1/users/{id}` sets, in the API's names. */
export interface UserUpdate {
  plan?: string | undefined;
  company?: string | null | undefined;
}

/** A refused write: a 400 `invalid_request` names its field in `param`. */
function failWrite(response: UpstreamResponse): never {
  const parsed = AppErrorBody.safeParse(response.json);
  const error = parsed.success ? parsed.data.error : undefined;
  const param = (error as { param?: unknown } | undefined)?.param;
  if ((response.status === 400 || response.status === 409) && error?.message !== undefined) {
    const field = typeof param === 'string' && ['plan', 'company'].includes(param) ? `input.${param}` : 'id';
    throw invalidFields(TITLE, [{ field, message: error.message }], {
      source,
      details: { upstreamStatus: response.status, upstreamCode: error.code },
    });
  }
  fail(response);
}

function fail(response: UpstreamResponse): never {
  const parsed = AppErrorBody.safeParse(response.json);
  const error = parsed.success ? parsed.data.error : undefined;
  throw upstreamError({
    source,
    title: TITLE,
    response,
    message: error?.message,
    upstreamCode: error?.code,
    credentialsVariable: 'APP_API_KEY',
  });
}

function isNotFound(response: UpstreamResponse): boolean {
  const parsed = AppErrorBody.safeParse(response.json);
  return parsed.success && parsed.data.error.code === 'not_found';
}

/** Builds the product API client over the shared upstream layer. */
export function createAppClient(upstream: Upstream): AppClient {
  async function send<T extends z.ZodType>(
    request: Omit<UpstreamRequest, keyof CallOptions>,
    schema: T,
    call: CallOptions,
  ): Promise<z.infer<T>> {
    const response = await upstream.request({ ...request, ...call });
    if (response.status !== 200) fail(response);
    return parseUpstream(schema, response, { source, title: TITLE, operation: request.operation });
  }

  async function batch(key: 'ids' | 'emails', values: readonly string[], call: CallOptions) {
    if (values.length > MAX_BATCH_SIZE) {
      throw new RangeError(`A batch holds at most ${MAX_BATCH_SIZE} ${key}; got ${values.length}.`);
    }
    const result = await send(
      {
        method: 'POST',
        path: '/v1/users/batch',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [key]: values }),
        // A batch read changes nothing: safe to retry like a GET.
        idempotent: true,
        operation: `users.batch_by_${key === 'ids' ? 'id' : 'email'}`,
      },
      AppUserBatch,
      call,
    );
    return result.data;
  }

  return {
    listUsers(params, call) {
      const query = { limit: params.limit, cursor: params.cursor, email: params.email };
      return send({ method: 'GET', path: '/v1/users', query, operation: 'users.list' }, AppUserPage, call);
    },
    async retrieveUser(id, call) {
      const operation = 'users.retrieve';
      const path = `/v1/users/${encodeURIComponent(id)}`;
      const response = await upstream.request({ method: 'GET', path, operation, ...call });
      // Only the API's own not_found means "no such user"; any other 404 (a wrong
      // APP_BASE_URL hitting some other server) must surface, not read as null.
      if (response.status === 404 && isNotFound(response)) return null;
      if (response.status !== 200) fail(response);
      return parseUpstream(AppUser, response, { source, title: TITLE, operation });
    },
    async updateUser(id, changes, call) {
      const operation = 'users.update';
      const response = await upstream.request({
        method: 'PATCH',
        path: `/v1/users/${encodeURIComponent(id)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(changes),
        // Setting fields twice leaves them as once: safe to retry.
        idempotent: true,
        operation,
        ...call,
      });
      if (response.status === 404 && isNotFound(response)) return null;
      if (response.status !== 200) failWrite(response);
      return parseUpstream(AppUser, response, { source, title: TITLE, operation });
    },
    batchUsersById: (ids, call) => batch('ids', ids, call),
    batchUsersByEmail: (emails, call) => batch('emails', emails, call),
  };
}
