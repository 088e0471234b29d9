import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { NO_RESPONSE_CACHE, startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const REQUEST_TIMEOUT_MS = 3000;
const QUERY = '{ gateway { mode } invoices(first: 1) { edges { node { id } } } }';
const LIST = 'GET /v1/invoices';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    ...NO_RESPONSE_CACHE,
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    UPSTREAM_ATTEMPT_TIMEOUT_MS: '500',
  });
});
afterAll(() => t.close());
beforeEach(async () => {
  expect((await fault('DELETE')).status).toBe(200);
  t.stripe.resetCounters();
});

async function fault(
  method: string,
  plan?: unknown,
  headers: Record<string, string> = {},
  source = 'stripe',
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${t.url}/admin/sandbox/faults/${source}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: plan === undefined ? undefined : JSON.stringify(plan),
  });
  return { status: response.status, body: await response.json() };
}

/** Runs the query; returns its answer and how long it took. */
async function timed() {
  const started = Date.now();
  const result = await t.graphql<{ gateway: unknown; invoices: unknown }>(QUERY);
  return { result, ms: Date.now() - started };
}

describe('sandbox faults at run time, through a real query', () => {
  it('a share of 5xx is retried and answered', async () => {
    const injected = await fault('POST', { endpoint: LIST, status: 503, share: 0.5 });
    expect(injected).toEqual({
      status: 200,
      body: {
        source: 'stripe',
        injected: { endpoint: LIST, status: 503, share: 0.5, times: null },
        down: false,
      },
    });
    for (let i = 0; i < 2; i++) {
      const { result } = await timed();
      expect(result.errors).toBeUndefined();
    }
    // Every second call failed: the second query's first attempt, then its retry was served.
    expect(t.stripe.counters()[LIST]).toBe(3);
  });

  it('a 429 burst with Retry-After is waited out and answered', async () => {
    await fault('POST', { endpoint: LIST, status: 429, retryAfter: 1, times: 2 });
    const { result, ms } = await timed();
    expect(result.errors).toBeUndefined();
    expect(t.stripe.counters()[LIST]).toBe(3);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
  });

  it('a Retry-After beyond the deadline fails fast with UPSTREAM_RATE_LIMITED, the rest answered', async () => {
    await fault('POST', { endpoint: LIST, status: 429, retryAfter: 60 });
    const { result, ms } = await timed();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'stripe',
      retryAfter: '60',
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^Stripe is rate limiting the gateway \(429\) and retries did not get through in time/,
    );
    expect(t.stripe.counters()[LIST]).toBe(1);
    expect(ms).toBeLessThan(1000);
  });

  it('added latency is only latency', async () => {
    await fault('POST', { endpoint: LIST, delayMs: 300 });
    const { result, ms } = await timed();
    expect(result.errors).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('connection resets end in UPSTREAM_UNAVAILABLE within the deadline', async () => {
    await fault('POST', { endpoint: LIST, reset: true });
    const { result, ms } = await timed();
    expect(result.errors?.[0]?.message).toBe('stripe could not be reached: other side closed');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'stripe' });
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
  });

  it('a hung upstream is UPSTREAM_TIMEOUT by the deadline, never a hung request', async () => {
    await fault('POST', { endpoint: LIST, hang: true });
    const { result, ms } = await timed();
    expect(result.errors?.[0]?.message).toBe('stripe did not answer GET /v1/invoices within 500 ms');
    expect(t.stripe.counters()[LIST]).toBeGreaterThan(1);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source: 'stripe' });
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  });

  it('malformed JSON and a wrong content type are UPSTREAM_BAD_RESPONSE', async () => {
    for (const plan of [{ malformed: true }, { wrongContentType: true }]) {
      await fault('DELETE');
      await fault('POST', { endpoint: LIST, ...plan });
      const { result, ms } = await timed();
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_BAD_RESPONSE',
        source: 'stripe',
      });
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
    }
  });

  it('down, then DELETE brings it back', async () => {
    expect(await fault('POST', { down: true })).toEqual({
      status: 200,
      body: { source: 'stripe', injected: null, down: true },
    });
    const { result, ms } = await timed();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'stripe' });
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(await fault('DELETE')).toEqual({ status: 200, body: { source: 'stripe', cleared: true } });
    expect((await timed()).result.errors).toBeUndefined();
  });
});

describe('the fault route refuses', () => {
  it('a bad plan with BAD_USER_INPUT', async () => {
    expect(await fault('POST', { status: 200 })).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Invalid fault plan: status: Too small: expected number to be >=400.',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      },
    });
    const unknown = await fault('POST', { stauts: 500 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('stauts');
    const notJson = await fetch(`${t.url}/admin/sandbox/faults/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      errors: [{ message: 'The fault plan is not JSON.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('a plan that is not sent as JSON with 415 (no cross-site form can post one)', async () => {
    const form = await fetch(`${t.url}/admin/sandbox/faults/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ down: true }),
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      errors: [
        {
          message: 'Send the fault plan with Content-Type: application/json.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    expect(t.stripe.faults.down).toBe(false);
  });

  it('other methods with 405, unknown sources with 404', async () => {
    const get = await fetch(`${t.url}/admin/sandbox/faults/stripe`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, DELETE');
    expect(await fault('POST', { status: 500 }, {}, 'nope')).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Nothing at /admin/sandbox/faults/nope.' } },
    });
  });
});

describe('the fault route outside the open sandbox', () => {
  it('needs the admin scope', async () => {
    const admin = 'gw_admin_0123456789abcdef';
    const reader = 'gw_reader_0123456789abcdef';
    const g = await startTestGateway({ GATEWAY_API_KEYS: `${admin}:admin;${reader}:billing` });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${g.url}/admin/sandbox/faults/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ status: 503 }),
        });
      const anonymous = await post({});
      expect(anonymous.status).toBe(401);
      expect(
        ((await anonymous.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions,
      ).toEqual({
        code: 'UNAUTHENTICATED',
      });
      const forbidden = await post({ authorization: `Bearer ${reader}` });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toEqual({
        errors: [
          { message: 'Injecting sandbox faults needs the admin scope.', extensions: { code: 'FORBIDDEN' } },
        ],
      });
      expect(g.stripe.counters()).toEqual({});
      expect((await post({ authorization: `Bearer ${admin}` })).status).toBe(200);
    } finally {
      await g.close();
    }
  });

  it('is 404 when nothing runs in the sandbox', async () => {
    const env = { LOG_LEVEL: 'silent', SANDBOX: '0', DEMO_EVENTS: '0' };
    const config = loadConfig(env, connectors);
    const gateway = await createGateway({ config, connectors, log: createLogger('silent'), env });
    try {
      const url = await gateway.listen(0, '127.0.0.1');
      const response = await fetch(`${url}/admin/sandbox/faults/stripe`, {
        method: 'POST',
        body: JSON.stringify({ down: true }),
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'Nothing at /admin/sandbox/faults/stripe.' },
      });
    } finally {
      await gateway.close();
    }
  });
});
