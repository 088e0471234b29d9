import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import { ZendeskConfig, authorizationHeader, hasZendeskCredentials } from './config.ts';
import { zendeskRetryHint } from './index.ts';
import { handleWebhook } from '../../src/events/ingress.ts';
import { take } from '../../test/event-log-contract.ts';
import { createMemoryEventLog } from '../../src/events/memory-log.ts';
import { parseZendeskWebhook, verifyZendeskSignature, zendeskWebhooks } from './webhooks.ts';

/**
 * Zendesk ships no signing library, so deliveries are signed here the way
 * Zendesk's "Verifying webhook authenticity" guide shows, independently of
 * the code under test: `createHmac('sha256', SIGNING_SECRET).update(timestamp + body).digest('base64')`.
 * The secret is the static one Zendesk documents for test requests.
 */
const SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
function sign(body: string, timestamp: string, secret = SECRET): string {
  return createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');
}

const NOW = new Date('2026-03-01T12:00:00.000Z');
const isoAt = (offsetSeconds: number) =>
  new Date(NOW.getTime() + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Zendesk's ticket.status_changed example, as its event-type reference shows it. */
const statusChanged = {
  type: 'zen:event-type:ticket.status_changed',
  account_id: 22129848,
  id: 'a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d',
  time: '2025-01-08T16:45:20.987654321Z',
  zendesk_event_version: '2022-11-06',
  subject: 'zen:ticket:5158',
  detail: {
    id: '5158',
    subject: 'Cannot login to mobile app',
    status: 'SOLVED',
    priority: 'HIGH',
    requester_id: '8447388090494',
    created_at: '2025-01-08T10:12:07Z',
    updated_at: '2025-01-08T16:45:20Z',
  },
  event: { current: 'SOLVED', previous: 'OPEN' },
};
const body = JSON.stringify(statusChanged);

function delivery(
  raw: string,
  headers: Record<string, string | undefined> = {
    'x-zendesk-webhook-signature': sign(raw, isoAt(0)),
    'x-zendesk-webhook-signature-timestamp': isoAt(0),
  },
): WebhookRequest {
  const defined = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    method: 'POST',
    url: 'http://localhost/webhooks/zendesk',
    headers: defined,
    rawBody: Buffer.from(raw),
  };
}

function refusal(fn: () => unknown): { status: number; code: string; message: string; issues?: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookError) {
      return { status: error.status, code: error.code, message: error.message, issues: error.issues };
    }
    throw error;
  }
  throw new Error('expected a WebhookError');
}

