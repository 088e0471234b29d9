import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import type { IncomingEvent } from '../../src/events/event.ts';
import { parseJsonBody } from '../../src/events/parse-body.ts';
import type { AppConfig } from './config.ts';
import { decodeWebhookSecret } from './config.ts';
import { APP_PLANS } from './models.ts';
import { assertFresh } from '../../src/events/freshness.ts';

/** Standard Webhooks: a delivery signed more than this long ago, or this far ahead, is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Longest `webhook-id` accepted; ids are short (`msg_` + 27 characters in Svix's format). */
const MAX_ID_LENGTH = 256;

const SHA256_BYTES = 32;

/** The `v1` (HMAC-SHA256) signatures of a `webhook-signature` header, decoded; other schemes (`v1a`) are skipped. */
function v1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const signature = Buffer.from(encoded, 'base64');
    if (signature.length === SHA256_BYTES) signatures.push(signature);
  }
  return signatures;
}

/**
 * The `v1,<base64>` signature of a delivery, as Standard Webhooks signs it:
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, keyed with the base64-decoded
 * key of a `whsec_` secret.
 */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: Buffer): string {
  const key = decodeWebhookSecret(secret);
  if (key === undefined) throw new TypeError('The secret is not a whsec_<base64> Standard Webhooks secret.');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * Verifies a Standard Webhooks delivery: `webhook-id`, `webhook-timestamp`
 * (unix seconds) and `webhook-signature` (space-separated `v1,<base64>`
 * entries; any match passes, for key rotation), compared in constant time on
 * the raw bytes, then a timestamp at most {@link SIGNATURE_TOLERANCE_SECONDS}
 * from `now` either way.
 */
export function verifyStandardWebhook(request: WebhookRequest, secret: string, now: Date): SignedMaterial {
  const id = request.headers['webhook-id'];
  const timestampHeader = request.headers['webhook-timestamp'];
  const signatureHeader = request.headers['webhook-signature'];
  const missing = [
    id ? null : 'webhook-id',
    timestampHeader ? null : 'webhook-timestamp',
    signatureHeader ? null : 'webhook-signature',
  ].filter((name) => name !== null);
  if (!id || !timestampHeader || !signatureHeader) {
    throw new WebhookError(
      401,
      'SIGNATURE_MISSING',
      `Missing Standard Webhooks header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`,
    );
  }
  if (id.length > MAX_ID_LENGTH || /\s/.test(id)) {
    throw new WebhookError(401, 'SIGNATURE_INVALID', 'webhook-id header is not a message id.');
  }
  if (!/^\d{1,12}$/.test(timestampHeader.trim())) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'webhook-timestamp header is not a unix timestamp in seconds.',
    );
  }
  const timestamp = Number(timestampHeader.trim());
  const key = decodeWebhookSecret(secret);
  if (key === undefined) {
    // Config validation rules this out; refuse rather than verify with a wrong key.
    throw new WebhookError(401, 'SIGNATURE_INVALID', 'APP_WEBHOOK_SECRET is not a whsec_<base64> secret.');
  }
  const candidates = v1Signatures(signatureHeader);
  if (candidates.length === 0) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.',
    );
  }
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(request.rawBody)
    .digest();
  // Every candidate is compared, so the time taken does not tell which one matched.
  let matched = false;
  for (const candidate of candidates) matched = timingSafeEqual(candidate, expected) || matched;
  if (!matched) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'No v1 signature in the webhook-signature header matches the payload: check APP_WEBHOOK_SECRET.',
    );
  }
  // Checked after the signature, so an attacker learns nothing from timing on forged headers.
  const age = Math.floor(now.getTime() / 1000) - timestamp;
  assertFresh({ label: 'webhook-timestamp', age, unit: 's', maxAge: SIGNATURE_TOLERANCE_SECONDS });
  return [`${id}.${timestamp}.`, request.rawBody];
}

/** The event types the product sends. */
export const APP_EVENT_TYPES = ['user.created', 'user.updated', 'user.deleted'] as const;
export type AppEventType = (typeof APP_EVENT_TYPES)[number];

/**
 * The product's own user id, whatever its convention (`usr_987654321`, a UUID,
 * `42`, `auth0|abc`): 1 to 255 letters, digits and `_ - . : @ | + = ~ /`.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@|+=~/-]{1,255}$/;
const userId = z
  .string()
  .regex(
    USER_ID_PATTERN,
    'Invalid user id: expected 1 to 255 letters, digits or _ - . : @ | + = ~ / (like usr_987654321, a UUID or 42)',
  );
const email = z.email('Invalid email address');
const timestamp = z.iso.datetime({
  offset: true,
  error: 'Invalid date-time: expected ISO-8601 with a zone, like 2026-06-20T19:08:41Z',
});

/** `data` of user.created and user.updated: the user as it is now. */
export const AppUserEventData = z.strictObject({
  user_id: userId,
  email,
  first_name: z.string(),
  last_name: z.string(),
  /** Null when the user gave no company. */
  company: z.string().nullable(),
  plan: z.enum(APP_PLANS),
});

/** `data` of user.deleted: who left, and when their account was deleted. */
export const AppUserDeletedData = z.strictObject({
  user_id: userId,
  email,
  deleted_at: timestamp,
});

/** The envelope every product webhook has. */
export const AppEventEnvelope = z.strictObject({
  event: z.enum(APP_EVENT_TYPES),
  timestamp,
  data: z.record(z.string(), z.unknown()),
});

const dataModels: Readonly<Record<AppEventType, typeof AppUserEventData | typeof AppUserDeletedData>> = {
  'user.created': AppUserEventData,
  'user.updated': AppUserEventData,
  'user.deleted': AppUserDeletedData,
};

/** Zod issues as `{ path, message }`, with each unknown key named in its own issue. */
function issuesOf(error: z.ZodError, prefix: readonly string[]): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'Unknown field: the payload allows no other fields.',
      }));
    }
    return [{ path: path.join('.') || '(body)', message: issue.message }];
  });
}

function invalid(message: string, error: z.ZodError, prefix: readonly string[] = []): WebhookError {
  return new WebhookError(400, 'INVALID_PAYLOAD', message, issuesOf(error, prefix));
}

/**
 * Validates a verified product webhook strictly (unknown fields are errors)
 * and maps it to one gateway event, its id being the `webhook-id` header (the
 * dedupe key, the same on every retry of the delivery).
 */
export function parseAppEvent(request: WebhookRequest): IncomingEvent[] {
  const json = parseJsonBody(request.rawBody);
  const envelope = AppEventEnvelope.safeParse(json);
  if (!envelope.success) throw invalid('Body is not an app webhook event.', envelope.error);
  const { event, timestamp: occurredAt, data } = envelope.data;
  const parsed = dataModels[event].safeParse(data);
  if (!parsed.success) throw invalid(`data of this ${event} event is not valid.`, parsed.error, ['data']);
  const id = request.headers['webhook-id'];
  if (!id) throw new WebhookError(400, 'INVALID_PAYLOAD', 'Missing webhook-id header.');
  return [
    {
      id,
      source: 'app',
      type: event,
      occurredAt: new Date(occurredAt).toISOString(),
      subject: { kind: 'user', id: parsed.data.user_id, email: parsed.data.email },
      data: json,
    },
  ];
}

export const appWebhooks: ConnectorWebhooks<AppConfig> = {
  secret: (config) => config.APP_WEBHOOK_SECRET,
  verify: verifyStandardWebhook,
  parse: parseAppEvent,
};
