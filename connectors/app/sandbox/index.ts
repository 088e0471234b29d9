import { randomBytes } from 'node:crypto';
/**
 * The emulator of the product's REST API (the contract in connectors/app/README.md)
 * over the shared demo world: Bearer auth, `{ error: { code, message } }` bodies,
 * keyset pagination, batch reads, rate-limit headers and 429s, and webhooks
 * signed per Standard Webhooks.
 */
import { randomBase62, seededRandom } from '../../../src/sandbox/demo-world.ts';
import { startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import { credentialRandom } from '../../../src/sandbox/credentials.ts';
import type { ConnectorSandbox, RunningSandbox, SandboxOptions } from '../../../src/sandbox/types.ts';
import type { DemoWorld } from '../../../src/sandbox/world.ts';
import { createReactor, deliver } from './react.ts';
import type { AppWebhookPayload } from './react.ts';
import { APP_PLANS } from '../models.ts';
import { createUserIds, seedUsers } from './seed.ts';
import { AppApiError, UserStore, invalidRequest, isoSeconds } from './store.ts';
import type { UserObject } from './store.ts';

export { deliver, newMessageId } from './react.ts';

/** Options of {@link startAppSandbox}. */
export interface AppSandboxOptions extends SandboxOptions {
  /** Requests allowed per API key in each fixed window. Default 1000. */
  rateLimit?: number;
  /** Length of the rate-limit window in seconds. Default 60. */
  rateWindowSeconds?: number;
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
const MAX_BATCH = 100;

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'invalid_request',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The API's error body for a status the emulator answers by itself (faults, unknown URLs, crashes). */
export function appErrorBody(status: number, message: string): { error: { code: string; message: string } } {
  if (status === 404 && message.startsWith('Unrecognized request URL')) {
    return { error: { code: 'route_not_found', message } };
  }
  if (status === 429) {
    return {
      error: {
        code: 'rate_limited',
        message: 'Too many requests: slow down and retry after Retry-After seconds.',
      },
    };
  }
  const code = ERROR_CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
  return { error: { code, message } };
}

function unauthorized(message: string): EmulatorResponse {
  return {
    status: 401,
    body: { error: { code: 'unauthorized', message } },
    headers: { 'WWW-Authenticate': 'Bearer realm="app"' },
  };
}

function authorizer(apiKey: string) {
  return (request: EmulatorRequest): EmulatorResponse | undefined => {
    const header = request.headers.authorization?.trim() ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer === null) {
      return unauthorized('Missing API key: send it as Authorization: Bearer <APP_API_KEY>.');
    }
    if (bearer[1] !== apiKey) return unauthorized('Invalid API key.');
    return undefined;
  };
}

/** A fixed-window limiter per API key, reported in `RateLimit-*` headers on every answer. */
function rateLimiter(limit: number, windowSeconds: number) {
  let windowStart = 0;
  let used = 0;
  return (): { allowed: boolean; headers: Record<string, string> } => {
    const now = Date.now();
    if (now - windowStart >= windowSeconds * 1000) {
      windowStart = now;
      used = 0;
    }
    used += 1;
    const reset = Math.max(1, Math.ceil((windowStart + windowSeconds * 1000 - now) / 1000));
    const headers = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, limit - used)),
      'RateLimit-Reset': String(reset),
    };
    return used <= limit
      ? { allowed: true, headers }
      : { allowed: false, headers: { ...headers, 'Retry-After': String(reset) } };
  };
}

function checkParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of query.keys()) {
    if (!allowed.includes(key)) throw invalidRequest(key, `Unknown parameter: ${key}.`);
  }
}

function parseLimit(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return DEFAULT_PAGE;
  const limit = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw invalidRequest('limit', `limit must be an integer from 1 to ${MAX_PAGE}; got ${raw}.`);
  }
  return limit;
}

function optional(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

/** The `{ ids }` or `{ emails }` body of a batch read. */
function batchKeys(json: unknown): { key: 'ids' | 'emails'; values: string[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidRequest(
      'body',
      'Send a JSON object with "ids" or "emails" (Content-Type: application/json).',
    );
  }
  const body = json as Record<string, unknown>;
  const keys = Object.keys(body);
  const unknown = keys.find((k) => k !== 'ids' && k !== 'emails');
  if (unknown !== undefined) throw invalidRequest(unknown, `Unknown field: ${unknown}.`);
  if (keys.length !== 1) throw invalidRequest('ids', 'Send exactly one of "ids" or "emails".');
  const key = keys[0] === 'emails' ? 'emails' : 'ids';
  const values = body[key];
  if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string' && v !== '')) {
    throw invalidRequest(key, `${key} must be an array of non-empty strings.`);
  }
  if (values.length === 0 || values.length > MAX_BATCH) {
    throw invalidRequest(key, `${key} must hold 1 to ${MAX_BATCH} entries; got ${values.length}.`);
  }
  return { key, values };
}