describe('Zendesk signature verification', () => {
  it('accepts a delivery signed as Zendesk signs it', () => {
    expect(() => verifyZendeskSignature(delivery(body), SECRET, NOW)).not.toThrow();
  });

  it('rejects a tampered body and a signature made with another secret', () => {
    const signed = delivery(body);
    const tampered = { ...signed, rawBody: Buffer.from(body.replace('SOLVED', 'OPEN')) };
    expect(refusal(() => verifyZendeskSignature(tampered, SECRET, NOW))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      message: 'X-Zendesk-Webhook-Signature does not match the payload: check ZENDESK_WEBHOOK_SECRET.',
      issues: undefined,
    });
    const other = delivery(body, {
      'x-zendesk-webhook-signature': sign(body, isoAt(0), 'another-secret'),
      'x-zendesk-webhook-signature-timestamp': isoAt(0),
    });
    expect(refusal(() => verifyZendeskSignature(other, SECRET, NOW)).code).toBe('SIGNATURE_INVALID');
  });

  it('covers the timestamp: a signature moved to another timestamp fails', () => {
    const moved = delivery(body, {
      'x-zendesk-webhook-signature': sign(body, isoAt(0)),
      'x-zendesk-webhook-signature-timestamp': isoAt(1),
    });
    expect(refusal(() => verifyZendeskSignature(moved, SECRET, NOW)).code).toBe('SIGNATURE_INVALID');
  });

  it('rejects missing headers and garbage signatures', () => {
    expect(refusal(() => verifyZendeskSignature(delivery(body, {}), SECRET, NOW))).toMatchObject({
      status: 401,
      code: 'SIGNATURE_MISSING',
      message: 'Missing X-Zendesk-Webhook-Signature header.',
    });
    const noTimestamp = delivery(body, { 'x-zendesk-webhook-signature': sign(body, isoAt(0)) });
    expect(refusal(() => verifyZendeskSignature(noTimestamp, SECRET, NOW)).message).toBe(
      'Missing X-Zendesk-Webhook-Signature-Timestamp header.',
    );
    for (const garbage of ['not base64!', 'c2hvcnQ=', `${'A'.repeat(43)}=extra`]) {
      const bad = delivery(body, {
        'x-zendesk-webhook-signature': garbage,
        'x-zendesk-webhook-signature-timestamp': isoAt(0),
      });
      expect(refusal(() => verifyZendeskSignature(bad, SECRET, NOW)).code).toBe('SIGNATURE_INVALID');
    }
  });

  it('refuses a correctly signed timestamp that is not ISO-8601', () => {
    const odd = delivery(body, {
      'x-zendesk-webhook-signature': sign(body, '1772366400'),
      'x-zendesk-webhook-signature-timestamp': '1772366400',
    });
    expect(refusal(() => verifyZendeskSignature(odd, SECRET, NOW)).message).toBe(
      'X-Zendesk-Webhook-Signature-Timestamp is not an ISO-8601 date-time.',
    );
  });

  it('rejects stale and future deliveries beyond five minutes, accepts the edges', () => {
    const at = (offset: number) =>
      delivery(body, {
        'x-zendesk-webhook-signature': sign(body, isoAt(offset)),
        'x-zendesk-webhook-signature-timestamp': isoAt(offset),
      });
    expect(refusal(() => verifyZendeskSignature(at(-301), SECRET, NOW))).toMatchObject({
      status: 401,
      code: 'SIGNATURE_STALE',
      message:
        'X-Zendesk-Webhook-Signature-Timestamp is stale: signed 301 s ago, beyond the 300 s tolerance.',
    });
    expect(refusal(() => verifyZendeskSignature(at(301), SECRET, NOW)).message).toMatch(
      /is 301 s in the future, beyond the 300 s tolerance: check the clock\.$/,
    );
    expect(() => verifyZendeskSignature(at(-300), SECRET, NOW)).not.toThrow();
    expect(() => verifyZendeskSignature(at(300), SECRET, NOW)).not.toThrow();
  });

  it('accepts any of several comma-separated secrets, for rotation', () => {
    const signedWithNew = delivery(body, {
      'x-zendesk-webhook-signature': sign(body, isoAt(0), 'new-secret'),
      'x-zendesk-webhook-signature-timestamp': isoAt(0),
    });
    expect(() => verifyZendeskSignature(signedWithNew, `${SECRET}, new-secret`, NOW)).not.toThrow();
    expect(() => verifyZendeskSignature(delivery(body), `${SECRET},new-secret`, NOW)).not.toThrow();
    expect(refusal(() => verifyZendeskSignature(signedWithNew, SECRET, NOW)).code).toBe('SIGNATURE_INVALID');
  });
});

