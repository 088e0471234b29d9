/**
 * The HubSpot emulator: the CRM v3 objects and v4 associations wire format
 * (lists, single reads, batch reads with their 207 answers), HubSpot's auth
 * and error bodies, its rate-limit headers and 429s, over the shared demo
 * world, with webhooks signed as HubSpot signs them.
 */
import { randomUUID } from 'node:crypto';
import { randomInt, seededRandom } from '../../../src/sandbox/demo-world.ts';
import { queryList, startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import { credentialRandom } from '../../../src/sandbox/credentials.ts';
import type { ConnectorSandbox, RunningSandbox, SandboxOptions } from '../../../src/sandbox/types.ts';
import type { DemoWorld } from '../../../src/sandbox/world.ts';
import { hubspotWriteRoutes } from './writes.ts';
import { createReactor } from './react.ts';
import { createIdFactory, seedStore } from './seed.ts';
import type { CrmType } from './store.ts';
import {
  ASSOCIATIONS_PAGE_SIZE,
  CrmStore,
  HubSpotApiError,
  SINGULAR,
  errorBody,
  objectType,
  parseLimit,
  requestedProperties,
  validationError,
} from './store.ts';

export { signHubSpotV1, signHubSpotV3 } from './react.ts';

/** Largest `inputs` of an object batch read. */
const MAX_OBJECT_INPUTS = 100;
/** Largest `inputs` of an associations batch read. */
const MAX_ASSOCIATION_INPUTS = 1000;

const MISSING_AUTH =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

/**
 * HubSpot's rate limits for a private app on a Professional account: 190
 * requests per rolling 10 seconds and 650,000 a day, reported on every
 * answer in `X-HubSpot-RateLimit-*` headers. Tests may lower them.
 */
export class RateLimits {
  /** Requests allowed per interval. Default 190. */
  max = 190;
  /** The rolling interval in ms. Default 10000. */
  intervalMs = 10_000;
  /** Requests allowed per day. Default 650000. */
  daily = 650_000;
  /** Requests counted today. */
  usedToday = 0;
  private recent: number[] = [];

  /** Counts one request; says which limit refused it, if any. */
  take(now: number): 'TEN_SECONDLY_ROLLING' | 'DAILY' | undefined {
    this.prune(now);
    if (this.usedToday >= this.daily) return 'DAILY';
    if (this.recent.length >= this.max) return 'TEN_SECONDLY_ROLLING';
    this.recent.push(now);
    this.usedToday += 1;
    return undefined;
  }

  headers(now: number): Record<string, string> {
    this.prune(now);
    return {
      'X-HubSpot-RateLimit-Daily': String(this.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.daily - this.usedToday)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.intervalMs),
      'X-HubSpot-RateLimit-Max': String(this.max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.max - this.recent.length)),
    };
  }

  reset(): void {
    this.recent = [];
    this.usedToday = 0;
  }

  private prune(now: number): void {
    this.recent = this.recent.filter((t) => now - t < this.intervalMs);
  }
}

/** HubSpot's 429 body for the limit hit. */
export function rateLimitBody(policy: 'TEN_SECONDLY_ROLLING' | 'DAILY'): Record<string, string> {
  return {
    status: 'error',
    message:
      policy === 'DAILY'
        ? 'You have reached your daily limit.'
        : 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    requestId: randomUUID(),
  };
}

/** HubSpot's error body for a status the emulator answers by itself (injected faults, unknown URLs). */
export function hubspotErrorBody(status: number, message: string): unknown {
  if (status === 429) return rateLimitBody('TEN_SECONDLY_ROLLING');
  if (status === 401) return errorBody(MISSING_AUTH, 'INVALID_AUTHENTICATION');
  if (status === 403) {
    return errorBody(
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      'MISSING_SCOPES',
    );
  }
  if (status === 404) return errorBody(message, 'OBJECT_NOT_FOUND');
  if (status >= 500) return errorBody('internal error', 'INTERNAL_ERROR');
  return errorBody(message, 'VALIDATION_ERROR');
}

function authorizer(token: string) {
  return (request: EmulatorRequest): EmulatorResponse | undefined => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (bearer?.[1] !== token) {
      return { status: 401, body: errorBody(MISSING_AUTH, 'INVALID_AUTHENTICATION') };
    }
    return undefined;
  };
}

/** A JSON body as a plain object, or HubSpot's 400. */
function jsonObject(request: EmulatorRequest): Record<string, unknown> {
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError('Invalid input JSON: expected an object with "inputs".');
  }
  return body as Record<string, unknown>;
}

