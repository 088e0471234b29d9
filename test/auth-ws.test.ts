import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { IncomingEvent } from '../src/events/event.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, wsClient } from './helpers/auth.ts';
import { collect, startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

let t: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestGateway({ GATEWAY_API_KEYS });
});
afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await t.close();
});

function connect(params: Record<string, unknown> | undefined, headers: Record<string, string> = {}) {
  const connection = wsClient(t.url, params, headers);
  clients.push(connection.client);
  return connection;
}

/** The first result of an operation: its data or its errors (an `error` message arrives as errors too). */
function first(client: Client, query: string): Promise<{ data?: unknown; errors?: unknown }> {
  return new Promise((resolve, reject) => {
    const stop = client.subscribe(
      { query },
      {
        next: (value) => {
          stop();
          resolve(value);
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error as Error)),
        complete: () => {},
      },
    );
  });
}

let seq = 0;
function event(source: string, email: string, type = 'test.ws'): IncomingEvent {
  seq++;
  return {
    id: `evt_ws_${source}_${seq}_${Date.now()}`,
    source,
    type,
    occurredAt: new Date().toISOString(),
    subject: { kind: 'customer', id: `${source}_${seq}`, email },
    data: { seq },
  };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('graphql-ws authentication', () => {
  it('closes a connection without credentials with 4401', async () => {
    expect(await connect(undefined).closed).toEqual({
      code: 4401,
      reason: 'Unauthorized: send {"authorization":"Bearer <key>"} in the connection_init payload',
    });
  });

  it('closes a connection with a wrong key or a malformed authorization with 4401', async () => {
    expect(await connect({ authorization: bearer(`${KEYS.billing}0`) }).closed).toEqual({
      code: 4401,
      reason: 'Unauthorized: The API key is not valid: check it, or ask for a new one.',
    });
    expect(await connect({ authorization: KEYS.billing }).closed).toEqual({
      code: 4401,
      reason:
        'Unauthorized: The Authorization header must be "Bearer <API key or JWT>" (one token, no other scheme).',
    });
    expect(await connect({ authorization: { bearer: KEYS.billing } }).closed).toEqual({
      code: 4401,
      reason: 'Unauthorized: authorization must be the string "Bearer <key>"',
    });
  });

  it('closes a connection whose key may read nothing with 4403', async () => {
    expect(await connect({ authorization: bearer(KEYS.writeOnly) }).closed).toEqual({
      code: 4403,
      reason: 'Forbidden',
    });
  });

  it('accepts the key in connection_init or in the upgrade request, and applies its scopes', async () => {
    const payload = connect({ authorization: bearer(KEYS.crm) });
    await payload.acked;
    expect(await first(payload.client, '{ invoices(first: 1) { edges { node { id } } } }')).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: 'Your credentials may not read source "stripe": that needs the "billing" scope.',
          extensions: { code: 'FORBIDDEN', source: 'stripe', scope: 'billing' },
        }),
      ],
    });
    const header = connect(undefined, { authorization: bearer(KEYS.billing) });
    await header.acked;
    const invoices = (await first(header.client, '{ invoices(first: 1) { edges { node { id } } } }')) as {
      data: { invoices: { edges: unknown[] } };
    };
    expect(invoices.data.invoices.edges).toHaveLength(1);
  });
});

describe('subscriptions and scopes', () => {
  const EVENTS = 'subscription { events(filter: { types: ["test.ws"] }) { source type } }';

  it('delivers only events of readable sources, and never shares an execution across scopes', async () => {
    const hub = () => t.gateway.http.subscriptions.stats();
    const before = hub();
    const billing = connect({ authorization: bearer(KEYS.billingEvents) });
    const billing2 = connect({ authorization: bearer(KEYS.billingEvents) });
    const reads = connect({ authorization: bearer(KEYS.reads) });
    await Promise.all([billing.acked, billing2.acked, reads.acked]);
    const a = collect<{ events: { source: string } }>(billing.client, EVENTS, {}, 2);
    const b = collect<{ events: { source: string } }>(billing2.client, EVENTS, {}, 2);
    const c = collect<{ events: { source: string } }>(reads.client, EVENTS, {}, 4);
    await until('three members', () => hub().members === before.members + 3);
    // The two keys with the same scopes share one execution; the third has its own.
    expect(hub().groups - before.groups).toBe(2);
    await t.gateway.events.append([
      event('hubspot', 'ws@example.com'),
      event('stripe', 'ws@example.com'),
      event('zendesk', 'ws@example.com'),
      event('stripe', 'ws@example.com'),
    ]);
    const sources = (results: { events: { source: string } }[]) => results.map((r) => r.events.source);
    expect(sources(await a.done)).toEqual(['stripe', 'stripe']);
    expect(sources(await b.done)).toEqual(['stripe', 'stripe']);
    expect(sources(await c.done)).toEqual(['hubspot', 'stripe', 'zendesk', 'stripe']);
  });

  it('narrows customerChanged to readable sources, and refuses typed feeds of other sources', async () => {
    const billing = connect({ authorization: bearer(KEYS.billing) });
    await billing.acked;
    const changed = collect<{ customerChanged: { event: { source: string; type: string } } }>(
      billing.client,
      'subscription { customerChanged(email: "changed@example.com") { event { source type } } }',
      {},
      1,
    );
    await until('the member', () => t.gateway.http.subscriptions.stats().members > 0);
    await new Promise((r) => setTimeout(r, 100));
    await t.gateway.events.append([
      event('hubspot', 'changed@example.com', 'contact.propertyChange'),
      event('stripe', 'changed@example.com', 'customer.updated'),
    ]);
    expect(await changed.done).toEqual([
      { customerChanged: { event: { source: 'stripe', type: 'customer.updated' } } },
    ]);
    // Refused when subscribing: an errors-only result, then complete.
    expect(await first(billing.client, 'subscription { userCreated { user { email } } }')).toEqual({
      errors: [
        expect.objectContaining({
          message:
            'Your credentials may not read events of source "app": leave it out of the filter or use a key with its scope.',
          extensions: { code: 'FORBIDDEN', source: 'app' },
        }),
      ],
    });
    expect(await first(billing.client, EVENTS)).toEqual({
      errors: [
        expect.objectContaining({
          message: 'Your credentials may not read the event feed: that needs the "events" scope.',
          extensions: { code: 'FORBIDDEN', scope: 'events' },
        }),
      ],
    });
  });
});
