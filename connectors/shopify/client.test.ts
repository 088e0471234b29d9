import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { createCircuitBreaker } from '../../src/upstream/circuit-breaker.ts';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../../src/upstream/types.ts';
import {
  LINE_ITEMS_BATCH_SIZE,
  ORDERS_PAGE_COST,
  createShopifyClient,
  searchValue,
  shopifyRetryHint,
  throttleWaitMs,
} from './client.ts';
import { DEFAULT_API_VERSION, ShopifyConfig, hasShopifyCredentials } from './config.ts';

/** A THROTTLED answer exactly as Shopify sends it (HTTP 200, no Retry-After). */
const throttled = {
  errors: [
    {
      message: 'Throttled',
      extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
    },
  ],
  extensions: {
    cost: {
      requestedQueryCost: 862,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 4000.0, currentlyAvailable: 572, restoreRate: 200.0 },
    },
  },
};

function response(status: number, json: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers, text: JSON.stringify(json), json, attempts: 1 };
}

/** An upstream that answers from a script and records what it was asked. */
function scripted(answers: UpstreamResponse[]): Upstream & { requests: UpstreamRequest[] } {
  const requests: UpstreamRequest[] = [];
  return {
    source: 'shopify',
    baseUrl: 'https://acme.myshopify.com',
    requests,
    breaker: createCircuitBreaker({ source: 'shopify' }),
    request(request) {
      requests.push(request);
      const next = answers.shift();
      if (next === undefined) throw new Error('no more scripted answers');
      return Promise.resolve(next);
    },
    close: () => Promise.resolve(),
  };
}

const config = ShopifyConfig.parse({
  SHOPIFY_SHOP_DOMAIN: 'acme.myshopify.com',
  SHOPIFY_ACCESS_TOKEN: 'shpat_x',
});
const emptyPage = {
  data: { orders: { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null } } },
};

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('config', () => {
  it('derives the base URL from the shop domain and defaults the API version', () => {
    expect(config.SHOPIFY_BASE_URL).toBe('https://acme.myshopify.com');
    expect(config.SHOPIFY_API_VERSION).toBe(DEFAULT_API_VERSION);
    expect(hasShopifyCredentials(config)).toBe(true);
    expect(hasShopifyCredentials(ShopifyConfig.parse({}))).toBe(false);
    const proxied = ShopifyConfig.parse({
      SHOPIFY_BASE_URL: 'http://127.0.0.1:9999/',
      SHOPIFY_ACCESS_TOKEN: 't',
    });
    expect(proxied.SHOPIFY_BASE_URL).toBe('http://127.0.0.1:9999');
  });

  it('refuses a token without a shop, and malformed domains and versions', () => {
    const issues = (env: Record<string, string>) =>
      ShopifyConfig.safeParse(env).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];
    expect(issues({ SHOPIFY_ACCESS_TOKEN: 'shpat_x' })).toEqual([
      ['SHOPIFY_SHOP_DOMAIN', 'is needed with SHOPIFY_ACCESS_TOKEN (or set SHOPIFY_BASE_URL)'],
    ]);
    expect(
      issues({ SHOPIFY_SHOP_DOMAIN: 'acme.com', SHOPIFY_API_VERSION: '2025-11' }).map(([p]) => p),
    ).toEqual(['SHOPIFY_SHOP_DOMAIN', 'SHOPIFY_API_VERSION']);
  });
});

describe('cost budgeting', () => {
  it('keeps every document under the single-query limit of 1000', () => {
    expect(ORDERS_PAGE_COST).toBe(502);
    // Each order in a line-item read costs 1 + (2 + 5 × 3) = 18 points.
    expect(LINE_ITEMS_BATCH_SIZE).toBe(55);
    expect(LINE_ITEMS_BATCH_SIZE * 18).toBeLessThanOrEqual(1000);
  });

  it('quotes search values as Shopify’s syntax wants', () => {
    expect(searchValue('alex@example.com')).toBe('"alex@example.com"');
    expect(searchValue('o"brien\\x@example.com')).toBe('"o\\"brien\\\\x@example.com"');
  });
});

describe('THROTTLED', () => {
  it('waits (requested − available) / restoreRate seconds', () => {
    // (862 − 572) / 200 = 1.45 s, plus a small margin.
    expect(throttleWaitMs(throttled)).toBe(1475);
    expect(throttleWaitMs(emptyPage)).toBeUndefined();
    expect(throttleWaitMs({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }] })).toBe(
      1000,
    );
  });

  it('gives the shared upstream layer the same hint, for a THROTTLED body on an error status', () => {
    expect(shopifyRetryHint(response(429, throttled))).toEqual({ retry: true, afterMs: 1475 });
    expect(shopifyRetryHint(response(503, { errors: 'Service Unavailable' }))).toBeUndefined();
  });

  it('retries after the wait when the deadline allows, else fails with UPSTREAM_RATE_LIMITED at once', async () => {
    const cheap = {
      ...throttled,
      extensions: { cost: { ...throttled.extensions.cost, requestedQueryCost: 574 } },
    };
    const upstream = scripted([response(200, cheap), response(200, emptyPage)]);
    const client = createShopifyClient(upstream, config);
    const page = await client.listOrders({ first: 10 }, { deadline: Date.now() + 5000 });
    expect(page).toEqual({ edges: [], hasNextPage: false, hasPreviousPage: false });
    expect(upstream.requests).toHaveLength(2);

    const slow = scripted([response(200, throttled)]);
    const error = await failure(
      createShopifyClient(slow, config).listOrders({ first: 10 }, { deadline: Date.now() + 1000 }),
    );
    expect(error.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'shopify',
      upstreamCode: 'THROTTLED',
    });
    expect(slow.requests).toHaveLength(1);
  });
});

