import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ANONYMOUS } from '../src/auth/principal.ts';
import { createContextFactory } from '../src/context-factory.ts';
import type { IncomingEvent } from '../src/events/event.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, gql } from './helpers/auth.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { createMemoryIdempotencyStore } from '../src/writes/memory-idempotency-store.ts';
import type { TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
/** In-process: yoga's fetch, through the same plugins as a real request. */
const query = <T = Record<string, unknown>>(key: string, text: string, variables?: Record<string, unknown>) =>
  gql<T>(
    (url, init) => t.gateway.yoga.fetch(url, init),
    'http://yoga',
    text,
    variables === undefined ? { authorization: bearer(key) } : { authorization: bearer(key), variables },
  );

const PARTS =
  'email billing { sourceId } crm { sourceId } support { sourceId } commerce { sourceId } app { sourceId }';
type Part = { sourceId: string } | null;
interface Parts {
  email: string;
  billing: Part;
  crm: Part;
  support: Part;
  commerce: Part;
  app: Part;
}

const forbidden = (source: string, scope: string, path: (string | number)[]) => ({
  message: `Your credentials may not read source "${source}": that needs the "${scope}" scope.`,
  path,
  locations: expect.any(Array) as unknown,
  extensions: { code: 'FORBIDDEN', source, scope },
});

let person: Parts;

function event(source: string, n: number): IncomingEvent {
  return {
    id: `evt_scope_${source}_${n}_${Date.now()}`,
    source,
    type: 'test.scoped',
    occurredAt: new Date().toISOString(),
    subject: { kind: 'customer', id: `${source}_${n}`, email: 'scoped@example.com' },
    data: { n },
  };
}

beforeAll(async () => {
  t = await startTestGateway({ GATEWAY_API_KEYS });
  const page = await query<{ customers: { edges: { node: Parts }[] } }>(
    KEYS.all,
    `{ customers(first: 40) { edges { node { ${PARTS} } } } }`,
  );
  const found = page.body.data?.customers.edges
    .map((e) => e.node)
    .find((c) => c.billing && c.crm && c.support && c.commerce && c.app);
  if (!found) throw new Error('no customer known to every source in the first 40');
  person = found;
  await t.gateway.events.append([
    event('stripe', 1),
    event('hubspot', 1),
    event('zendesk', 1),
    event('stripe', 2),
  ]);
});
afterAll(() => t.close());

describe('scopes', () => {
  it('shows only the parts of a Customer the key may read; the others are FORBIDDEN, the rest stands', async () => {
    const answer = await query<{ customer: Parts }>(
      KEYS.billing,
      `query ($email: String!) { customer(email: $email) { ${PARTS} } }`,
      { email: person.email },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data?.customer).toEqual({
      email: person.email,
      billing: person.billing,
      crm: null,
      support: null,
      commerce: null,
      app: null,
    });
    expect(answer.body.errors).toEqual([
      forbidden('hubspot', 'crm', ['customer', 'crm']),
      forbidden('zendesk', 'support', ['customer', 'support']),
      forbidden('shopify', 'commerce', ['customer', 'commerce']),
      forbidden('app', 'app', ['customer', 'app']),
    ]);
  });

  it('gives a * key and a key without scopes (every read scope) the whole customer', async () => {
    for (const key of [KEYS.all, KEYS.reads]) {
      const answer = await query<{ customer: Parts }>(
        key,
        `query ($email: String!) { customer(email: $email) { ${PARTS} } }`,
        { email: person.email },
      );
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data?.customer).toEqual(person);
    }
  });

  it('refuses every root field served by a source outside the scopes, whatever the resolver', async () => {
    const invoices = await query<{ invoices: { edges: { node: { id: string } }[] } }>(
      KEYS.billing,
      '{ invoices(first: 2) { edges { node { id } } } }',
    );
    expect(invoices.body.errors).toBeUndefined();
    const invoiceId = invoices.body.data?.invoices.edges[0]?.node.id;
    expect(invoiceId).toBeDefined();

    const crm = await query(KEYS.crm, '{ invoices(first: 2) { edges { node { id } } } }');
    expect(crm.body).toEqual({ data: null, errors: [forbidden('stripe', 'billing', ['invoices'])] });
    const node = await query(KEYS.crm, `{ node(id: "${invoiceId}") { id } }`);
    expect(node.body).toEqual({ data: { node: null }, errors: [forbidden('stripe', 'billing', ['node'])] });
    // The customer directory is the CRM: listing customers needs its scope.
    const customers = await query(KEYS.billing, '{ customers(first: 1) { edges { node { email } } } }');
    expect(customers.body.errors).toEqual([forbidden('hubspot', 'crm', ['customers'])]);
  });

  it('does not reveal through Query.customer whether an unreadable source knows the person', async () => {
    // Known only to the sources the key may not read: it is not found.
    const crmOnly = await query<{ customer: Parts | null }>(
      KEYS.billing,
      'query ($email: String!) { customer(email: $email) { email } }',
      { email: 'nobody-anywhere@example.com' },
    );
    expect(crmOnly.body).toEqual({ data: { customer: null } });
    const none = await query(
      KEYS.writeOnly,
      'query ($email: String!) { customer(email: $email) { email } }',
      {
        email: person.email,
      },
    );
    expect(none.body.errors?.[0]).toMatchObject({
      message:
        'Your credentials may read no part of a customer: that needs a domain scope (billing, crm, support, commerce or app).',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('needs the events scope for the event feed, and narrows it to readable sources', async () => {
    const EVENTS =
      'query ($filter: EventFilter) { events(first: 500, filter: $filter) { edges { node { source type } } } }';
    const noScope = await query(KEYS.billing, EVENTS);
    expect(noScope.body).toEqual({
      data: null,
      errors: [
        {
          message: 'Your credentials may not read the event feed: that needs the "events" scope.',
          path: ['events'],
          locations: expect.any(Array) as unknown,
          extensions: { code: 'FORBIDDEN', scope: 'events' },
        },
      ],
    });
    const scoped = await query<{ events: { edges: { node: { source: string } }[] } }>(
      KEYS.billingEvents,
      EVENTS,
      {
        filter: { types: ['test.scoped'] },
      },
    );
    expect(scoped.body.errors).toBeUndefined();
    expect(scoped.body.data?.events.edges.map((e) => e.node.source)).toEqual(['stripe', 'stripe']);
    const all = await query<{ events: { edges: { node: { source: string } }[] } }>(KEYS.reads, EVENTS, {
      filter: { types: ['test.scoped'] },
    });
    expect(all.body.data?.events.edges.map((e) => e.node.source)).toEqual([
      'stripe',
      'hubspot',
      'zendesk',
      'stripe',
    ]);
    const asked = await query(KEYS.billingEvents, EVENTS, { filter: { sources: ['stripe', 'hubspot'] } });
    expect(asked.body.errors).toEqual([
      {
        message:
          'Your credentials may not read events of source "hubspot": leave it out of the filter or use a key with its scope.',
        path: ['events'],
        locations: expect.any(Array) as unknown,
        extensions: { code: 'FORBIDDEN', source: 'hubspot' },
      },
    ]);
  });

  it('puts the principal in the context and enforces it in ctx.source, for every resolver', () => {
    const factory = createContextFactory({
      sources: t.gateway.sources,
      events: t.gateway.events,
      idempotency: createMemoryIdempotencyStore(),
      log: pino({ level: 'silent' }),
      requestTimeoutMs: 1000,
      shutdown: new AbortController().signal,
    });
    const principal = { id: 'key:0000abcd', kind: 'key' as const, scopes: new Set(['crm' as const]) };
    const ctx = factory(undefined, principal);
    expect(ctx.principal).toBe(principal);
    expect(ctx.mayRead('hubspot')).toBe(true);
    expect(ctx.mayRead('stripe')).toBe(false);
    expect(ctx.readableSources()).toEqual(['hubspot']);
    expect(ctx.source('hubspot')).toHaveProperty('loaders');
    expect(() => ctx.source('stripe')).toThrow(
      'Your credentials may not read source "stripe": that needs the "billing" scope.',
    );
    expect(factory(undefined, ANONYMOUS).readableSources()).toEqual(t.gateway.sources.map((s) => s.name));
  });
});