/** `inputs: [{ id, after? }]`, checked like HubSpot does. */
function inputsOf(body: Record<string, unknown>, max: number): { id: string; after?: string }[] {
  const inputs = body['inputs'];
  if (!Array.isArray(inputs)) throw validationError('Invalid input JSON: "inputs" must be an array.');
  if (inputs.length > max)
    throw validationError(`Batch input limit exceeded: at most ${max} inputs, got ${inputs.length}.`);
  return inputs.map((input: unknown, index) => {
    const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const id = record['id'];
    const after = record['after'];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw validationError(`Invalid input JSON: inputs[${index}].id is required.`);
    }
    return { id: String(id), ...(typeof after === 'string' ? { after } : {}) };
  });
}

function stringArray(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw validationError(`Invalid input JSON: "${name}" must be an array of strings.`);
  }
  return value as string[];
}

interface Context {
  store: CrmStore;
  portalId: number;
  /** The emulator's own base URL, for `paging.next.link`. */
  baseUrl: () => string;
}

/** The emulated account's company currency: deals without `deal_currency_code` are in it. */
export const SANDBOX_COMPANY_CURRENCY = 'USD';

function routes({ store, portalId, baseUrl }: Context): Route[] {
  const handle =
    (handler: (request: EmulatorRequest) => EmulatorResponse) =>
    (request: EmulatorRequest): EmulatorResponse => {
      try {
        return handler(request);
      } catch (error) {
        if (error instanceof HubSpotApiError) return { status: error.status, body: error.body };
        throw error;
      }
    };

  const generic: Route[] = [
    {
      method: 'GET',
      path: '/crm/v3/objects/:type',
      handler: handle(({ params, query }) => {
        const type = objectType(params['type'] ?? '');
        const limit = parseLimit(query.get('limit'));
        const properties = requestedProperties(queryList(query, 'properties'));
        const after = query.get('after');
        if (after !== null && !/^\d+$/.test(after)) throw validationError(`Invalid paging cursor: ${after}`);
        if (query.get('archived') === 'true') return { status: 200, body: { results: [] } };
        const all = store.ids(type);
        const start = after === null ? 0 : all.findIndex((id) => Number(id) >= Number(after));
        const page = start < 0 ? [] : all.slice(start, start + limit);
        const more = start >= 0 && start + limit < all.length;
        const results = page.flatMap((id) => {
          const record = store.get(type, id);
          return record === undefined ? [] : [store.render(type, record, properties)];
        });
        const last = page.at(-1);
        // HubSpot's token for the next page of a CRM list is the last id plus one.
        const next = more && last !== undefined ? String(Number(last) + 1) : undefined;
        return {
          status: 200,
          body:
            next === undefined
              ? { results }
              : {
                  results,
                  paging: {
                    next: { after: next, link: `${baseUrl()}/crm/v3/objects/${type}?after=${next}` },
                  },
                },
        };
      }),
    },
    {
      method: 'GET',
      path: '/crm/v3/objects/:type/:id',
      handler: handle(({ params, query }) => {
        const type = objectType(params['type'] ?? '');
        const id = params['id'] ?? '';
        const properties = requestedProperties(queryList(query, 'properties'));
        const idProperty = query.get('idProperty');
        const recordId =
          idProperty === 'email' && type === 'contacts' ? store.contactByEmail.get(id.toLowerCase()) : id;
        const record =
          recordId === undefined || query.get('archived') === 'true' ? undefined : store.get(type, recordId);
        if (record !== undefined) return { status: 200, body: store.render(type, record, properties) };
        // A well-formed id that names nothing gets a bare 404; anything else HubSpot explains.
        if (idProperty === null && /^\d+$/.test(id)) return { status: 404, body: '' };
        return {
          status: 404,
          body: errorBody('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', {
            context: { id: [id] },
          }),
        };
      }),
    },
    {
      method: 'POST',
      path: '/crm/v3/objects/:type/batch/read',
      handler: handle((request) => {
        const type = objectType(request.params['type'] ?? '');
        const body = jsonObject(request);
        const inputs = inputsOf(body, MAX_OBJECT_INPUTS);
        const properties = stringArray(body['properties'], 'properties');
        stringArray(body['propertiesWithHistory'], 'propertiesWithHistory');
        const idProperty = body['idProperty'];
        if (
          idProperty !== undefined &&
          idProperty !== 'hs_object_id' &&
          !(idProperty === 'email' && type === 'contacts')
        ) {
          throw validationError(
            `Invalid idProperty: ${JSON.stringify(idProperty)} is not a unique identifier property of ${type}.`,
          );
        }
        const startedAt = new Date().toISOString();
        const found = new Map<string, Record<string, unknown>>();
        const missing: string[] = [];
        for (const { id } of inputs) {
          const recordId = idProperty === 'email' ? store.contactByEmail.get(id.toLowerCase()) : id;
          const record = recordId === undefined ? undefined : store.get(type, recordId);
          if (record === undefined) {
            if (!missing.includes(id)) missing.push(id);
          } else found.set(record.id, store.render(type, record, properties));
        }
        // HubSpot does not keep the input order; neither does the emulator, so clients must map by key.
        const results = [...found.values()].reverse();
        const completedAt = new Date().toISOString();
        if (missing.length === 0)
          return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
        return {
          status: 207,
          body: {
            status: 'COMPLETE',
            results,
            numErrors: 1,
            errors: [
              {
                status: 'error',
                category: 'OBJECT_NOT_FOUND',
                message: `Could not get some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
                context: { ids: missing },
              },
            ],
            startedAt,
            completedAt,
          },
        };
      }),
    },
    {
      method: 'POST',
      path: '/crm/v4/associations/:from/:to/batch/read',
      handler: handle((request) => {
        const from = objectType(request.params['from'] ?? '');
        const to = objectType(request.params['to'] ?? '');
        const inputs = inputsOf(jsonObject(request), MAX_ASSOCIATION_INPUTS);
        const startedAt = new Date().toISOString();
        const results: Record<string, unknown>[] = [];
        const errors: Record<string, unknown>[] = [];
        for (const input of inputs) {
          const all = store.get(from, input.id) === undefined ? [] : store.associated(from, input.id, to);
          const offset = input.after === undefined ? 0 : decodeOffset(input.after);
          const page = all.slice(offset, offset + ASSOCIATIONS_PAGE_SIZE);
          if (page.length === 0) {
            errors.push(noAssociations(from, to, input.id));
            continue;
          }
          const nextOffset = offset + page.length;
          results.push({
            from: { id: input.id },
            to: page.map((target) => ({ toObjectId: Number(target.id), associationTypes: target.types })),
            ...(nextOffset < all.length
              ? { paging: { next: { after: encodeOffset(nextOffset), link: null } } }
              : {}),
          });
        }
        results.reverse();
        const completedAt = new Date().toISOString();
        if (errors.length === 0)
          return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
        return {
          status: 207,
          body: { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt },
        };
      }),
    },
    {
      method: 'GET',
      path: '/crm/v4/objects/:type/:id/associations/:to',
      handler: handle(({ params, query }) => {
        const from = objectType(params['type'] ?? '');
        const to = objectType(params['to'] ?? '');
        const id = params['id'] ?? '';
        const limit =
          query.get('limit') === null
            ? ASSOCIATIONS_PAGE_SIZE
            : Math.min(ASSOCIATIONS_PAGE_SIZE, parseAssociationLimit(query.get('limit') ?? ''));
        const after = query.get('after');
        const all = store.associated(from, id, to);
        const offset = after === null ? 0 : decodeOffset(after);
        const page = all.slice(offset, offset + limit);
        const nextOffset = offset + page.length;
        return {
          status: 200,
          body: {
            results: page.map((target) => ({
              toObjectId: Number(target.id),
              associationTypes: target.types,
            })),
            ...(nextOffset < all.length ? { paging: { next: { after: encodeOffset(nextOffset) } } } : {}),
          },
        };
      }),
    },
  ];
  const account: Route = {
    method: 'GET',
    path: '/account-info/v3/details',
    handler: () => ({
      status: 200,
      body: {
        portalId,
        accountType: 'STANDARD',
        timeZone: 'US/Eastern',
        companyCurrency: SANDBOX_COMPANY_CURRENCY,
        additionalCurrencies: [],
        utcOffset: '-05:00',
        utcOffsetMilliseconds: -18_000_000,
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'na1',
      },
    }),
  };
  return [...generic.flatMap(perType), ...generic, account];
}

const TYPES: readonly CrmType[] = ['contacts', 'companies', 'deals'];

/**
 * The route for each object type spelled out (`GET /crm/v3/objects/contacts`),
 * ahead of the generic one that also takes HubSpot's aliases (`contact`,
 * `0-1`), so request counters tell the types apart.
 */
function perType(route: Route): Route[] {
  let variants: { path: string; params: Record<string, string> }[] = [{ path: route.path, params: {} }];
  for (const name of ['type', 'from', 'to']) {
    if (!route.path.split('/').includes(`:${name}`)) continue;
    variants = variants.flatMap((v) =>
      TYPES.map((type) => ({
        path: v.path
          .split('/')
          .map((segment) => (segment === `:${name}` ? type : segment))
          .join('/'),
        params: { ...v.params, [name]: type },
      })),
    );
  }
  if (variants.length === 1) return [];
  return variants.map(({ path, params }) => ({
    method: route.method,
    path,
    handler: (request) => route.handler({ ...request, params: { ...request.params, ...params } }),
  }));
}

function parseAssociationLimit(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw validationError(`Invalid limit: ${raw}`);
  return Number(raw);
}

/** Association paging tokens are opaque base64 strings. */
function encodeOffset(offset: number): string {
  return Buffer.from(`${offset}-assoc`, 'utf8').toString('base64');
}

function decodeOffset(token: string): number {
  const match = /^(\d+)-assoc$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (match === null) throw validationError(`Invalid paging cursor: ${token}`);
  return Number(match[1]);
}

function noAssociations(from: CrmType, to: CrmType, id: string): Record<string, unknown> {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
    context: { fromObjectId: [id], fromObjectType: [SINGULAR[from]], toObjectType: [SINGULAR[to]] },
    message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${id}.`,
  };
}

/** A running HubSpot emulator, with its data and rate limits exposed for tests. */
export interface RunningHubSpotSandbox extends RunningSandbox {
  store: CrmStore;
  accessToken: string;
  webhookSecret: string;
  rateLimits: RateLimits;
  /** World id → CRM record id, for the seeded and reacted-to records. */
  contactOf: ReadonlyMap<string, string>;
  companyOf: ReadonlyMap<string, string>;
  /** Notes created through the API, by id. */
  notes: ReadonlyMap<string, { id: string; properties: Record<string, string | null>; contacts: string[] }>;
}

/** Starts the HubSpot emulator over `world`. Same world seed, same data and ids; credentials are random per process. */
export async function startHubSpotSandbox(
  world: DemoWorld,
  options: SandboxOptions = {},
): Promise<RunningHubSpotSandbox> {
  const random = seededRandom(world.seed, 'hubspot');
  const ids = createIdFactory(random);
  const store = new CrmStore();
  const maps = seedStore(store, ids, random, world);
  const account = seededRandom(world.seed, 'hubspot-account');
  const hex = (n: number) =>
    Array.from({ length: n }, () => randomInt(credentialRandom, 0, 15).toString(16)).join('');
  const accessToken = `pat-na1-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const webhookSecret = options.webhookSecret ?? `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const portalId = randomInt(account, 20_000_000, 49_999_999);
  const appId = randomInt(account, 1_000_000, 4_999_999);
  const react = createReactor(store, ids, maps, { portalId, appId, secret: webhookSecret });
  const rateLimits = new RateLimits();
  let baseUrl = '';
  let noteId = 60_000_000_000;
  const writes = hubspotWriteRoutes({
    store,
    react,
    emit: (make) => options.emit?.(make),
    nextId: () => String((noteId += 7)),
  });

  const withLimits = (route: Route): Route => ({
    ...route,
    handler: async (request) => {
      const response = await route.handler(request);
      return { ...response, headers: { ...rateLimits.headers(Date.now()), ...response.headers } };
    },
  });
  const authorize = authorizer(accessToken);

  const server = await startHttpEmulator({
    name: 'hubspot',
    routes: [...writes.routes, ...routes({ store, portalId, baseUrl: () => baseUrl })].map(withLimits),
    authorize(request) {
      const denied = authorize(request);
      if (denied !== undefined) return denied;
      const now = Date.now();
      const limited = rateLimits.take(now);
      if (limited === undefined) return undefined;
      return { status: 429, body: rateLimitBody(limited), headers: rateLimits.headers(now) };
    },
    errorBody: hubspotErrorBody,
    errorHeaders: (status) => {
      const headers = rateLimits.headers(Date.now());
      if (status === 429) headers['X-HubSpot-RateLimit-Remaining'] = '0';
      return headers;
    },
    requestIdHeader: 'X-HubSpot-Correlation-Id',
    requestId: randomUUID,
    headers: { 'Content-Type': 'application/json;charset=utf-8', Vary: 'Accept-Encoding' },
    // Valid JSON in the wrong shape: the connector's schemas, not JSON.parse, must catch it.
    malformedBody: () => '{"status":"COMPLETE","results":{"id":null},"paging":"next"}',
  });
  baseUrl = server.baseUrl;

  return {
    env: {
      HUBSPOT_BASE_URL: server.baseUrl,
      HUBSPOT_ACCESS_TOKEN: accessToken,
      HUBSPOT_WEBHOOK_SECRET: webhookSecret,
    },
    baseUrl: server.baseUrl,
    counters: server.counters,
    resetCounters: server.resetCounters,
    faults: server.faults,
    react,
    close: server.close,
    store,
    accessToken,
    webhookSecret,
    rateLimits,
    contactOf: maps.contactOf,
    companyOf: maps.companyOf,
    notes: writes.notes,
  };
}

/** The HubSpot connector's sandbox. */
export const hubspotSandbox: ConnectorSandbox = { start: startHubSpotSandbox };
