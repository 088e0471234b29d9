import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import type { EventSubject, IncomingEvent } from '../../src/events/event.ts';
import { batchTooLarge, parseJsonBody, zodIssues } from '../../src/events/parse-body.ts';
import type { HubSpotConfig } from './config.ts';
import { assertFresh } from '../../src/events/freshness.ts';

/** HubSpot's window: a delivery signed longer ago than this (in ms) is refused as a replay. */
export const SIGNATURE_TOLERANCE_MS = 300_000;

/** The percent-encodings HubSpot's docs say to decode in the URI before computing a v3 signature. */
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot signs it: the listed encodings decoded (hex in either case), everything else as sent. */
export function hubspotSigningUri(url: string): string {
  return url.replace(
    /%(?:3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (match) => DECODED[match.toUpperCase()] ?? match,
  );
}

/** `base64(HMAC-SHA256(secret, method + uri + rawBody + timestamp))`, as raw bytes. */
function signatureV3(
  secret: string,
  method: string,
  uri: string,
  rawBody: Buffer,
  timestamp: string,
): Buffer {
  return createHmac('sha256', secret)
    .update(method + uri, 'utf8')
    .update(rawBody)
    .update(timestamp, 'utf8')
    .digest();
}

/**
 * The URIs a delivery may have been signed for. A TLS-terminating proxy makes
 * the gateway see `http://` where HubSpot called `https://` (or the reverse),
 * so both schemes are tried; the signature still binds host, path, query,
 * body and timestamp.
 */
function candidateUris(url: string): string[] {
  const uri = hubspotSigningUri(url);
  if (uri.startsWith('https://')) return [uri, `http://${uri.slice('https://'.length)}`];
  if (uri.startsWith('http://')) return [uri, `https://${uri.slice('http://'.length)}`];
  return [uri];
}

/**
 * Verifies `X-HubSpot-Signature-v3` exactly as HubSpot signs: HMAC-SHA256
 * keyed with the app's client secret over `method + uri + rawBody + timestamp`
 * (no separators, UTF-8, the URI with HubSpot's listed characters decoded),
 * base64; `X-HubSpot-Request-Timestamp` (epoch ms) at most
 * {@link SIGNATURE_TOLERANCE_MS} before `now` (or after it: a skewed clock).
 * The legacy v1/v2 `X-HubSpot-Signature` is ignored: it carries no timestamp.
 */
export function verifyHubSpotSignature(request: WebhookRequest, secret: string, now: Date): SignedMaterial {
  const header = request.headers['x-hubspot-signature-v3'];
  if (!header) throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing X-HubSpot-Signature-v3 header.');
  const timestamp = request.headers['x-hubspot-request-timestamp'];
  if (!timestamp) {
    throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing X-HubSpot-Request-Timestamp header.');
  }
  if (!/^\d{1,16}$/.test(timestamp)) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'X-HubSpot-Request-Timestamp is not a time in epoch milliseconds.',
    );
  }
  const signature = header.trim();
  // A SHA-256 digest is 32 bytes: 43 base64 characters and one `=`.
  const given = /^[A-Za-z0-9+/]{43}=$/.test(signature) ? Buffer.from(signature, 'base64') : null;
  const method = request.method.toUpperCase();
  const matched =
    given === null
      ? undefined
      : candidateUris(request.url).find((uri) =>
          timingSafeEqual(given, signatureV3(secret, method, uri, request.rawBody, timestamp)),
        );
  if (matched === undefined) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'X-HubSpot-Signature-v3 does not match the request: check HUBSPOT_WEBHOOK_SECRET (the app client secret) and that the target URL reaches the gateway unchanged.',
    );
  }
  // Checked after the signature, so forged headers learn nothing from timing.
  const age = now.getTime() - Number(timestamp);
  assertFresh({ label: 'X-HubSpot-Request-Timestamp', age, unit: 'ms', maxAge: SIGNATURE_TOLERANCE_MS });
  return [method + matched, request.rawBody, timestamp];
}

