import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { guardedLookup } from '../src/outbound/address-guard.ts';
import { retryDelayMs } from '../src/outbound/retry-schedule.ts';
import { createSender } from '../src/outbound/sender.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, gql } from './helpers/auth.ts';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { startReceiver } from './helpers/receiver.ts';

const CREATE = `mutation ($url: String!) { createWebhookEndpoint(input: { url: $url }) { secret } }`;

function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ SANDBOX: '1', ...env }, connectors);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('outbound guards', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({});
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    [
      'http://169.254.169.254/latest/meta-data',
      "The URL's host 169.254.169.254 is a link-local, metadata or reserved address, which is never allowed.",
    ],
    [
      'http://[fd00:ec2::254]/',
      "The URL's host fd00:ec2::254 is a link-local, metadata or reserved address, which is never allowed.",
    ],
    [
      'http://[::ffff:169.254.169.254]/',
      "The URL's host ::ffff:a9fe:a9fe is a link-local, metadata or reserved address, which is never allowed.",
    ],
    [
      'http://127.0.0.1:9/hook',
      "The URL's host 127.0.0.1 is a loopback or private address (set OUTBOUND_ALLOW_PRIVATE=1 to allow those).",
    ],
    [
      'http://10.1.2.3/hook',
      "The URL's host 10.1.2.3 is a loopback or private address (set OUTBOUND_ALLOW_PRIVATE=1 to allow those).",
    ],
    [
      'http://localhost:4000/hook',
      "The URL's host localhost is loopback (set OUTBOUND_ALLOW_PRIVATE=1 to allow those).",
    ],
    ['ftp://example.com/hook', 'ftp URLs are not allowed: only http:// and https:// endpoints are.'],
    ['file:///etc/passwd', 'file URLs are not allowed: only http:// and https:// endpoints are.'],
    [
      'http://user:pw@example.com/',
      'The URL carries credentials: leave them out (receivers verify the webhook-signature header instead).',
    ],
    ['not a url', '"not a url" is not a URL: give an absolute http:// or https:// URL.'],
  ])('refuses %s at creation with BAD_USER_INPUT', async (url, message) => {
    const result = await t.graphql(CREATE, { url });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message,
      extensions: { code: 'BAD_USER_INPUT', argument: 'url' },
    });
  });

  it('refuses an address a name resolves to at connection time (after DNS)', async () => {
    const lookup = guardedLookup(false);
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(
      /^localhost resolves to (127\.0\.0\.1|::1) is a loopback or private address/,
    );
    const allowed = await new Promise<Error | null>((resolve) =>
      guardedLookup(true)('localhost', {}, (e) => resolve(e)),
    );
    expect(allowed).toBeNull();
  });

  it('does not follow redirects, and times out', async () => {
    const r = await startReceiver();
    try {
      r.answer = (n) =>
        n === 0
          ? { status: 302, headers: { location: 'http://169.254.169.254/' } }
          : { status: 200, delayMs: 500 };
      const sender = createSender({ timeoutMs: 200, allowPrivate: true });
      const redirected = await sender.send(r.url, {}, '{}');
      expect(redirected).toMatchObject({
        status: 302,
        error: 'HTTP 302: redirects are not followed (to http://169.254.169.254/); give the final URL',
      });
      const slow = await sender.send(r.url, {}, '{}');
      expect(slow).toMatchObject({ status: null, error: 'no response within 200 ms' });
      expect(r.received).toHaveLength(2);
      const refused = await createSender({ timeoutMs: 200, allowPrivate: false }).send(r.url, {}, '{}');
      expect(refused.error).toBe(
        "refused: The URL's host 127.0.0.1 is a loopback or private address (set OUTBOUND_ALLOW_PRIVATE=1 to allow those).",
      );
      expect(r.received).toHaveLength(2);
      await sender.close();
    } finally {
      await r.close();
    }
  });

  it('keeps each retry delay within ±20% of the schedule', () => {
    const schedule = [5000, 300_000];
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(4000);
    expect(retryDelayMs(schedule, 1, () => 0.999999)).toBe(6000);
    expect(retryDelayMs(schedule, 2, () => 0.5)).toBe(300_000);
    expect(retryDelayMs(schedule, 3, () => 0.5)).toBeNull();
    for (let i = 0; i < 1000; i++) {
      const d = retryDelayMs(schedule, 2) ?? 0;
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(360_000);
    }
  });

  it('refuses a filter naming a source the gateway does not have', async () => {
    const result = await t.graphql(
      'mutation { createWebhookEndpoint(input: { url: "https://192.0.2.10/", filter: { sources: ["strpe"] } }) { secret } }',
    );
    expect(result.errors?.[0]).toMatchObject({
      message:
        'Argument "filter.sources" names no source of this gateway: "strpe". Use one of stripe, app, zendesk, hubspot, shopify.',
      extensions: { code: 'BAD_USER_INPUT', argument: 'filter.sources' },
    });
  });

  it('refuses unknown ids and ids of other types with BAD_USER_INPUT', async () => {
    const unknown = Buffer.from('WebhookEndpoint:ep_nope').toString('base64url');
    const result = await t.graphql('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: unknown });
    expect(result.errors?.[0]).toMatchObject({
      message: 'No webhook endpoint has this id: pass the `id` of one listed by webhookEndpoints.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const other = Buffer.from('Invoice:in_1').toString('base64url');
    const wrong = await t.graphql('mutation ($id: ID!) { retryWebhookDelivery(id: $id) { id } }', {
      id: other,
    });
    expect(wrong.errors?.[0]).toMatchObject({
      message: 'Argument "id" is the id of an Invoice, not of a WebhookDelivery.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const delivery = Buffer.from('WebhookDelivery:msg_nope').toString('base64url');
    const missing = await t.graphql('mutation ($id: ID!) { retryWebhookDelivery(id: $id) { id } }', {
      id: delivery,
    });
    expect(missing.errors?.[0]?.message).toBe(
      'No webhook delivery has this id: pass the `id` of one listed by WebhookEndpoint.deliveries.',
    );
  });
});

describe('outbound needs the admin scope', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ GATEWAY_API_KEYS });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a key without admin (FORBIDDEN, 403 body code) and lets `*` in', async () => {
    const fetcher = (url: string, init: RequestInit) => fetch(url, init);
    const refused = await gql(fetcher, t.url, '{ webhookEndpoints { id } }', {
      authorization: bearer(KEYS.billing),
    });
    expect(refused.body.errors?.[0]).toMatchObject({
      message: 'Your credentials may not manage outbound webhooks: that needs the "admin" scope.',
      extensions: { code: 'FORBIDDEN', scope: 'admin' },
    });
    const mutation = await gql(fetcher, t.url, CREATE, {
      authorization: bearer(KEYS.reads),
      variables: { url: 'https://example.com/' },
    });
    expect(mutation.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const admin = await gql(fetcher, t.url, '{ webhookEndpoints { id } }', {
      authorization: bearer(KEYS.all),
    });
    expect(admin.body).toEqual({ data: { webhookEndpoints: [] } });
  });
});

