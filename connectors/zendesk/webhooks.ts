import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import type { EventSubject, IncomingEvent } from '../../src/events/event.ts';
import { parseJsonBody, zodIssues } from '../../src/events/parse-body.ts';
import type { ZendeskConfig } from './config.ts';
import { assertFresh } from '../../src/events/freshness.ts';

/**
 * How far the signed timestamp may be from the gateway's clock, in seconds, in
 * either direction. Zendesk documents no window; five minutes is what Stripe
 * and Standard Webhooks use, long enough for Zendesk's 12-second timeout and
 * queueing, short enough to make a captured delivery useless soon. Zendesk
 * signs each retry afresh, so retries are not refused by it.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The header names, lower-cased as the ingress hands them over. */
export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
export const INVOCATION_HEADER = 'x-zendesk-webhook-invocation-id';

/** The prefix of event-subscription types (`zen:event-type:ticket.created`); Zendesk's index also shows a `/`. */
const EVENT_TYPE_PREFIX = /^zen:event-type[:/]/;

/** base64 of a 32-byte HMAC-SHA256 digest. */
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** The secrets to try: `ZENDESK_WEBHOOK_SECRET` may list several, comma-separated, while one is rotated. */
export function signingSecrets(secret: string): string[] {
  return secret
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Zendesk's signature of a delivery: base64 of HMAC-SHA256, keyed with the
 * signing secret as given (its UTF-8 bytes, not base64-decoded), over the
 * timestamp header's exact text followed by the raw body.
 */
export function zendeskSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(timestamp, 'utf8').update(rawBody).digest('base64');
}

/**
 * Verifies `X-Zendesk-Webhook-Signature` exactly as Zendesk signs (see
 * {@link zendeskSignature}), in constant time over the decoded bytes, against
 * every configured secret, and then that `X-Zendesk-Webhook-Signature-Timestamp`
 * is within {@link SIGNATURE_TOLERANCE_SECONDS} of `now`, either way.
 */
export function verifyZendeskSignature(request: WebhookRequest, secret: string, now: Date): SignedMaterial {
  const signature = request.headers[SIGNATURE_HEADER];
  const timestamp = request.headers[TIMESTAMP_HEADER];
  if (!signature) {
    throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing X-Zendesk-Webhook-Signature header.');
  }
  if (!timestamp) {
    throw new WebhookError(401, 'SIGNATURE_MISSING', 'Missing X-Zendesk-Webhook-Signature-Timestamp header.');
  }
  const given = BASE64_DIGEST.test(signature.trim()) ? Buffer.from(signature.trim(), 'base64') : null;
  const matches =
    given !== null &&
    signingSecrets(secret).some((candidate) =>
      timingSafeEqual(given, Buffer.from(zendeskSignature(candidate, timestamp, request.rawBody), 'base64')),
    );
  if (!matches) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'X-Zendesk-Webhook-Signature does not match the payload: check ZENDESK_WEBHOOK_SECRET.',
    );
  }
  // Checked after the signature, so an attacker learns nothing from timing on forged headers.
  const signedAt = ISO_TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(signedAt)) {
    throw new WebhookError(
      401,
      'SIGNATURE_INVALID',
      'X-Zendesk-Webhook-Signature-Timestamp is not an ISO-8601 date-time.',
    );
  }
  const age = Math.floor((now.getTime() - signedAt) / 1000);
  assertFresh({
    label: 'X-Zendesk-Webhook-Signature-Timestamp',
    age,
    unit: 's',
    maxAge: SIGNATURE_TOLERANCE_SECONDS,
  });
  // The invocation id is not signed: the digest of timestamp + body is what makes a replay a duplicate.
  return [timestamp, request.rawBody];
}

/** Zendesk ids: a number, or its digits as a string (event payloads send strings). */
const zendeskId = z.union([z.string().regex(/^\d+$/, 'expected digits'), z.number().int().nonnegative()]);

/** The event-subscription envelope every `zen:event-type:*` delivery shares. */
const ZendeskEvent = z.looseObject({
  type: z
    .string()
    .regex(/^zen:event-type[:/][a-z_]+\.[a-z0-9_]+$/i, 'expected zen:event-type:<domain>.<action>'),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  account_id: z.number().int(),
  zendesk_event_version: z.string().optional(),
  subject: z.string().regex(/^zen:[a-z_]+:[^\s:]+$/, 'expected zen:<kind>:<id>'),
  detail: z.looseObject({ id: zendeskId }),
  event: z.looseObject({}).optional(),
});

/** `detail` of the domains the gateway maps, checked beyond the envelope. */
const detailModels: readonly [domain: string, model: z.ZodType][] = [
  [
    'ticket',
    z.looseObject({
      id: zendeskId,
      status: z.string().nullable().optional(),
      requester_id: zendeskId.nullable().optional(),
      assignee_id: zendeskId.nullable().optional(),
    }),
  ],
  [
    'user',
    z.looseObject({
      id: zendeskId,
      email: z.string().nullable().optional(),
      role: z.string().nullable().optional(),
    }),
  ],
];