/** `PATCH /v1/users/{id}`: sets `plan` and `company`; a user.updated webhook follows when one changed. */
function updateUser(
  store: UserStore,
  request: EmulatorRequest,
  emit: (payload: AppWebhookPayload) => void,
): UserObject {
  const id = request.params['id'] ?? '';
  const user = store.get(id);
  if (user === undefined) throw new AppApiError(404, 'not_found', `No user with id '${id}'.`);
  const json = request.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidRequest(
      'body',
      'Send a JSON object with the fields to change (Content-Type: application/json).',
    );
  }
  const body = json as Record<string, unknown>;
  const unknown = Object.keys(body).find((k) => k !== 'plan' && k !== 'company');
  if (unknown !== undefined) throw invalidRequest(unknown, `Unknown field: ${unknown}.`);
  const plan = body['plan'];
  if (plan !== undefined && !(typeof plan === 'string' && (APP_PLANS as readonly string[]).includes(plan))) {
    throw invalidRequest('plan', `plan must be one of ${APP_PLANS.join(', ')}; got ${JSON.stringify(plan)}.`);
  }
  const company = body['company'];
  if (company !== undefined && company !== null && !(typeof company === 'string' && company.length <= 255)) {
    throw invalidRequest('company', 'company must be a string of at most 255 characters, or null.');
  }
  if (user.deleted_at !== undefined) {
    throw new AppApiError(409, 'user_deleted', `User '${id}' deleted their account and cannot be changed.`);
  }
  // Changed in place: the store's ordered view holds the same objects.
  const before = { plan: user.plan, company: user.company };
  const next = user;
  if (plan !== undefined) next.plan = plan as UserObject['plan'];
  if (company !== undefined) next.company = company === '' ? null : company;
  if (next.plan !== before.plan || next.company !== before.company) {
    next.updated_at = isoSeconds(Math.floor(Date.now() / 1000));
    emit({
      event: 'user.updated',
      timestamp: next.updated_at,
      data: {
        user_id: next.user_id,
        email: next.email,
        first_name: next.first_name,
        last_name: next.last_name,
        company: next.company,
        plan: next.plan,
      },
    });
  }
  return next;
}

function routes(
  store: UserStore,
  limiter: ReturnType<typeof rateLimiter>,
  emit: (payload: AppWebhookPayload) => void,
): Route[] {
  const route = (method: string, path: string, handler: (request: EmulatorRequest) => unknown): Route => ({
    method,
    path,
    handler: (request) => {
      const rate = limiter();
      if (!rate.allowed) {
        return {
          status: 429,
          body: appErrorBody(429, ''),
          headers: rate.headers,
        };
      }
      try {
        return { status: 200, body: handler(request), headers: rate.headers };
      } catch (error) {
        if (error instanceof AppApiError)
          return { status: error.status, body: error.body, headers: rate.headers };
        throw error;
      }
    },
  });

  return [
    route('GET', '/v1/users', ({ query }) => {
      checkParams(query, ['limit', 'cursor', 'email']);
      return store.list(parseLimit(query), optional(query, 'cursor'), optional(query, 'email'));
    }),
    route('POST', '/v1/users/batch', ({ json }) => {
      const { key, values } = batchKeys(json);
      const found = new Map<string, UserObject>();
      for (const value of values) {
        const user = key === 'ids' ? store.get(value) : store.activeByEmail(value);
        if (user !== undefined) found.set(user.user_id, user);
      }
      // Unordered, as the contract says: sorted by id, unrelated to the order asked.
      const data = [...found.values()].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
      return { data };
    }),
    route('PATCH', '/v1/users/:id', (request) => updateUser(store, request, emit)),
    route('GET', '/v1/users/:id', ({ params, query }) => {
      checkParams(query, []);
      const id = params['id'] ?? '';
      const user = store.get(id);
      if (user === undefined) throw new AppApiError(404, 'not_found', `No user with id '${id}'.`);
      return user;
    }),
  ];
}

/** A running product API emulator, with its store exposed for tests. */
export interface RunningAppSandbox extends RunningSandbox {
  store: UserStore;
  apiKey: string;
  webhookSecret: string;
}

/** Starts the emulator over `world`. Same world seed, same users, ids and credentials. */
export async function startAppSandbox(
  world: DemoWorld,
  options: AppSandboxOptions = {},
): Promise<RunningAppSandbox> {
  const random = seededRandom(world.seed, 'app');
  const nextId = createUserIds(random);
  const store = new UserStore();
  seedUsers(store, nextId, random, world);
  const apiKey = `app_test_${randomBase62(credentialRandom, 32)}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`;
  const react = createReactor(store, nextId, webhookSecret);
  const limiter = rateLimiter(options.rateLimit ?? 1000, options.rateWindowSeconds ?? 60);

  const server = await startHttpEmulator({
    name: 'app',
    routes: routes(store, limiter, (payload) => options.emit?.(() => [deliver(payload, webhookSecret)])),
    authorize: authorizer(apiKey),
    errorBody: appErrorBody,
    // The product always says when to come back after a 429 or a 503.
    errorHeaders: (status): Record<string, string> =>
      status === 429 || status === 503 ? { 'Retry-After': '1' } : {},
    requestIdHeader: 'X-Request-Id',
    // Valid JSON in the wrong shape: the connector's schemas, not JSON.parse, must catch it.
    malformedBody: () => '{"data":{"user_id":null},"next_cursor":42}',
  });

  return {
    env: { APP_BASE_URL: server.baseUrl, APP_API_KEY: apiKey, APP_WEBHOOK_SECRET: webhookSecret },
    baseUrl: server.baseUrl,
    counters: server.counters,
    resetCounters: server.resetCounters,
    faults: server.faults,
    react: (change) => react(change),
    close: server.close,
    store,
    apiKey,
    webhookSecret,
  };
}

/** The app connector's sandbox. */
export const appSandbox: ConnectorSandbox = {
  start: (world, options) => startAppSandbox(world, options),
};
