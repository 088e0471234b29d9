import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerOrdersBatchSize } from '../connectors/shopify/client.ts';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { collect, startTestGateway, sandboxesOf } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
let sandboxes: Record<string, RunningSandbox>;

beforeAll(async () => {
  t = await startTestGateway();
  sandboxes = sandboxesOf(t.gateway);
});
afterAll(() => t.close());
beforeEach(() => {
  for (const sandbox of Object.values(sandboxes)) {
    sandbox.faults.clear();
    sandbox.faults.down = false;
    sandbox.resetCounters();
  }
});

interface Parts {
  email: string;
  name: string | null;
  billing: { sourceId: string; email: string } | null;
  crm: { sourceId: string; email: string } | null;
  support: { sourceId: string; email: string } | null;
  commerce: { sourceId: string; email: string } | null;
  app: { sourceId: string; email: string } | null;
}

const PARTS = `email name
  billing { sourceId email } crm { sourceId email } support { sourceId email }
  commerce { sourceId email } app { sourceId email }`;

/** A person the demo world has in every source. */
async function everywhere(): Promise<Parts> {
  const page = await t.graphql<{ customers: { edges: { node: Parts }[] } }>(
    `{ customers(first: 40) { edges { node { ${PARTS} } } } }`,
  );
  const found = page.data?.customers.edges
    .map((e) => e.node)
    .find((c) => c.billing && c.crm && c.support && c.commerce && c.app);
  if (!found) throw new Error('no customer known to every source in the first 40');
  return found;
}