/** One notification of a delivery (`contact.propertyChange`, `deal.creation`, `object.creation`...). */
export const HubSpotWebhookEvent = z.looseObject({
  eventId: z.number().int().nonnegative(),
  subscriptionId: z.number().int(),
  portalId: z.number().int(),
  appId: z.number().int(),
  occurredAt: z.number().int().nonnegative().max(8.64e15),
  subscriptionType: z.string().regex(/^[a-z_]+\.[A-Za-z_]+$/, 'Invalid subscription type'),
  attemptNumber: z.number().int().nonnegative(),
  // Association changes name fromObjectId/toObjectId instead.
  objectId: z.number().int().nonnegative().optional(),
  fromObjectId: z.number().int().nonnegative().optional(),
  objectTypeId: z.string().optional(),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
export type HubSpotWebhookEvent = z.infer<typeof HubSpotWebhookEvent>;

/** HubSpot's documented batch size: one request carries at most 100 notifications. */
export const MAX_EVENTS_PER_DELIVERY = 100;

/** A delivery: a JSON array of up to 100 notifications. */
const HubSpotDelivery = z.array(z.unknown()).min(1, 'A delivery holds at least one event');

/** Object type ids of the generic `object.*` subscriptions. */
const OBJECT_TYPE_KINDS: Readonly<Record<string, string>> = {
  '0-1': 'contact',
  '0-2': 'company',
  '0-3': 'deal',
  '0-5': 'ticket',
};

function subjectOf(event: HubSpotWebhookEvent): EventSubject | null {
  const objectId = event.objectId ?? event.fromObjectId;
  if (objectId === undefined) return null;
  const prefix = event.subscriptionType.split('.')[0] ?? 'object';
  const kind = prefix === 'object' ? (OBJECT_TYPE_KINDS[event.objectTypeId ?? ''] ?? 'object') : prefix;
  const email = event.propertyName === 'email' ? (event.propertyValue ?? null) : null;
  return { kind, id: String(objectId), email };
}

/** Validates a verified delivery and maps each of its notifications to one gateway event. */
export function parseHubSpotEvents(request: WebhookRequest): IncomingEvent[] {
  const json = parseJsonBody(request.rawBody);
  const delivery = HubSpotDelivery.safeParse(json);
  if (!delivery.success) {
    throw new WebhookError(
      400,
      'INVALID_PAYLOAD',
      'Body is not a HubSpot webhook delivery (a JSON array of events).',
      zodIssues(delivery.error),
    );
  }
  // Refused before validating thousands of items: HubSpot itself never sends more.
  if (delivery.data.length > MAX_EVENTS_PER_DELIVERY) {
    throw batchTooLarge('hubspot', delivery.data.length, MAX_EVENTS_PER_DELIVERY);
  }
  const issues: { path: string; message: string }[] = [];
  const events: IncomingEvent[] = [];
  delivery.data.forEach((item, index) => {
    const parsed = HubSpotWebhookEvent.safeParse(item);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, [index]));
      return;
    }
    const event = parsed.data;
    events.push({
      id: String(event.eventId),
      source: 'hubspot',
      type: event.subscriptionType,
      occurredAt: new Date(event.occurredAt).toISOString(),
      subject: subjectOf(event),
      data: item,
    });
  });
  if (issues.length > 0) {
    throw new WebhookError(
      400,
      'INVALID_PAYLOAD',
      'Some events of this HubSpot delivery are invalid.',
      issues,
    );
  }
  return events;
}

export const hubspotWebhooks: ConnectorWebhooks<HubSpotConfig> = {
  secret: (config) => config.HUBSPOT_WEBHOOK_SECRET,
  verify: verifyHubSpotSignature,
  parse: parseHubSpotEvents,
  maxEventsPerDelivery: MAX_EVENTS_PER_DELIVERY,
};
