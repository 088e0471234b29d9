/**
 * The Zendesk Support emulator: the REST wire format of `/api/v2` for tickets,
 * users and search over the shared demo world, with Zendesk's auth, error
 * bodies, cursor and offset pagination, rate-limit headers, and signed
 * event-subscription webhooks.
 */
import { randomBytes } from 'node:crypto';
import { randomBase62, seededRandom } from '../../../src/sandbox/demo-world.ts';
import { startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import { signingSecrets } from '../webhooks.ts';
import { credentialRandom } from '../../../src/sandbox/credentials.ts';
import type { ConnectorSandbox, RunningSandbox, SandboxOptions } from '../../../src/sandbox/types.ts';
import type { DemoWorld } from '../../../src/sandbox/world.ts';
import { createReactor } from './react.ts';
import { createTicketWrites } from './writes.ts';
import type { TicketWrites } from './writes.ts';
import { createAccount, createIdFactory, seedStore } from './seed.ts';
import type { Account } from './seed.ts';
import {
  ZendeskApiError,
  ZendeskStore,
  cursorPage,
  invalidParameter,
  offsetPage,
  recordNotFound,
  wantsCursor,
} from './store.ts';
import type { StoredTicket, StoredUser } from './store.ts';

export { signZendeskPayload } from './react.ts';

/** Zendesk's plan-wide API rate limit the emulator advertises (Enterprise: 700 requests a minute). */
export const RATE_LIMIT = 700;
/** Most ids a `show_many` call takes. */
export const SHOW_MANY_LIMIT = 100;
/** Largest `page[size]`: 100 for lists, 1000 for search export. */
const MAX_LIST_PAGE = 100;
const MAX_EXPORT_PAGE = 1000;

const UNAUTHENTICATED = { error: "Couldn't authenticate you" };

/** Zendesk's error body for a status the emulator answers by itself (injected faults, unknown URLs). */
export function zendeskErrorBody(status: number, message: string): unknown {
  if (status === 429) return 'Too Many Requests. Rate limit exceeded: retry after the Retry-After period.\n';
  if (status === 401) return UNAUTHENTICATED;
  if (status === 403) {
    return {
      error: 'Forbidden',
      description:
        'You do not have access to this page. Please contact the account owner of this help desk for further help.',
    };
  }
  if (status === 404) return { error: 'InvalidEndpoint', description: 'Not found' };
  if (status === 422) return { error: 'RecordInvalid', description: 'Record validation errors', details: {} };
  if (status === 503) {
    return {
      error: 'ServiceUnavailable',
      description: 'Zendesk is temporarily unavailable. Please try again.',
    };
  }
  if (status >= 500) return { error: 'InternalServerError', description: message };
  return { error: 'InvalidValue', description: message };
}

/** Zendesk's `X-Request-Id`: 16 hex characters and the data centre. */
function requestId(): string {
  return `${randomBytes(8).toString('hex')}-IAD`;
}

/** Counts requests per wall-clock minute, for `X-Rate-Limit-Remaining`. */
function rateCounter(): () => Record<string, string> {
  let minute = -1;
  let used = 0;
  return () => {
    const now = Math.floor(Date.now() / 60_000);
    if (now !== minute) {
      minute = now;
      used = 0;
    }
    used++;
    return {
      'X-Rate-Limit': String(RATE_LIMIT),
      'X-Rate-Limit-Remaining': String(Math.max(0, RATE_LIMIT - used)),
    };
  };
}

/**
 * Accepts what Zendesk accepts: `Basic base64(email/token:api_token)` for an
 * agent or admin, or `Bearer <oauth token>`. Anything else is a 401.
 */
function authorizer(store: ZendeskStore, apiToken: string, oauthToken: string) {
  return (request: EmulatorRequest): EmulatorResponse | undefined => {
    const header = request.headers.authorization?.trim() ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer !== null && bearer[1] === oauthToken) return undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic !== null) {
      const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const login = decoded.slice(0, colon < 0 ? decoded.length : colon);
      const secret = colon < 0 ? '' : decoded.slice(colon + 1);
      const email = login.endsWith('/token') ? login.slice(0, -'/token'.length).toLowerCase() : null;
      const staff = store
        .allUsers()
        .some((u) => u.role !== 'end-user' && u.email.toLowerCase() === email && u.active);
      if (email !== null && staff && secret === apiToken) return undefined;
    }
    return {
      status: 401,
      body: UNAUTHENTICATED,
      headers: { 'WWW-Authenticate': 'Basic realm="Web Password"' },
    };
  };
}

/** The id in `/tickets/:id` or `/tickets/:id.json`. */
function idParam(request: EmulatorRequest): number {
  const raw = (request.params['id'] ?? '').replace(/\.json$/, '');
  if (!/^\d+$/.test(raw)) throw recordNotFound();
  return Number(raw);
}

