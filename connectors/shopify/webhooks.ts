import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookError } from '../../src/connector.ts';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../../src/connector.ts';
import type { EventSubject, IncomingEvent } from '../../src/events/event.ts';
import { parseJsonBody, zodIssues } from '../../src/events/parse-body.ts';
import { webhookSecrets } from './config.ts';
import type { ShopifyConfig } from './config.ts';
import { assertFresh } from '../../src/events/freshness.ts';

/**
 * Deliveries of data topics triggered longer ago than this are refused as stale.
 * Shopify's signature carries no timestamp, so this is no replay protection
 * (X-Shopify-Triggered-At is not signed); it refuses deliveries that cannot be
 * Shopify's own retries (8 tries over about 4 hours), whose data is outdated.
 */
export const TRIGGERED_AT_MAX_AGE_SECONDS = 24 * 3600;
/** How far in the future X-Shopify-Triggered-At may be (clock skew). */
export const TRIGGERED_AT_MAX_SKEW_SECONDS = 300;

/** The data topics the gateway maps. */
export const DATA_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'customers/create',
  'customers/update',
] as const;
/**
 * The mandatory privacy topics. Shopify sends them late on purpose (`shop/redact`
 * 48 hours after an uninstall), so the Triggered-At window does not apply.
 */
export const PRIVACY_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
const TOPICS: readonly string[] = [...DATA_TOPICS, ...PRIVACY_TOPICS];

/** `X-Shopify-Hmac-Sha256` for a body: base64 of HMAC-SHA256 keyed with the app's client secret. */
export function signShopifyPayload(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * Verifies `X-Shopify-Hmac-Sha256` exactly as Shopify signs: HMAC-SHA256 of the
 * raw body keyed with the app's client secret, base64, compared in constant
 * time on the decoded bytes. `secret` may hold several comma-separated secrets
 * (a rotation): any match passes. Then, for data topics, refuses a delivery whose
 * `X-Shopify-Triggered-At` is more than {@link TRIGGERED_AT_MAX_AGE_SECONDS} old
 * or {@link TRIGGERED_AT_MAX_SKEW_SECONDS} ahead of `now`.
 */
export function verifyShopifyWebhook(request: WebhookRequest, secret: string, now: Date): SignedMaterial {
  const header = request.headers['x-shopify-hmac-sha256']?.trim();
  if (!header) throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing X-Shopify-Hmac-Sha256 header.');
  // Strict base64 of 32 bytes: anything else cannot be a Shopify signature.
  const given = /^[A-Za-z0-9+/]{43}=$/.test(header) ? Buffer.from(header, 'base64') : null;
  const matches =
    given !== null &&
    webhookSecrets(secret).some((candidate) =>
      timingSafeEqual(given, createHmac('sha256', candidate).update(request.rawBody).digest()),
    );
  if (!matches) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      "X-Shopify-Hmac-Sha256 does not match the payload: check SHOPIFY_WEBHOOK_SECRET (the app's client secret).",
    );
  }
  const topic = request.headers['x-shopify-topic']?.trim() ?? '';
  const triggeredAt = request.headers['x-shopify-triggered-at']?.trim();
  // Only the body is signed: no id, topic or time. Its digest is what makes a replay under a new
  // X-Shopify-Webhook-Id a duplicate (see SignedMaterial); Triggered-At is no protection.
  const signed: SignedMaterial = [request.rawBody];
  if (triggeredAt === undefined || (PRIVACY_TOPICS as readonly string[]).includes(topic)) return signed;
  const at = Date.parse(triggeredAt);
  if (Number.isNaN(at)) {
    throw new WebhookError(401, 'SIGNATURE_INVALID', 'X-Shopify-Triggered-At is not a timestamp.');
  }
  const age = Math.floor((now.getTime() - at) / 1000);
  assertFresh({
    label: 'X-Shopify-Triggered-At',
    age,
    unit: 's',
    maxAge: TRIGGERED_AT_MAX_AGE_SECONDS,
    maxSkew: TRIGGERED_AT_MAX_SKEW_SECONDS,
    verb: 'triggered',
    bound: 'window',
  });
  return signed;
}

/** REST ids are integers (JSON numbers); some tools send them as digit strings. */
const restId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)], {
  error: 'expected a numeric id',
});
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string like "25.00"');
const nullableString = z.string().nullable().default(null);

/** The REST Customer resource, as customers/* webhooks and orders' `customer` carry it. */
export const ShopifyCustomerPayload = z.looseObject({
  id: restId,
  admin_graphql_api_id: z.string().startsWith('gid://shopify/Customer/').optional(),
  email: nullableString,
  first_name: nullableString,
  last_name: nullableString,
});

