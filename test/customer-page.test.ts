/**
 * The unified Customer page (`customers(first: 100)` with its billing, support
 * and commerce parts): how many upstream calls it costs per source, and that
 * batched answers land on the right customer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerOrdersBatchSize } from '../connectors/shopify/client.ts';
import { packSearches, searchable } from '../connectors/shopify/customers-orders.ts';
import type { ShopifyCustomer } from '../connectors/shopify/models.ts';
import type { RunningShopifySandbox } from '../connectors/shopify/sandbox/index.ts';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import type { RunningZendeskSandbox } from '../connectors/zendesk/sandbox/index.ts';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { startTestGateway, sandboxesOf } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
let sandboxes: Record<string, RunningSandbox>;

beforeAll(async () => {
  t = await startTestGateway();
  sandboxes = sandboxesOf(t.gateway);
});
afterAll(() => t.close());
beforeEach(() => {
  for (const sandbox of Object.values(sandboxes)) sandbox.resetCounters();
});

const counters = (source: string): Record<string, number> => sandboxes[source]?.counters() ?? {};

interface Sub {
  sourceId: string;
  status: string;
  customer: { sourceId: string };
}
interface BillingPage {
  customers: {
    edges: {
      node: {
        email: string;
        billing: { sourceId: string; subscriptions: { edges: { node: Sub }[] } } | null;
      };
    }[];
  };
}

describe('billing part of the Customer page', () => {
  it('reads 100 customers’ active subscriptions with one Stripe search per 10 emails, each on its customer', async () => {
    const page = await t.graphql<BillingPage>(`{ customers(first: 100) { edges { node {
      email billing { sourceId subscriptions(first: 5, status: ACTIVE) { edges { node { sourceId status customer { sourceId } } } } }
    } } } }`);
    expect(page.errors).toBeUndefined();
    const edges = page.data?.customers.edges ?? [];
    expect(edges).toHaveLength(100);
    // Subscriptions come expanded on the searched customers: no call per customer.
    expect(counters('stripe')).toEqual({ 'GET /v1/customers/search': 10 });
    const withSubs = edges.filter((e) => (e.node.billing?.subscriptions.edges.length ?? 0) > 0);
    expect(withSubs.length).toBeGreaterThan(10);
    for (const { node } of edges) {
      for (const { node: sub } of node.billing?.subscriptions.edges ?? []) {
        expect(sub.customer.sourceId).toBe(node.billing?.sourceId);
        expect(sub.status).toBe('ACTIVE');
      }
    }
    // The same answers as Stripe's subscriptions list, customer by customer.
    for (const { node } of withSubs.slice(0, 5)) {
      const one = await t.graphql<{ billingCustomer: { subscriptions: { edges: { node: Sub }[] } } }>(
        'query ($id: ID!) { billingCustomer(id: $id) { subscriptions(first: 5, status: ACTIVE) { edges { node { sourceId status customer { sourceId } } } } } }',
        { id: node.billing?.sourceId },
      );
      expect(one.data?.billingCustomer.subscriptions).toEqual(node.billing?.subscriptions);
    }
  });

  it('still asks Stripe per customer for every status, since expanded subscriptions leave canceled ones out', async () => {
    const page = await t.graphql<BillingPage>(`{ customers(first: 20) { edges { node {
      email billing { sourceId subscriptions(first: 5) { edges { node { sourceId status customer { sourceId } } } } }
    } } } }`);
    expect(page.errors).toBeUndefined();
    const billed = (page.data?.customers.edges ?? []).filter((e) => e.node.billing !== null).length;
    expect(counters('stripe')).toEqual({
      'GET /v1/customers/search': 2,
      'GET /v1/subscriptions': billed,
    });
  });
});

interface TicketNode {
  sourceId: string;
  requester: { sourceId: string } | null;
}
interface SupportPage {
  customers: {
    edges: {
      node: {
        email: string;
        support: {
          sourceId: string;
          email: string;
          tickets: {
            edges: { cursor: string; node: TicketNode }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      };
    }[];
  };
}

const SUPPORT_PAGE = `{ customers(first: 100) { edges { node {
  email support { sourceId email tickets(first: 2) {
    edges { cursor node { sourceId requester { sourceId } } }
    pageInfo { hasNextPage endCursor }
  } }
} } } }`;

describe('support part of the Customer page', () => {
  it('finds 100 customers’ Zendesk users with one search per 20 emails and their tickets with one export per 25 users', async () => {
    const page = await t.graphql<SupportPage>(SUPPORT_PAGE);
    expect(page.errors).toBeUndefined();
    const edges = page.data?.customers.edges ?? [];
    expect(edges).toHaveLength(100);
    const supported = edges.filter((e) => e.node.support !== null);
    expect(supported.length).toBeGreaterThan(25);
    const zendesk = counters('zendesk');
    expect(zendesk['GET /api/v2/users/search.json']).toBe(5);
    // The users' searches come back in waves; each wave's users share exports of at most 25.
    expect(zendesk['GET /api/v2/search/export.json']).toBeLessThanOrEqual(
      5 + Math.ceil(supported.length / 25),
    );
    expect(zendesk['GET /api/v2/search/export.json']).toBeLessThan(supported.length / 4);
    expect(zendesk['GET /api/v2/users/:id/tickets/requested.json']).toBeUndefined();
    for (const { node } of supported) {
      expect(node.support?.email.toLowerCase()).toBe(node.email);
      for (const { node: ticket } of node.support?.tickets.edges ?? []) {
        expect(ticket.requester?.sourceId).toBe(node.support?.sourceId);
      }
    }
    // The same first page, and the same next page from its endCursor, as the user's own list.
    const busy = supported.filter((e) => e.node.support?.tickets.pageInfo.hasNextPage).slice(0, 3);
    expect(busy.length).toBeGreaterThan(0);
    for (const { node } of busy) {
      const query = `query ($id: ID!, $after: String) { supportUser(id: $id) { tickets(first: 2, after: $after) {
        edges { cursor node { sourceId requester { sourceId } } } pageInfo { hasNextPage endCursor } } } }`;
      const alone = await t.graphql<{
        supportUser: { tickets: { edges: { node: TicketNode }[]; pageInfo: { hasNextPage: boolean } } };
      }>(query, { id: node.support?.sourceId });
      // Cursors differ (the lone list's carry Zendesk's own); the tickets do not.
      expect(alone.data?.supportUser.tickets.edges.map((e) => e.node)).toEqual(
        node.support?.tickets.edges.map((e) => e.node),
      );
      expect(alone.data?.supportUser.tickets.pageInfo.hasNextPage).toBe(true);
      const after = node.support?.tickets.pageInfo.endCursor;
      const next = await t.graphql<{ supportUser: { tickets: { edges: { node: TicketNode }[] } } }>(query, {
        id: node.support?.sourceId,
        after,
      });
      const shown = new Set(node.support?.tickets.edges.map((e) => e.node.sourceId));
      const rest = next.data?.supportUser.tickets.edges ?? [];
      expect(rest.length).toBeGreaterThan(0);
      for (const { node: ticket } of rest) {
        expect(shown.has(ticket.sourceId)).toBe(false);
        expect(ticket.requester?.sourceId).toBe(node.support?.sourceId);
      }
    }
  });

  it('asks a lone user’s tickets from the user’s own list, which sees a ticket search has not indexed yet', async () => {
    const page = await t.graphql<SupportPage>(SUPPORT_PAGE.replace('first: 100', 'first: 1'));
    expect(page.errors).toBeUndefined();
    expect(counters('zendesk')['GET /api/v2/users/:id/tickets/requested.json']).toBe(
      page.data?.customers.edges[0]?.node.support ? 1 : undefined,
    );
    expect(counters('zendesk')['GET /api/v2/search/export.json']).toBeUndefined();
  });
});

interface OrderNode {
  sourceId: string;
  createdAt: string;
  customer: { sourceId: string } | null;
}
interface CommercePage {
  customers: {
    edges: {
      node: {
        email: string;
        commerce: {
          sourceId: string;
          numberOfOrders: number;
          orders: {
            edges: { cursor: string; node: OrderNode }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      };
    }[];
  };
}

const COMMERCE_PAGE = `{ customers(first: 100) { edges { node {
  email commerce { sourceId numberOfOrders orders(first: 2) {
    edges { cursor node { sourceId createdAt customer { sourceId } } }
    pageInfo { hasNextPage endCursor }
  } }
} } } }`;
const GRAPHQL = 'POST /admin/api/:version/graphql.json';

describe('commerce part of the Customer page', () => {
  it('reads 100 customers’ orders with a few order searches, within one bucket of Shopify’s query cost', async () => {
    const shopify = sandboxes['shopify'] as RunningShopifySandbox;
    // Less than the page's `nodes(ids:)` reads would request (about 1,700 points): no THROTTLED answer.
    shopify.bucket.set({ currentlyAvailable: 1000 });
    const page = await t.graphql<CommercePage>(COMMERCE_PAGE);
    shopify.bucket.reset();
    expect(page.errors).toBeUndefined();
    const shoppers = (page.data?.customers.edges ?? []).flatMap((e) =>
      e.node.commerce ? [e.node.commerce] : [],
    );
    expect(shoppers.length).toBeGreaterThan(20);
    const searches = packSearches(
      shoppers
        .map((c) => ({ id: c.sourceId, numberOfOrders: c.numberOfOrders }) as ShopifyCustomer)
        .filter((c) => searchable(c, 2)),
    ).length;
    const others = shoppers.filter((c) => c.numberOfOrders > 10).length;
    const reads = Math.ceil(others / customerOrdersBatchSize(2));
    expect(counters('shopify')).toEqual({
      [GRAPHQL]: 1 + searches + reads,
      'QueryRoot.customers': 1,
      'QueryRoot.orders': searches,
      ...(reads > 0 ? { 'QueryRoot.nodes': reads } : {}),
    });
    expect(searches).toBeLessThanOrEqual(2);
    for (const commerce of shoppers) {
      const orders = commerce.orders.edges.map((e) => e.node);
      expect(orders.length).toBe(Math.min(2, commerce.numberOfOrders));
      expect(commerce.orders.pageInfo.hasNextPage).toBe(commerce.numberOfOrders > 2);
      for (const order of orders) expect(order.customer?.sourceId).toBe(commerce.sourceId);
      expect(orders.map((o) => o.createdAt)).toEqual(
        orders
          .map((o) => o.createdAt)
          .sort()
          .reverse(),
      );
    }
    // The same orders as the customer's own list, and the next page from the endCursor.
    const busy = shoppers.filter((c) => c.orders.pageInfo.hasNextPage).slice(0, 3);
    expect(busy.length).toBeGreaterThan(0);
    const query = `query ($id: ID!, $after: String) { commerceCustomer(id: $id) { orders(first: 2, after: $after) {
      edges { node { sourceId createdAt customer { sourceId } } } pageInfo { hasNextPage } } } }`;
    for (const commerce of busy) {
      type One = {
        commerceCustomer: { orders: { edges: { node: OrderNode }[]; pageInfo: { hasNextPage: boolean } } };
      };
      const alone = await t.graphql<One>(query.replace('first: 2', 'first: 100'), { id: commerce.sourceId });
      const all = alone.data?.commerceCustomer.orders.edges.map((e) => e.node) ?? [];
      expect(commerce.orders.edges.map((e) => e.node)).toEqual(all.slice(0, 2));
      const next = await t.graphql<One>(query, {
        id: commerce.sourceId,
        after: commerce.orders.pageInfo.endCursor,
      });
      expect(next.errors).toBeUndefined();
      expect(next.data?.commerceCustomer.orders.edges.map((e) => e.node)).toEqual(all.slice(2, 4));
      expect(next.data?.commerceCustomer.orders.pageInfo.hasNextPage).toBe(all.length > 4);
    }
  });

  it('reads a lone customer’s orders from the customer, not a search', async () => {
    const page = await t.graphql<CommercePage>(COMMERCE_PAGE.replace('first: 100', 'first: 1'));
    expect(page.errors).toBeUndefined();
    const calls = counters('shopify')[GRAPHQL] ?? 0;
    expect(calls).toBe(page.data?.customers.edges[0]?.node.commerce ? 2 : 1);
  });
});

describe('billing as the customer directory', () => {
  it('lists 100 customers with their active subscriptions in one Stripe call', async () => {
    const other = await startTestGateway({ CUSTOMER_DIRECTORY: 'stripe' });
    try {
      const stripe = other.gateway.sources.find((s) => s.name === 'stripe')?.sandbox;
      stripe?.resetCounters();
      const page = await other.graphql<BillingPage>(`{ customers(first: 100) { edges { node {
        email billing { sourceId subscriptions(first: 5, status: ACTIVE) { edges { node { sourceId status customer { sourceId } } } } }
      } } } }`);
      expect(page.errors).toBeUndefined();
      const edges = page.data?.customers.edges ?? [];
      expect(edges).toHaveLength(100);
      expect(stripe?.counters()).toEqual({ 'GET /v1/customers': 1 });
      const subs = edges.flatMap((e) =>
        (e.node.billing?.subscriptions.edges ?? []).map((s) => [e.node.billing?.sourceId, s.node] as const),
      );
      expect(subs.length).toBeGreaterThan(10);
      for (const [owner, sub] of subs) expect(sub.customer.sourceId).toBe(owner);
    } finally {
      await other.close();
    }
  });
});

describe('rate budgets', () => {
  it('fits the billing and support parts of 100 customers in 12 Stripe calls a second and 15 Zendesk calls a minute', async () => {
    const stripe = sandboxes['stripe'] as RunningStripeSandbox;
    const zendesk = sandboxes['zendesk'] as RunningZendeskSandbox;
    const headers = zendesk.rateLimit.headers();
    const used = Number(headers['X-Rate-Limit']) - Number(headers['X-Rate-Limit-Remaining']);
    const limits = { stripe: stripe.rateLimiter.testPerSecond, zendesk: zendesk.rateLimit.limit };
    const refused = { stripe: stripe.rateLimiter.refused, zendesk: zendesk.rateLimit.refused };
    stripe.rateLimiter.testPerSecond = 12;
    zendesk.rateLimit.limit = used + 15;
    try {
      const page = await t.graphql<BillingPage>(`{ customers(first: 100) { edges { node {
        email billing { subscriptions(first: 5, status: ACTIVE) { edges { node { status } } } }
        support { tickets(first: 5) { edges { node { status } } } }
      } } } }`);
      expect(page.errors).toBeUndefined();
      expect(page.data?.customers.edges).toHaveLength(100);
      expect(stripe.rateLimiter.refused).toBe(refused.stripe);
      expect(zendesk.rateLimit.refused).toBe(refused.zendesk);
    } finally {
      stripe.rateLimiter.testPerSecond = limits.stripe;
      zendesk.rateLimit.limit = limits.zendesk;
    }
  });
});
