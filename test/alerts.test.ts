import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertPayload } from '../src/alerts/alert.ts';
import { createAlertSender } from '../src/alerts/alert-sender.ts';
import { createAlerter } from '../src/alerts/alerter.ts';
import { EventLogUnavailableError } from '../src/events/log.ts';
import { createLogger } from '../src/logger.ts';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import { startAlertReceiver as startReceiver } from './helpers/alert-receiver.ts';
import type { Receiver } from './helpers/alert-receiver.ts';
import type { TestGateway } from './helpers/gateway.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function setup(
  env: Record<string, string>,
  respond?: (hit: number) => number | 'hang',
): Promise<{ t: TestGateway; receiver: Receiver }> {
  const receiver = await startReceiver(respond);
  open.push(receiver);
  const t = await startTestGateway({
    ALERT_WEBHOOK_URL: receiver.url,
    ALERT_WEBHOOK_REJECTIONS: '3',
    ALERT_WEBHOOK_REJECTIONS_WINDOW_S: '60',
    ...env,
  });
  open.push(t);
  return { t, receiver };
}

const event = (n: number) =>
  stripeCustomerEvent(
    `evt_alert${String(n).padStart(10, '0')}`,
    'customer.updated',
    stripeCustomer('cus_Alert0001', 'a@example.com', 'Alex'),
  );

describe('alerts to ALERT_WEBHOOK_URL', () => {
  it('a spike of bad signatures is one alert, and a verified delivery one recovery', async () => {
    const { t, receiver } = await setup({});
    for (let i = 0; i < 8; i++) {
      const answer = await t.postStripe(event(i), { secret: 'whsec_rotated_but_not_updated' });
      expect(answer.status).toBe(401);
    }
    await t.gateway.alerts.sender?.idle();
    expect(receiver.alerts).toHaveLength(1);
    const [firing] = receiver.alerts;
    expect(firing).toMatchObject({
      key: 'webhook-rejections:stripe',
      state: 'firing',
      severity: 'critical',
      source: 'stripe',
      service: 'switchyard',
      details: { threshold: 3, windowS: 60, lastCode: 'SIGNATURE_INVALID' },
    });
    expect(firing?.text).toContain('Webhooks from stripe are being rejected for bad signatures');
    expect(firing?.text).toContain('STRIPE_WEBHOOK_SECRET');
    expect(Date.parse(firing?.since ?? '')).toBeGreaterThan(Date.now() - 60_000);

    expect((await t.postStripe(event(100))).status).toBe(200);
    expect((await t.postStripe(event(101))).status).toBe(200);
    await t.gateway.alerts.sender?.idle();
    expect(receiver.alerts.map((a) => [a.key, a.state])).toEqual([
      ['webhook-rejections:stripe', 'firing'],
      ['webhook-rejections:stripe', 'resolved'],
    ]);
    expect(receiver.alerts[1]?.text).toBe(':white_check_mark: Resolved: Webhooks from stripe verify again.');
    expect(receiver.alerts[1]?.since).toBe(firing?.since);
  });

  it('rejections below the threshold do not alert', async () => {
    const { t, receiver } = await setup({});
    for (let i = 0; i < 3; i++)
      expect((await t.postStripe(event(i), { secret: 'whsec_wrong' })).status).toBe(401);
    await t.gateway.alerts.sender?.idle();
    expect(receiver.hits).toBe(0);
  });

  it('an event log that cannot append alerts once, and recovers once it stores again', async () => {
    const { t, receiver } = await setup({});
    const append = vi
      .spyOn(t.gateway.events, 'append')
      .mockRejectedValue(new EventLogUnavailableError('Redis at 10.0.0.9:6379 is unreachable'));
    for (let i = 0; i < 5; i++) {
      const answer = await t.postStripe(event(i));
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: { code: 'EVENT_LOG_UNAVAILABLE' } });
    }
    await t.gateway.alerts.sender?.idle();
    expect(receiver.alerts).toHaveLength(1);
    expect(receiver.alerts[0]).toMatchObject({
      key: 'event-log-unavailable',
      state: 'firing',
      severity: 'critical',
    });
    expect(receiver.alerts[0]?.text).toContain('The event log cannot append');
    append.mockRestore();
    expect((await t.postStripe(event(50))).status).toBe(200);
    await t.gateway.alerts.sender?.idle();
    expect(receiver.alerts.map((a) => [a.key, a.state])).toEqual([
      ['event-log-unavailable', 'firing'],
      ['event-log-unavailable', 'resolved'],
    ]);
  });

  it.skipIf(redisSkipReason !== null)('Redis going down alerts once', async () => {
    const redis = await startRedisServer();
    open.push({ close: () => redis.stop() });
    const { t, receiver } = await setup({ REDIS_URL: redis.url, REDIS_APPEND_TIMEOUT_MS: '200' });
    expect((await t.postStripe(event(1))).status).toBe(200);
    await redis.stop('SIGKILL');
    for (let i = 2; i < 6; i++) expect((await t.postStripe(event(i))).status).toBe(503);
    await t.gateway.alerts.sender?.idle();
    expect(receiver.alerts.map((a) => [a.key, a.state])).toEqual([['event-log-unavailable', 'firing']]);
  });

  it('a receiver failing twice then succeeding still gets the alert', async () => {
    const { t, receiver } = await setup({}, (hit) => (hit <= 2 ? 503 : 200));
    for (let i = 0; i < 4; i++) await t.postStripe(event(i), { secret: 'whsec_wrong' });
    await t.gateway.alerts.sender?.idle();
    expect(receiver.hits).toBe(3);
    expect(receiver.alerts.map((a) => a.key)).toEqual(['webhook-rejections:stripe']);
  });

  it('a hung receiver does not slow webhooks', async () => {
    const { t, receiver } = await setup({ ALERT_TIMEOUT_MS: '60000' }, () => 'hang');
    const started = Date.now();
    for (let i = 0; i < 10; i++)
      expect((await t.postStripe(event(i), { secret: 'whsec_wrong' })).status).toBe(401);
    expect((await t.postStripe(event(99))).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    await vi.waitFor(() => expect(receiver.hits).toBe(1));
  });
});