/** The REST Order resource, as orders/* webhooks carry it. */
export const ShopifyOrderPayload = z.looseObject({
  id: restId,
  admin_graphql_api_id: z.string().startsWith('gid://shopify/Order/'),
  name: z.string().optional(),
  email: nullableString,
  created_at: z.string().optional(),
  updated_at: z.string().nullable().optional(),
  total_price: decimal,
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code'),
  financial_status: nullableString,
  line_items: z.array(
    z.looseObject({
      id: restId,
      title: z.string(),
      quantity: z.number().int(),
      sku: z.string().nullable().optional(),
      price: decimal,
    }),
  ),
  customer: ShopifyCustomerPayload.nullable().optional(),
});

const PrivacyCustomer = z.looseObject({
  id: restId,
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
});
const ShopFields = { shop_id: restId, shop_domain: z.string().min(1) };

const payloads: Record<string, z.ZodType> = {
  'orders/create': ShopifyOrderPayload,
  'orders/updated': ShopifyOrderPayload,
  'orders/paid': ShopifyOrderPayload,
  'customers/create': ShopifyCustomerPayload,
  'customers/update': ShopifyCustomerPayload,
  'customers/data_request': z.looseObject({
    ...ShopFields,
    customer: PrivacyCustomer,
    orders_requested: z.array(restId),
    data_request: z.looseObject({ id: restId }).optional(),
  }),
  'customers/redact': z.looseObject({
    ...ShopFields,
    customer: PrivacyCustomer,
    orders_to_redact: z.array(restId),
  }),
  'shop/redact': z.looseObject(ShopFields),
};

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function subjectOf(topic: string, body: Record<string, unknown>): EventSubject {
  if (topic.startsWith('orders/')) {
    const customer = record(body['customer']);
    return {
      kind: 'order',
      id: String(body['admin_graphql_api_id']),
      email: text(body['email']) ?? text(customer['email']),
    };
  }
  if (topic === 'shop/redact') {
    return { kind: 'shop', id: `gid://shopify/Shop/${String(body['shop_id'])}`, email: null };
  }
  const customer = topic.startsWith('customers/') && 'customer' in body ? record(body['customer']) : body;
  return {
    kind: 'customer',
    id: text(customer['admin_graphql_api_id']) ?? `gid://shopify/Customer/${String(customer['id'])}`,
    email: text(customer['email']),
  };
}

function occurredAt(request: WebhookRequest, body: Record<string, unknown>): string {
  for (const value of [request.headers['x-shopify-triggered-at'], body['updated_at'], body['created_at']]) {
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  return new Date().toISOString();
}

/**
 * Validates a verified delivery: the topic and delivery id headers, then the
 * REST-shaped payload of that topic. One delivery is one event, its id the
 * `X-Shopify-Webhook-Id` (the dedupe key) and its type the topic.
 */
export function parseShopifyWebhook(request: WebhookRequest): IncomingEvent[] {
  const topic = request.headers['x-shopify-topic']?.trim();
  if (!topic) throw new WebhookError(400, 'INVALID_PAYLOAD', 'Missing X-Shopify-Topic header.');
  if (!TOPICS.includes(topic)) {
    throw new WebhookError(
      400,
      'UNSUPPORTED_TOPIC',
      `Shopify topic "${topic}" is not one this gateway accepts (${TOPICS.join(', ')}).`,
    );
  }
  const webhookId = request.headers['x-shopify-webhook-id']?.trim();
  if (!webhookId) throw new WebhookError(400, 'INVALID_PAYLOAD', 'Missing X-Shopify-Webhook-Id header.');
  const json = parseJsonBody(request.rawBody);
  const parsed = (payloads[topic] ?? z.never()).safeParse(json);
  if (!parsed.success) {
    throw new WebhookError(
      400,
      'INVALID_PAYLOAD',
      `Body is not a Shopify ${topic} payload.`,
      zodIssues(parsed.error),
    );
  }
  const body = record(json);
  return [
    {
      id: webhookId,
      source: 'shopify',
      type: topic,
      occurredAt: occurredAt(request, body),
      subject: subjectOf(topic, body),
      data: json,
    },
  ];
}

export const shopifyWebhooks: ConnectorWebhooks<ShopifyConfig> = {
  secret: (config) => config.SHOPIFY_WEBHOOK_SECRET,
  verify: verifyShopifyWebhook,
  parse: parseShopifyWebhook,
};
