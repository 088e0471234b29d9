import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import type { EventSubject, IncomingEvent } from '../../src/events/event.ts';
import { parseJsonBody, zodIssues } from '../../src/events/parse-body.ts';
import { StripeCustomer, StripeInvoice, StripeSubscription } from './models.ts';
import type { StripeConfig } from './config.ts';
import { assertFresh } from '../../src/events/freshness.ts';
import { lastIsoTime } from '../../src/events/iso-time.ts';

/** stripe-node's default tolerance: a delivery signed longer ago than this is refused as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Parses `t=<unix>,v1=<hex>,v1=<hex>,v0=...`; unknown schemes are ignored, as Stripe's own libraries do. */
function parseSignatureHeader(header: string): { timestamp: number | null; v1: string[] } {
  let timestamp: number | null = null;
  const v1: string[] = [];
  // Scanned in place: splitting into parts first allocated an array and a string per part on every delivery.
  for (let start = 0; start <= header.length;) {
    let end = header.indexOf(',', start);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq >= 0 && eq < end) {
      const key = header.slice(start, eq).trim();
      const value = header.slice(eq + 1, end).trim();
      if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
      else if (key === 'v1') v1.push(value);
    }
    start = end + 1;
  }
  return { timestamp, v1 };
}

/** The 32 bytes a `v1` value spells in hex, or null when it is not exactly 64 hex digits. */
function signatureBytes(candidate: string): Buffer | null {
  if (candidate.length !== 64) return null;
  // Decoding stops at the first pair that is not hex, so a short result is how a non-hex value shows.
  const bytes = Buffer.from(candidate, 'hex');
  return bytes.length === 32 ? bytes : null;
}

/**
 * Verifies `Stripe-Signature` exactly as Stripe signs: HMAC-SHA256 keyed with
 * the whole `whsec_...` secret over `${t}.${rawBody}`, lower-case hex; any of
 * several `v1` values may match (secret rotation); signed at most
 * {@link SIGNATURE_TOLERANCE_SECONDS} before `now`. Returns `[`${t}.`, rawBody]`, what it signs.
 */
export function verifyStripeSignature(request: WebhookRequest, secret: string, now: Date): SignedMaterial {
  const header = request.headers['stripe-signature'];
  if (!header) throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing Stripe-Signature header.');
  const { timestamp, v1 } = parseSignatureHeader(header);
  if (timestamp === null) {
    throw new WebhookError(401, 'SIGNATURE_INVALID', 'Stripe-Signature header has no timestamp (t=...).');
  }
  if (v1.length === 0) {
    throw new WebhookError(401, 'SIGNATURE_INVALID', 'Stripe-Signature header has no v1 signature.');
  }
  const expected = createHmac('sha256', secret)
    .update(`${timestamp}.`, 'utf8')
    .update(request.rawBody)
    .digest();
  const matches = v1.some((candidate) => {
    const given = signatureBytes(candidate);
    return given !== null && timingSafeEqual(given, expected);
  });
  if (!matches) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'No v1 signature in the Stripe-Signature header matches the payload: check STRIPE_WEBHOOK_SECRET.',
    );
  }
  // Checked after the signature, so an attacker learns nothing from timing on forged headers.
  const age = Math.floor(now.getTime() / 1000) - timestamp;
  assertFresh({ label: 'Stripe-Signature timestamp', age, unit: 's', maxAge: SIGNATURE_TOLERANCE_SECONDS });
  return [`${timestamp}.`, request.rawBody];
}

// Stripping, not loose: copying the envelope's unknown keys into a parsed copy cost more than the checks, and
// nothing reads that copy beyond these fields (the event stores the raw JSON; the object is read from it).
const StripeEvent = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int().nonnegative(),
  data: z.object({
    object: z.object({ object: z.string().optional(), id: z.string().optional() }),
  }),
});

/** The object models checked for the event families the gateway maps. */
const objectModels: readonly [prefix: string, model: z.ZodType][] = [
  ['customer.subscription.', StripeSubscription],
  ['customer.', StripeCustomer],
  ['invoice.', StripeInvoice],
];

function subjectOf(type: string, object: Record<string, unknown>): EventSubject | null {
  const id = typeof object['id'] === 'string' ? object['id'] : null;
  if (id === null) return null;
  const kind = typeof object['object'] === 'string' ? object['object'] : (type.split('.')[0] ?? 'object');
  const email =
    typeof object['email'] === 'string'
      ? object['email']
      : typeof object['customer_email'] === 'string'
        ? object['customer_email']
        : null;
  return { kind, id, email };
}

/** A burst of events shares its `created` second: each second is formatted once. */
const isoTime = lastIsoTime();

/** Validates a verified Stripe event body and maps it to one gateway event. */
export function parseStripeEvent(request: WebhookRequest): IncomingEvent[] {
  const json = parseJsonBody(request.rawBody);
  const parsed = StripeEvent.safeParse(json);
  if (!parsed.success) {
    throw new WebhookError(400, 'INVALID_PAYLOAD', 'Body is not a Stripe event.', zodIssues(parsed.error));
  }
  const event = parsed.data;
  // The object as sent, with every field: the envelope's parse kept only the ones it checks.
  const object = (json as { data: { object: Record<string, unknown> } }).data.object;
  const model = objectModels.find(([prefix]) => event.type.startsWith(prefix))?.[1];
  if (model) {
    const checked = model.safeParse(object);
    if (!checked.success) {
      throw new WebhookError(
        400,
        'INVALID_PAYLOAD',
        `data.object of this ${event.type} event is not a valid Stripe object.`,
        zodIssues(checked.error, ['data', 'object']),
      );
    }
  }
  return [
    {
      id: event.id,
      source: 'stripe',
      type: event.type,
      occurredAt: isoTime(event.created * 1000),
      subject: subjectOf(event.type, object),
      data: json,
    },
  ];
}

export const stripeWebhooks: ConnectorWebhooks<StripeConfig> = {
  secret: (config) => config.STRIPE_WEBHOOK_SECRET,
  verify: verifyStripeSignature,
  parse: parseStripeEvent,
};
