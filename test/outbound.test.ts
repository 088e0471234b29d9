import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { startReceiver } from './helpers/receiver.ts';
import type { Receiver } from './helpers/receiver.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const CREATE = `mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url enabled disabledReason filter { sources types emails } } }
}`;
const ENDPOINT = `query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint {
  id enabled disabledReason
  deliveries { edges { node { id status nextAttemptAt event { id type } attempts { responseStatus error durationMs } } } }
} } }`;

interface Created {
  createWebhookEndpoint: { secret: string; endpoint: { id: string; enabled: boolean } };
}
interface EndpointNode {
  node: {
    id: string;
    enabled: boolean;
    disabledReason: string | null;
    deliveries: {
      edges: {
        node: {
          id: string;
          status: string;
          nextAttemptAt: string | null;
          event: { id: string; type: string };
          attempts: { responseStatus: number | null; error: string | null; durationMs: number }[];
        };
      }[];
    };
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let t: TestGateway;
const receivers: Receiver[] = [];
let seq = 0;

const nextId = () => `evt_out_${++seq}_${Date.now()}`;

function postEvent(type = 'customer.updated', id = nextId()) {
  return t
    .postStripe(stripeCustomerEvent(id, type, stripeCustomer('cus_Out0001', `o${seq}@example.com`, 'Out')))
    .then((r) => {
      expect(r.status).toBe(200);
      return id;
    });
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function create(r: Receiver, input: Record<string, unknown> = {}) {
  const result = await t.graphql<Created>(CREATE, { input: { url: r.url, ...input } });
  expect(result.errors).toBeUndefined();
  const created = (result.data as Created).createWebhookEndpoint;
  r.secrets.push(created.secret);
  return created;
}

async function endpoint(id: string) {
  const result = await t.graphql<EndpointNode>(ENDPOINT, { id });
  expect(result.errors).toBeUndefined();
  return (result.data as EndpointNode).node;
}

async function idOfUrl(url: string): Promise<string> {
  const all = await t.graphql<{ webhookEndpoints: { id: string; url: string }[] }>(
    '{ webhookEndpoints { id url } }',
  );
  return all.data?.webhookEndpoints.find((e) => e.url === url)?.id ?? 'none';
}

async function until<T>(
  what: string,
  check: () => Promise<T | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

const backends = redisSkipReason === null ? (['memory', 'redis'] as const) : (['memory'] as const);

describe.each(backends)('outbound webhooks (%s store)', (backend) => {
  let redis: RedisServer | null = null;
  beforeAll(async () => {
    redis = backend === 'redis' ? await startRedisServer() : null;
    t = await startTestGateway({
      OUTBOUND_ALLOW_PRIVATE: '1',
      OUTBOUND_RETRY_SCHEDULE: '0.05,0.1',
      ...(redis === null ? {} : { REDIS_URL: redis.url }),
    });
  });

  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await redis?.close();
  });

  it('delivers one event to three endpoints at once: healthy, 503 twice then 200, and 410 (disabled)', async () => {
    const healthy = await receiver();
    const flaky = await receiver();
    const gone = await receiver();
    flaky.answer = (n) => ({ status: n < 2 ? 503 : 200 });
    gone.answer = () => ({ status: 410 });
    await create(healthy);
    await create(flaky);
    const goneEndpoint = await create(gone);

    const eventId = await postEvent();
    const [ok] = await healthy.until(1);
    const tries = await flaky.until(3);
    const [refused] = await gone.until(1);

    for (const request of [ok, ...tries, refused]) {
      expect(request?.json.id).toBe(eventId);
      expect(request?.verifiedWith.length).toBe(1);
    }
    expect(ok?.json).toMatchObject({
      source: 'stripe',
      type: 'customer.updated',
      subject: { kind: 'customer' },
    });
    expect(Object.keys(ok?.json ?? {})).toEqual([
      'id',
      'cursor',
      'source',
      'type',
      'occurredAt',
      'receivedAt',
      'subject',
      'data',
    ]);
    expect(new Set(tries.map((r) => r.id)).size).toBe(1);
    expect(tries[0]?.id).toMatch(/^msg_/);

    const disabled = await until('the 410 endpoint to be disabled', async () => {
      const node = await endpoint(goneEndpoint.endpoint.id);
      return node.enabled ? null : node;
    });
    expect(disabled.disabledReason).toMatch(/^410 Gone: the receiver said the endpoint no longer exists/);
    expect(disabled.deliveries.edges[0]?.node).toMatchObject({
      status: 'FAILED',
      attempts: [{ responseStatus: 410, error: 'HTTP 410' }],
    });

    const flakyEndpoint = { id: await idOfUrl(flaky.url) };
    const flakyNode = await until('three recorded attempts', async () => {
      const node = await endpoint(flakyEndpoint.id);
      return node.deliveries.edges[0]?.node.status === 'SUCCEEDED' ? node : null;
    });
    expect(flakyNode.deliveries.edges[0]?.node.attempts.map((a) => a.responseStatus)).toEqual([
      503, 503, 200,
    ]);
    expect(flakyNode.deliveries.edges[0]?.node.nextAttemptAt).toBeNull();

    // Deleted so the later tests' events do not reach them.
    for (const r of [healthy, flaky, gone]) {
      const id = await idOfUrl(r.url);
      const deleted = await t.graphql<{ deleteWebhookEndpoint: string }>(
        'mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }',
        { id },
      );
      expect(deleted.data?.deleteWebhookEndpoint).toBe(id);
    }
  });

  it('delivers an event that matches no filter nowhere', async () => {
    const invoices = await receiver();
    const everything = await receiver();
    const invoiceEndpoint = await create(invoices, { filter: { types: ['invoice.*'] } });
    const all = await create(everything);
    expect(invoiceEndpoint.endpoint).toMatchObject({
      filter: { sources: null, types: ['invoice.*'], emails: null },
    });
    const eventId = await postEvent('customer.updated');
    const [got] = await everything.until(1);
    expect(got?.json.id).toBe(eventId);
    await delay(200);
    expect(invoices.received).toEqual([]);
    for (const id of [invoiceEndpoint.endpoint.id, all.endpoint.id]) {
      await t.graphql('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id });
    }
  });

  it('signs with both the new and the old secret after a rotation', async () => {
    const r = await receiver();
    const created = await create(r);
    const oldSecret = created.secret;
    const rotated = await t.graphql<{
      rotateWebhookEndpointSecret: { secret: string; endpoint: { id: string } };
    }>('mutation ($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret endpoint { id } } }', {
      id: created.endpoint.id,
    });
    const newSecret = rotated.data?.rotateWebhookEndpointSecret.secret ?? '';
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    r.secrets.splice(0, r.secrets.length, oldSecret, newSecret);
    await postEvent();
    const [got] = await r.until(1);
    expect(got?.verifiedWith).toEqual([oldSecret, newSecret]);
    expect(got?.signature.split(' ')).toHaveLength(2);
    await t.graphql('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: created.endpoint.id });
  });

  it('waits at least Retry-After on a 429', async () => {
    const r = await receiver();
    r.answer = (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    const created = await create(r);
    await postEvent();
    const [first, second] = await r.until(2, 5000);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(second?.id).toBe(first?.id);
    await t.graphql('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: created.endpoint.id });
  });

  it('recovers since T: re-sends exactly the deliveries that failed', async () => {
    const r = await receiver();
    const failing = new Set<string>();
    r.answer = (_n, request) => ({ status: failing.has(request.json.id) ? 500 : 200 });
    const created = await create(r);
    const since = new Date(Date.now() - 1000).toISOString();
    const a = nextId();
    const c = nextId();
    failing.add(a).add(c);
    await postEvent('customer.updated', a);
    const ok = await postEvent();
    await postEvent('customer.updated', c);
    // a and c: 3 attempts each (the schedule has two retries), then FAILED; ok: one attempt.
    await until('both failures to be final', async () => {
      const node = await endpoint(created.endpoint.id);
      const failed = node.deliveries.edges.filter((e) => e.node.status === 'FAILED');
      return failed.length === 2 ? node : null;
    });
    expect(r.received.filter((x) => x.json.id === a)).toHaveLength(3);
    const before = r.received.length;
    failing.clear();
    const recovered = await t.graphql<{ recoverWebhookEndpoint: number }>(
      'mutation ($id: ID!, $since: DateTime!) { recoverWebhookEndpoint(id: $id, since: $since) }',
      { id: created.endpoint.id, since },
    );
    expect(recovered.data?.recoverWebhookEndpoint).toBe(2);
    const all = await r.until(before + 2);
    await delay(200);
    expect(
      all
        .slice(before)
        .map((x) => x.json.id)
        .sort(),
    ).toEqual([a, c].sort());
    expect(r.received.length).toBe(before + 2);
    expect(all.filter((x) => x.json.id === ok)).toHaveLength(1);
    await t.graphql('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: created.endpoint.id });
  });
});
