import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/node-id.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { GraphQLResponse, TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());
beforeEach(() => {
  for (const source of t.gateway.sources) source.sandbox?.resetCounters();
});

/** Every upstream request the sandboxed sources served since the last reset, per source and endpoint. */
function upstreamCalls(): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const source of t.gateway.sources) {
    for (const [endpoint, count] of Object.entries(source.sandbox?.counters() ?? {})) {
      calls[`${source.name} ${endpoint}`] = count;
    }
  }
  return calls;
}

/** One in-process request to the gateway's yoga. */
async function post(
  body: unknown,
  accept = 'application/graphql-response+json',
): Promise<{ status: number; body: GraphQLResponse }> {
  const response = await t.gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

const invoiceIds = (count: number) =>
  Array.from({ length: count }, (_, i) => toGlobalId('Invoice', `in_${i}`));

describe('list arguments are capped at 100 items, inline or from variables, before anything runs', () => {
  const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }';

  it('refuses 20,000 ids passed as a variable, with no upstream call', async () => {
    const { status, body } = await post({ query: NODES, variables: { ids: invoiceIds(20_000) } });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message:
            'Argument "ids" of "nodes" has 20000 items; at most 100 are allowed. Split the list over several requests.',
          extensions: { code: 'BAD_USER_INPUT', argument: 'ids', items: 20_000, maxItems: 100 },
        },
      ],
    });
    expect(upstreamCalls()).toEqual({});
  });

  it('refuses 20,000 ids written inline (the token limit), and 101 inline ids (the list cap)', async () => {
    const inline = (count: number) => `{ nodes(ids: ${JSON.stringify(invoiceIds(count))}) { id } }`;
    const huge = await post({ query: inline(20_000) });
    expect(huge.status).toBe(400);
    expect(huge.body.errors).toEqual([
      { message: 'Syntax Error: Token limit of 5000 exceeded.', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    const over = await post({ query: inline(101) });
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]).toMatchObject({
      message:
        'Argument "ids" of "nodes" has 101 items; at most 100 are allowed. Split the list over several requests.',
      extensions: { code: 'BAD_USER_INPUT', items: 101 },
    });
    expect(upstreamCalls()).toEqual({});
  });

  it('serves 100 ids', async () => {
    const { status, body } = await post({ query: NODES, variables: { ids: invoiceIds(100) } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['nodes']).toHaveLength(100);
    expect(upstreamCalls()['stripe GET /v1/invoices/:id']).toBe(100);
  });

  it('caps the lists inside an input object (EventFilter), in queries and subscriptions', async () => {
    const emails = (count: number) => Array.from({ length: count }, (_, i) => `p${i}@example.com`);
    const query = 'query ($f: EventFilter) { events(filter: $f) { edges { cursor } } }';
    const over = await post({ query, variables: { f: { sources: ['stripe'], emails: emails(101) } } });
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      {
        message:
          'Argument "filter.emails" of "events" has 101 items; at most 100 are allowed. Split the list over several requests.',
        extensions: { code: 'BAD_USER_INPUT', argument: 'filter.emails', items: 101, maxItems: 100 },
      },
    ]);
    const inline = `{ events(filter: { types: [${Array.from({ length: 101 }, () => '"a.*"').join(',')}] }) { edges { cursor } } }`;
    expect((await post({ query: inline })).body.errors?.[0]?.message).toBe(
      'Argument "filter.types" of "events" has 101 items; at most 100 are allowed. Split the list over several requests.',
    );
    const under = await post({ query, variables: { f: { emails: emails(100) } } });
    expect(under.status).toBe(200);
    expect(under.body.errors).toBeUndefined();
    // A subscription over SSE is refused the same way, with HTTP 400.
    const response = await t.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($f: EventFilter) { events(filter: $f) { id } }',
        variables: { f: { sources: Array.from({ length: 150 }, () => 'stripe') } },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      '"message":"Argument \\"filter.sources\\" of \\"events\\" has 150 items; at most 100 are allowed. Split the list over several requests.","extensions":{"code":"BAD_USER_INPUT"',
    );
  });
});

