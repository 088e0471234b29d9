import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../src/events/event.ts';
import type { Delivery, Endpoint } from '../src/outbound/model.ts';
import { createRedisOutboundStore } from '../src/outbound/redis-store.ts';
import type { OutboundStore } from '../src/outbound/store.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const ENDPOINT: Endpoint = {
  id: 'ep_retention',
  url: 'https://example.com/hook',
  description: null,
  filter: null,
  enabled: true,
  disabledReason: null,
  createdAt: 0,
  secrets: [{ secret: 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0', createdAt: 0, expiresAt: null }],
  fromFile: false,
  failingSince: null,
} as unknown as Endpoint;

function delivery(n: number): Delivery {
  const event: GatewayEvent = {
    id: `evt_${String(n)}`,
    source: 'stripe',
    type: 'customer.updated',
    occurredAt: new Date(0).toISOString(),
    subject: null,
    data: {},
    cursor: String(n),
    receivedAt: new Date(0).toISOString(),
  };
  return {
    id: `msg_${String(n)}`,
    endpointId: ENDPOINT.id,
    seq: 0,
    event,
    status: 'PENDING',
    attempts: [],
    nextAttemptAt: n,
    createdAt: n,
    roundFailures: 0,
  };
}

describe.skipIf(redisSkipReason !== null)('outbound delivery history on Redis', () => {
  let redis: RedisServer;
  let store: OutboundStore;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    store = createRedisOutboundStore({ url: redis.url, keyPrefix: 'retention', maxFinishedPerEndpoint: 3 });
    client = new Redis(redis.url);
    await store.createEndpoint(ENDPOINT, '0');
  });
  afterAll(async () => {
    client.disconnect();
    await store.close();
    await redis.close();
  });

  it('keeps the newest finished deliveries up to the limit, with their attempts, and every pending one', async () => {
    expect(await store.advance(ENDPOINT.id, '0', '6', [1, 2, 3, 4, 5, 6].map(delivery))).toBe(true);
    // Five succeed, one stays pending.
    for (const claim of await store.claimDue(ENDPOINT.id, 100, 5, 30_000)) {
      const attempt = { attemptedAt: 100, responseStatus: 204, durationMs: 1, error: null };
      expect(
        await store.complete(claim, { attempt, status: 'SUCCEEDED', nextAttemptAt: null, roundFailures: 0 }),
      ).toBe(true);
    }
    // The next events trim the history as they are added.
    expect(await store.advance(ENDPOINT.id, '6', '7', [delivery(7)])).toBe(true);
    const kept = await store.listDeliveries(ENDPOINT.id, { limit: 100 });
    expect(kept.filter((d) => d.status === 'SUCCEEDED').map((d) => d.id)).toEqual([
      'msg_5',
      'msg_4',
      'msg_3',
    ]);
    expect(kept.filter((d) => d.status === 'PENDING').map((d) => d.id)).toEqual(['msg_7', 'msg_6']);
    expect(await store.getDelivery('msg_1')).toBeNull();
    expect(await client.exists('{retention}:outbound:d:msg_1', '{retention}:outbound:a:msg_2')).toBe(0);
    expect((await store.getDelivery('msg_3'))?.attempts).toHaveLength(1);
  });
});
