import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { bannerLines } from '../src/banner.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { GatewayMetrics } from '../src/metrics/metrics.ts';
import { Redactor } from '../src/redact.ts';
import { collect, startTestGateway, stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

/** The value of one sample of the exposition `text`, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.length === have.length && wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return 0;
}

const customer = (email: string) => stripeCustomer('cus_MetricsTest0001', email, 'Metrics Test');

describe('/metrics in development', () => {
  let t: TestGateway;
  const scrape = async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('exposes the default process metrics under the switchyard_ prefix', async () => {
    const text = await scrape();
    expect(text).toMatch(/^switchyard_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^# TYPE switchyard_upstream_calls_total counter$/m);
  });

  it('counts operations, errors by code, upstream calls by outcome, retries and 429s', async () => {
    const before = await scrape();
    const ok = await t.graphql('query Invoices { invoices(first: 2) { edges { node { id } } } }');
    expect(ok.errors).toBeUndefined();
    // A 429 then a success: one call, one retry, one 429.
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices', status: 429, retryAfter: 0, times: 1 });
    expect((await t.graphql('{ invoices(first: 1) { edges { node { id } } } }')).errors).toBeUndefined();
    // 503 on every attempt: 4 attempts (3 retries), one failed call, UPSTREAM_UNAVAILABLE.
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', status: 503, times: 10 });
    const failed = await t.graphql('{ invoice(id: "in_any") { id } }');
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('switchyard_graphql_operations_total', { type: 'query' })).toBe(3);
    expect(delta('switchyard_graphql_errors_total', { type: 'query', code: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(delta('switchyard_graphql_operation_duration_seconds_count', { type: 'query' })).toBe(3);
    expect(delta('switchyard_upstream_calls_total', { source: 'stripe', outcome: 'ok' })).toBe(2);
    expect(delta('switchyard_upstream_calls_total', { source: 'stripe', outcome: 'server_error' })).toBe(1);
    expect(delta('switchyard_upstream_retries_total', { source: 'stripe' })).toBe(4);
    expect(delta('switchyard_upstream_rate_limited_total', { source: 'stripe' })).toBe(1);
    expect(delta('switchyard_upstream_attempt_duration_seconds_count', { source: 'stripe' })).toBe(7);
  });

  it('counts webhooks received, appended, deduplicated and rejected by reason, and append latency', async () => {
    const before = await scrape();
    const body = stripeCustomerEvent(
      `evt_metrics_${Date.now()}`,
      'customer.updated',
      customer('m@example.com'),
    );
    expect((await t.postStripe(body)).status).toBe(200);
    expect((await t.postStripe(body)).body).toMatchObject({ stored: 0, duplicates: 1 });
    const forged = await t.postStripe(body, { secret: 'whsec_not_the_right_one' });
    expect(forged).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('switchyard_webhooks_received_total', { source: 'stripe' })).toBe(3);
    expect(delta('switchyard_webhook_events_appended_total', { source: 'stripe' })).toBe(1);
    expect(delta('switchyard_webhook_events_deduplicated_total', { source: 'stripe' })).toBe(1);
    expect(
      delta('switchyard_webhooks_rejected_total', { source: 'stripe', reason: 'SIGNATURE_INVALID' }),
    ).toBe(1);
    expect(delta('switchyard_event_log_append_duration_seconds_count', { outcome: 'ok' })).toBe(2);
    // The one stored event went live once; the duplicate and the forgery never did.
    expect(delta('switchyard_event_log_tail_lag_seconds_count')).toBe(1);
    expect(delta('switchyard_event_log_tail_lag_seconds_bucket', { le: '0.05' })).toBe(1);
  });

  it('shows open graphql-ws connections and running subscriptions', async () => {
    const sub = collect(t.ws(), 'subscription { events { id } }', {}, 1, 30_000);
    // Cancelled below, before any event: that ending is expected.
    sub.done.catch(() => {});
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await scrape();
      if (sample(text, 'switchyard_subscriptions_active') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sample(text, 'switchyard_websocket_connections')).toBe(1);
    expect(sample(text, 'switchyard_subscriptions_active')).toBe(1);
    expect(sample(text, 'switchyard_subscription_executions_active')).toBe(1);
    sub.cancel();
  });
});

describe('/metrics in production', () => {
  const base = { NODE_ENV: 'production', ALLOW_ANONYMOUS: '1', SANDBOX: '1' };
  const token = 'metrics-token-0123456789abcdef';

  it('is refused with 403 FORBIDDEN without METRICS_TOKEN or METRICS_PUBLIC', async () => {
    const t = await startTestGateway(base);
    try {
      const response = await fetch(`${t.url}/metrics`);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        errors: [
          {
            message:
              '/metrics is off in production until it is protected: set METRICS_TOKEN (then send Authorization: Bearer <token>), or METRICS_PUBLIC=1 if only your scraper can reach this port.',
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
    } finally {
      await t.close();
    }
  });

  it('needs the Bearer METRICS_TOKEN when it is set, and never shows it', async () => {
    const t = await startTestGateway({ ...base, METRICS_TOKEN: token });
    try {
      for (const authorization of [
        undefined,
        'Bearer wrong-token-0123456789abcd',
        `Basic ${token}`,
        `Bearer ${token}x`,
      ]) {
        const response = await fetch(`${t.url}/metrics`, {
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        expect(await response.json()).toEqual({
          errors: [
            {
              message: '/metrics needs the metrics token: send Authorization: Bearer <METRICS_TOKEN>.',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
      }
      const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('switchyard_graphql_operations_total');
      expect(text).not.toContain(token);
      const post = await fetch(`${t.url}/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(post.status).toBe(405);
    } finally {
      await t.close();
    }
  });

  it('says at start-up how /metrics is protected, without the token', async () => {
    const cases: [Record<string, string>, string][] = [
      [base, 'refused: production without METRICS_TOKEN (set it, or METRICS_PUBLIC=1)'],
      [{ ...base, METRICS_TOKEN: token }, 'needs METRICS_TOKEN as a Bearer token'],
      [
        { ...base, METRICS_PUBLIC: '1' },
        'open to anyone who reaches this port (set METRICS_TOKEN to require a token)',
      ],
    ];
    for (const [env, said] of cases) {
      const t = await startTestGateway(env);
      try {
        const config = loadConfig({ LOG_LEVEL: 'silent', SANDBOX: '1', ...env }, connectors);
        const lines = bannerLines(t.gateway, config.core, t.url, new Redactor([token]));
        expect(lines).toContain(`  metrics ${t.url}/metrics: ${said}`);
        expect(lines.join('\n')).not.toContain(token);
      } finally {
        await t.close();
      }
    }
  });

  it('is open with METRICS_PUBLIC=1', async () => {
    const t = await startTestGateway({ ...base, METRICS_PUBLIC: '1' });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('refuses conflicting or weak settings at start-up', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, connectors);
        return [];
      } catch (error) {
        return error instanceof ConfigError ? [...error.problems] : [String(error)];
      }
    };
    expect(problems({ ...base, METRICS_PUBLIC: '1', METRICS_TOKEN: token })).toEqual([
      'METRICS_PUBLIC=1 and METRICS_TOKEN are both set: /metrics cannot be both open and token-protected. Fix: unset one of them.',
    ]);
    expect(problems({ ...base, METRICS_TOKEN: 'short' })).toHaveLength(1);
    expect(problems({ ...base, METRICS_TOKEN: 'short' })[0]).toMatch(
      /^METRICS_TOKEN.*at least 16 characters/,
    );
  });
});

describe('GatewayMetrics webhook counts', () => {
  const ok = (stored: number, duplicates: number) => ({
    status: 200,
    body: { received: stored + duplicates, stored, duplicates, events: [] },
  });

  it('shows at every scrape exactly the deliveries, stored and duplicate events counted so far', async () => {
    const metrics = new GatewayMetrics();
    const counts = async () => {
      const text = await metrics.registry.metrics();
      return ['stripe', 'hubspot'].map((source) => [
        sample(text, 'switchyard_webhooks_received_total', { source }),
        sample(text, 'switchyard_webhook_events_appended_total', { source }),
        sample(text, 'switchyard_webhook_events_deduplicated_total', { source }),
        sample(text, 'switchyard_webhooks_rejected_total', { source, reason: 'SIGNATURE_INVALID' }),
      ]);
    };
    expect(await counts()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    metrics.webhook('stripe', ok(1, 0));
    metrics.webhook('stripe', ok(0, 1));
    metrics.webhook('hubspot', ok(3, 2));
    metrics.webhook('stripe', { status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });
    expect(await counts()).toEqual([
      [3, 1, 1, 1],
      [1, 3, 2, 0],
    ]);
    expect(await counts()).toEqual([
      [3, 1, 1, 1],
      [1, 3, 2, 0],
    ]);
    metrics.webhook('stripe', ok(1, 0));
    expect((await metrics.webhooksReceived.get()).values).toEqual([
      { labels: { source: 'stripe' }, value: 4 },
      { labels: { source: 'hubspot' }, value: 1 },
    ]);
    expect(await counts()).toEqual([
      [4, 2, 1, 1],
      [1, 3, 2, 0],
    ]);
  });

  it('measures tail lag from the stamp of each batch', async () => {
    const metrics = new GatewayMetrics();
    const at = Date.UTC(2025, 0, 1);
    const batch = (ms: number) => [{ receivedAt: new Date(at + ms).toISOString() }] as never;
    metrics.liveBatch(batch(0), at + 2_000);
    metrics.liveBatch(batch(0), at + 3_000);
    metrics.liveBatch(batch(1_000), at + 1_500);
    metrics.liveBatch(batch(5_000), at + 1_000);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'switchyard_event_log_tail_lag_seconds_count')).toBe(4);
    expect(sample(text, 'switchyard_event_log_tail_lag_seconds_sum')).toBe(5.5);
    expect(sample(text, 'switchyard_event_log_tail_lag_seconds_bucket', { le: '0.5' })).toBe(2);
  });
});
