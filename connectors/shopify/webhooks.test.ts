import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import { ShopifyConfig } from './config.ts';
import { handleWebhook } from '../../src/events/ingress.ts';
import { take } from '../../test/event-log-contract.ts';
import { createMemoryEventLog } from '../../src/events/memory-log.ts';
import {
  TRIGGERED_AT_MAX_AGE_SECONDS,
  parseShopifyWebhook,
  shopifyWebhooks,
  signShopifyPayload,
  verifyShopifyWebhook,
} from './webhooks.ts';

const secret = 'c0ffee5e11fa11ba5eba11c0ffee5e11fa11ba5eba11c0ffee5e11fa11ba5eba';
const now = new Date('2026-06-20T19:08:41.000Z');

/** Shopify's scheme, written out here independently of the connector: base64(HMAC-SHA256(secret, raw body)). */
const shopifySign = (body: string, key = secret): string =>
  createHmac('sha256', key).update(Buffer.from(body, 'utf8')).digest('base64');

const order = {
  id: 5_612_345_678_901,
  admin_graphql_api_id: 'gid://shopify/Order/5612345678901',
  email: 'alex@example.com',
  created_at: '2026-06-20T19:08:00+00:00',
  updated_at: '2026-06-20T19:08:30+00:00',
  name: '#1042',
  total_price: '59.00',
  currency: 'USD',
  financial_status: 'paid',
  line_items: [
    {
      id: 14_880_000_000_001,
      admin_graphql_api_id: 'gid://shopify/LineItem/14880000000001',
      title: 'Zip Hoodie',
      quantity: 1,
      sku: 'SKU-HOODIE',
      price: '59.00',
    },
  ],
  customer: {
    id: 7_104_000_000_001,
    email: 'alex@example.com',
    first_name: 'Alex',
    last_name: 'Rivera',
    admin_graphql_api_id: 'gid://shopify/Customer/7104000000001',
  },
};
const orderBody = JSON.stringify(order);

function delivery(
  body: string,
  headers: Record<string, string | undefined> = {},
  signature: string | null = shopifySign(body),
): WebhookRequest {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/paid',
    'x-shopify-hmac-sha256': signature ?? undefined,
    'x-shopify-shop-domain': 'acme.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    'x-shopify-triggered-at': '2026-06-20T19:08:40.123456789Z',
    ...headers,
  };
  return {
    method: 'POST',
    url: 'http://localhost/webhooks/shopify',
    headers: Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    rawBody: Buffer.from(body, 'utf8'),
  };
}

function refusal(fn: () => unknown): { status: number; code: string; message: string; issues?: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookError) {
      return {
        status: error.status,
        code: error.code,
        message: error.message,
        ...(error.issues === undefined ? {} : { issues: error.issues }),
      };
    }
    throw error;
  }
  throw new Error('expected a WebhookError');
}