describe('the unified Customer', () => {
  it('joins billing, CRM, support, commerce and the product by email, case-insensitively', async () => {
    const person = await everywhere();
    const result = await t.graphql<{ customer: Parts & { id: string } }>(
      `query ($email: String!) { customer(email: $email) { id ${PARTS} } }`,
      { email: `  ${person.email.toUpperCase()} ` },
    );
    expect(result.errors).toBeUndefined();
    const customer = result.data?.customer;
    expect(customer?.email).toBe(person.email);
    expect(customer?.name).toBe(person.name);
    for (const part of ['billing', 'crm', 'support', 'commerce', 'app'] as const) {
      expect(customer?.[part]?.email.toLowerCase()).toBe(person.email);
      expect(customer?.[part]?.sourceId).toBe(person[part]?.sourceId);
    }
  });

  it('is null for an email no source knows, and refuses one that is not an email', async () => {
    expect(await t.graphql('{ customer(email: "nobody@nowhere.example") { email } }')).toEqual({
      data: { customer: null },
    });
    const bad = await t.graphql('{ customer(email: "not an email") { email } }');
    expect(bad.errors?.[0]).toMatchObject({
      message: 'Argument "email" must be an email address: got "not an email".',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('gives partial data when one source is down: that part is null with an error naming it', async () => {
    const person = await everywhere();
    const hubspot = sandboxes['hubspot'];
    if (!hubspot) throw new Error('no hubspot sandbox');
    hubspot.faults.down = true;
    const result = await t.graphql<{ customer: Parts }>(
      `query ($email: String!) { customer(email: $email) { ${PARTS} } }`,
      { email: person.email },
    );
    expect(result.data?.customer).toMatchObject({
      email: person.email,
      crm: null,
      billing: { sourceId: person.billing?.sourceId },
      support: { sourceId: person.support?.sourceId },
      commerce: { sourceId: person.commerce?.sourceId },
      app: { sourceId: person.app?.sourceId },
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      path: ['customer', 'crm'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'hubspot' },
    });
  });

  it('batches a page of 100 customers with their CRM company, open tickets and orders', async () => {
    const result = await t.graphql<{ customers: { edges: { node: { commerce: unknown } }[] } }>(`{
      customers(first: 100) { edges { node {
        email name
        crm { company { name } }
        support { tickets(status: OPEN, first: 5) { edges { node { sourceId } } } }
        commerce { orders(first: 5) { edges { node { sourceId } } } }
      } } }
    }`);
    expect(result.errors).toBeUndefined();
    const edges = result.data?.customers.edges ?? [];
    expect(edges).toHaveLength(100);
    const shoppers = edges.filter((e) => e.node.commerce !== null).length;
    // The directory's one list call; one batch call per kind of read on batchable sources.
    expect(sandboxes['hubspot']?.counters()).toEqual({
      'GET /crm/v3/objects/contacts': 1,
      'POST /crm/v4/associations/contacts/companies/batch/read': 1,
      'POST /crm/v3/objects/companies/batch/read': 1,
    });
    // Shopify: one search for the 100 emails, then the shoppers' first orders in shared order searches
    // (test/customer-page.test.ts counts them exactly): never more than `nodes(ids:)` reads would take.
    expect(sandboxes['shopify']?.counters()['POST /admin/api/:version/graphql.json']).toBeLessThanOrEqual(
      1 + Math.ceil(shoppers / customerOrdersBatchSize(5)),
    );
    // Zendesk finds users by email through search, 20 emails a call.
    const zendesk = sandboxes['zendesk']?.counters() ?? {};
    expect(zendesk['GET /api/v2/users/search.json']).toBe(5);
    expect(sandboxes['stripe']?.counters()).toEqual({});
    expect(sandboxes['app']?.counters()).toEqual({});
  });

  it('finds the billing part of a page of customers with one Stripe search per 10 emails', async () => {
    const page = await t.graphql<{
      customers: { edges: { node: { email: string; billing: { sourceId: string } | null } }[] };
    }>('{ customers(first: 35) { edges { node { email billing { sourceId } } } } }');
    expect(page.errors).toBeUndefined();
    const edges = page.data?.customers.edges ?? [];
    const emails = new Set(edges.map((e) => e.node.email));
    expect(sandboxes['stripe']?.counters()).toEqual({
      'GET /v1/customers/search': Math.ceil(emails.size / 10),
    });
    // The same answers as one lookup at a time.
    const withBilling = edges.filter((e) => e.node.billing !== null).slice(0, 3);
    expect(withBilling.length).toBeGreaterThan(0);
    for (const { node } of withBilling) {
      const one = await t.graphql<{ customer: { billing: { sourceId: string } | null } }>(
        'query ($email: String!) { customer(email: $email) { billing { sourceId } } }',
        { email: node.email },
      );
      expect(one.data?.customer.billing?.sourceId).toBe(node.billing?.sourceId);
    }
  });

  it('pages customers with opaque cursors and no overlap', async () => {
    const query = `query ($after: String) { customers(first: 7, after: $after) {
      edges { cursor node { email } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      customers: {
        edges: { node: { email: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const first = await t.graphql<Page>(query);
    const second = await t.graphql<Page>(query, { after: first.data?.customers.pageInfo.endCursor });
    const all = await t.graphql<Page>(query.replace('first: 7', 'first: 14'));
    const emails = (p: typeof first) => p.data?.customers.edges.map((e) => e.node.email) ?? [];
    expect([...emails(first), ...emails(second)]).toEqual(emails(all));
    expect(first.data?.customers.pageInfo.hasNextPage).toBe(true);
  });
});

describe('node(id)', () => {
  it('refetches every Node type by its global id', async () => {
    type Ids = { edges: { node: { id: string } }[] };
    type Found = {
      id: string;
      billing: { id: string; invoices: Ids; subscriptions: Ids } | null;
      crm: { id: string; company: { id: string } | null; deals: Ids } | null;
      support: { id: string; tickets: Ids } | null;
      commerce: { id: string; orders: Ids } | null;
      app: { id: string } | null;
    };
    const result = await t.graphql<{ customers: { edges: { node: Found }[] } }>(`{
      customers(first: 60) { edges { node { id
        billing { id invoices(first: 1) { edges { node { id } } } subscriptions(first: 1) { edges { node { id } } } }
        crm { id company { id } deals(first: 1) { edges { node { id } } } }
        support { id tickets(first: 1) { edges { node { id } } } }
        commerce { id orders(first: 1) { edges { node { id } } } }
        app { id }
      } } }
    }`);
    expect(result.errors).toBeUndefined();
    const idsOf = (c: Found): [string, string | undefined][] => [
      ['Customer', c.id],
      ['BillingCustomer', c.billing?.id],
      ['Invoice', c.billing?.invoices.edges[0]?.node.id],
      ['BillingSubscription', c.billing?.subscriptions.edges[0]?.node.id],
      ['CrmContact', c.crm?.id],
      ['CrmCompany', c.crm?.company?.id],
      ['CrmDeal', c.crm?.deals.edges[0]?.node.id],
      ['SupportUser', c.support?.id],
      ['SupportTicket', c.support?.tickets.edges[0]?.node.id],
      ['CommerceCustomer', c.commerce?.id],
      ['Order', c.commerce?.orders.edges[0]?.node.id],
      ['AppUser', c.app?.id],
    ];
    const complete = result.data?.customers.edges
      .map((e) => idsOf(e.node))
      .find((ids) => ids.every(([, id]) => id !== undefined));
    if (!complete) throw new Error('no customer in the first 60 has an object of every Node type');
    const refetched = await t.graphql<{ nodes: ({ __typename: string; id: string } | null)[] }>(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
      { ids: complete.map(([, id]) => id) },
    );
    expect(refetched.errors).toBeUndefined();
    expect(refetched.data?.nodes).toEqual(complete.map(([__typename, id]) => ({ __typename, id })));
  });

  it('refuses an id it never issued, and is null for an unknown object', async () => {
    const bad = await t.graphql('{ node(id: "nope") { id } }');
    expect(bad.errors?.[0]).toMatchObject({
      message: 'Argument "id" is not an id this gateway issued: pass the `id` of a Node.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const unknown = Buffer.from('Invoice:in_missing').toString('base64url');
    expect(await t.graphql(`{ node(id: "${unknown}") { id } }`)).toEqual({ data: { node: null } });
  });
});

describe('customerChanged', () => {
  it('fires for a change of that customer in any source, and only that customer', async () => {
    const person = await everywhere();
    const after = (await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }')).data
      ?.latestEventCursor;
    const sub = collect<{
      customerChanged: { event: { source: string; type: string }; customer: { email: string } };
    }>(
      t.ws(),
      `subscription ($email: String!, $after: String) {
        customerChanged(email: $email, after: $after) { event { source type } customer { email } }
      }`,
      { email: person.email.toUpperCase(), after },
      3,
    );
    // The same person changes name everywhere; someone else changes too.
    const world = await t.graphql<{ customers: { edges: { node: { email: string } }[] } }>(
      '{ customers(first: 2) { edges { node { email } } } }',
    );
    const other = world.data?.customers.edges.map((e) => e.node.email).find((e) => e !== person.email);
    expect(other).toBeDefined();
    const now = Math.floor(Date.now() / 1000);
    const change = (email: string) => ({
      kind: 'person.updated' as const,
      at: now,
      changed: ['name'] as const,
      person: {
        id: 'per_test',
        firstName: 'Renamed',
        lastName: 'Person',
        email,
        phone: null,
        company: null,
        plan: 'pro' as const,
        createdAt: now - 86_400,
        presence: { billing: true, crm: true, support: true, commerce: true, app: true },
      },
    });
    for (const email of [other ?? '', person.email]) {
      for (const [name, sandbox] of Object.entries(sandboxes)) {
        const url = `${t.url}/webhooks/${name}`;
        for (const delivery of sandbox.react(change(email), url)) {
          const response = await fetch(url, {
            method: 'POST',
            headers: delivery.headers,
            body: delivery.body,
          });
          expect(response.status).toBe(200);
        }
      }
    }
    const received = await sub.done;
    expect(new Set(received.map((r) => r.customerChanged.customer.email))).toEqual(new Set([person.email]));
    expect(new Set(received.map((r) => r.customerChanged.event.source)).size).toBeGreaterThanOrEqual(3);
  });
});

describe('customers from another directory', () => {
  it('lists from the product when CUSTOMER_DIRECTORY=app, paging with no overlap', async () => {
    const other = await startTestGateway({ CUSTOMER_DIRECTORY: 'app' });
    try {
      type Page = {
        customers: {
          edges: { node: { email: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const query = `query ($first: Int, $after: String) { customers(first: $first, after: $after) {
        edges { node { email } } pageInfo { hasNextPage endCursor } } }`;
      const emails = (p: { data?: Page | null }) => p.data?.customers.edges.map((e) => e.node.email) ?? [];
      const first = await other.graphql<Page>(query, { first: 5 });
      const second = await other.graphql<Page>(query, {
        first: 5,
        after: first.data?.customers.pageInfo.endCursor,
      });
      const all = await other.graphql<Page>(query, { first: 10 });
      expect(emails(all)).toHaveLength(10);
      expect([...emails(first), ...emails(second)]).toEqual(emails(all));
      const app = other.gateway.sources.find((s) => s.name === 'app')?.sandbox?.counters() ?? {};
      expect(app['GET /v1/users']).toBe(3);
    } finally {
      await other.close();
    }
  });
});
