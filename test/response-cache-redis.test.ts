import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { startStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { createDemoWorld } from '../src/sandbox/demo-world.ts';
import { stripeCustomerEvent } from './helpers/gateway.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const CUSTOMER = 'query ($id: ID!) { billingCustomer(id: $id) { id name } }';
const RENAME =
  'mutation ($id: ID!, $name: String) { updateBillingCustomer(id: $id, input: { name: $name }) { name } }';

interface Instance {
  gateway: Gateway;
  url: string;
}

/** Two instances on the real Stripe connector, pointed at one shared emulator (which sends no webhooks itself). */
async function startInstance(
  stripe: RunningStripeSandbox,
  redisUrl: string,
  prefix: string,
): Promise<Instance> {
  const env = {
    LOG_LEVEL: 'silent',
    SANDBOX: '0',
    DEMO_EVENTS: '0',
    STRIPE_API_KEY: stripe.apiKey,
    STRIPE_BASE_URL: stripe.baseUrl,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
  };
  const gateway = await createGateway({
    config: loadConfig(env, connectors),
    connectors,
    log: createLogger('silent'),
    env,
  });
  return { gateway, url: await gateway.listen(0, '127.0.0.1') };
}

async function ask(
  instance: Instance,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ cache: string | null; data: Record<string, { name?: string; id?: string }> }> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data: Record<string, { name?: string; id?: string }>;
    errors?: unknown;
  };
  if (body.errors !== undefined) throw new Error(JSON.stringify(body.errors));
  return { cache: response.headers.get('x-cache'), data: body.data };
}

describe.skipIf(redisSkipReason !== null)('response cache across instances sharing Redis', () => {
  let redis: RedisServer;
  let stripe: RunningStripeSandbox;
  let a: Instance;
  let b: Instance;
  let customerId: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    stripe = await startStripeSandbox(createDemoWorld());
    a = await startInstance(stripe, redis.url, 'cache-test');
    b = await startInstance(stripe, redis.url, 'cache-test');
    const first = stripe.store.customers.all()[0];
    if (first === undefined) throw new Error('no customer');
    customerId = first.id;
  });
  afterAll(async () => {
    await a.gateway.close();
    await b.gateway.close();
    await stripe.close();
    await redis.close();
  });

  const nameOnB = async () => {
    const answer = await ask(b, CUSTOMER, { id: customerId });
    return { cache: answer.cache, name: answer.data['billingCustomer']?.name };
  };

  it('a webhook received by one instance evicts the answers every instance cached', async () => {
    await nameOnB();
    const before = await nameOnB();
    expect(before.cache).toBe('HIT');
    const customer = stripe.store.customers.get(customerId);
    if (customer === undefined) throw new Error('no customer');
    const renamed = { ...customer, name: 'Renamed By Webhook' };
    stripe.store.customers.put(renamed);
    const body = stripeCustomerEvent(`evt_cache_redis_${Date.now()}`, 'customer.updated', { ...renamed });
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload: body,
      secret: stripe.webhookSecret,
    });
    const posted = await fetch(`${a.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    expect(posted.status).toBe(200);
    // B reads the event from the stream's tail: within moments, never after the TTL (10 s).
    await expect
      .poll(nameOnB, { timeout: 3000, interval: 20 })
      .toEqual({ cache: 'MISS', name: 'Renamed By Webhook' });
  });

  it('a mutation on one instance evicts the answers of the others before it answers', async () => {
    await nameOnB();
    expect((await nameOnB()).cache).toBe('HIT');
    const global = (await ask(a, CUSTOMER, { id: customerId })).data['billingCustomer']?.id;
    const renamed = await ask(a, RENAME, { id: global, name: 'Renamed By Mutation' });
    expect(renamed.data['updateBillingCustomer']?.name).toBe('Renamed By Mutation');
    // The emulator outside the gateway sends no webhook: only the instances' channel can tell B.
    expect(await nameOnB()).toEqual({ cache: 'MISS', name: 'Renamed By Mutation' });
  });
});
