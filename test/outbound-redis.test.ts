import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisEventLog } from '../src/events/redis-log.ts';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { startReceiver } from './helpers/receiver.ts';
import type { Receiver } from './helpers/receiver.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const CREATE = `mutation ($url: String!) { createWebhookEndpoint(input: { url: $url }) { secret endpoint { id } } }`;
const DELIVERIES = `query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint {
  deliveries { edges { node { id status attempts { responseStatus } event { id } } } }
} } }`;

interface DeliveriesNode {
  node: {
    deliveries: {
      edges: {
        node: {
          id: string;
          status: string;
          attempts: { responseStatus: number | null }[];
          event: { id: string };
        };
      }[];
    };
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let prefixes = 0;

describe.skipIf(redisSkipReason !== null)('outbound webhooks on Redis', () => {
  let redis: RedisServer;
  const open: (TestGateway | Receiver)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((x) => x.close()));
    await redis.close();
  });

  const env = (prefix: string, extra: Record<string, string> = {}) => ({
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    OUTBOUND_ALLOW_PRIVATE: '1',
    OUTBOUND_RETRY_SCHEDULE: '0.05,0.1',
    ...extra,
  });

  async function createEndpoint(t: TestGateway, r: Receiver): Promise<string> {
    const created = await t.graphql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      CREATE,
      { url: r.url },
    );
    expect(created.errors).toBeUndefined();
    r.secrets.push(created.data?.createWebhookEndpoint.secret ?? '');
    return created.data?.createWebhookEndpoint.endpoint.id ?? '';
  }

  it('delivers the events appended while the gateway was down once it starts', async () => {
    const prefix = `out${process.pid}x${++prefixes}`;
    const r = await startReceiver();
    open.push(r);
    const first = await startTestGateway(env(prefix));
    await createEndpoint(first, r);
    await first.close();

    const log = createRedisEventLog({ url: redis.url, keyPrefix: prefix });
    expect(await log.ready(5000)).toBe(true);
    await log.append([
      {
        id: 'evt_down_1',
        source: 'stripe',
        type: 'customer.updated',
        occurredAt: new Date().toISOString(),
        subject: null,
        data: { n: 1 },
      },
      {
        id: 'evt_down_2',
        source: 'stripe',
        type: 'customer.updated',
        occurredAt: new Date().toISOString(),
        subject: null,
        data: { n: 2 },
      },
    ]);
    await log.close();
    await delay(100);
    expect(r.received).toEqual([]);

    const second = await startTestGateway(env(prefix));
    open.push(second);
    const got = await r.until(2);
    expect(got.map((x) => x.json.id)).toEqual(['evt_down_1', 'evt_down_2']);
    expect(got.every((x) => x.verifiedWith.length === 1)).toBe(true);
  });

  it('has another instance complete a delivery whose instance died mid-attempt, with the same webhook-id', async () => {
    const prefix = `out${process.pid}x${++prefixes}`;
    const r = await startReceiver();
    open.push(r);
    // The first request hangs past the attempt timeout; later ones succeed.
    r.answer = (n) => (n === 0 ? { status: 200, delayMs: 30_000 } : { status: 200 });
    const settings = env(prefix, { OUTBOUND_TIMEOUT_MS: '500' });
    const a = await startTestGateway(settings);
    const endpointId = await createEndpoint(a, r);
    const body = stripeCustomerEvent(
      `evt_kill_${Date.now()}`,
      'customer.updated',
      stripeCustomer('cus_K1', 'k@example.com', 'K'),
    );
    expect((await a.postStripe(body)).status).toBe(200);
    const [inFlight] = await r.until(1);
    // Killed: nothing it had in flight is recorded or released.
    a.gateway.outbound.dispatcher.abandon();
    await a.close();

    const b = await startTestGateway(settings);
    open.push(b);
    const all = await r.until(2, 15_000);
    expect(all[1]?.id).toBe(inFlight?.id);
    expect(all[1]?.verifiedWith).toHaveLength(1);
    const node = await b.graphql<DeliveriesNode>(DELIVERIES, { id: endpointId });
    await delay(300);
    const after = await b.graphql<DeliveriesNode>(DELIVERIES, { id: endpointId });
    expect(node.errors).toBeUndefined();
    expect(after.data?.node.deliveries.edges.map((e) => e.node.status)).toEqual(['SUCCEEDED']);
    expect(after.data?.node.deliveries.edges[0]?.node.attempts).toEqual([{ responseStatus: 200 }]);
    expect(r.received).toHaveLength(2);
  });
});
