/**
 * The unified Customer page (`customers(first: 100)` with its billing, support
 * and commerce parts): how many upstream calls it costs per source, and that
 * batched answers land on the right customer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
let sandboxes: Record<string, RunningSandbox>;

beforeAll(async () => {
  t = await startTestGateway();
  sandboxes = Object.fromEntries(
    t.gateway.sources.flatMap((s) => (s.sandbox ? [[s.name, s.sandbox] as const] : [])),
  );
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
