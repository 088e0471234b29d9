import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  startTestGateway,
  stripeCustomer,
  stripeCustomerEvent,
} from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningHubSpotSandbox } from './sandbox/index.ts';

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id source type occurredAt subject { kind id email } data }
}`;

interface Received {
  events: {
    id: string;
    source: string;
    type: string;
    occurredAt: string;
    subject: { kind: string; id: string; email: string | null } | null;
    data: unknown;
  };
}

let t: TestGateway;
let hubspot: RunningHubSpotSandbox;
let nextEventId = 7_000_000_000 + (Date.now() % 1_000_000) * 1000;

beforeAll(async () => {
  t = await startTestGateway();
  const sandbox = t.gateway.sources.find((s) => s.name === 'hubspot')?.sandbox;
  if (!sandbox) throw new Error('the hubspot sandbox did not start');
  hubspot = sandbox as RunningHubSpotSandbox;
});
afterAll(() => t.close());

/** A HubSpot event as HubSpot sends it, with a fresh event id. */
function hubspotEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: ++nextEventId,
    subscriptionId: 2_400_008,
    portalId: 24_816_357,
    appId: 3_141_592,
    occurredAt: Date.now(),
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 1051,
    propertyName: 'phone',
    propertyValue: '+14155550123',
    changeSource: 'CRM_UI',
    ...overrides,
  };
}

/** Signs `body` with HubSpot's documented v3 formula (node:crypto here, not the connector's code) and POSTs it. */
async function postHubSpot(
  body: string,
  options: { timestamp?: number; secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown }> {
  const url = `${t.url}/webhooks/hubspot`;
  const timestamp = String(options.timestamp ?? Date.now());
  const secret = options.secret ?? hubspot.webhookSecret;
  const signature = createHmac('sha256', secret).update(`POST${url}${body}${timestamp}`).digest('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
      ...options.headers,
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

async function lastCursor(): Promise<string> {
  const result = await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }');
  return result.data?.latestEventCursor ?? '';
}

async function storedHubSpotEvents(): Promise<{ id: string; type: string }[]> {
  const page = await t.graphql<{ events: { edges: { node: { id: string; type: string } }[] } }>(
    '{ events(first: 500, filter: { sources: ["hubspot"] }) { edges { node { id type } } } }',
  );
  return page.data?.events.edges.map((e) => e.node) ?? [];
}

describe('POST /webhooks/hubspot', () => {
  it('pushes every event of a signed delivery to a graphql-ws subscriber, each as its own event', async () => {
    const after = await lastCursor();
    const events = [
      hubspotEvent({ propertyName: 'email', propertyValue: 'new.address@acme.example' }),
      hubspotEvent({
        subscriptionType: 'deal.creation',
        objectId: 9_400_000_777,
        propertyName: undefined,
        propertyValue: undefined,
        changeFlag: 'NEW',
      }),
    ];
    const body = JSON.stringify(events);
    const sub = collect<Received>(t.ws(), EVENTS, { after, filter: { sources: ['hubspot'] } }, 2);
    const response = await postHubSpot(body);
    expect(response).toMatchObject({ status: 200, body: { received: 2, stored: 2, duplicates: 0 } });
    const received = (await sub.done).map((r) => r.events);
    const sent = JSON.parse(body) as Record<string, unknown>[];
    expect(received).toEqual([
      {
        id: String(events[0]?.['eventId']),
        source: 'hubspot',
        type: 'contact.propertyChange',
        occurredAt: new Date(events[0]?.['occurredAt'] as number).toISOString(),
        subject: { kind: 'contact', id: '1051', email: 'new.address@acme.example' },
        data: sent[0],
      },
      {
        id: String(events[1]?.['eventId']),
        source: 'hubspot',
        type: 'deal.creation',
        occurredAt: new Date(events[1]?.['occurredAt'] as number).toISOString(),
        subject: { kind: 'deal', id: '9400000777', email: null },
        data: sent[1],
      },
    ]);
  });

  it('acknowledges a duplicate delivery with 200 and publishes its events once', async () => {
    const after = await lastCursor();
    const event = hubspotEvent();
    const body = JSON.stringify([event]);
    const sub = collect<Received>(t.ws(), EVENTS, { after, filter: { sources: ['hubspot'] } }, 3, 5000);
    const first = await postHubSpot(body);
    // A retry by HubSpot: same event, next attempt number, signed again.
    const retry = await postHubSpot(JSON.stringify([{ ...event, attemptNumber: 1 }]));
    const repeated = hubspotEvent({ propertyName: 'lastname', propertyValue: 'Rivera' });
    const inOne = await postHubSpot(JSON.stringify([repeated, repeated]));
    const marker = hubspotEvent({
      subscriptionType: 'contact.creation',
      propertyName: undefined,
      propertyValue: undefined,
    });
    await postHubSpot(JSON.stringify([marker]));
    expect(first).toMatchObject({ status: 200, body: { received: 1, stored: 1, duplicates: 0 } });
    expect(retry).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    expect(inOne).toMatchObject({ status: 200, body: { received: 2, stored: 1, duplicates: 1 } });
    const ids = (await sub.done).map((r) => r.events.id);
    expect(ids).toEqual([event['eventId'], repeated['eventId'], marker['eventId']].map(String));
  });

  it('refuses bad deliveries with the right status and stores none of them', async () => {
    const before = (await storedHubSpotEvents()).length;
    const body = JSON.stringify([hubspotEvent()]);

    const tampered = await postHubSpot(body, {
      headers: { 'x-hubspot-signature-v3': createHmac('sha256', 'x').update('y').digest('base64') },
    });
    expect(tampered).toEqual({
      status: 401,
      body: {
        error: {
          code: 'SIGNATURE_INVALID',
          message:
            'X-HubSpot-Signature-v3 does not match the request: check HUBSPOT_WEBHOOK_SECRET (the app client secret) and that the target URL reaches the gateway unchanged.',
        },
      },
    });

    const unsigned = await fetch(`${t.url}/webhooks/hubspot`, { method: 'POST', body });
    expect([unsigned.status, await unsigned.json()]).toEqual([
      401,
      { error: { code: 'SIGNATURE_MISSING', message: 'Missing X-HubSpot-Signature-v3 header.' } },
    ]);

    const stale = await postHubSpot(body, { timestamp: Date.now() - 600_000 });
    expect(stale.status).toBe(401);
    expect(JSON.stringify(stale.body)).toMatch(
      /"SIGNATURE_STALE".*stale: signed 60\d{4} ms ago, beyond the 300000 ms/,
    );

    const wrongSecret = await postHubSpot(body, { secret: 'b1c2d3e4-0000-4000-8000-000000000000' });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });

    const notJson = await postHubSpot('[{"eventId": 1,');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });

    const notADelivery = await postHubSpot(
      JSON.stringify({ eventId: 1, subscriptionType: 'contact.creation' }),
    );
    expect(notADelivery).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'Body is not a HubSpot webhook delivery (a JSON array of events).',
          issues: [{ path: '(body)', message: 'Invalid input: expected array, received object' }],
        },
      },
    });

    const halfValid = await postHubSpot(
      JSON.stringify([hubspotEvent(), { ...hubspotEvent(), portalId: 'x' }]),
    );
    expect(halfValid).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'Some events of this HubSpot delivery are invalid.',
          issues: [{ path: '1.portalId', message: 'Invalid input: expected number, received string' }],
        },
      },
    });

    const huge = JSON.stringify([{ ...hubspotEvent(), propertyValue: 'x'.repeat(1024 * 1024) }]);
    expect(await postHubSpot(huge)).toEqual({
      status: 413,
      body: {
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is larger than the 1048576 byte limit.' },
      },
    });

    expect((await storedHubSpotEvents()).length).toBe(before);
  });
});

describe('the HubSpot emulator as a webhook sender', () => {
  it('delivers what the demo world does to the CRM, signed so the gateway accepts it', async () => {
    const demo = t.gateway.demo;
    if (demo === null) throw new Error('the demo clock is off');
    const before = (await storedHubSpotEvents()).length;
    for (let i = 0; i < 30 && (await storedHubSpotEvents()).length < before + 3; i++) await demo.tick();
    const events = (await storedHubSpotEvents()).slice(before);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const event of events) {
      expect([
        'contact.creation',
        'contact.propertyChange',
        'deal.creation',
        'deal.propertyChange',
      ]).toContain(event.type);
    }
  });
});

// Last: it stores 3,000 events, past what the listings above read back.
describe('bursts', () => {
  /** Waits until the gateway has at least `count` live subscribers, so live-only subscriptions miss nothing. */
  async function subscribers(count: number): Promise<void> {
    const log = t.gateway.events as unknown as { subscriberCount(): number };
    for (let i = 0; i < 200 && log.subscriberCount() < count; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(log.subscriberCount()).toBeGreaterThanOrEqual(count);
  }

  it('refuses one delivery of 3,000 events with 400 BATCH_TOO_LARGE and stores none', async () => {
    const before = (await storedHubSpotEvents()).length;
    const events = Array.from({ length: 3_000 }, () => hubspotEvent());
    const response = await postHubSpot(JSON.stringify(events));
    expect(response).toEqual({
      status: 400,
      body: {
        error: {
          code: 'BATCH_TOO_LARGE',
          message:
            'This hubspot delivery carries 3000 events; one delivery carries at most 100. Nothing was stored.',
        },
      },
    });
    expect((await storedHubSpotEvents()).length).toBe(before);
  });

  it('does not end idle subscribers with a burst of 30 concurrent deliveries of 100 events', async () => {
    const unrelatedClient = t.ws();
    const matchingClient = t.ws();
    const unrelated = collect<Received>(
      unrelatedClient,
      EVENTS,
      { filter: { sources: ['stripe'] } },
      1,
      20_000,
    );
    const matching = collect<Received>(
      matchingClient,
      EVENTS,
      { filter: { sources: ['hubspot'] } },
      3_000,
      20_000,
    );
    await subscribers(2);
    const deliveries = Array.from({ length: 30 }, () =>
      JSON.stringify(Array.from({ length: 100 }, () => hubspotEvent())),
    );
    const responses = await Promise.all(deliveries.map((body) => postHubSpot(body)));
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => 200));
    const received = (await matching.done).map((r) => r.events.id);
    const sent = deliveries.flatMap((body) =>
      (JSON.parse(body) as { eventId: number }[]).map((e) => String(e.eventId)),
    );
    expect(new Set(received)).toEqual(new Set(sent));
    expect(received).toHaveLength(3_000);

    // The unrelated subscriber is still there: the next Stripe event reaches it.
    const stripeEvent = stripeCustomerEvent(
      `evt_after_burst_${Date.now()}`,
      'customer.updated',
      stripeCustomer('cus_AfterBurst0001', 'after.burst@example.com', 'After Burst'),
    );
    expect((await t.postStripe(stripeEvent)).status).toBe(200);
    expect((await unrelated.done).map((r) => r.events.source)).toEqual(['stripe']);
  }, 30_000);
});