describe('Zendesk webhook parsing', () => {
  it('maps an event-subscription delivery to one event, its type without the zen:event-type: prefix', () => {
    expect(parseZendeskWebhook(delivery(body))).toEqual([
      {
        id: 'a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d',
        source: 'zendesk',
        type: 'ticket.status_changed',
        occurredAt: '2025-01-08T16:45:20.987Z',
        subject: { kind: 'ticket', id: '5158', email: null },
        data: statusChanged,
      },
    ]);
  });

  it('takes the email of user events into the subject', () => {
    const userCreated = {
      type: 'zen:event-type:user.created',
      account_id: 12514403,
      id: '6b9bbadf-5725-4e92-bebe-7b71011bf5f1',
      subject: 'zen:user:6596848315901',
      time: '2025-01-08T05:33:18Z',
      zendesk_event_version: '2022-06-20',
      detail: {
        created_at: '2025-01-08T05:27:58Z',
        email: 'alex@example.com',
        external_id: '',
        default_group_id: '0',
        id: '6596848315901',
        organization_id: '0',
        role: 'end-user',
        updated_at: '2025-01-08T05:33:18Z',
      },
      event: {},
    };
    const [event] = parseZendeskWebhook(delivery(JSON.stringify(userCreated)));
    expect(event).toMatchObject({
      type: 'user.created',
      occurredAt: '2025-01-08T05:33:18.000Z',
      subject: { kind: 'user', id: '6596848315901', email: 'alex@example.com' },
    });
  });

  it('accepts the slash spelling some of Zendesk’s docs use', () => {
    const slashed = { ...statusChanged, type: 'zen:event-type/ticket.status_changed' };
    expect(parseZendeskWebhook(delivery(JSON.stringify(slashed)))[0]?.type).toBe('ticket.status_changed');
  });

  it('refuses bytes that are not JSON with 400 INVALID_JSON', () => {
    const error = refusal(() => parseZendeskWebhook(delivery('{"type":')));
    expect([error.status, error.code]).toEqual([400, 'INVALID_JSON']);
  });

  it('lists the issues of a malformed event', () => {
    const { id: _id, time: _time, ...broken } = statusChanged;
    const error = refusal(() =>
      parseZendeskWebhook(delivery(JSON.stringify({ ...broken, subject: 'ticket 5158' }))),
    );
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message: 'Body is not a Zendesk event.',
    });
    expect((error.issues as { path: string }[]).map((i) => i.path)).toEqual(['id', 'time', 'subject']);

    const badDetail = { ...statusChanged, detail: { ...statusChanged.detail, requester_id: 'someone' } };
    const detailError = refusal(() => parseZendeskWebhook(delivery(JSON.stringify(badDetail))));
    expect(detailError.message).toBe(
      'detail of this ticket.status_changed event is not a valid Zendesk ticket.',
    );
    expect((detailError.issues as { path: string }[])[0]?.path).toMatch(/^detail\.requester_id/);

    const typeless = { ...statusChanged, type: 'ticket.status_changed' };
    expect(refusal(() => parseZendeskWebhook(delivery(JSON.stringify(typeless)))).code).toBe(
      'INVALID_PAYLOAD',
    );
  });

  it('refuses a body that is not a JSON object', () => {
    expect(refusal(() => parseZendeskWebhook(delivery('[1,2]')))).toMatchObject({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message: 'Body is neither a Zendesk event nor a JSON object.',
    });
  });

  it('maps a trigger payload, keyed by the invocation id shared by its retries', () => {
    const trigger = JSON.stringify({
      type: 'ticket.solved',
      ticket: { id: '35436', status: 'Solved', requester: { email: 'alex@example.com' } },
    });
    const headers = {
      'x-zendesk-webhook-signature': sign(trigger, isoAt(0)),
      'x-zendesk-webhook-signature-timestamp': isoAt(0),
      'x-zendesk-webhook-invocation-id': '8350205582',
    };
    expect(parseZendeskWebhook(delivery(trigger, headers))).toEqual([
      {
        id: 'invocation:8350205582',
        source: 'zendesk',
        type: 'ticket.solved',
        occurredAt: '2026-03-01T12:00:00.000Z',
        subject: { kind: 'ticket', id: '35436', email: 'alex@example.com' },
        data: JSON.parse(trigger) as unknown,
      },
    ]);
    const anonymous = parseZendeskWebhook(delivery(JSON.stringify({ note: 'hello' })))[0];
    expect(anonymous).toMatchObject({ type: 'trigger', subject: null });
    expect(anonymous?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('Zendesk configuration', () => {
  it('derives the base URL from the subdomain and builds API-token auth', () => {
    const config = ZendeskConfig.parse({
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_EMAIL: 'agent@acme.example',
      ZENDESK_API_TOKEN: 'tok123',
    });
    expect(config.ZENDESK_BASE_URL).toBe('https://acme.zendesk.com');
    expect(hasZendeskCredentials(config)).toBe(true);
    expect(authorizationHeader(config)).toBe(
      `Basic ${Buffer.from('agent@acme.example/token:tok123').toString('base64')}`,
    );
  });

  it('prefers an explicit base URL and OAuth', () => {
    const config = ZendeskConfig.parse({
      ZENDESK_BASE_URL: 'https://help.acme.example/',
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_OAUTH_TOKEN: 'oauth-abc',
    });
    expect(config.ZENDESK_BASE_URL).toBe('https://help.acme.example');
    expect(authorizationHeader(config)).toBe('Bearer oauth-abc');
  });

  it('is off without credentials and refuses half-configured ones, naming the variable', () => {
    expect(hasZendeskCredentials(ZendeskConfig.parse({ ZENDESK_SUBDOMAIN: 'acme' }))).toBe(false);
    const halfToken = ZendeskConfig.safeParse({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_API_TOKEN: 't' });
    expect(halfToken.error?.issues.map((i) => i.path[0])).toEqual(['ZENDESK_EMAIL']);
    const noAccount = ZendeskConfig.safeParse({ ZENDESK_OAUTH_TOKEN: 't' });
    expect(noAccount.error?.issues.map((i) => i.path[0])).toEqual(['ZENDESK_SUBDOMAIN']);
    expect(ZendeskConfig.safeParse({ ZENDESK_SUBDOMAIN: 'https://acme.zendesk.com' }).success).toBe(false);
  });
});

describe('Zendesk retry hints', () => {
  const response = (status: number, headers: Record<string, string>) => ({
    status,
    headers,
    text: '',
    json: undefined,
    attempts: 1,
  });

  it('waits what Retry-After says on 429 and 503, and leaves everything else to the defaults', () => {
    expect(zendeskRetryHint(response(429, { 'retry-after': '7' }))).toEqual({ retry: true, afterMs: 7000 });
    expect(zendeskRetryHint(response(429, { 'ratelimit-reset': '3' }))).toEqual({
      retry: true,
      afterMs: 3000,
    });
    expect(zendeskRetryHint(response(503, { 'retry-after': '2' }))).toEqual({ retry: true, afterMs: 2000 });
    expect(zendeskRetryHint(response(429, {}))).toBeUndefined();
    expect(zendeskRetryHint(response(500, { 'retry-after': '2' }))).toBeUndefined();
  });
});

describe('replays (the signature covers timestamp and body, not the invocation id)', () => {
  const trigger = JSON.stringify({ type: 'ticket.solved', ticket: { id: '35436', status: 'Solved' } });
  const headers = (invocation: string, at = isoAt(0)) => ({
    'x-zendesk-webhook-signature': sign(trigger, at),
    'x-zendesk-webhook-signature-timestamp': at,
    'x-zendesk-webhook-invocation-id': invocation,
  });

  it('reports the same signed bytes under a new invocation id as a duplicate and publishes them once', async () => {
    const log = createMemoryEventLog();
    const subscription = log.subscribe({});
    const deliver = (request: WebhookRequest, now = NOW) =>
      handleWebhook({ source: 'zendesk', webhooks: zendeskWebhooks, secret: SECRET, request, log, now });
    expect(await deliver(delivery(trigger, headers('8350205582')))).toMatchObject({
      status: 200,
      body: { stored: 1 },
    });
    expect(await deliver(delivery(trigger, headers('9999999999')), new Date(NOW.getTime() + 60_000))).toEqual(
      {
        status: 200,
        body: {
          received: 1,
          stored: 0,
          duplicates: 1,
          events: [{ id: 'invocation:9999999999', cursor: null, duplicate: true }],
        },
      },
    );
    // Zendesk signs a retry afresh: a new timestamp is new signed material, de-duplicated by its invocation id.
    const retry = await deliver(delivery(trigger, headers('8350205582', isoAt(30))));
    expect(retry).toMatchObject({ status: 200, body: { stored: 0, duplicates: 1 } });
    expect((await log.read({ limit: 10 })).map((e) => e.id)).toEqual(['invocation:8350205582']);
    expect((await take(subscription, 1)).map((e) => e.id)).toEqual(['invocation:8350205582']);
    await log.close();
  });

  it('requires the signed timestamp, and refuses it outside the five-minute window', async () => {
    const log = createMemoryEventLog();
    const deliver = (request: WebhookRequest) =>
      handleWebhook({ source: 'zendesk', webhooks: zendeskWebhooks, secret: SECRET, request, log, now: NOW });
    const { 'x-zendesk-webhook-signature-timestamp': _omitted, ...noTimestamp } = headers('1');
    expect(await deliver(delivery(trigger, noTimestamp))).toEqual({
      status: 401,
      body: {
        error: {
          code: 'SIGNATURE_MISSING',
          message: 'Missing X-Zendesk-Webhook-Signature-Timestamp header.',
        },
      },
    });
    expect(await deliver(delivery(trigger, headers('2', isoAt(-301))))).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_STALE' } },
    });
    expect(await log.read({ limit: 10 })).toEqual([]);
    await log.close();
  });
});

describe('trigger types that are not printable text', () => {
  it.each([
    ['NUL', 'ticket.\u0000solved'],
    ['ESC', '\u001b]0;pwned\u0007ticket.solved'],
    ['CRLF', 'ticket.solved\r\nSet-Cookie: x=1'],
  ])('refuses a signed trigger whose type contains %s with 400 and stores nothing', async (_name, type) => {
    const log = createMemoryEventLog();
    const raw = JSON.stringify({ type, ticket: { id: '35436' } });
    const request = delivery(raw, {
      'x-zendesk-webhook-signature': sign(raw, isoAt(0)),
      'x-zendesk-webhook-signature-timestamp': isoAt(0),
      'x-zendesk-webhook-invocation-id': '1',
    });
    const response = await handleWebhook({
      source: 'zendesk',
      webhooks: zendeskWebhooks,
      secret: SECRET,
      request,
      log,
      now: NOW,
    });
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PAYLOAD', issues: [{ path: 'type' }] } },
    });
    expect((response.body as { error: { issues: { message: string }[] } }).error.issues[0]?.message).toMatch(
      /^Event type must be printable text: it contains the control or format character U\+00(00|1B|0D) at position \d+\.$/,
    );
    expect(await log.read({ limit: 10 })).toEqual([]);
    await log.close();
  });
});
