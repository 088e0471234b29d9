import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { startStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { createDemoWorld } from '../src/sandbox/demo-world.ts';
import { createRateBudget } from '../src/upstream/rate-budget.ts';
import { createRedisRateWindow } from '../src/upstream/redis-rate-window.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const INVOICE = 'query ($id: ID!) { invoice(id: $id) { id } }';

/** A gateway on the real Stripe connector, pointed at `stripe` (not sandboxed). */
async function startGateway(
  stripe: RunningStripeSandbox,
  env: Record<string, string>,
): Promise<{ gateway: Gateway; url: string }> {
  const fullEnv = {
    LOG_LEVEL: 'silent',
    SANDBOX: '0',
    DEMO_EVENTS: '0',
    STRIPE_API_KEY: stripe.apiKey,
    STRIPE_BASE_URL: stripe.baseUrl,
    REQUEST_TIMEOUT_MS: '20000',
    ...env,
  };
  const config = loadConfig(fullEnv, connectors);
  const gateway = await createGateway({ config, connectors, log: createLogger('silent'), env: fullEnv });
  return { gateway, url: await gateway.listen(0, '127.0.0.1') };
}

async function invoice(url: string, id: string): Promise<{ errors?: unknown[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: INVOICE, variables: { id } }),
  });
  return (await response.json()) as { errors?: unknown[] };
}

/** 30 concurrent queries to each gateway, each one Stripe call. */
async function burst(urls: readonly string[], tag: string): Promise<unknown[]> {
  const results = await Promise.all(
    urls.flatMap((url, g) => Array.from({ length: 30 }, (_, i) => invoice(url, `in_${tag}${g}x${i}`))),
  );
  return results.flatMap((r) => r.errors ?? []);
}

describe.skipIf(redisSkipReason !== null)('rate budgets shared through Redis', () => {
  let redis: RedisServer;
  let stripe: RunningStripeSandbox;
  beforeAll(async () => {
    redis = await startRedisServer();
    stripe = await startStripeSandbox(createDemoWorld());
  });
  afterAll(async () => {
    await stripe.close();
    await redis.stop();
  });

  it('keeps two gateways with the same key together under Stripe’s 25/s, where alone each would not', async () => {
    // Without Redis, each gateway spends 25 a second of its own: together they draw 429s.
    const alone = [await startGateway(stripe, {}), await startGateway(stripe, {})];
    stripe.rateLimiter.reset();
    const aloneErrors = await burst(
      alone.map((g) => g.url),
      'alone',
    );
    // Usually Stripe refused some calls and retries got them through; now and then one runs out of
    // retries, the very failure a shared budget prevents. On a loaded machine the burst may spread out
    // enough that none were refused, so the proof is below: shared, none are refused and the 60 calls
    // take at least 1.4 s.
    for (const error of aloneErrors) {
      expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_RATE_LIMITED', upstreamStatus: 429 } });
    }
    await Promise.all(alone.map((g) => g.gateway.close()));
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const shared = [
      await startGateway(stripe, { REDIS_URL: redis.url }),
      await startGateway(stripe, { REDIS_URL: redis.url }),
    ];
    try {
      stripe.rateLimiter.reset();
      const start = Date.now();
      expect(
        await burst(
          shared.map((g) => g.url),
          'shared',
        ),
      ).toEqual([]);
      expect(stripe.rateLimiter.refused).toBe(0);
      // 60 calls at 25 a second, 25 of them at once: more than 1.4 s.
      expect(Date.now() - start).toBeGreaterThanOrEqual(1400);
    } finally {
      await Promise.all(shared.map((g) => g.gateway.close()));
    }
  }, 30_000);

  it('counts in this instance, and says so once, when Redis is unreachable', async () => {
    const warnings: string[] = [];
    const log = { warn: (_: unknown, message: string) => warnings.push(message), info: () => undefined };
    const client = new Redis('redis://127.0.0.1:9', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    const budget = createRateBudget({
      source: 'api',
      rate: { limit: 2, windowMs: 300 },
      window: createRedisRateWindow({
        redis: client,
        key: '{t}:rate:api:x',
        source: 'api',
        log: log as unknown as Logger,
      }),
    });
    const start = Date.now();
    for (let i = 0; i < 4; i++) await budget.take(Date.now() + 5000);
    // Still a budget: the third and fourth waited for the local window.
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(warnings).toEqual([
      'Redis is unreachable: the rate budget of api counts calls in this instance only until it is back',
    ]);
    client.disconnect();
  });
});