describe('the cost limit counts list sizes and variables', () => {
  // 1 + 99 × (edge + node + invoices connection + 2 × m): 10,000 at m = 49, the default limit.
  const NESTED = `query ($n: Int!, $m: Int!) {
    customers(first: $n) { edges { node { invoices(first: $m) { edges { node { id } } } } } }
  }`;

  it('refuses nested connections that fan out past MAX_QUERY_COST, with the cost and the limit, calling nothing', async () => {
    const { status, body } = await post({ query: NESTED, variables: { n: 99, m: 50 } });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message:
            'The operation costs 10198, more than the limit of 10000: ask for smaller pages (`first`) or fewer nested lists, or split it into several requests.',
          extensions: { code: 'BAD_USER_INPUT', cost: 10_198, maxCost: 10_000 },
        },
      ],
    });
    const inline = await post({
      query:
        '{ customers(first: 100) { edges { node { billing { invoices(first: 100) { edges { node { id } } } } } } } }',
    });
    expect(inline.status).toBe(400);
    expect(inline.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      cost: 20_401,
      maxCost: 10_000,
    });
    expect(upstreamCalls()).toEqual({});
  });

  it('serves the same query at exactly the limit', async () => {
    const { status, body } = await post({ query: NESTED, variables: { n: 99, m: 49 } });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
  });
});