const nonEmpty = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;

/** `zen:ticket:35436` as `{ kind: 'ticket', id: '35436' }`, with the email the detail names. */
function eventSubject(subject: string, detail: Record<string, unknown>): EventSubject {
  const [, kind = 'object', id = ''] = subject.split(':');
  return { kind, id, email: nonEmpty(detail['email']) };
}

function parseEventSubscription(json: Record<string, unknown>): IncomingEvent {
  const parsed = ZendeskEvent.safeParse(json);
  if (!parsed.success) {
    throw new WebhookError(400, 'INVALID_PAYLOAD', 'Body is not a Zendesk event.', zodIssues(parsed.error));
  }
  const event = parsed.data;
  const type = event.type.replace(EVENT_TYPE_PREFIX, '');
  const domain = type.split('.')[0] ?? '';
  const model = detailModels.find(([name]) => name === domain)?.[1];
  if (model) {
    const detail = model.safeParse(event.detail);
    if (!detail.success) {
      throw new WebhookError(
        400,
        'INVALID_PAYLOAD',
        `detail of this ${type} event is not a valid Zendesk ${domain}.`,
        zodIssues(detail.error, ['detail']),
      );
    }
  }
  return {
    id: event.id,
    source: 'zendesk',
    type,
    occurredAt: new Date(event.time).toISOString(),
    subject: eventSubject(event.subject, event.detail),
    data: json,
  };
}

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;

/** A trigger payload's subject, by the conventions in README.md: a `ticket` or a `user` object. */
function triggerSubject(body: Record<string, unknown>): EventSubject | null {
  const ticket = record(body['ticket']);
  const ticketId = nonEmpty(ticket?.['id']) ?? nonEmpty(body['ticket_id']);
  if (ticketId !== null) {
    const requester = record(ticket?.['requester']) ?? record(body['requester']);
    const email = nonEmpty(requester?.['email']) ?? nonEmpty(ticket?.['requester_email']);
    return { kind: 'ticket', id: ticketId, email };
  }
  const user = record(body['user']);
  const userId = nonEmpty(user?.['id']);
  if (userId !== null) return { kind: 'user', id: userId, email: nonEmpty(user?.['email']) };
  return null;
}

/**
 * A trigger or automation webhook: the body is whatever JSON the admin wrote.
 * Retries of one invocation share `X-Zendesk-Webhook-Invocation-Id`, which
 * makes the event id; without it, the body's SHA-256 stands in.
 */
function parseTriggerPayload(request: WebhookRequest, body: Record<string, unknown>): IncomingEvent {
  const invocation = request.headers[INVOCATION_HEADER]?.trim();
  const id =
    invocation !== undefined && invocation !== ''
      ? `invocation:${invocation}`
      : `sha256:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  const timestamp = Date.parse(request.headers[TIMESTAMP_HEADER] ?? '');
  return {
    id,
    source: 'zendesk',
    type: nonEmpty(body['type']) ?? 'trigger',
    occurredAt: new Date(Number.isNaN(timestamp) ? Date.now() : timestamp).toISOString(),
    subject: triggerSubject(body),
    data: body,
  };
}

/**
 * Validates a verified Zendesk delivery and maps it to one gateway event.
 * Event-subscription deliveries (`type: "zen:event-type:..."`) are checked
 * strictly and keep their own id for de-duplication; `Event.type` is the
 * type without the `zen:event-type:` prefix (`ticket.status_changed`). Any
 * other JSON object is a trigger payload (see {@link parseTriggerPayload}).
 */
export function parseZendeskWebhook(request: WebhookRequest): IncomingEvent[] {
  const json = parseJsonBody(request.rawBody);
  const body = record(json);
  if (body === null) {
    throw new WebhookError(400, 'INVALID_PAYLOAD', 'Body is neither a Zendesk event nor a JSON object.', [
      {
        path: '(body)',
        message: `expected a JSON object, received ${Array.isArray(json) ? 'array' : typeof json}`,
      },
    ]);
  }
  const type = body['type'];
  if (typeof type === 'string' && EVENT_TYPE_PREFIX.test(type)) return [parseEventSubscription(body)];
  if ('zendesk_event_version' in body || 'detail' in body) {
    // Shaped like an event but without a valid type: refuse rather than guess.
    return [parseEventSubscription(body)];
  }
  return [parseTriggerPayload(request, body)];
}

export const zendeskWebhooks: ConnectorWebhooks<ZendeskConfig> = {
  secret: (config) => config.ZENDESK_WEBHOOK_SECRET,
  verify: verifyZendeskSignature,
  parse: parseZendeskWebhook,
};
