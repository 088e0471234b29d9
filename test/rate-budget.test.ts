import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { readHubSpotRateLimit } from '../connectors/hubspot/rate-limit.ts';
import { readShopifyRateLimit } from '../connectors/shopify/rate-limit.ts';
import { readZendeskRateLimit } from '../connectors/zendesk/rate-limit.ts';
import { stripe } from '../connectors/stripe/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { GatewayError } from '../src/errors.ts';
import { createRateBudget } from '../src/upstream/rate-budget.ts';
import { parseRateLimit } from '../src/upstream/rate-limit.ts';
import { createRequestRetryBudget } from '../src/upstream/request-retry-budget.ts';
import type { UpstreamResponse } from '../src/upstream/types.ts';

const response = (headers: Record<string, string>, json?: unknown): UpstreamResponse => ({
  status: 200,
  headers,
  text: '',
  json,
  attempts: 1,
});

describe('rate limit settings', () => {
  it('reads calls per window, and off', () => {
    expect(parseRateLimit('25/s')).toEqual({ limit: 25, windowMs: 1000 });
    expect(parseRateLimit('700/min')).toEqual({ limit: 700, windowMs: 60_000 });
    expect(parseRateLimit('190/10s')).toEqual({ limit: 190, windowMs: 10_000 });
    expect(parseRateLimit(' 40000 / h ')).toEqual({ limit: 40_000, windowMs: 3_600_000 });
    expect(parseRateLimit('OFF')).toBe('off');
    for (const bad of ['fast', '0/s', '25', '25/fortnight', '-1/s', '5/1ms', '2.5/s']) {
      expect(parseRateLimit(bad), bad).toBeUndefined();
    }
  });

  it('refuses a bad <SOURCE>_RATE_LIMIT at start-up, saying how to write one', () => {
    let error: unknown;
    try {
      loadConfig({ STRIPE_RATE_LIMIT: 'fast', HUBSPOT_RATE_LIMIT: '0/s' }, connectors);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const hint =
      'must be calls per window such as 25/s, 700/min, 190/10s or 40000/h (window from 100 ms to a day), or off. Fix: correct it or unset it to use the default.';
    expect((error as ConfigError).problems).toEqual([
      `STRIPE_RATE_LIMIT (STRIPE_RATE_LIMIT="fast"): ${hint}`,
      `HUBSPOT_RATE_LIMIT (HUBSPOT_RATE_LIMIT="0/s"): ${hint}`,
    ]);
  });

  it('follows the user’s setting over the published limit, whatever the key’s mode', () => {
    const options = (env: Record<string, string>) => stripe.upstream(stripe.config.parse(env));
    expect(options({ STRIPE_API_KEY: 'sk_test_x' }).rateLimit).toEqual({ limit: 25, windowMs: 1000 });
    expect(options({ STRIPE_API_KEY: 'sk_live_x' }).rateLimit).toEqual({ limit: 100, windowMs: 1000 });
    expect(options({ STRIPE_API_KEY: 'sk_live_x', STRIPE_RATE_LIMIT: '10/s' }).rateLimit).toEqual({
      limit: 10,
      windowMs: 1000,
    });
    expect(options({ STRIPE_API_KEY: 'sk_test_x', STRIPE_RATE_LIMIT: 'off' }).rateLimit).toBeUndefined();
  });
});

describe('live rate-limit readings', () => {
  it('reads HubSpot’s X-HubSpot-RateLimit-* headers', () => {
    expect(
      readHubSpotRateLimit(
        response({
          'x-hubspot-ratelimit-max': '100',
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
          'x-hubspot-ratelimit-remaining': '0',
          'x-hubspot-ratelimit-daily-remaining': '5000',
        }),
      ),
    ).toEqual({ remaining: 0, resetMs: 10_000, limit: { limit: 100, windowMs: 10_000 } });
  });

  it('reads Zendesk’s X-Rate-Limit headers, and the IETF ratelimit-* ones first', () => {
    expect(readZendeskRateLimit(response({ 'x-rate-limit': '200', 'x-rate-limit-remaining': '3' }))).toEqual({
      remaining: 3,
      limit: { limit: 200, windowMs: 60_000 },
    });
    expect(
      readZendeskRateLimit(
        response({ 'ratelimit-limit': '400', 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }),
      ),
    ).toEqual({ remaining: 0, resetMs: 7000, limit: { limit: 400, windowMs: 60_000 } });
  });

  it('reads Shopify’s cost bucket: no room for another query of the same cost waits for the refill', () => {
    const cost = (currentlyAvailable: number) => ({
      extensions: {
        cost: {
          requestedQueryCost: 102,
          actualQueryCost: 12,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable, restoreRate: 50 },
        },
      },
    });
    expect(readShopifyRateLimit(response({}, cost(500)))).toEqual({ remaining: 1 });
    expect(readShopifyRateLimit(response({}, cost(2)))).toEqual({ remaining: 0, resetMs: 2025 });
    expect(readShopifyRateLimit(response({}, { data: {} }))).toBeUndefined();
    // THROTTLED is Shopify's 429: its own call's retry waits it out.
    const throttled = { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], ...cost(2) };
    expect(readShopifyRateLimit(response({}, throttled))).toBeUndefined();
  });
});

