import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { CUSTOMERS_TAB } from '../src/graphiql-tabs.ts';
import { operationCost } from '../src/limits/cost.ts';
import { readOperation } from '../src/limits/operation-limits.ts';
import { buildSchema } from '../src/schema.ts';

const schema = buildSchema([]);

function cost(query: string, variableValues: Record<string, unknown> = {}, operationName?: string): number {
  const input = readOperation({ schema, document: parse(query), operationName, variableValues });
  if (input === null) throw new Error(`not an operation that runs: ${query}`);
  return operationCost(input);
}

describe('the cost model', () => {
  it('counts each object once per parent; scalars, __typename and introspection are free', () => {
    expect(cost('{ latestEventCursor __typename }')).toBe(0);
    expect(
      cost('{ customer(email: "a@example.com") { email billing { delinquent } crm { company { name } } } }'),
    ).toBe(4);
    expect(cost('{ __schema { types { name fields { name type { name } } } } }')).toBe(0);
  });

  it("multiplies what is under a connection's edges by its `first`, given or by default; pageInfo counts once", () => {
    expect(
      cost('{ invoices(first: 20) { edges { node { id customer { name } } } pageInfo { hasNextPage } } }'),
    ).toBe(62);
    // `first` defaults to 20 on invoices, also when a variable is null or absent.
    expect(cost('{ invoices { edges { node { id } } } }')).toBe(41);
    const paged = 'query ($n: Int) { invoices(first: $n) { edges { node { id } } } }';
    expect(cost(paged, { n: null })).toBe(41);
    expect(cost(paged, {})).toBe(41);
    expect(cost(paged, { n: 100 })).toBe(201);
    expect(cost('{ events { edges { node { subject { email } } } } }')).toBe(151);
  });

  it('multiplies nested connections: 100 customers with 100 invoices each', () => {
    expect(
      cost(
        '{ customers(first: 100) { edges { node { billing { invoices(first: 100) { edges { node { id } } } } } } } }',
      ),
    ).toBe(1 + 100 + 100 + 100 + 100 + 100 * 100 * 2);
  });

  it('counts a list argument by its length: nodes(ids:) from a variable', () => {
    const ids = Array.from({ length: 37 }, (_, i) => `id${i}`);
    expect(
      cost('query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Invoice { customer { id } } } }', { ids }),
    ).toBe(37 * 2);
  });

  it('counts embedded lists without a size (an invoice lines) as one', () => {
    expect(cost('{ invoices(first: 10) { edges { node { lines { quantity } } } } }')).toBe(31);
  });

  it('counts subscriptions per event', () => {
    expect(cost('subscription { events { id subject { email } } }')).toBe(2);
  });

  it('honours @skip and @include with their variables', () => {
    const query =
      'query ($all: Boolean!) { invoices(first: 10) { edges { node { customer @include(if: $all) { id } } } } }';
    expect(cost(query, { all: true })).toBe(31);
    expect(cost(query, { all: false })).toBe(21);
  });

  it('counts a fragment wherever it is spread, and reads a fragment bomb in linear time', () => {
    expect(
      cost(
        '{ a: invoices(first: 10) { ...Page } b: invoices(first: 5) { ...Page } } fragment Page on InvoiceConnection { edges { node { customer { id } } } }',
      ),
    ).toBe(1 + 30 + 1 + 15);
    // Each level spreads the next twice: 2^40 fields if the walk expanded every spread.
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on BillingCustomer { invoices(first: 1) { edges { node { customer { ${i + 1 < levels ? `...F${i + 1} x: id` : 'id'} } c2: customer { ${i + 1 < levels ? `...F${i + 1}` : 'id'} } } } } }`,
    ).join('\n');
    const started = performance.now();
    const total = cost(`{ billingCustomer(id: "cus_1") { ...F0 } } ${fragments}`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(total).toBeGreaterThan(2 ** 40);
  });
});

describe("the README's worked examples", () => {
  it('cost what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### How cost is computed'));
    const rows = [...section.matchAll(/^\| `(\{[^`]*\}|subscription [^`]*)`\s*\| (\d+)\s*\|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const [, query = '', stated] of rows) {
      expect(cost(query.replace('"…"', '"a@example.com"')), query).toBe(Number(stated));
    }
    expect(
      cost(
        '{ customers(first: 100) { edges { node { billing { id } crm { id } support { id } commerce { id } app { id } invoices(first: 20) { edges { node { id } } } } } } }',
      ),
    ).toBe(4801);
  });
});

describe('the default limit', () => {
  const limit = loadConfig({}, connectors).core.MAX_QUERY_COST;

  it('is 10,000', () => {
    expect(limit).toBe(10_000);
  });

  it("lets GraphiQL's first tab and every example query of the README through", () => {
    expect(cost(CUSTOMERS_TAB)).toBe(134);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const costs: Record<string, number> = {};
    for (const block of blocks) {
      const document = parse(block);
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const single = { ...document, definitions: [definition] };
        const input = readOperation({ schema, document: single, variableValues: {} });
        if (input === null) throw new Error('a README example does not run');
        const start = definition.loc?.start ?? 0;
        costs[block.slice(start, start + 80).replace(/\s+/g, ' ')] = operationCost(input);
      }
    }
    expect(Object.keys(costs).length).toBeGreaterThanOrEqual(10);
    for (const [example, value] of Object.entries(costs)) expect(value, example).toBeLessThanOrEqual(limit);
  });
});