describe('document limits', () => {
  it('counts __typename aliases: 200 pass, 201 are refused with HTTP 400', async () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const ok = await post({ query: aliases(200) });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body.data ?? {})).toHaveLength(200);
    const over = await post({ query: aliases(201) });
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      {
        message: 'Syntax Error: Aliases limit of 200 exceeded, found 201.',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it('refuses a directive bomb past MAX_QUERY_DIRECTIVES, fragments included; 50 pass', async () => {
    const fields = (count: number) => 'latestEventCursor @include(if: true) '.repeat(count);
    const ok = await post({ query: `{ ${fields(50)} }` });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    // The fragment's 21 count at each of its two spreads: 9 + 2 × 21 = 51.
    const bomb = await post({ query: `{ ...F ...F ${fields(9)} } fragment F on Query { ${fields(21)} }` });
    expect(bomb.status).toBe(400);
    expect(bomb.body.errors).toEqual([
      {
        message: 'Syntax Error: Directives limit of 50 exceeded, found 51.',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it('refuses cyclic fragments with 400 before anything runs, whatever the client accepts', async () => {
    const query =
      '{ customers(first: 1) { edges { node { ...A } } } } fragment A on Customer { billing { customer: invoices { edges { node { customer { id } } } } } ...B } fragment B on Customer { ...A }';
    for (const accept of ['application/graphql-response+json', 'application/json', '*/*']) {
      const { status, body } = await post({ query }, accept);
      expect(status, accept).toBe(400);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Cannot spread fragment "A" within itself via "B".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ]);
    }
    expect(upstreamCalls()).toEqual({});
  });

  it('refuses a batch (a JSON array of operations) with 400 BAD_REQUEST', async () => {
    const { status, body } = await post([
      { query: '{ latestEventCursor }' },
      { query: '{ latestEventCursor }' },
    ]);
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('serves an operation at the depth limit', async () => {
    const depth12 =
      '{ billingCustomers(first: 1) { edges { node { invoices(first: 1) { edges { node { customer { invoices(first: 1) { edges { node { subscription { id } } } } } } } } } } } }';
    const deep = await post({ query: depth12 });
    expect(deep.status).toBe(200);
    expect(deep.body.errors).toBeUndefined();
  });

  it('keeps "Did you mean" suggestions in development', async () => {
    const { status, body } = await post({ query: '{ customerz { id } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe(
      'Cannot query field "customerz" on type "Query". Did you mean "customer" or "customers"?',
    );
  });
});

describe('every connection documents and enforces its largest `first`', () => {
  interface IntrospectedField {
    name: string;
    description: string | null;
    args: { name: string }[];
  }
  // How to reach one object of each type that has connection fields, in the demo world.
  const PERSON = 'customer(email: "sam.larsen@umbra.example")';
  const reach: Record<string, (selection: string) => string> = {
    Query: (s) => `{ ${s} }`,
    Customer: (s) => `{ ${PERSON} { ${s} } }`,
    BillingCustomer: (s) => `{ ${PERSON} { billing { ${s} } } }`,
    CrmContact: (s) => `{ ${PERSON} { crm { ${s} } } }`,
    CrmCompany: (s) => `{ crmCompanies(first: 1) { edges { node { ${s} } } } }`,
    CrmDeal: (s) => `{ crmDeals(first: 1) { edges { node { ${s} } } } }`,
    SupportUser: (s) => `{ ${PERSON} { support { ${s} } } }`,
    CommerceCustomer: (s) => `{ ${PERSON} { commerce { ${s} } } }`,
    WebhookEndpoint: (s) => `{ webhookEndpoints { ${s} } }`,
  };

  beforeAll(async () => {
    // An endpoint to page the deliveries of: created disabled, on a documentation address, so nothing is sent.
    const { body } = await post({
      query:
        'mutation { createWebhookEndpoint(input: { url: "https://192.0.2.10/hook" }) { endpoint { id } } }',
    });
    const id = (body.data as { createWebhookEndpoint: { endpoint: { id: string } } }).createWebhookEndpoint
      .endpoint.id;
    await post({
      query: `mutation { updateWebhookEndpoint(id: "${id}", input: { enabled: false }) { id } }`,
    });
  });

  it('refuses first = max + 1 on every field that has a `first`', async () => {
    const introspection = await post({
      query: '{ __schema { types { name fields { name description args { name } } } } }',
    });
    const types = (
      introspection.body.data as {
        __schema: { types: { name: string; fields: IntrospectedField[] | null }[] };
      }
    ).__schema.types;
    const paged = types.flatMap((type) =>
      (type.fields ?? [])
        .filter((field) => field.args.some((arg) => arg.name === 'first'))
        .map((field) => ({ type: type.name, field })),
    );
    expect(paged.length).toBeGreaterThan(20);
    for (const { type, field } of paged) {
      const max = Number(/`first` is 1 to (\d+)/.exec(field.description ?? '')?.[1]);
      expect(max, `${type}.${field.name} documents its largest first`).toBeGreaterThan(0);
      const query = reach[type];
      expect(query, `a way to reach ${type} in this test`).toBeDefined();
      const { body } = await post({
        query: query?.(`${field.name}(first: ${max + 1}) { edges { cursor } }`),
      });
      expect(
        body.errors?.map((e) => [e.message, e.extensions?.['code'], e.path?.at(-1)]),
        `${type}.${field.name}`,
      ).toEqual([
        [`Argument "first" must be between 1 and ${max}; got ${max + 1}.`, 'BAD_USER_INPUT', field.name],
      ]);
    }
  });
});

describe('in production', () => {
  let prod: TestGateway;
  beforeAll(async () => {
    prod = await startTestGateway({ NODE_ENV: 'production', ALLOW_ANONYMOUS: '1' });
  });
  afterAll(() => prod.close());

  async function ask(query: string, variables?: Record<string, unknown>) {
    const response = await prod.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse };
  }

  it('serves no "Did you mean" suggestions: fields, arguments, types, enum values, variables', async () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['{ customerz { id } }', undefined, 'Cannot query field "customerz" on type "Query".'],
      [
        '{ customers(frist: 1) { edges { cursor } } }',
        undefined,
        'Unknown argument "frist" on field "Query.customers".',
      ],
      ['{ node(id: "x") { sourceId } }', undefined, 'Cannot query field "sourceId" on type "Node".'],
      [
        'query ($f: EventFiltr) { events(filter: $f) { edges { cursor } } }',
        undefined,
        'Unknown type "EventFiltr".',
      ],
      [
        '{ tickets(status: opn) { edges { cursor } } }',
        undefined,
        'Value "opn" does not exist in "TicketStatus" enum.',
      ],
      [
        'query ($s: TicketStatus) { tickets(status: $s) { edges { cursor } } }',
        { s: 'opn' },
        'Variable "$s" got invalid value "opn"; Value "opn" does not exist in "TicketStatus" enum.',
      ],
      [
        'query ($f: EventFilter) { events(filter: $f) { edges { cursor } } }',
        { f: { type: ['a'] } },
        'Variable "$f" got invalid value { type: ["a"] }; Field "type" is not defined by type "EventFilter".',
      ],
    ];
    for (const [query, variables, message] of cases) {
      const { status, body } = await ask(query, variables);
      expect(status, query).toBe(400);
      expect(body.errors?.map((e) => e.message).filter((m) => m.includes('Did you mean'))).toEqual([]);
      expect(body.errors?.[0]?.message, query).toBe(message);
    }
  });

  it('applies the same limits', async () => {
    const { status, body } = await ask('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: invoiceIds(101),
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'ids',
      items: 101,
      maxItems: 100,
    });
  });
});

describe('limits from the environment', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({
      MAX_QUERY_TOKENS: '100',
      MAX_QUERY_COST: '301',
      MAX_QUERY_DIRECTIVES: '2',
      MAX_QUERY_ALIASES: '3',
    });
  });
  afterAll(() => small.close());

  async function status(query: string, variables?: Record<string, unknown>) {
    const response = await small.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse;
    return [response.status, body.errors?.[0]?.message ?? 'ok'];
  }

  it('applies each one just past its value, and serves an operation at it', async () => {
    // 12 tokens around the ids: `{ nodes ( ids : [ ... ] ) { id } }`.
    const nodes = (count: number) => `{ nodes(ids: ${JSON.stringify(invoiceIds(count))}) { id } }`;
    expect(await status(nodes(88))).toEqual([200, 'ok']);
    expect(await status(nodes(89))).toEqual([400, 'Syntax Error: Token limit of 100 exceeded.']);
    // 1 + 3 × first: the connection, then an edge, a node and a customer per invoice.
    const invoices = 'query ($n: Int) { invoices(first: $n) { edges { node { customer { id } } } } }';
    expect(await status(invoices, { n: 100 })).toEqual([200, 'ok']);
    const withPageInfo = invoices.replace('} } } } }', '} } } pageInfo { hasNextPage } } }');
    expect(await status(withPageInfo, { n: 100 })).toEqual([
      400,
      'The operation costs 302, more than the limit of 301: ask for smaller pages (`first`) or fewer nested lists, or split it into several requests.',
    ]);
    expect(await status('{ latestEventCursor @include(if: true) @skip(if: false) }')).toEqual([200, 'ok']);
    expect(
      await status('{ latestEventCursor @include(if: true) @skip(if: false) __typename @skip(if: false) }'),
    ).toEqual([400, 'Syntax Error: Directives limit of 2 exceeded, found 3.']);
    expect(await status('{ a: __typename b: __typename c: __typename }')).toEqual([200, 'ok']);
    expect(await status('{ a: __typename b: __typename c: __typename d: __typename }')).toEqual([
      400,
      'Syntax Error: Aliases limit of 3 exceeded, found 4.',
    ]);
  });
});

