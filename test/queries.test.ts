import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_RESPONSE_CACHE, startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(NO_RESPONSE_CACHE);
});
afterAll(() => t.close());
beforeEach(() => {
  t.stripe.faults.clear();
  t.stripe.resetCounters();
});

interface InvoicesData {
  invoices: {
    edges: {
      cursor: string;
      node: {
        id: string;
        amountDue: { amount: string; currencyCode: string; minorUnits: number | null };
        status: string;
        customer: { id: string; name: string; email: string } | null;
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const INVOICES = `query ($first: Int, $after: String) {
  invoices(first: $first, after: $after) {
    edges { cursor node { id amountDue { amount currencyCode minorUnits } status customer { id name email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('billing queries against the Stripe emulator', () => {
  it('batches: 100 invoices with their customers cost one list call plus one call per distinct customer', async () => {
    const result = await t.graphql<InvoicesData>(INVOICES, { first: 100 });
    expect(result.errors).toBeUndefined();
    const edges = result.data?.invoices.edges ?? [];
    expect(edges).toHaveLength(100);
    const distinct = new Set(edges.map((e) => e.node.customer?.id));
    expect(distinct.size).toBeGreaterThan(1);
    expect(distinct.size).toBeLessThan(100);
    expect(t.stripe.counters()).toEqual({ 'GET /v1/invoices': 1, 'GET /v1/customers/:id': distinct.size });
    // Customers deleted in Stripe resolve to null; the others are complete.
    const found = edges.filter((e) => e.node.customer !== null);
    expect(found.length).toBeGreaterThan(90);
    for (const { node } of found) expect(node.customer?.email).toMatch(/@/);
    // Money: Stripe's integer cents as an exact two-decimal string, the same count in minorUnits.
    for (const { node } of edges) {
      expect(node.amountDue.currencyCode).toBe('USD');
      expect(node.amountDue.amount).toMatch(/^\d+\.\d{2}$/);
      expect(node.amountDue.minorUnits).toBe(Number(node.amountDue.amount.replace('.', '')));
    }
  });

  it("gives Stripe's amounts as Money: a credit balance is negative, a JPY invoice has no decimals", async () => {
    const { store } = t.stripe as RunningStripeSandbox;
    const customer = store.customers.all().find((c) => c.currency !== null);
    const invoice = store.invoices.all()[0];
    if (customer === undefined || invoice === undefined)
      throw new Error('the demo world has no billed customer');
    const saved = { balance: customer.balance, currency: invoice.currency, total: invoice.total };
    customer.balance = -2500;
    Object.assign(invoice, { currency: 'jpy', total: 12_000 });
    try {
      const result = await t.graphql(
        `query ($c: ID!, $i: ID!) {
          billingCustomer(id: $c) { balance { amount currencyCode minorUnits } }
          invoice(id: $i) { total { amount currencyCode minorUnits } }
        }`,
        { c: customer.id, i: invoice.id },
      );
      expect(result).toEqual({
        data: {
          billingCustomer: { balance: { amount: '-25.00', currencyCode: 'USD', minorUnits: -2500 } },
          invoice: { total: { amount: '12000', currencyCode: 'JPY', minorUnits: 12000 } },
        },
      });
      // A currency Stripe could not have sent fails only the amounts of that invoice.
      Object.assign(invoice, { currency: 'dollars' });
      const broken = await t.graphql(
        'query ($i: ID!) { invoice(id: $i) { sourceId total { amount } amountDue { amount } } }',
        { i: invoice.id },
      );
      expect(broken.data).toEqual({ invoice: null });
      expect(broken.errors?.[0]).toMatchObject({
        message: `Stripe's invoice total is not an amount of money: "dollars" is not a three-letter ISO 4217 currency code.`,
        extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'stripe', field: 'invoice total' },
      });
    } finally {
      customer.balance = saved.balance;
      Object.assign(invoice, { currency: saved.currency, total: saved.total });
    }
  });

  it("names Stripe's statuses and intervals in SCREAMING_SNAKE_CASE, as arguments and in answers", async () => {
    const result = await t.graphql<{
      invoices: { edges: { node: { status: string } }[] };
      subscriptions: {
        edges: { node: { status: string; items: { price: { interval: string | null } }[] } }[];
      };
    }>(`{
      invoices(first: 10, status: PAID) { edges { node { status } } }
      subscriptions(first: 10) { edges { node { status items { price { interval } } } } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.invoices.edges.length).toBeGreaterThan(0);
    for (const { node } of result.data?.invoices.edges ?? []) expect(node.status).toBe('PAID');
    for (const { node } of result.data?.subscriptions.edges ?? []) {
      expect(node.status).toMatch(/^[A-Z_]+$/);
      for (const item of node.items) expect(item.price.interval).toMatch(/^(DAY|WEEK|MONTH|YEAR)$/);
    }
    const stripeSpelling = await t.graphql('{ invoices(first: 1, status: paid) { edges { cursor } } }');
    expect(stripeSpelling.errors?.[0]).toMatchObject({
      message:
        'Value "paid" does not exist in "InvoiceStatus" enum. Did you mean the enum value "PAID" or "VOID"?',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('pages with opaque cursors, with no overlap between pages', async () => {
    const first = await t.graphql<InvoicesData>(INVOICES, { first: 30 });
    const page1 = first.data?.invoices;
    expect(page1?.pageInfo.hasNextPage).toBe(true);
    const second = await t.graphql<InvoicesData>(INVOICES, { first: 30, after: page1?.pageInfo.endCursor });
    const ids1 = page1?.edges.map((e) => e.node.id) ?? [];
    const ids2 = second.data?.invoices.edges.map((e) => e.node.id) ?? [];
    expect(ids2).toHaveLength(30);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    const both = await t.graphql<InvoicesData>(INVOICES, { first: 60 });
    expect(both.data?.invoices.edges.map((e) => e.node.id)).toEqual([...ids1, ...ids2]);
  });

  it('serves customers with their subscriptions and invoices', async () => {
    const result = await t.graphql<{
      billingCustomers: {
        edges: {
          node: {
            id: string;
            email: string;
            subscriptions: { edges: { node: { id: string; status: string; customer: { id: string } } }[] };
            invoices: { edges: { node: { id: string; customer: { id: string } } }[] };
          };
        }[];
      };
    }>(`{
      billingCustomers(first: 5) {
        edges { node { id email
          subscriptions(first: 5) { edges { node { id status items { price { unitAmount { amount currencyCode } interval } } customer { id } } } }
          invoices(first: 3) { edges { node { id amountDue { amount } customer { id } } } }
        } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const customers = result.data?.billingCustomers.edges.map((e) => e.node) ?? [];
    expect(customers).toHaveLength(5);
    for (const customer of customers) {
      for (const { node } of customer.subscriptions.edges) expect(node.customer.id).toBe(customer.id);
      for (const { node } of customer.invoices.edges) expect(node.customer.id).toBe(customer.id);
    }
    // One list of customers, one list of subscriptions and one of invoices per customer; their
    // `customer` fields are served from the primed loader, not fetched again.
    expect(t.stripe.counters()).toEqual({
      'GET /v1/customers': 1,
      'GET /v1/subscriptions': 5,
      'GET /v1/invoices': 5,
    });
  });

  it('finds a billing customer by email, case-insensitively, and gives null for nobody', async () => {
    const some = await t.graphql<{ billingCustomers: { edges: { node: { id: string; email: string } }[] } }>(
      '{ billingCustomers(first: 1) { edges { node { id email } } } }',
    );
    const target = some.data?.billingCustomers.edges[0]?.node;
    const found = await t.graphql<{ billingCustomerByEmail: { id: string } | null }>(
      'query ($email: String!) { billingCustomerByEmail(email: $email) { id } }',
      { email: target?.email.toUpperCase() },
    );
    expect(found.data?.billingCustomerByEmail?.id).toBe(target?.id);
    const nobody = await t.graphql('{ billingCustomerByEmail(email: "nobody@nowhere.example") { id } }');
    expect(nobody).toEqual({ data: { billingCustomerByEmail: null } });
  });

  it('gives global ids that node() refetches, and accepts them or Stripe ids as arguments', async () => {
    const listed = await t.graphql<InvoicesData>(INVOICES, { first: 1 });
    const invoice = listed.data?.invoices.edges[0]?.node;
    const byNode = await t.graphql<{ node: { __typename: string; id: string; sourceId: string } | null }>(
      'query ($id: ID!) { node(id: $id) { __typename id ... on Invoice { sourceId } } }',
      { id: invoice?.id },
    );
    expect(byNode.data?.node).toMatchObject({ __typename: 'Invoice', id: invoice?.id });
    const sourceId = byNode.data?.node?.sourceId ?? '';
    expect(sourceId).toMatch(/^in_/);
    const both = await t.graphql<{ a: { id: string }; b: { id: string } }>(
      'query ($g: ID!, $s: ID!) { a: invoice(id: $g) { id } b: invoice(id: $s) { id } }',
      { g: invoice?.id, s: sourceId },
    );
    expect(both.data).toEqual({ a: { id: invoice?.id }, b: { id: invoice?.id } });
  });

  it('resolves a missing customer, invoice or subscription to null', async () => {
    const result = await t.graphql(
      '{ billingCustomer(id: "cus_missing") { id } invoice(id: "in_missing") { id } billingSubscription(id: "sub_missing") { id } }',
    );
    expect(result).toEqual({ data: { billingCustomer: null, invoice: null, billingSubscription: null } });
  });

  it('refuses a bad cursor and a bad page size with BAD_USER_INPUT', async () => {
    const badCursor = await t.graphql(INVOICES, { first: 5, after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]).toMatchObject({
      message:
        'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const tooMany = await t.graphql(INVOICES, { first: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({
      message: 'Argument "first" must be between 1 and 100; got 101.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(t.stripe.counters()).toEqual({});
  });
});

describe('Stripe failures map to the error vocabulary, with partial results', () => {
  it('UPSTREAM_UNAVAILABLE after retries on 5xx, while the rest of the answer stands', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', status: 503, times: 10 });
    const result = await t.graphql('{ gateway { mode } invoice(id: "in_any") { id } }');
    expect(result.data).toEqual({ gateway: { mode: 'SANDBOX' }, invoice: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['invoice'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'stripe', upstreamStatus: 503 },
    });
    expect(result.errors?.[0]?.message).toMatch(/^Stripe failed with HTTP 503/);
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(4);
  });

  it('retries a transient failure and succeeds', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices', status: 500, times: 1 });
    const result = await t.graphql('{ invoices(first: 1) { edges { node { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(t.stripe.counters()['GET /v1/invoices']).toBe(2);
  });

  it('UPSTREAM_RATE_LIMITED when 429s outlast the retries', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices', status: 429, times: 10 });
    const result = await t.graphql('{ invoices(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', source: 'stripe' });
  });

  it('UPSTREAM_BAD_RESPONSE for a body that breaks the API contract', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices', malformed: true, times: 1 });
    const result = await t.graphql('{ invoices(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', source: 'stripe' });
    expect(result.errors?.[0]?.message).toMatch(
      /^Stripe answered invoices\.list with a body the gateway does not understand/,
    );
  });

  it('a failing customer lookup nulls that field only', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/customers/:id', status: 500, times: 100 });
    const result = await t.graphql<InvoicesData>(INVOICES, { first: 2 });
    expect(result.data?.invoices.edges).toHaveLength(2);
    expect(result.data?.invoices.edges.map((e) => e.node.customer)).toEqual([null, null]);
    expect(result.errors?.map((e) => e.path)).toEqual([
      ['invoices', 'edges', 0, 'node', 'customer'],
      ['invoices', 'edges', 1, 'node', 'customer'],
    ]);
  });
});

