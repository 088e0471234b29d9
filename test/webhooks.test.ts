import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestGateway, stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id cursor source type subject { kind id email } data }
}`;

interface EventsPage {
  events: {
    edges: { cursor: string; node: { id: string; type: string } }[];
    pageInfo: { endCursor: string | null };
  };
}

let t: TestGateway;
let seq = 0;
const customer = (email: string) => stripeCustomer('cus_WebhookTest0001', email, 'Webhook Test');
const nextEvent = (type = 'customer.updated') =>
  stripeCustomerEvent(`evt_test_${++seq}_${Date.now()}`, type, customer(`w${seq}@example.com`));

async function stored(): Promise<{ id: string; type: string }[]> {
  const page = await t.graphql<EventsPage>(
    '{ events(first: 500) { edges { cursor node { id type } } pageInfo { endCursor } } }',
  );
  return page.data?.events.edges.map((e) => e.node) ?? [];
}

async function lastCursor(): Promise<string> {
  const result = await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }');
  return result.data?.latestEventCursor ?? '';
}

/** Waits until the gateway has `count` live subscribers, so a live-only subscription cannot miss the next event. */
async function subscribers(count: number): Promise<void> {
  const log = t.gateway.events as unknown as { subscriberCount(): number };
  for (let i = 0; i < 200 && log.subscriberCount() < count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(log.subscriberCount()).toBe(count);
}

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('POST /webhooks/stripe', () => {
  it('pushes a signed webhook to a live graphql-ws subscriber', async () => {
    const body = nextEvent('customer.created');
    const sub = collect<{ events: { id: string; source: string; type: string; data: unknown } }>(
      t.ws(),
      EVENTS,
      { filter: { sources: ['stripe'] } },
      1,
    );
    await subscribers(1);
    const response = await t.postStripe(body);
    expect(response.status).toBe(200);
    const [received] = await sub.done;
    const sent = JSON.parse(body) as { id: string };
    expect(received?.events).toMatchObject({
      id: sent.id,
      source: 'stripe',
      type: 'customer.created',
      data: JSON.parse(body) as unknown,
    });
  });

  it('acknowledges a duplicate delivery with 200 and publishes it once', async () => {
    const after = await lastCursor();
    const body = nextEvent();
    const sub = collect<{ events: { id: string } }>(t.ws(), EVENTS, { after }, 2, 3000);
    const first = await t.postStripe(body);
    const again = await t.postStripe(body);
    const marker = nextEvent('customer.deleted');
    await t.postStripe(marker);
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    const ids = (await sub.done).map((r) => r.events.id);
    expect(ids).toEqual([(JSON.parse(body) as { id: string }).id, (JSON.parse(marker) as { id: string }).id]);
  });

  it('refuses bad deliveries with the right status and publishes none of them', async () => {
    const before = (await stored()).length;
    const body = nextEvent();
    const tampered = await fetch(`${t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body,
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({
      error: {
        code: 'SIGNATURE_INVALID',
        message:
          'No v1 signature in the Stripe-Signature header matches the payload: check STRIPE_WEBHOOK_SECRET.',
      },
    });

    const unsigned = await fetch(`${t.url}/webhooks/stripe`, { method: 'POST', body });
    expect([unsigned.status, await unsigned.json()]).toEqual([
      401,
      { error: { code: 'SIGNATURE_MISSING', message: 'Missing Stripe-Signature header.' } },
    ]);

    const stale = await t.postStripe(body, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ error: { code: 'SIGNATURE_STALE' } });
    expect(JSON.stringify(stale.body)).toMatch(/stale: signed 60\d s ago, beyond the 300 s tolerance/);

    const wrongSecret = await t.postStripe(body, { secret: 'whsec_not_the_one' });
    expect(wrongSecret.status).toBe(401);

    const notJson = await t.postStripe('{"id": "evt_x", ');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 'INVALID_JSON' } });

    const notAnEvent = await t.postStripe(
      JSON.stringify({ id: 'evt_shape', object: 'event', type: 'customer.updated' }),
    );
    expect(notAnEvent).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'Body is not a Stripe event.',
          issues: [
            { path: 'created', message: 'Invalid input: expected number, received undefined' },
            { path: 'data', message: 'Invalid input: expected object, received undefined' },
          ],
        },
      },
    });

    const huge = JSON.stringify({ ...JSON.parse(body), padding: 'x'.repeat(1024 * 1024) });
    const oversize = await t.postStripe(huge);
    expect(oversize).toEqual({
      status: 413,
      body: {
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is larger than the 1048576 byte limit.' },
      },
    });

    expect((await stored()).length).toBe(before);
  });

  it('answers 404 for an unknown source and 405 for GET', async () => {
    const unknown = await fetch(`${t.url}/webhooks/nope`, { method: 'POST', body: '{}' });
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      { error: { code: 'UNKNOWN_SOURCE', message: 'No webhook source is named "nope".' } },
    ]);
    const get = await fetch(`${t.url}/webhooks/stripe`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('declares the byte length of its JSON answers instead of chunking them', async () => {
    const { port } = new URL(t.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          'POST /webhooks/n%C3%A9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}',
        );
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 404 /);
    expect(head.toLowerCase()).not.toContain('transfer-encoding');
    expect(head.toLowerCase()).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({
      error: { code: 'UNKNOWN_SOURCE', message: 'No webhook source is named "n\u00e9".' },
    });
  });
});