describe('alert delivery', () => {
  it('retries with backoff, then gives up, logging neither the URL credentials nor blocking', async () => {
    const receiver = await startReceiver(() => 500);
    open.push(receiver);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const url = receiver.url.replace('http://', 'http://alertbot:hunter2secret@');
    const sender = createAlertSender({
      url,
      log: createLogger('info', sink),
      timeoutMs: 1000,
      attempts: 3,
      backoffBaseMs: 5,
    });
    const alerter = createAlerter({ log: createLogger('info', sink), sender, cooldownMs: 0 });
    alerter.raise('breaker:hubspot', { source: 'hubspot', message: 'hubspot is down: its breaker opened.' });
    await sender.idle();
    expect(receiver.hits).toBe(3);
    const log = lines.join('');
    expect(log).not.toContain('hunter2secret');
    expect(log).toContain('alert delivery failed');
    expect(log).toContain('alert not delivered after 3 attempts');
    expect(log).toContain('"level":50');
    expect(log).toContain('hubspot is down: its breaker opened.');
  });

  it('keeps quiet for the cooldown when a condition flaps', () => {
    let now = 1_000_000;
    const sent: AlertPayload[] = [];
    const alerter = createAlerter({
      log: createLogger('silent'),
      sender: { send: (p) => sent.push(p), idle: async () => {}, close: () => {} },
      cooldownMs: 300_000,
      now: () => now,
    });
    alerter.raise('breaker:stripe', { source: 'stripe', message: 'stripe breaker open' });
    alerter.raise('breaker:stripe', { source: 'stripe', message: 'stripe breaker open' });
    now += 1000;
    alerter.resolve('breaker:stripe');
    now += 1000;
    alerter.raise('breaker:stripe', { source: 'stripe', message: 'stripe breaker open' });
    alerter.resolve('breaker:stripe');
    expect(sent.map((a) => a.state)).toEqual(['firing', 'resolved']);
    now += 300_000;
    alerter.raise('breaker:stripe', { source: 'stripe', message: 'stripe breaker open' });
    expect(sent.map((a) => a.state)).toEqual(['firing', 'resolved', 'firing']);
    expect(sent[2]?.since).toBe(new Date(now).toISOString());
  });
});

describe('alert settings', () => {
  it('refuses an ALERT_WEBHOOK_URL that is not http(s), without showing its password', async () => {
    const { loadConfig, ConfigError } = await import('../src/config.ts');
    const { connectors } = await import('../connectors/index.ts');
    let problems: readonly string[] = [];
    try {
      loadConfig(
        { SANDBOX: '1', ALERT_WEBHOOK_URL: 'ftp://bot:s3cretpass@alerts.example.com/x' },
        connectors,
      );
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      'ALERT_WEBHOOK_URL (ALERT_WEBHOOK_URL="ftp://***@alerts.example.com/x"): must be an http:// or https:// URL (a Slack incoming webhook, say). Fix: correct it or unset it to use the default.',
    ]);
  });
});

describe('a source outage', () => {
  it('is one alert when its breaker opens, one recovery when it closes, and shows in /metrics', async () => {
    const { t, receiver } = await setup({ BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_MS: '300' });
    const query = 'query ($id: ID!) { invoice(id: $id) { id } }';
    const listed = await t.graphql<{ invoices: { edges: { node: { id: string } }[] } }>(
      '{ invoices(first: 1) { edges { node { id } } } }',
    );
    const id = listed.data?.invoices.edges[0]?.node.id;
    if (id === undefined) throw new Error('the demo world has no invoice');
    const breakerState = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return /switchyard_upstream_breaker_state\{source="stripe",state="([a-z-]+)"\} 1/.exec(text)?.[1];
    };
    expect(await breakerState()).toBe('closed');

    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', reset: true, times: 1000 });
    for (let i = 0; i < 6; i++) await t.graphql(query, { id });
    expect(await breakerState()).toBe('open');
    await vi.waitFor(() => expect(receiver.alerts).toHaveLength(1), { timeout: 5000 });
    expect(receiver.alerts[0]).toMatchObject({
      key: 'breaker:stripe',
      state: 'firing',
      severity: 'critical',
      source: 'stripe',
    });
    expect(receiver.alerts[0]?.message).toMatch(
      /^stripe is failing: its circuit breaker opened after 2 consecutive failed calls/,
    );

    // Still down when the first probe goes: the same outage, no second alert.
    await new Promise((resolve) => setTimeout(resolve, 350));
    await t.graphql(query, { id });
    t.stripe.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await t.graphql(query, { id })).errors).toBeUndefined();
    expect(await breakerState()).toBe('closed');
    await vi.waitFor(() => expect(receiver.alerts).toHaveLength(2), { timeout: 5000 });
    expect(receiver.alerts.map((a) => [a.key, a.state])).toEqual([
      ['breaker:stripe', 'firing'],
      ['breaker:stripe', 'resolved'],
    ]);
  });
});