describe('outbound settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-outbound-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('lists every problem of a bad endpoints file and schedule at start-up', () => {
    const path = file('bad.json', {
      endpoints: [
        { id: 'a', url: 'https://example.com/a', secret: 'whsec_c2hvcnQ=' },
        {
          id: 'a',
          url: 'https://example.com/b',
          secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
          extra: 1,
        },
      ],
    });
    const problems = configProblems({ OUTBOUND_ENDPOINTS_FILE: path, OUTBOUND_RETRY_SCHEDULE: '5,x,-1' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(
      `OUTBOUND_ENDPOINTS_FILE (OUTBOUND_ENDPOINTS_FILE=${JSON.stringify(path)}): ${path} is not a valid endpoints file: endpoints.0.secret: must encode 24 to 64 random bytes; it encodes 5; endpoints.1: Unrecognized key: "extra"; endpoints.1.id: "a" is declared twice. Fix: correct it or unset it to use the default.`,
    );
    expect(problems[1]).toBe(
      'OUTBOUND_RETRY_SCHEDULE (OUTBOUND_RETRY_SCHEDULE="5,x,-1"): must list 1 to 50 delays in seconds, each above 0 and at most 604800, like 5,300,1800 (not a delay: "x", "-1"). Fix: correct it or unset it to use the default.',
    );
    expect(configProblems({ OUTBOUND_ENDPOINTS_FILE: join(dir, 'missing.json') })[0]).toMatch(
      /cannot read .*missing\.json \(ENOENT\)/,
    );
  });

  it('refuses a file endpoint on a private address unless OUTBOUND_ALLOW_PRIVATE=1', () => {
    const path = file('private.json', {
      endpoints: [
        {
          id: 'local',
          url: 'http://127.0.0.1:9/hook',
          secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
        },
      ],
    });
    expect(configProblems({ OUTBOUND_ENDPOINTS_FILE: path })).toEqual([
      `OUTBOUND_ENDPOINTS_FILE (${path}): endpoint "local": The URL's host 127.0.0.1 is a loopback or private address (set OUTBOUND_ALLOW_PRIVATE=1 to allow those). Fix: correct its url in the file.`,
    ]);
    expect(configProblems({ OUTBOUND_ENDPOINTS_FILE: path, OUTBOUND_ALLOW_PRIVATE: '1' })).toEqual([]);
    const typo = file('typo.json', {
      endpoints: [
        {
          id: 'crm',
          url: 'https://192.0.2.10/',
          secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
          filter: { sources: ['hubspt'] },
        },
      ],
    });
    expect(configProblems({ OUTBOUND_ENDPOINTS_FILE: typo })).toEqual([
      `OUTBOUND_ENDPOINTS_FILE (${typo}): endpoint "crm": filter.sources names no source of this gateway: "hubspt". Fix: use one of stripe, app, zendesk, hubspot, shopify.`,
    ]);
  });

  it('delivers to file-declared endpoints with their own secret, and refuses to rotate them', async () => {
    const r = await startReceiver();
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    r.secrets.push(secret);
    const path = file('good.json', {
      endpoints: [{ id: 'fulfillment', url: r.url, secret, filter: { sources: ['stripe'] } }],
    });
    const t = await startTestGateway({ OUTBOUND_ENDPOINTS_FILE: path, OUTBOUND_ALLOW_PRIVATE: '1' });
    try {
      const id = Buffer.from('WebhookEndpoint:fulfillment').toString('base64url');
      const listed = await t.graphql('{ webhookEndpoints { id url filter { sources } } }');
      expect(listed.data).toEqual({
        webhookEndpoints: [{ id, url: r.url, filter: { sources: ['stripe'] } }],
      });
      const body = stripeCustomerEvent(
        `evt_file_${Date.now()}`,
        'customer.created',
        stripeCustomer('cus_F1', 'f@example.com', 'F'),
      );
      expect((await t.postStripe(body)).status).toBe(200);
      const [got] = await r.until(1);
      expect(got?.verifiedWith).toEqual([secret]);
      const rotate = await t.graphql(
        'mutation ($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret } }',
        { id },
      );
      expect(rotate.errors?.[0]).toMatchObject({
        message:
          'Webhook endpoint "fulfillment" is declared in OUTBOUND_ENDPOINTS_FILE, which owns its secret: change the file and restart.',
        extensions: { code: 'BAD_USER_INPUT' },
      });
    } finally {
      await t.close();
      await r.close();
    }
  });
});

