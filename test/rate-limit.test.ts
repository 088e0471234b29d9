import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, rateLimitKey } from '../src/auth/rate-limit.ts';
import { ANONYMOUS } from '../src/auth/principal.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, gql, wsClient } from './helpers/auth.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

describe('the token bucket', () => {
  it('allows a burst of a minute budget, then one more per 60/limit seconds', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ perMinute: 3, now: () => now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 20 });
    expect(limiter.peek('a')).toBe(false);
    expect(limiter.take('b')).toEqual({ ok: true });
    now += 5_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 15 });
    now += 15_000;
    expect(limiter.peek('a')).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 20 });
    now += 10 * 60_000;
    // Refills up to the budget, not beyond.
    expect(
      [limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.ok),
    ).toEqual([true, true, true, false]);
  });

  it('is off at 0, and keys anonymous clients by address', () => {
    const off = new RateLimiter({ perMinute: 0 });
    for (let i = 0; i < 1000; i++) expect(off.take('a')).toEqual({ ok: true });
    expect(rateLimitKey(ANONYMOUS, '10.0.0.7')).toBe('ip:10.0.0.7');
    expect(rateLimitKey({ id: 'key:0badf00d', kind: 'key', scopes: new Set() }, '10.0.0.7')).toBe(
      'key:0badf00d',
    );
  });

  it('forgets idle clients once their bucket is full again, so memory stays bounded', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 1, now: () => now });
    for (let i = 0; i < 10_000; i++) limiter.take(`ip:${i}`);
    expect(limiter.size).toBe(10_000);
    now += 30_000;
    // Half refilled: still remembered (forgetting them would hand out a fresh budget).
    limiter.take('ip:half');
    expect(limiter.size).toBe(10_001);
    now += 30_000;
    limiter.take('ip:new');
    expect(limiter.size).toBe(2);
  });
});

describe('the rate limit on a running gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ GATEWAY_API_KEYS, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  const query = (key: string) => gql(fetch, t.url, '{ gateway { version } }', { authorization: bearer(key) });

  it('answers 429 RATE_LIMITED with Retry-After once a key spent its budget, over HTTP and graphql-ws together', async () => {
    expect((await query(KEYS.billing)).status).toBe(200);
    const socket = wsClient(t.url, { authorization: bearer(KEYS.billing) });
    await socket.acked;
    const run = (q: string) =>
      new Promise<unknown>((resolve) => {
        socket.client.subscribe(
          { query: q },
          { next: (value) => resolve(value), error: (error) => resolve({ error }), complete: () => {} },
        );
      });
    expect(await run('{ gateway { version } }')).toMatchObject({ data: { gateway: {} } });
    expect(await run('{ gateway { version } }')).toMatchObject({ data: { gateway: {} } });
    const limited = {
      message: 'Too many operations: this client may run 3 a minute. Retry in 20 s.',
      extensions: { code: 'RATE_LIMITED', retryAfter: 20 },
    };
    // A query and a subscription over budget get an error message; the socket stays open.
    expect(await run('{ gateway { version } }')).toEqual({ error: [limited] });
    expect(await run('subscription { heartbeat(intervalMs: 100) { tick } }')).toEqual({ error: [limited] });
    const http = await query(KEYS.billing);
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe('20');
    expect(http.body).toEqual({ errors: [limited] });
    // Another key has its own budget.
    expect((await query(KEYS.crm)).status).toBe(200);
    const stillOpen = await Promise.race([
      socket.closed,
      new Promise((r) => setTimeout(() => r('open'), 200)),
    ]);
    expect(stillOpen).toBe('open');
    await socket.client.dispose();
  });

  it('does not spend budget on requests it refuses as unauthenticated', async () => {
    for (let i = 0; i < 5; i++) {
      expect(
        (await gql(fetch, t.url, '{ gateway { version } }', { authorization: bearer('x'.repeat(20)) }))
          .status,
      ).toBe(401);
    }
    expect((await query(KEYS.reads)).status).toBe(200);
  });
});

describe('the rate limit of anonymous clients', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '1' });
  });
  afterAll(() => t.close());

  it('counts per client address', async () => {
    expect((await t.graphql('{ gateway { version } }')).errors).toBeUndefined();
    const second = await gql(fetch, t.url, '{ gateway { version } }');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('60');
    expect(second.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 60 });
  });
});
