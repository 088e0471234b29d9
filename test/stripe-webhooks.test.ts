import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../src/connector.ts';
import { WebhookError } from '../src/connector.ts';
import { parseStripeEvent, verifyStripeSignature } from '../connectors/stripe/webhooks.ts';
import { stripeCustomer } from './helpers/gateway.ts';

const secret = 'whsec_test_5f1b2c3d4e5f60718293a4b5c6d7e8f9';
const stripe = new Stripe('sk_test_unused');

const customer = stripeCustomer('cus_TestCustomer0001', 'alex@example.com', 'Alex Rivera');
const eventBody = JSON.stringify({
  id: 'evt_1TestEvent000001',
  object: 'event',
  api_version: '2025-10-29.clover',
  created: 1_767_225_700,
  data: { object: customer, previous_attributes: { name: 'Alex R.' } },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: 'customer.updated',
});

function delivery(body: string, header: string | undefined): WebhookRequest {
  return {
    method: 'POST',
    url: 'http://localhost/webhooks/stripe',
    headers: header === undefined ? {} : { 'stripe-signature': header },
    rawBody: Buffer.from(body, 'utf8'),
  };
}

function refusal(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookError)
      return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a WebhookError');
}

describe('Stripe signature verification against the official stripe package', () => {
  const now = new Date();
  const t = Math.floor(now.getTime() / 1000);

  it('accepts a header made by stripe.webhooks.generateTestHeaderString', () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t });
    expect(() => verifyStripeSignature(delivery(eventBody, header), secret, now)).not.toThrow();
  });

  it('accepts when any of several v1 signatures matches (secret rotation)', () => {
    const current = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t });
    const old = stripe.webhooks.generateTestHeaderString({
      payload: eventBody,
      secret: 'whsec_old',
      timestamp: t,
    });
    const header = `t=${t},v1=${old.split('v1=')[1] ?? ''},v1=${current.split('v1=')[1] ?? ''},v0=ignored`;
    expect(() => verifyStripeSignature(delivery(eventBody, header), secret, now)).not.toThrow();
  });

  it('rejects a tampered body', () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t });
    const tampered = eventBody.replace('Alex Rivera', 'Mallory');
    expect(refusal(() => verifyStripeSignature(delivery(tampered, header), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      message:
        'No v1 signature in the Stripe-Signature header matches the payload: check STRIPE_WEBHOOK_SECRET.',
    });
  });

  it('rejects a header signed with another secret', () => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload: eventBody,
      secret: 'whsec_other',
      timestamp: t,
    });
    expect(refusal(() => verifyStripeSignature(delivery(eventBody, header), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rejects a missing header, one without timestamp, and one without v1', () => {
    expect(refusal(() => verifyStripeSignature(delivery(eventBody, undefined), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_MISSING',
      message: 'Missing Stripe-Signature header.',
    });
    expect(refusal(() => verifyStripeSignature(delivery(eventBody, 'v1=abc'), secret, now)).message).toBe(
      'Stripe-Signature header has no timestamp (t=...).',
    );
    expect(refusal(() => verifyStripeSignature(delivery(eventBody, `t=${t}`), secret, now)).message).toBe(
      'Stripe-Signature header has no v1 signature.',
    );
  });

  it('rejects a correctly signed but stale delivery, saying it is stale', () => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload: eventBody,
      secret,
      timestamp: t - 301,
    });
    expect(refusal(() => verifyStripeSignature(delivery(eventBody, header), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_STALE',
      message: 'Stripe-Signature timestamp is stale: signed 301 s ago, beyond the 300 s tolerance.',
    });
    const edge = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t - 300 });
    expect(() => verifyStripeSignature(delivery(eventBody, edge), secret, now)).not.toThrow();
  });

  it('reads a header with spaces, empty parts and unknown schemes, and refuses v1 values that are not 64 hex digits', () => {
    const signed = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t });
    const mac = signed.split('v1=')[1] ?? '';
    const spaced = ` t = ${t} ,, v0=zz , v1 = ${mac.toUpperCase()} ,`;
    expect(() => verifyStripeSignature(delivery(eventBody, spaced), secret, now)).not.toThrow();
    const noMatch =
      'No v1 signature in the Stripe-Signature header matches the payload: check STRIPE_WEBHOOK_SECRET.';
    for (const bad of [
      `${mac.slice(0, 62)}zz`,
      `${mac}00`,
      mac.slice(0, 62),
      `${mac.slice(0, 63)} `,
      `g${mac.slice(1)}`,
    ]) {
      expect(
        refusal(() => verifyStripeSignature(delivery(eventBody, `t=${t},v1=${bad}`), secret, now)),
      ).toEqual({
        status: 401,
        code: 'SIGNATURE_INVALID',
        message: noMatch,
      });
    }
    expect(
      refusal(() => verifyStripeSignature(delivery(eventBody, `t=1x,v1=${mac}`), secret, now)).message,
    ).toBe('Stripe-Signature header has no timestamp (t=...).');
  });

  it('agrees with stripe.webhooks.constructEvent on what it accepts', () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: eventBody, secret, timestamp: t });
    const event = stripe.webhooks.constructEvent(eventBody, header, secret);
    expect(event.id).toBe('evt_1TestEvent000001');
  });
});