describe('payloads nested 20,000 levels deep', () => {
  const OMITTED = {
    omitted: 'PAYLOAD_TOO_DEEP',
    message: 'This JSON value nests more than 64 levels deep (WEBHOOK_MAX_DEPTH) and is not served.',
  };

  it('refuses a signed one with 400 PAYLOAD_TOO_DEEP and publishes nothing; subscribers and Query.events go on', async () => {
    const after = await lastCursor();
    const sub = collect<{ events: { id: string; data: unknown } }>(t.ws(), EVENTS, { after }, 1, 5000);
    const deep = nextEvent().replace(
      '"metadata":{}',
      `"metadata":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    );
    expect(deep.length).toBeGreaterThan(40_000);
    const response = await t.postStripe(deep);
    expect(response).toEqual({
      status: 400,
      body: {
        error: {
          code: 'PAYLOAD_TOO_DEEP',
          message:
            'Webhook body nests objects and arrays more than 64 levels deep (WEBHOOK_MAX_DEPTH); nothing was stored.',
        },
      },
    });
    const marker = nextEvent('customer.deleted');
    expect((await t.postStripe(marker)).status).toBe(200);
    const [received] = await sub.done;
    expect(received?.events).toMatchObject({
      id: (JSON.parse(marker) as { id: string }).id,
      data: JSON.parse(marker) as unknown,
    });
    const page = await t.graphql<EventsPage>(
      `{ events(after: "${after}", first: 10) { edges { node { id type } } } }`,
    );
    expect(page.errors).toBeUndefined();
    expect(page.data?.events.edges.map((e) => e.node.id)).toEqual([
      (JSON.parse(marker) as { id: string }).id,
    ]);
  });

  it('serves one already stored (by an older version) as an omitted marker, without ending a subscription or failing a query', async () => {
    const after = await lastCursor();
    const sub = collect<{ events: { id: string; data: unknown } }>(
      t.ws(),
      'subscription ($after: String) { events(after: $after) { id data } }',
      { after },
      2,
      5000,
    );
    let data: unknown = { leaf: true };
    for (let i = 0; i < 20_000; i++) data = [data];
    expect(() => JSON.stringify(data)).toThrow(RangeError);
    const [result] = await t.gateway.events.append([
      {
        id: 'legacy_deep_1',
        source: 'stripe',
        type: 'legacy.deep',
        occurredAt: new Date().toISOString(),
        subject: null,
        data,
      },
    ]);
    expect(result?.status).toBe('stored');
    const marker = nextEvent('customer.deleted');
    expect((await t.postStripe(marker)).status).toBe(200);
    expect((await sub.done).map((r) => r.events)).toEqual([
      { id: 'legacy_deep_1', data: OMITTED },
      { id: (JSON.parse(marker) as { id: string }).id, data: JSON.parse(marker) as unknown },
    ]);

    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ events(filter: { types: ["legacy.deep"] }) { edges { node { id data } } } }',
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { events: { edges: [{ node: { id: 'legacy_deep_1', data: OMITTED } }] } },
    });
  });
});

describe('Subscription.events resume', () => {
  it('gives a subscriber resuming with `after` exactly the events it missed, in order, then live ones', async () => {
    const start = await lastCursor();
    // A first subscriber sees two events and notes the last cursor, then goes away.
    const first = collect<{ events: { id: string; cursor: string } }>(t.ws(), EVENTS, { after: start }, 2);
    const early = [nextEvent(), nextEvent()];
    for (const body of early) expect((await t.postStripe(body)).status).toBe(200);
    const seen = await first.done;
    const resumeFrom = seen[1]?.events.cursor;
    expect(seen.map((s) => s.events.id)).toEqual(early.map((b) => (JSON.parse(b) as { id: string }).id));

    // While it is away, three more arrive.
    const missed = [nextEvent(), nextEvent('customer.deleted'), nextEvent()];
    for (const body of missed) expect((await t.postStripe(body)).status).toBe(200);

    // It comes back with its cursor: the three missed, then a live one, nothing twice.
    const resumed = collect<{ events: { id: string } }>(t.ws(), EVENTS, { after: resumeFrom }, 4);
    await new Promise((r) => setTimeout(r, 100));
    const live = nextEvent();
    expect((await t.postStripe(live)).status).toBe(200);
    const ids = (await resumed.done).map((r) => r.events.id);
    expect(ids).toEqual([...missed, live].map((b) => (JSON.parse(b) as { id: string }).id));
  });

  it('refuses a cursor it never issued with BAD_USER_INPUT', async () => {
    const result = await t.graphql('{ events(after: "not-a-cursor") { edges { cursor } } }');
    expect(result.errors?.[0]).toMatchObject({
      message:
        '"not-a-cursor" is not a valid event cursor: pass the cursor of an event this gateway returned.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('delivers over SSE too', async () => {
    const after = await lastCursor();
    const controller = new AbortController();
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: EVENTS, variables: { after } }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = nextEvent('customer.created');
    expect((await t.postStripe(body)).status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('"source":"stripe"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain(`"id":"${(JSON.parse(body) as { id: string }).id}"`);
  });
});

describe('hostile webhook paths', () => {
  it('answers malformed percent-escapes with 404 and keeps serving', async () => {
    const { request } = await import('node:http');
    const post = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${t.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end('{}');
      });
    for (const path of ['/webhooks/%ZZ', '/webhooks/%E0%A4%A', '/webhooks/%C0%AF', '/webhooks/stripe%']) {
      const answer = await post(path);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          code: 'UNKNOWN_SOURCE',
          message: 'The webhook path is not a valid percent-encoded source name.',
        },
      });
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