describe('requests and error mapping', () => {
  it('POSTs the document to the versioned endpoint, marked retryable', async () => {
    const upstream = scripted([response(200, emptyPage)]);
    await createShopifyClient(upstream, config).listOrders({ first: 7, query: 'financial_status:paid' }, {});
    const [request] = upstream.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/admin/api/2025-10/graphql.json',
      operation: 'orders.list',
      headers: { 'content-type': 'application/json' },
    });
    // A query only reads: marked idempotent for the retry layer, with no idempotency key to send.
    expect(request?.idempotent).toBe(true);
    expect(request?.idempotencyKey).toBeUndefined();
    expect(Object.keys(request?.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('idempotency-key');
    const body = JSON.parse(request?.body ?? '{}') as { query: string; variables: unknown };
    expect(body.variables).toEqual({ first: 7, after: null, query: 'financial_status:paid' });
    expect(body.query).toMatch(
      /orders\(first: \$first, after: \$after, query: \$query, sortKey: CREATED_AT, reverse: true\)/,
    );
  });

  it('maps GraphQL errors by their code', async () => {
    const errorOf = async (code: string, message = 'nope') =>
      failure(
        createShopifyClient(
          scripted([response(200, { errors: [{ message, extensions: { code } }] })]),
          config,
        ).listOrders({ first: 1 }, {}),
      );
    expect((await errorOf('ACCESS_DENIED', 'Access denied for orders field.')).extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'ACCESS_DENIED',
    });
    expect(
      (await errorOf('BAD_REQUEST', 'Invalid cursor for current pagination sort.')).extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const tooExpensive = await errorOf(
      'MAX_COST_EXCEEDED',
      'Query cost is 1293, which exceeds the single query max cost limit (1000).\n\nSee ...',
    );
    expect(tooExpensive.extensions).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      upstreamCode: 'MAX_COST_EXCEEDED',
    });
    expect(tooExpensive.message).toBe(
      'Shopify answered orders.list with errors: Query cost is 1293, which exceeds the single query max cost limit (1000).',
    );
    // Production shows the gateway's words only: Shopify's text may echo anything.
    expect(tooExpensive.publicMessage).toBe('Shopify answered orders.list with errors');
    const denied = await errorOf('ACCESS_DENIED', 'Access denied for orders field.');
    expect(denied.publicMessage).toBe(
      'Shopify denied access for orders.list. Check that SHOPIFY_ACCESS_TOKEN has the read_orders and read_customers scopes.',
    );
    const oddCode = await errorOf('not an identifier <b>', 'x');
    expect(oddCode.extensions['upstreamCode']).toBeUndefined();
  });

  it('maps HTTP errors: 401 names the token, 404 the shop and version', async () => {
    const unauthorized = await failure(
      createShopifyClient(
        scripted([
          response(401, {
            errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
          }),
        ]),
        config,
      ).listOrders({ first: 1 }, {}),
    );
    expect(unauthorized.message).toMatch(/Check SHOPIFY_ACCESS_TOKEN\.$/);
    const notFound = await failure(
      createShopifyClient(scripted([response(404, { errors: 'Not Found' })]), config).listOrders(
        { first: 1 },
        {},
      ),
    );
    expect(notFound.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 404 });
    expect(notFound.message).toMatch(
      /Check SHOPIFY_SHOP_DOMAIN \(or SHOPIFY_BASE_URL\) and SHOPIFY_API_VERSION\.$/,
    );
  });

  it('maps nodes() results back by id and leaves unknown ids out', async () => {
    const customer = (id: number, email: string) => ({
      id: `gid://shopify/Customer/${id}`,
      email,
      firstName: null,
      lastName: null,
      displayName: email,
      numberOfOrders: '0',
      amountSpent: { amount: '0.0', currencyCode: 'USD' },
    });
    const upstream = scripted([
      response(200, { data: { nodes: [customer(2, 'b@x.io'), null, customer(1, 'a@x.io')] } }),
    ]);
    const found = await createShopifyClient(upstream, config).customersByIds(
      ['gid://shopify/Customer/2', 'gid://shopify/Customer/3', 'gid://shopify/Customer/1'],
      {},
    );
    expect(found.map((c) => [c.id, c.numberOfOrders])).toEqual([
      ['gid://shopify/Customer/2', 0],
      ['gid://shopify/Customer/1', 0],
    ]);
  });
});