/** `ids=1,2,3` of `show_many`: at most {@link SHOW_MANY_LIMIT}, digits only. */
function idsParam(query: URLSearchParams): number[] {
  const raw = query.get('ids');
  if (raw === null || raw.trim() === '') throw invalidParameter('ids is required.');
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length > SHOW_MANY_LIMIT) {
    throw invalidParameter(`You can request at most ${SHOW_MANY_LIMIT} ids at a time.`);
  }
  return ids.filter((s) => /^\d+$/.test(s)).map(Number);
}

/** One request a route handled, for tests that look at what was asked (`show_many` ids...). */
export interface LoggedRequest {
  endpoint: string;
  query: URLSearchParams;
}

function routes(
  store: ZendeskStore,
  baseUrl: () => string,
  rate: () => Record<string, string>,
  log: LoggedRequest[],
  writes: TicketWrites,
): Route[] {
  const ticketView = (t: StoredTicket) => ({ url: `${baseUrl()}/api/v2/tickets/${t.id}.json`, ...t });
  const userView = (u: StoredUser) => ({ url: `${baseUrl()}/api/v2/users/${u.id}.json`, ...u });

  const get = (path: string, handler: (request: EmulatorRequest) => unknown): Route => ({
    method: 'GET',
    path,
    handler: (request) => {
      log.push({ endpoint: request.endpoint, query: new URLSearchParams(request.query) });
      try {
        return { status: 200, body: handler(request), headers: rate() };
      } catch (error) {
        if (!(error instanceof ZendeskApiError)) throw error;
        const text = typeof error.body === 'string';
        return {
          status: error.status,
          body: error.body,
          headers: { ...rate(), ...(text ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}) },
        };
      }
    },
  });

  const write = (
    method: string,
    path: string,
    handler: (request: EmulatorRequest) => EmulatorResponse,
  ): Route => ({
    method,
    path,
    handler: (request) => {
      log.push({ endpoint: request.endpoint, query: new URLSearchParams(request.query) });
      try {
        const answer = handler(request);
        return { ...answer, headers: { ...rate(), ...answer.headers } };
      } catch (error) {
        if (!(error instanceof ZendeskApiError)) throw error;
        return { status: error.status, body: error.body, headers: rate() };
      }
    },
  });

  /** A list in either pagination style, its items under `key`. */
  const list = <T extends { id: number }>(
    request: EmulatorRequest,
    key: string,
    items: readonly T[],
    view: (item: T) => unknown,
    max = MAX_LIST_PAGE,
  ) => {
    const url = `${baseUrl()}${request.path}`;
    if (wantsCursor(request.query)) {
      const page = cursorPage(items, request.query, url, max);
      return { [key]: page.items.map(view), meta: page.meta, links: page.links };
    }
    const page = offsetPage(items, request.query, url);
    return {
      [key]: page.items.map(view),
      next_page: page.next_page,
      previous_page: page.previous_page,
      count: page.count,
    };
  };

  return [
    write('POST', '/api/v2/tickets.json', (request) => writes.create(request)),
    write('PUT', '/api/v2/tickets/:id', (request) => writes.update(request)),
    get('/api/v2/tickets.json', (request) => list(request, 'tickets', store.allTickets(), ticketView)),
    get('/api/v2/tickets/show_many.json', ({ query }) => {
      const tickets = idsParam(query)
        .map((id) => store.tickets.get(id))
        .filter((t) => t !== undefined);
      return {
        tickets: tickets.map(ticketView),
        next_page: null,
        previous_page: null,
        count: tickets.length,
      };
    }),
    get('/api/v2/tickets/:id', (request) => {
      const ticket = store.tickets.get(idParam(request));
      if (ticket === undefined) throw recordNotFound();
      return { ticket: ticketView(ticket) };
    }),
    get('/api/v2/users.json', (request) => {
      const role = request.query.get('role');
      const users = store.allUsers().filter((u) => role === null || u.role === role);
      return list(request, 'users', users, userView);
    }),
    get('/api/v2/users/search.json', (request) => {
      const q = request.query.get('query');
      const external = request.query.get('external_id');
      if ((q === null || q.trim() === '') && external === null) {
        throw invalidParameter('Either query or external_id is required.');
      }
      const users =
        q !== null && q.trim() !== ''
          ? store.searchUsers(q)
          : store.allUsers().filter((u) => u.external_id === external);
      const page = offsetPage(users, request.query, `${baseUrl()}${request.path}`);
      return {
        users: page.items.map(userView),
        next_page: page.next_page,
        previous_page: page.previous_page,
        count: page.count,
      };
    }),
    get('/api/v2/users/show_many.json', ({ query }) => {
      const users = idsParam(query)
        .map((id) => store.users.get(id))
        .filter((u) => u !== undefined);
      return { users: users.map(userView), next_page: null, previous_page: null, count: users.length };
    }),
    get('/api/v2/users/:id/tickets/requested.json', (request) => {
      const id = idParam(request);
      if (!store.users.has(id)) throw recordNotFound();
      const tickets = store.allTickets().filter((t) => t.requester_id === id);
      return list(request, 'tickets', tickets, ticketView);
    }),
    get('/api/v2/users/:id', (request) => {
      const user = store.users.get(idParam(request));
      if (user === undefined) throw recordNotFound();
      return { user: userView(user) };
    }),
    get('/api/v2/search/export.json', (request) => {
      const q = request.query.get('query') ?? '';
      const type = request.query.get('filter[type]');
      if (type === null || type === '') {
        throw invalidParameter('filter[type] is required: one of ticket, user, organization, group.');
      }
      if (!wantsCursor(request.query)) request.query.set('page[size]', '100');
      const url = `${baseUrl()}${request.path}`;
      if (type === 'ticket') {
        const page = cursorPage(store.searchTickets(q), request.query, url, MAX_EXPORT_PAGE);
        return {
          results: page.items.map((t) => ({ ...ticketView(t), result_type: 'ticket' })),
          facets: null,
          meta: page.meta,
          links: page.links,
        };
      }
      if (type === 'user') {
        const page = cursorPage(store.searchUsers(q), request.query, url, MAX_EXPORT_PAGE);
        return {
          results: page.items.map((u) => ({ ...userView(u), result_type: 'user' })),
          facets: null,
          meta: page.meta,
          links: page.links,
        };
      }
      throw invalidParameter(`filter[type] ${type} is not supported by this emulator.`);
    }),
  ];
}