describe('health and readiness', () => {
  it('answers /healthz and /readyz with the sources', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      sources: expect.arrayContaining([
        {
          name: 'stripe',
          mode: 'sandbox',
          webhooks: true,
          breaker: 'closed',
          rateBudget: expect.objectContaining({ limit: '25/s', queued: 0 }) as unknown,
          credentials: {
            status: 'sandbox',
            detail: 'The built-in Stripe emulator’s, generated for this process.',
          },
        },
      ]) as unknown,
    });
  });
});

describe('operation limits', () => {
  it('refuses an operation deeper than MAX_QUERY_DEPTH or with too many aliases, before any upstream call', async () => {
    const deep =
      '{ billingCustomers(first: 1) { edges { node { invoices(first: 1) { edges { node { customer { invoices(first: 1) { edges { node { subscription { customer { id } } } } } } } } } } } } }';
    const tooDeep = await t.graphql(deep);
    expect(tooDeep.errors?.[0]).toMatchObject({
      message: 'Syntax Error: Query depth limit of 12 exceeded, found 13.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const aliases = `{ ${Array.from({ length: 201 }, (_, i) => `a${i}: latestEventCursor`).join(' ')} }`;
    expect((await t.graphql(aliases)).errors?.[0]).toMatchObject({
      message: 'Syntax Error: Aliases limit of 200 exceeded, found 201.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(t.stripe.counters()).toEqual({});
  });
});
