import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

interface StoredEvent {
  source: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  subject: { kind: string; id: string } | null;
}

const SOURCES = ['stripe', 'hubspot', 'zendesk', 'shopify', 'app'] as const;

let t: TestGateway;
let started: number;
let ended: number;
let events: StoredEvent[];

/** GETs (or POSTs, with a body) a path of a source's emulator with the credentials the gateway uses. */
async function upstream(source: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const env = t.gateway.sources.find((s) => s.name === source)?.sandbox?.env ?? {};
  const auth: Record<string, string> = {
    stripe: `Bearer ${env['STRIPE_API_KEY'] ?? ''}`,
    hubspot: `Bearer ${env['HUBSPOT_ACCESS_TOKEN'] ?? ''}`,
    zendesk: `Basic ${Buffer.from(`${env['ZENDESK_EMAIL'] ?? ''}/token:${env['ZENDESK_API_TOKEN'] ?? ''}`).toString('base64')}`,
    app: `Bearer ${env['APP_API_KEY'] ?? ''}`,
  };
  const base = env[`${source.toUpperCase()}_BASE_URL`] ?? '';
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(source === 'shopify'
        ? { 'x-shopify-access-token': env['SHOPIFY_ACCESS_TOKEN'] ?? '' }
        : { authorization: auth[source] ?? '' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${source} ${path}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const seconds = (iso: unknown): number => Date.parse(String(iso)) / 1000;

/**
 * When the emulator says the event's subject last changed (unix seconds), read
 * over its own API; null for subjects whose API keeps no such time.
 */
async function lastChanged(event: StoredEvent): Promise<number | null> {
  const { kind = '', id = '' } = event.subject ?? {};
  switch (event.source) {
    case 'stripe': {
      if (kind === 'invoice') {
        const invoice = await upstream('stripe', `/v1/invoices/${id}`);
        const transitions = Object.values(invoice['status_transitions'] as Record<string, number | null>);
        return Math.max(Number(invoice['created']), ...transitions.filter((x) => x !== null));
      }
      // A customer has no time of last change; its creation time is checked for the new ones.
      if (event.type === 'customer.created') {
        return Number((await upstream('stripe', `/v1/customers/${id}`))['created']);
      }
      return null;
    }
    case 'hubspot':
      return seconds((await upstream('hubspot', `/crm/v3/objects/${kind}s/${id}`))['updatedAt']);
    case 'zendesk': {
      const found = await upstream('zendesk', `/api/v2/${kind}s/${id}`);
      return seconds((found[kind] as Record<string, unknown>)['updated_at']);
    }
    case 'shopify': {
      const version = t.gateway.sources.find((s) => s.name === 'shopify')?.sandbox?.env[
        'SHOPIFY_API_VERSION'
      ];
      const answer = await upstream('shopify', `/admin/api/${version ?? ''}/graphql.json`, {
        query:
          'query ($id: ID!) { node(id: $id) { ... on Order { updatedAt } ... on Customer { updatedAt } } }',
        variables: { id },
      });
      return seconds(
        ((answer['data'] as Record<string, unknown>)['node'] as Record<string, unknown>)['updatedAt'],
      );
    }
    case 'app':
      return event.type === 'user.deleted'
        ? null
        : seconds((await upstream('app', `/v1/users/${id}`))['updated_at']);
    default:
      return null;
  }
}

beforeAll(async () => {
  t = await startTestGateway();
  const demo = t.gateway.demo;
  if (demo === null) throw new Error('the demo clock did not start');
  const head = (await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }')).data
    ?.latestEventCursor;
  started = Date.now();
  for (let i = 0; i < 6; i++) await demo.tick();
  ended = Date.now();
  const read = await t.graphql<{ events: { edges: { node: StoredEvent }[] } }>(
    `query ($after: String) { events(after: $after, first: 500) {
      edges { node { source type occurredAt receivedAt subject { kind id } } } } }`,
    { after: head },
  );
  events = read.data?.events.edges.map((e) => e.node) ?? [];
});

afterAll(async () => {
  await t.close();
});

describe('one clock', () => {
  it('stamps every source’s events with the time of the change, just before they are received', () => {
    for (const source of SOURCES) {
      expect(events.filter((e) => e.source === source).length, source).toBeGreaterThan(0);
    }
    for (const event of events) {
      const occurred = Date.parse(event.occurredAt);
      const received = Date.parse(event.receivedAt);
      const what = `${event.source} ${event.type} occurred ${event.occurredAt}, received ${event.receivedAt}`;
      // Providers stamp whole seconds: the tick's second may have begun before it started.
      expect(occurred, what).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
      expect(occurred, what).toBeLessThanOrEqual(received);
      expect(received - occurred, what).toBeLessThan(5000);
      expect(received, what).toBeLessThanOrEqual(ended);
    }
  });

  it('gives the objects a tick changed the same time, as each API serves them', async () => {
    const checked = new Set<string>();
    for (const event of events) {
      const at = await lastChanged(event);
      if (at === null) continue;
      checked.add(event.source);
      const what = `${event.source} ${event.subject?.kind ?? ''} ${event.subject?.id ?? ''} changed at ${new Date(at * 1000).toISOString()}`;
      expect(at, what).toBeGreaterThanOrEqual(Math.floor(started / 1000));
      expect(at, what).toBeLessThanOrEqual(ended / 1000);
    }
    expect([...checked].sort()).toEqual([...SOURCES].sort());
  });
});