/** A running Zendesk emulator, with its store and credentials exposed for tests. */
export interface RunningZendeskSandbox extends RunningSandbox {
  store: ZendeskStore;
  account: Account;
  email: string;
  apiToken: string;
  oauthToken: string;
  webhookSecret: string;
  /** The requests the routes handled since the last {@link RunningSandbox.resetCounters}, oldest first. */
  requests(): readonly LoggedRequest[];
}

/** Starts the Zendesk emulator over `world`. Same world seed, same data and ids; credentials are random per process. */
export async function startZendeskSandbox(
  world: DemoWorld,
  options: SandboxOptions = {},
): Promise<RunningZendeskSandbox> {
  const random = seededRandom(world.seed, 'zendesk');
  const ids = createIdFactory(random);
  const account = createAccount(random);
  const store = new ZendeskStore();
  const { admin } = seedStore(store, ids, random, account, world);
  const apiToken = randomBase62(credentialRandom, 40);
  const oauthToken = randomBase62(credentialRandom, 64);
  const webhookSecret =
    options.webhookSecret ?? Buffer.from(randomBase62(credentialRandom, 32), 'utf8').toString('base64');
  const webhookId = `01${randomBase62(seededRandom(world.seed, 'zendesk-webhook'), 24).toUpperCase()}`;
  const react = createReactor({
    store,
    ids,
    random: seededRandom(world.seed, 'zendesk-react'),
    account,
    // Several secrets while one is rotated: sign with the first.
    secret: signingSecrets(webhookSecret)[0] ?? webhookSecret,
    webhookId,
  });
  const rate = rateCounter();
  const log: LoggedRequest[] = [];
  let baseUrl = '';

  const writes = createTicketWrites({
    store,
    ids,
    account,
    react,
    view: (t) => ({ url: `${baseUrl}/api/v2/tickets/${t.id}.json`, ...t }),
    emit: (make) => options.emit?.(make),
  });
  const server = await startHttpEmulator({
    name: 'zendesk',
    routes: routes(store, () => baseUrl, rate, log, writes),
    authorize: (request) => {
      const denied = authorizer(store, apiToken, oauthToken)(request);
      return denied === undefined ? undefined : { ...denied, headers: { ...denied.headers, ...rate() } };
    },
    errorBody: zendeskErrorBody,
    errorHeaders: (status): Record<string, string> => {
      const headers = rate();
      if (status === 429) {
        return {
          ...headers,
          'X-Rate-Limit-Remaining': '0',
          'Retry-After': '1',
          'Content-Type': 'text/plain; charset=utf-8',
        };
      }
      return headers;
    },
    requestIdHeader: 'X-Request-Id',
    requestId,
    headers: { 'Cache-Control': 'no-cache', 'X-Zendesk-Origin-Server': 'app-emulator.pod1.use1.zdsys.com' },
    // Valid JSON in the wrong shape: the connector's schemas, not JSON.parse, must catch it.
    malformedBody: () =>
      '{"tickets":{"id":"one"},"users":"nobody","results":null,"meta":{"has_more":"maybe"}}',
  });
  baseUrl = server.baseUrl;

  return {
    env: {
      ZENDESK_BASE_URL: server.baseUrl,
      ZENDESK_EMAIL: admin.email,
      ZENDESK_API_TOKEN: apiToken,
      ZENDESK_WEBHOOK_SECRET: webhookSecret,
    },
    baseUrl: server.baseUrl,
    counters: server.counters,
    resetCounters: () => {
      server.resetCounters();
      log.length = 0;
    },
    faults: server.faults,
    react: (change) => react(change),
    close: server.close,
    store,
    account,
    email: admin.email,
    apiToken,
    oauthToken,
    webhookSecret,
    requests: () => [...log],
  };
}

/** The Zendesk connector's sandbox. */
export const zendeskSandbox: ConnectorSandbox = { start: startZendeskSandbox };
