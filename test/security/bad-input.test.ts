import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENV, authCases } from './cases/auth.ts';
import { graphqlHttpCases } from './cases/graphql-http.ts';
import { webhookCases } from './cases/webhooks.ts';
import { websocketCases } from './cases/websocket.ts';
import { leaksIn, logLeaks, startTarget } from './harness.ts';
import type { HostileCase, SetupName, Target } from './harness.ts';

/**
 * The bad-input suite: hostile and malformed inputs thrown at running gateways
 * over real sockets. Each case asserts the status or close code and the error
 * code, that nothing was published, and that nothing leaked (no secret, stack
 * trace, file path or network detail in the response); at the end, that no
 * log line holds a secret. It prints one summary line with the figures.
 */

/** Known secrets, so a leak of any of them is caught. */
const SECRETS = {
  STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('hex')}`,
  HUBSPOT_WEBHOOK_SECRET: `hubspot-${randomBytes(16).toString('hex')}`,
  ZENDESK_WEBHOOK_SECRET: `zendesk-${randomBytes(16).toString('hex')}`,
  SHOPIFY_WEBHOOK_SECRET: `shopify-${randomBytes(16).toString('hex')}`,
  APP_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
};

const SETUPS: Record<SetupName, Record<string, string>> = {
  production: { NODE_ENV: 'production', ...SECRETS, ...AUTH_ENV, RATE_LIMIT_PER_MINUTE: '100000' },
  development: { NODE_ENV: 'development', ...SECRETS },
  'rate-limited': { NODE_ENV: 'production', ...SECRETS, ...AUTH_ENV, RATE_LIMIT_PER_MINUTE: '5' },
};

const cases: HostileCase[] = [...authCases, ...graphqlHttpCases, ...webhookCases, ...websocketCases];

interface Outcome {
  refused: boolean;
  published: number;
  leaks: string[];
}

const targets = new Map<SetupName, Target>();
const outcomes: Outcome[] = [];

beforeAll(async () => {
  for (const name of new Set(cases.map((c) => c.setup ?? 'production'))) {
    targets.set(name, await startTarget(name, SETUPS[name]));
  }
}, 60_000);

afterAll(async () => {
  const tried = outcomes.length;
  const refused = outcomes.filter((o) => o.refused).length;
  const published = outcomes.reduce((sum, o) => sum + o.published, 0);
  const leaked = outcomes.filter((o) => o.leaks.length > 0).length;
  const logLeaked = [...targets.values()].flatMap(logLeaks);
  console.log(
    `[security] bad-input suite: ${tried} inputs tried, ${refused} refused as expected, ${published} published, ${leaked + logLeaked.length} leaked`,
  );
  await Promise.all([...targets.values()].map((t) => t.close()));
  expect(logLeaked).toEqual([]);
}, 60_000);

const matches = (expected: number | readonly number[] | undefined, actual: number | undefined) =>
  expected === undefined ||
  (typeof expected === 'number' ? expected === actual : expected.includes(actual ?? NaN));

describe('bad-input suite', () => {
  it('throws at least 200 hostile inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  for (const c of cases) {
    it(`${c.area}: ${c.name}`, async () => {
      const target = targets.get(c.setup ?? 'production');
      if (!target) throw new Error('no target');
      await c.prepare?.(target);
      const before = target.published();
      const observed = await c.run(target);
      // Let the event log's fan-out reach the watcher before counting.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const published = target.published() - before;
      const refused =
        matches(c.expect.status, observed.status) &&
        matches(c.expect.close, observed.close) &&
        !(c.expect.absent?.test(observed.text) ?? false) &&
        (c.expect.present?.test(observed.text) ?? true) &&
        (c.expect.code === undefined ||
          (typeof c.expect.code === 'string' ? [c.expect.code] : c.expect.code).some((code) =>
            observed.codes.includes(code),
          ));
      const leaks = leaksIn(target, observed.text);
      outcomes.push({ refused, published, leaks });
      expect({
        status: observed.status,
        close: observed.close,
        codes: observed.codes,
        text: observed.text.slice(0, 600),
      }).toMatchObject({
        ...(c.expect.status === undefined || typeof c.expect.status !== 'number'
          ? {}
          : { status: c.expect.status }),
        ...(c.expect.close === undefined || typeof c.expect.close !== 'number'
          ? {}
          : { close: c.expect.close }),
      });
      expect(refused, `outcome ${JSON.stringify({ ...observed, text: observed.text.slice(0, 400) })}`).toBe(
        true,
      );
      expect(published).toBe(c.expect.published ?? 0);
      expect(leaks).toEqual([]);
    });
  }
});
