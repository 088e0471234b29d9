/**
 * The Shopify emulator: the GraphQL Admin API endpoint
 * (`POST /admin/api/{version}/graphql.json`, X-Shopify-Access-Token) over the
 * shared demo world, with Shopify's query costs and leaky bucket, its THROTTLED
 * and MAX_COST_EXCEEDED errors, its HTTP error bodies, and signed webhooks.
 */
import { STATUS_CODES } from 'node:http';
import {
  Kind,
  OperationTypeNode,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
} from 'graphql';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { seededRandom } from '../../../src/sandbox/demo-world.ts';
import { startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse } from '../../../src/sandbox/http-emulator.ts';
import { webhookSecrets } from '../config.ts';
import { credentialRandom } from '../../../src/sandbox/credentials.ts';
import type { ConnectorSandbox, RunningSandbox, SandboxOptions } from '../../../src/sandbox/types.ts';
import type { DemoWorld } from '../../../src/sandbox/world.ts';
import { CostBucket, SINGLE_QUERY_MAX_COST, requestedCost } from './cost.ts';
import { API_VERSION, SHOP_DOMAIN, createIdFactory } from './objects.ts';
import { createReactor } from './react.ts';
import { createAdminSchema } from './schema.ts';
import type { AdminContext } from './schema.ts';
import { seedStore } from './seed.ts';
import { ShopifyStore } from './store.ts';

export { API_VERSION, SHOP_DOMAIN } from './objects.ts';
export { signShopifyBody } from './react.ts';
export { CostBucket } from './cost.ts';

/** The route of the one endpoint, as the request counters name it. */
export const GRAPHQL_ENDPOINT = 'POST /admin/api/:version/graphql.json';

/** Shopify's answer to a missing or wrong access token. */
export const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

const RATE_LIMIT_DOCS = 'https://shopify.dev/api/usage/rate-limits';

/** Shopify's body for a status the emulator answers by itself (faults, unknown URLs, auth). */
export function shopifyErrorBody(status: number, message: string): { errors: string } {
  if (status === 401) return { errors: INVALID_TOKEN };
  if (status === 404) return { errors: 'Not Found' };
  if (status === 402) return { errors: 'Unavailable Shop' };
  if (status === 429) {
    return {
      errors:
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    };
  }
  if (status >= 500) return { errors: STATUS_CODES[status] ?? 'Internal Server Error' };
  return { errors: message };
}

function hex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A running Shopify emulator, with its store and cost bucket exposed for tests. */
export interface RunningShopifySandbox extends RunningSandbox {
  store: ShopifyStore;
  /** The query-cost bucket: `bucket.set({ currentlyAvailable: 0 })` makes the next query THROTTLED. */
  bucket: CostBucket;
  accessToken: string;
  webhookSecret: string;
  shopDomain: string;
}

interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** Answers one GraphQL Admin request: parse, validate, cost, throttle, execute. */
function graphqlHandler(schema: GraphQLSchema, bucket: CostBucket, count: (field: string) => void) {
  const documents = new Map<string, DocumentNode>();
  const ok = (body: unknown, version: string): EmulatorResponse => ({
    status: 200,
    body,
    headers: { 'X-Shopify-API-Version': version },
  });

  return (request: EmulatorRequest): EmulatorResponse => {
    const version = request.params['version'] ?? '';
    if (!/^(\d{4}-(01|04|07|10)|unstable)$/.test(version)) {
      return { status: 404, body: { errors: 'Not Found' } };
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    let payload: GraphQLBody;
    if (contentType === 'application/graphql') payload = { query: request.rawBody };
    else if (typeof request.json === 'object' && request.json !== null) payload = request.json;
    else payload = {};
    if (typeof payload.query !== 'string' || payload.query.trim() === '') {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    const variables =
      typeof payload.variables === 'object' && payload.variables !== null
        ? (payload.variables as Record<string, unknown>)
        : {};

    let document = documents.get(payload.query);
    if (document === undefined) {
      try {
        document = parse(payload.query);
      } catch (error) {
        const e = error as GraphQLError;
        return ok({ errors: [{ message: e.message, locations: e.locations }] }, version);
      }
      const problems = validate(schema, document);
      if (problems.length > 0) {
        return ok({ errors: problems.map((p) => ({ message: p.message, locations: p.locations })) }, version);
      }
      if (documents.size < 500) documents.set(payload.query, document);
    }
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    const operation = getOperationAST(document, operationName);
    if (operation === null || operation === undefined) {
      return ok({ errors: [{ message: 'An operation name is required' }] }, version);
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors !== undefined) {
      return ok(
        { errors: coerced.errors.map((e) => ({ message: e.message, locations: e.locations })) },
        version,
      );
    }
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        count(
          `${operation.operation === OperationTypeNode.MUTATION ? 'Mutation' : 'QueryRoot'}.${selection.name.value}`,
        );
      }
    }

    const cost = requestedCost(schema, document, operation, coerced.coerced);
    if (cost > SINGLE_QUERY_MAX_COST) {
      return ok(
        {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\nSee ${RATE_LIMIT_DOCS} for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n`,
              extensions: {
                code: 'MAX_COST_EXCEEDED',
                cost,
                maxCost: SINGLE_QUERY_MAX_COST,
                documentation: RATE_LIMIT_DOCS,
              },
            },
          ],
        },
        version,
      );
    }
    if (!bucket.tryTake(cost)) {
      return ok(
        {
          errors: [
            { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMIT_DOCS } },
          ],
          extensions: {
            cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() },
          },
        },
        version,
      );
    }

    const context: AdminContext = { actualCost: 0, search: [] };
    const result = execute({
      schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: context,
    });
    if (result instanceof Promise) throw new Error('the Admin schema resolves synchronously');
    // Shopify charges the requested cost up front and refunds what the query did not use.
    const actual = Math.min(cost, context.actualCost);
    bucket.refund(cost - actual);
    const extensions: Record<string, unknown> = {
      cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: bucket.status() },
    };
    if (context.search.length > 0) extensions['search'] = context.search;
    const body: Record<string, unknown> = {};
    if (result.errors !== undefined) {
      body['errors'] = result.errors.map((e) => ({
        message: e.message,
        locations: e.locations,
        path: e.path,
        ...(e.extensions['code'] === undefined ? {} : { extensions: e.extensions }),
      }));
    }
    body['data'] = result.data ?? null;
    body['extensions'] = extensions;
    return ok(body, version);
  };
}

/** Starts the Shopify emulator over `world`. Same world seed, same data and ids; credentials are random per process. */
export async function startShopifySandbox(
  world: DemoWorld,
  options: SandboxOptions = {},
): Promise<RunningShopifySandbox> {
  const random = seededRandom(world.seed, 'shopify');
  const ids = createIdFactory(random);
  const store = new ShopifyStore();
  seedStore(store, ids, random, world);
  const accessToken = `shpat_${hex(credentialRandom, 32)}`;
  // Several secrets during a rotation: Shopify signs with the newest, the first one listed.
  const webhookSecret = options.webhookSecret ?? hex(credentialRandom, 64);
  const signingSecret = webhookSecrets(webhookSecret)[0] ?? webhookSecret;
  const bucket = new CostBucket();
  const react = createReactor(store, ids, seededRandom(world.seed, 'shopify-react'), signingSecret);
  const schema = createAdminSchema(store, (order) => options.emit?.(() => react.orderUpdated(order)));

  const rootFields = new Map<string, number>();
  const count = (key: string): void => {
    rootFields.set(key, (rootFields.get(key) ?? 0) + 1);
  };

  const server = await startHttpEmulator({
    name: 'shopify',
    routes: [
      {
        method: 'POST',
        path: '/admin/api/:version/graphql.json',
        handler: graphqlHandler(schema, bucket, count),
      },
    ],
    authorize: (request) =>
      request.headers['x-shopify-access-token'] === accessToken
        ? undefined
        : { status: 401, body: { errors: INVALID_TOKEN } },
    errorBody: shopifyErrorBody,
    errorHeaders: (status): Record<string, string> => (status === 429 ? { 'Retry-After': '2.0' } : {}),
    requestIdHeader: 'X-Request-Id',
    requestId: () =>
      `${hex(Math.random, 8)}-${hex(Math.random, 4)}-4${hex(Math.random, 3)}-a${hex(Math.random, 3)}-${hex(Math.random, 12)}`,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Shopify-Stage': 'production',
      Server: 'cloudflare',
    },
    // Valid JSON in the wrong shape: the connector's schemas, not JSON.parse, must catch it.
    malformedBody: () =>
      '{"data":{"orders":{"edges":"none"},"nodes":[{"id":42}],"customers":null},"extensions":{"cost":{}}}',
  });

  return {
    env: {
      SHOPIFY_BASE_URL: server.baseUrl,
      SHOPIFY_SHOP_DOMAIN: SHOP_DOMAIN,
      SHOPIFY_ACCESS_TOKEN: accessToken,
      SHOPIFY_API_VERSION: API_VERSION,
      SHOPIFY_WEBHOOK_SECRET: webhookSecret,
    },
    baseUrl: server.baseUrl,
    counters: () => ({ ...server.counters(), ...Object.fromEntries(rootFields) }),
    resetCounters: () => {
      server.resetCounters();
      rootFields.clear();
    },
    faults: server.faults,
    react: (change) => react(change),
    close: server.close,
    store,
    bucket,
    accessToken,
    webhookSecret,
    shopDomain: SHOP_DOMAIN,
  };
}

/** The Shopify connector's sandbox. */
export const shopifySandbox: ConnectorSandbox = { start: startShopifySandbox };