describe('an endpoint that only fails', () => {
  it('is disabled after OUTBOUND_DISABLE_AFTER_S, alerts, and shows in /metrics', async () => {
    const r = await startReceiver();
    r.answer = () => ({ status: 500 });
    const t = await startTestGateway({
      OUTBOUND_ALLOW_PRIVATE: '1',
      OUTBOUND_DISABLE_AFTER_S: '1',
      OUTBOUND_RETRY_SCHEDULE: '0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3',
    });
    const raise = vi.spyOn(t.gateway.alerts, 'raise');
    try {
      const created = await t.graphql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
        'mutation ($url: String!) { createWebhookEndpoint(input: { url: $url }) { endpoint { id } } }',
        { url: r.url },
      );
      const id = created.data?.createWebhookEndpoint.endpoint.id ?? '';
      const body = stripeCustomerEvent(
        `evt_fail_${Date.now()}`,
        'customer.updated',
        stripeCustomer('cus_X', 'x@example.com', 'X'),
      );
      expect((await t.postStripe(body)).status).toBe(200);
      let node: { enabled: boolean; disabledReason: string | null } | undefined;
      for (let i = 0; i < 100; i++) {
        const answer = await t.graphql<{ node: { enabled: boolean; disabledReason: string | null } }>(
          'query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason } } }',
          { id },
        );
        node = answer.data?.node;
        if (node?.enabled === false) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(node?.enabled).toBe(false);
      expect(node?.disabledReason).toMatch(
        /^failing since \d{4}-\d\d-\d\dT[\d:.]+Z: every attempt failed for longer than OUTBOUND_DISABLE_AFTER_S$/,
      );
      expect(r.received.length).toBeGreaterThanOrEqual(4);
      const sourceId = Buffer.from(id, 'base64url').toString().split(':')[1];
      expect(raise).toHaveBeenCalledWith(
        `outbound-disabled:${sourceId}`,
        expect.objectContaining({ severity: 'critical' }),
      );
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toContain(
        `switchyard_outbound_deliveries_total{endpoint="${sourceId}",outcome="retrying"}`,
      );
      expect(metrics).toContain(`switchyard_outbound_queue_depth{endpoint="${sourceId}"} 1`);
      // Disabled: no more attempts.
      const count = r.received.length;
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(r.received.length).toBe(count);
      // Enabled again by an administrator: the alert resolves, and the waiting delivery is attempted.
      const resolveAlert = vi.spyOn(t.gateway.alerts, 'resolve');
      r.answer = () => ({ status: 200 });
      const enabled = await t.graphql<{
        updateWebhookEndpoint: { enabled: boolean; disabledReason: string | null };
      }>(
        'mutation ($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled disabledReason } }',
        { id },
      );
      expect(enabled.data).toEqual({ updateWebhookEndpoint: { enabled: true, disabledReason: null } });
      expect(resolveAlert).toHaveBeenCalledWith(`outbound-disabled:${sourceId}`, expect.any(String));
      await r.until(count + 1);
    } finally {
      await t.close();
      await r.close();
    }
  });
});