describe('Stripe event parsing', () => {
  it('maps a customer.updated event to one gateway event with its subject', () => {
    expect(parseStripeEvent(delivery(eventBody, undefined))).toEqual([
      {
        id: 'evt_1TestEvent000001',
        source: 'stripe',
        type: 'customer.updated',
        occurredAt: '2026-01-01T00:01:40.000Z',
        subject: { kind: 'customer', id: 'cus_TestCustomer0001', email: 'alex@example.com' },
        data: JSON.parse(eventBody) as unknown,
      },
    ]);
  });

  it('keeps every field of data.object for the subject, and dates each event by its own created second', () => {
    const at = (created: number, email: string) => {
      const body = JSON.parse(eventBody) as { created: number; data: { object: Record<string, unknown> } };
      body.created = created;
      body.data.object['email'] = email;
      const [event] = parseStripeEvent(delivery(JSON.stringify(body), undefined));
      return [event?.occurredAt, event?.subject?.email];
    };
    expect(at(1_767_225_700, 'a@example.com')).toEqual(['2026-01-01T00:01:40.000Z', 'a@example.com']);
    expect(at(1_767_225_700, 'b@example.com')).toEqual(['2026-01-01T00:01:40.000Z', 'b@example.com']);
    expect(at(1_767_225_701, 'c@example.com')).toEqual(['2026-01-01T00:01:41.000Z', 'c@example.com']);
    expect(at(0, 'd@example.com')).toEqual(['1970-01-01T00:00:00.000Z', 'd@example.com']);
  });

  it('refuses bytes that are not JSON with 400 INVALID_JSON', () => {
    const error = refusal(() => parseStripeEvent(delivery('{"id":', undefined)));
    expect(error.status).toBe(400);
    expect(error.code).toBe('INVALID_JSON');
    expect(error.message).toMatch(/^Webhook body is not valid JSON: /);
  });

  it('lists the issues of a body that is not a Stripe event', () => {
    try {
      parseStripeEvent(delivery(JSON.stringify({ object: 'event', type: 'customer.updated' }), undefined));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookError);
      const e = error as WebhookError;
      expect([e.status, e.code, e.message]).toEqual([400, 'INVALID_PAYLOAD', 'Body is not a Stripe event.']);
      expect(e.issues?.map((i) => i.path)).toEqual(['id', 'created', 'data']);
    }
  });

  it('validates data.object of the event families it maps', () => {
    const bad = JSON.parse(eventBody) as { data: { object: Record<string, unknown> } };
    bad.data.object['created'] = 'yesterday';
    try {
      parseStripeEvent(delivery(JSON.stringify(bad), undefined));
      expect.unreachable();
    } catch (error) {
      const e = error as WebhookError;
      expect(e.message).toBe('data.object of this customer.updated event is not a valid Stripe object.');
      expect(e.issues?.[0]?.path).toBe('data.object.created');
    }
  });

  it('accepts event types it does not map, with a generic subject', () => {
    const charge = JSON.stringify({
      id: 'evt_charge',
      object: 'event',
      type: 'charge.succeeded',
      created: 1_767_225_700,
      data: { object: { id: 'ch_1', object: 'charge', amount: 500 } },
    });
    expect(parseStripeEvent(delivery(charge, undefined))[0]?.subject).toEqual({
      kind: 'charge',
      id: 'ch_1',
      email: null,
    });
  });
});