describe('createRateBudget', () => {
  it('lets calls start in FIFO order, at most `limit` per window', async () => {
    const budget = createRateBudget({ source: 'api', rate: { limit: 2, windowMs: 200 } });
    const started: [number, number][] = [];
    const t0 = Date.now();
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        budget.take(Date.now() + 5000).then(() => {
          started.push([i, Date.now() - t0]);
        }),
      ),
    );
    expect(started.map(([i]) => i)).toEqual([0, 1, 2, 3, 4]);
    const times = started.map(([, ms]) => ms);
    expect(times[1]).toBeLessThan(100);
    expect(times[2]).toBeGreaterThanOrEqual(195);
    expect(times[4]).toBeGreaterThanOrEqual(395);
  });

  it('refuses at once a call that cannot start before its deadline, and counts it', async () => {
    const refused: string[] = [];
    const budget = createRateBudget({
      source: 'api',
      rate: { limit: 1, windowMs: 60_000 },
      onRefused: (source) => refused.push(source),
    });
    await budget.take(Date.now() + 1000);
    const start = Date.now();
    const error = await budget.take(Date.now() + 1000).catch((e: unknown) => e);
    expect(Date.now() - start).toBeLessThan(50);
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', source: 'api' });
    expect(gatewayError.message).toMatch(
      /^The gateway is holding calls to api under its rate limit \(1\/min\) and this call could not start within the \d+ ms left to the request; retry after \d{4}-\d\d-\d\dT[\d:.]+Z\.$/,
    );
    const retryAt = Date.parse(String(gatewayError.extensions['retryAt']));
    expect(retryAt).toBeGreaterThan(Date.now() + 55_000);
    expect(refused).toEqual(['api']);
    budget.close();
  });

  it('lets an aborted caller leave the queue, and the next one take its place', async () => {
    // Counted as 200 ms: the budget pads short windows by 100 ms.
    const budget = createRateBudget({ source: 'api', rate: { limit: 1, windowMs: 100 } });
    await budget.take(Date.now() + 5000);
    const controller = new AbortController();
    const leaving = budget.take(Date.now() + 5000, controller.signal);
    const staying = budget.take(Date.now() + 5000);
    expect(budget.status().queued).toBe(2);
    controller.abort(new Error('client went away'));
    await expect(leaving).rejects.toThrow('client went away');
    expect(budget.status().queued).toBe(1);
    const start = Date.now();
    await staying;
    expect(Date.now() - start).toBeLessThan(300);
  });

  it('lowers its rate to a lower live limit, never above the configured one, and pauses when none remain', async () => {
    const budget = createRateBudget({
      source: 'api',
      rate: { limit: 100, windowMs: 1000 },
      read: (r) => ({
        remaining: Number(r.headers['remaining']),
        resetMs: 300,
        limit: { limit: Number(r.headers['limit']), windowMs: 1000 },
      }),
    });
    budget.observe(response({ limit: '1000', remaining: '5' }));
    expect(budget.status().limit).toBe('100/s');
    budget.observe(response({ limit: '10', remaining: '5' }));
    expect(budget.status().limit).toBe('10/s');
    budget.observe(response({ limit: '10', remaining: '0' }));
    expect(budget.status().pausedUntil).toBeDefined();
    const start = Date.now();
    await budget.take(Date.now() + 5000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('pauses on the answer that took the last slot, not on a 429 (its own retry honours Retry-After)', () => {
    const budget = createRateBudget({
      source: 'api',
      rate: { limit: 100, windowMs: 1000 },
      read: () => ({ remaining: 0 }),
    });
    budget.observe({ ...response({ 'retry-after': '30' }), status: 429 });
    expect(budget.status().pausedUntil).toBeUndefined();
    budget.observe(response({ 'retry-after': '30' }));
    const until = Date.parse(budget.status().pausedUntil ?? '');
    expect(until - Date.now()).toBeGreaterThan(29_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30_000);
    budget.close();
  });
});

describe('createRequestRetryBudget', () => {
  it('spends at most N retries, and none with 0', () => {
    const two = createRequestRetryBudget(2);
    expect([two.tryRetry(), two.tryRetry(), two.tryRetry()]).toEqual([true, true, false]);
    expect(createRequestRetryBudget(0).tryRetry()).toBe(false);
  });
});