describe('X-Shopify-Hmac-Sha256 verification', () => {
  it('accepts a body signed as Shopify signs it, and the connector signs the same way', () => {
    expect(signShopifyPayload(orderBody, secret)).toBe(shopifySign(orderBody));
    expect(() => verifyShopifyWebhook(delivery(orderBody), secret, now)).not.toThrow();
  });

  it('verifies over the raw bytes, not a re-serialization', () => {
    const pretty = JSON.stringify(order, null, 2);
    expect(() => verifyShopifyWebhook(delivery(pretty), secret, now)).not.toThrow();
    expect(
      refusal(() => verifyShopifyWebhook(delivery(pretty, {}, shopifySign(orderBody)), secret, now)).code,
    ).toBe('SIGNATURE_INVALID');
  });

  it('rejects a tampered body', () => {
    const tampered = orderBody.replace('"59.00"', '"0.01"');
    expect(
      refusal(() => verifyShopifyWebhook(delivery(tampered, {}, shopifySign(orderBody)), secret, now)),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      message:
        "X-Shopify-Hmac-Sha256 does not match the payload: check SHOPIFY_WEBHOOK_SECRET (the app's client secret).",
    });
  });

  it('rejects a signature made with another secret, and one that is not base64 of 32 bytes', () => {
    const other = delivery(orderBody, {}, shopifySign(orderBody, 'not-the-secret'));
    expect(refusal(() => verifyShopifyWebhook(other, secret, now)).code).toBe('SIGNATURE_INVALID');
    const hex = createHmac('sha256', secret).update(orderBody).digest('hex');
    expect(refusal(() => verifyShopifyWebhook(delivery(orderBody, {}, hex), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
    expect(refusal(() => verifyShopifyWebhook(delivery(orderBody, {}, 'abc='), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rejects a missing signature', () => {
    expect(refusal(() => verifyShopifyWebhook(delivery(orderBody, {}, null), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_MISSING',
      message: 'Missing X-Shopify-Hmac-Sha256 header.',
    });
  });

  it('accepts either secret while a rotation is under way (SHOPIFY_WEBHOOK_SECRET=new,old)', () => {
    const both =
      ShopifyConfig.parse({ SHOPIFY_WEBHOOK_SECRET: ` ${secret} , old-secret ` }).SHOPIFY_WEBHOOK_SECRET ??
      '';
    const byOld = delivery(orderBody, {}, shopifySign(orderBody, 'old-secret'));
    const byNew = delivery(orderBody);
    expect(() => verifyShopifyWebhook(byOld, both, now)).not.toThrow();
    expect(() => verifyShopifyWebhook(byNew, both, now)).not.toThrow();
    expect(refusal(() => verifyShopifyWebhook(byOld, secret, now)).code).toBe('SIGNATURE_INVALID');
  });

  it('rejects a correctly signed data-topic delivery triggered too long ago, saying it is stale', () => {
    const triggered = new Date(now.getTime() - (TRIGGERED_AT_MAX_AGE_SECONDS + 60) * 1000).toISOString();
    expect(
      refusal(() =>
        verifyShopifyWebhook(delivery(orderBody, { 'x-shopify-triggered-at': triggered }), secret, now),
      ),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_STALE',
      message: 'X-Shopify-Triggered-At is stale: triggered 86460 s ago, beyond the 86400 s window.',
    });
    // Four hours late, as Shopify's last retry can be, is fine.
    const retried = new Date(now.getTime() - 4 * 3600 * 1000).toISOString();
    expect(() =>
      verifyShopifyWebhook(delivery(orderBody, { 'x-shopify-triggered-at': retried }), secret, now),
    ).not.toThrow();
  });

  it('rejects a delivery from the future and an unreadable Triggered-At', () => {
    const ahead = new Date(now.getTime() + 3600 * 1000).toISOString();
    expect(
      refusal(() =>
        verifyShopifyWebhook(delivery(orderBody, { 'x-shopify-triggered-at': ahead }), secret, now),
      ),
    ).toMatchObject({ status: 401, code: 'SIGNATURE_STALE' });
    expect(
      refusal(() =>
        verifyShopifyWebhook(delivery(orderBody, { 'x-shopify-triggered-at': 'yesterday' }), secret, now),
      ),
    ).toMatchObject({ status: 401, code: 'SIGNATURE_INVALID' });
  });

  it('checks the signature before freshness, and exempts the privacy topics Shopify sends late on purpose', () => {
    const old = new Date(now.getTime() - 3 * 86_400 * 1000).toISOString();
    const forged = delivery(orderBody, { 'x-shopify-triggered-at': old }, shopifySign(orderBody, 'x'));
    expect(refusal(() => verifyShopifyWebhook(forged, secret, now)).code).toBe('SIGNATURE_INVALID');
    const redact = JSON.stringify({ shop_id: 954_889, shop_domain: 'acme.myshopify.com' });
    const late = delivery(redact, { 'x-shopify-topic': 'shop/redact', 'x-shopify-triggered-at': old });
    expect(() => verifyShopifyWebhook(late, secret, now)).not.toThrow();
  });

  it('accepts a delivery without X-Shopify-Triggered-At (nothing to judge freshness by)', () => {
    expect(() =>
      verifyShopifyWebhook(delivery(orderBody, { 'x-shopify-triggered-at': undefined }), secret, now),
    ).not.toThrow();
  });
});

describe('parsing Shopify deliveries', () => {
  it('maps an orders/paid delivery to one event keyed by X-Shopify-Webhook-Id', () => {
    expect(parseShopifyWebhook(delivery(orderBody))).toEqual([
      {
        id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        source: 'shopify',
        type: 'orders/paid',
        occurredAt: '2026-06-20T19:08:40.123Z',
        subject: { kind: 'order', id: 'gid://shopify/Order/5612345678901', email: 'alex@example.com' },
        data: order,
      },
    ]);
  });

  it('maps customers/create and customers/update to customer subjects', () => {
    const customer = { ...order.customer, created_at: '2026-06-20T19:00:00+00:00', updated_at: null };
    const body = JSON.stringify(customer);
    const [event] = parseShopifyWebhook(
      delivery(body, { 'x-shopify-topic': 'customers/update', 'x-shopify-triggered-at': undefined }),
    );
    expect(event).toMatchObject({
      type: 'customers/update',
      occurredAt: '2026-06-20T19:00:00.000Z',
      subject: { kind: 'customer', id: 'gid://shopify/Customer/7104000000001', email: 'alex@example.com' },
    });
  });

  it('accepts and records the mandatory privacy topics', () => {
    const dataRequest = {
      shop_id: 954_889,
      shop_domain: 'acme.myshopify.com',
      orders_requested: [299_938, 280_263],
      customer: { id: 191_167, email: 'john@example.com', phone: '555-625-1199' },
      data_request: { id: 9999 },
    };
    const redact = {
      shop_id: 954_889,
      shop_domain: 'acme.myshopify.com',
      customer: { id: 191_167, email: 'john@example.com', phone: '555-625-1199' },
      orders_to_redact: [299_938],
    };
    const shop = { shop_id: 954_889, shop_domain: 'acme.myshopify.com' };
    const subjects = [
      ['customers/data_request', dataRequest],
      ['customers/redact', redact],
      ['shop/redact', shop],
    ].map(
      ([topic, payload]) =>
        parseShopifyWebhook(delivery(JSON.stringify(payload), { 'x-shopify-topic': topic as string }))[0]
          ?.subject,
    );
    expect(subjects).toEqual([
      { kind: 'customer', id: 'gid://shopify/Customer/191167', email: 'john@example.com' },
      { kind: 'customer', id: 'gid://shopify/Customer/191167', email: 'john@example.com' },
      { kind: 'shop', id: 'gid://shopify/Shop/954889', email: null },
    ]);
  });

  it('refuses an unknown topic with 400 naming it', () => {
    expect(
      refusal(() => parseShopifyWebhook(delivery(orderBody, { 'x-shopify-topic': 'products/update' }))),
    ).toEqual({
      status: 400,
      code: 'UNSUPPORTED_TOPIC',
      message:
        'Shopify topic "products/update" is not one this gateway accepts (orders/create, orders/updated, orders/paid, customers/create, customers/update, customers/data_request, customers/redact, shop/redact).',
    });
  });

  it('refuses a delivery without topic or webhook id', () => {
    expect(
      refusal(() => parseShopifyWebhook(delivery(orderBody, { 'x-shopify-topic': undefined }))),
    ).toMatchObject({
      status: 400,
      message: 'Missing X-Shopify-Topic header.',
    });
    expect(
      refusal(() => parseShopifyWebhook(delivery(orderBody, { 'x-shopify-webhook-id': undefined }))),
    ).toMatchObject({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message: 'Missing X-Shopify-Webhook-Id header.',
    });
  });

  it('refuses invalid JSON and a payload that is not the topic’s resource, with the issues', () => {
    expect(refusal(() => parseShopifyWebhook(delivery('{"id": 1,')))).toMatchObject({
      status: 400,
      code: 'INVALID_JSON',
    });
    const notAnOrder = JSON.stringify({ id: 1, email: 'a@b.c', total_price: 12, currency: 'usd' });
    expect(refusal(() => parseShopifyWebhook(delivery(notAnOrder)))).toEqual({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message: 'Body is not a Shopify orders/paid payload.',
      issues: [
        { path: 'admin_graphql_api_id', message: 'Invalid input: expected string, received undefined' },
        { path: 'total_price', message: 'Invalid input: expected string, received number' },
        { path: 'currency', message: 'expected an ISO 4217 currency code' },
        { path: 'line_items', message: 'Invalid input: expected array, received undefined' },
      ],
    });
  });
});

describe('replays (the signature covers only the body)', () => {
  it('reports the same signed body under a new X-Shopify-Webhook-Id as a duplicate and publishes it once', async () => {
    const log = createMemoryEventLog();
    const subscription = log.subscribe({});
    const deliver = (request: WebhookRequest) =>
      handleWebhook({ source: 'shopify', webhooks: shopifyWebhooks, secret, request, log, now });
    const first = await deliver(delivery(orderBody));
    expect(first).toMatchObject({ status: 200, body: { stored: 1, duplicates: 0 } });
    // A replayer changes every unsigned header: delivery id, event id, topic, Triggered-At.
    const replay = await deliver(
      delivery(orderBody, {
        'x-shopify-webhook-id': 'ffffffff-0000-4000-8000-000000000001',
        'x-shopify-event-id': 'ffffffff-0000-4000-8000-000000000002',
        'x-shopify-topic': 'orders/updated',
        'x-shopify-triggered-at': now.toISOString(),
      }),
    );
    expect(replay).toEqual({
      status: 200,
      body: {
        received: 1,
        stored: 0,
        duplicates: 1,
        events: [{ id: 'ffffffff-0000-4000-8000-000000000001', cursor: null, duplicate: true }],
      },
    });
    // Another body (a real new change) under a new id is a new event.
    const changed = JSON.stringify({ ...order, updated_at: '2026-06-20T19:08:35+00:00' });
    const next = await deliver(delivery(changed, { 'x-shopify-webhook-id': 'c1' }, shopifySign(changed)));
    expect(next).toMatchObject({ status: 200, body: { stored: 1 } });
    const published = (await take(subscription, 2)).map((e) => e.id);
    expect(published).toEqual(['b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'c1']);
    expect((await log.read({ limit: 10 })).map((e) => e.id)).toEqual(published);
    await log.close();
  });
});