describe('over real sockets', () => {
  it('refuses over HTTP with status 400 and the same body', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        variables: { ids: invoiceIds(20_000) },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message:
            'Argument "ids" of "nodes" has 20000 items; at most 100 are allowed. Split the list over several requests.',
          extensions: { code: 'BAD_USER_INPUT', argument: 'ids', items: 20_000, maxItems: 100 },
        },
      ],
    });
    expect(upstreamCalls()).toEqual({});
  });

  it('answers a refused subscription or query over graphql-ws with an `error` message', async () => {
    const client = t.ws();
    const outcome = (query: string, variables: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        client.subscribe(
          { query, variables },
          {
            next: (value) => results.push(value),
            error: (error) => resolve({ error, results }),
            complete: () => resolve({ complete: true, results }),
          },
        );
      });
    // 2 + 1 + 100 × (edge + node + customer + connection + 2 × 100).
    const subscription = `subscription ($n: Int) {
      customerChanged(email: "sam.larsen@umbra.example") {
        customer { invoices(first: $n) { edges { node { customer { invoices(first: $n) { edges { node { id } } } } } } } }
      }
    }`;
    expect(await outcome(subscription, { n: 100 })).toEqual({
      error: [
        {
          message:
            'The operation costs 20403, more than the limit of 10000: ask for smaller pages (`first`) or fewer nested lists, or split it into several requests.',
          extensions: { code: 'BAD_USER_INPUT', cost: 20_403, maxCost: 10_000 },
        },
      ],
      results: [],
    });
    expect(
      await outcome('subscription ($f: EventFilter) { events(filter: $f) { id } }', {
        f: { types: Array.from({ length: 101 }, () => 'invoice.*') },
      }),
    ).toMatchObject({
      error: [
        { extensions: { code: 'BAD_USER_INPUT', argument: 'filter.types', items: 101, maxItems: 100 } },
      ],
    });
    expect(
      await outcome('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: invoiceIds(20_000) }),
    ).toEqual({
      error: [
        {
          message:
            'Argument "ids" of "nodes" has 20000 items; at most 100 are allowed. Split the list over several requests.',
          extensions: { code: 'BAD_USER_INPUT', argument: 'ids', items: 20_000, maxItems: 100 },
        },
      ],
      results: [],
    });
    expect(upstreamCalls()).toEqual({});
    // The same subscription within the limit is served (it completes only when the client leaves).
    const served = outcome(subscription, { n: 1 });
    expect(
      await Promise.race([served, new Promise((r) => setTimeout(() => r('still subscribed'), 300))]),
    ).toBe('still subscribed');
  });
});
