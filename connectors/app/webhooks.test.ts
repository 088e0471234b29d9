import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import { AppConfig } from './config.ts';
import { parseAppEvent, signStandardWebhook, verifyStandardWebhook } from './webhooks.ts';

// 32 random bytes, as a Standard Webhooks secret.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAX7hjHJG8Fc=';
const otherSecret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD/7vhPTTS3vk=';
const signer = new Webhook(secret);

const payload = {
  event: 'user.created',
  timestamp: '2026-06-20T19:08:41Z',
  data: {
    user_id: 'usr_987654321',
    email: 'alex@example.com',
    first_name: 'Alex',
    last_name: 'Rivera',
    company: 'Acme Corp',
    plan: 'enterprise',
  },
};
const body = JSON.stringify(payload);
const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

function delivery(raw: string, headers: Record<string, string>): WebhookRequest {
  return { method: 'POST', url: 'http://localhost/webhooks/app', headers, rawBody: Buffer.from(raw, 'utf8') };
}

/** Headers as the `standardwebhooks` package signs them. */
function signed(raw: string, options: { at?: Date; id?: string; by?: Webhook } = {}): Record<string, string> {
  const at = options.at ?? new Date();
  const id = options.id ?? msgId;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': (options.by ?? signer).sign(id, at, raw),
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

function issues(fn: () => unknown): {
  message: string;
  issues: readonly { path: string; message: string }[];
} {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookError && error.status === 400 && error.code === 'INVALID_PAYLOAD') {
      return { message: error.message, issues: error.issues ?? [] };
    }
    throw error;
  }
  throw new Error('expected a 400 INVALID_PAYLOAD');
}

describe('Standard Webhooks verification against the standardwebhooks package', () => {
  const now = new Date();

  it('accepts what Webhook.sign produces', () => {
    expect(() => verifyStandardWebhook(delivery(body, signed(body)), secret, now)).not.toThrow();
  });

  it('signs exactly as the package does, and the package accepts our signature', () => {
    const t = Math.floor(now.getTime() / 1000);
    const ours = signStandardWebhook(secret, msgId, t, Buffer.from(body));
    expect(ours).toBe(signer.sign(msgId, new Date(t * 1000), body));
    const headers = { 'webhook-id': msgId, 'webhook-timestamp': String(t), 'webhook-signature': ours };
    expect(signer.verify(body, headers)).toEqual(payload);
  });

  it('verifies over the raw bytes, whitespace and non-ASCII included', () => {
    const pretty = JSON.stringify({ ...payload, data: { ...payload.data, first_name: 'Zoë' } }, null, 2);
    expect(() => verifyStandardWebhook(delivery(pretty, signed(pretty)), secret, now)).not.toThrow();
    const reencoded = JSON.stringify(JSON.parse(pretty));
    expect(refusal(() => verifyStandardWebhook(delivery(reencoded, signed(pretty)), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rejects a tampered body, a tampered id and a tampered timestamp', () => {
    const headers = signed(body);
    const tampered = body.replace('enterprise', 'free');
    expect(refusal(() => verifyStandardWebhook(delivery(tampered, headers), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      message:
        'No v1 signature in the webhook-signature header matches the payload: check APP_WEBHOOK_SECRET.',
    });
    const otherId = { ...headers, 'webhook-id': 'msg_other' };
    expect(refusal(() => verifyStandardWebhook(delivery(body, otherId), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
    const shifted = { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) };
    expect(refusal(() => verifyStandardWebhook(delivery(body, shifted), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rejects a delivery signed with another secret', () => {
    const headers = signed(body, { by: new Webhook(otherSecret) });
    expect(refusal(() => verifyStandardWebhook(delivery(body, headers), secret, now)).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('accepts when any of several space-separated signatures matches (key rotation)', () => {
    const at = now;
    const old = signed(body, { at, by: new Webhook(otherSecret) })['webhook-signature'] ?? '';
    const current = signed(body, { at })['webhook-signature'] ?? '';
    const base = signed(body, { at });
    for (const header of [`${old} ${current}`, `${current} ${old}`, `v1a,c2lnbmF0dXJl ${old} ${current}`]) {
      expect(() =>
        verifyStandardWebhook(delivery(body, { ...base, 'webhook-signature': header }), secret, now),
      ).not.toThrow();
    }
    // Verified with the old secret, the same header passes too: both keys work during rotation.
    expect(() =>
      verifyStandardWebhook(
        delivery(body, { ...base, 'webhook-signature': `${old} ${current}` }),
        otherSecret,
        now,
      ),
    ).not.toThrow();
    expect(
      refusal(() => verifyStandardWebhook(delivery(body, { ...base, 'webhook-signature': old }), secret, now))
        .code,
    ).toBe('SIGNATURE_INVALID');
  });

  it('rejects a stale delivery and one from the future, at the 5 minute bounds', () => {
    const t = Math.floor(now.getTime() / 1000);
    const at = (offset: number) => new Date((t + offset) * 1000);
    expect(
      refusal(() => verifyStandardWebhook(delivery(body, signed(body, { at: at(-301) })), secret, now)),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_STALE',
      message: 'webhook-timestamp is stale: signed 301 s ago, beyond the 300 s tolerance.',
    });
    expect(
      refusal(() => verifyStandardWebhook(delivery(body, signed(body, { at: at(301) })), secret, now)),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_STALE',
      message: 'webhook-timestamp is 301 s in the future, beyond the 300 s tolerance: check the clock.',
    });
    for (const edge of [-300, 300]) {
      expect(() =>
        verifyStandardWebhook(delivery(body, signed(body, { at: at(edge) })), secret, now),
      ).not.toThrow();
    }
  });

  it('agrees with Webhook.verify on stale and future timestamps', () => {
    const t = Math.floor(Date.now() / 1000);
    for (const offset of [-400, 400]) {
      const headers = signed(body, { at: new Date((t + offset) * 1000) });
      expect(() => signer.verify(body, headers)).toThrow(/timestamp too (old|new)/);
      expect(refusal(() => verifyStandardWebhook(delivery(body, headers), secret, new Date())).code).toBe(
        'SIGNATURE_STALE',
      );
    }
  });

  it('rejects missing headers, naming them', () => {
    const headers = signed(body);
    expect(refusal(() => verifyStandardWebhook(delivery(body, {}), secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_MISSING',
      message: 'Missing Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature.',
    });
    const { 'webhook-signature': _signature, ...unsigned } = headers;
    expect(refusal(() => verifyStandardWebhook(delivery(body, unsigned), secret, now)).message).toBe(
      'Missing Standard Webhooks header: webhook-signature.',
    );
    const { 'webhook-id': _id, ...anonymous } = headers;
    expect(refusal(() => verifyStandardWebhook(delivery(body, anonymous), secret, now)).code).toBe(
      'SIGNATURE_MISSING',
    );
  });

  it('rejects malformed headers with SIGNATURE_INVALID', () => {
    const headers = signed(body);
    const cases: [Record<string, string>, string][] = [
      [{ 'webhook-timestamp': 'yesterday' }, 'webhook-timestamp header is not a unix timestamp in seconds.'],
      [{ 'webhook-timestamp': '1.5e9' }, 'webhook-timestamp header is not a unix timestamp in seconds.'],
      [{ 'webhook-id': 'msg 1' }, 'webhook-id header is not a message id.'],
      [
        { 'webhook-signature': 'garbage' },
        'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.',
      ],
      [{ 'webhook-signature': 'v1,' }, 'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.'],
      [
        { 'webhook-signature': 'v1,not base64!' },
        'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.',
      ],
      [
        { 'webhook-signature': 'v1,c2hvcnQ=' },
        'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.',
      ],
      [
        { 'webhook-signature': (headers['webhook-signature'] ?? '').replace('v1,', 'v2,') },
        'webhook-signature header has no v1,<base64> HMAC-SHA256 signature.',
      ],
    ];
    for (const [override, message] of cases) {
      expect(
        refusal(() => verifyStandardWebhook(delivery(body, { ...headers, ...override }), secret, now)),
      ).toEqual({
        status: 401,
        code: 'SIGNATURE_INVALID',
        message,
      });
    }
  });
});

describe('app event parsing', () => {
  const request = (raw: string, id = msgId) => delivery(raw, { 'webhook-id': id });

  it('maps user.created to one event keyed by webhook-id, with a user subject', () => {
    expect(parseAppEvent(request(body))).toEqual([
      {
        id: msgId,
        source: 'app',
        type: 'user.created',
        occurredAt: '2026-06-20T19:08:41.000Z',
        subject: { kind: 'user', id: 'usr_987654321', email: 'alex@example.com' },
        data: payload,
      },
    ]);
  });

  it('accepts user.updated with the same data, a null company and an offset timestamp', () => {
    const updated = {
      event: 'user.updated',
      timestamp: '2026-06-20T21:08:41+02:00',
      data: { ...payload.data, company: null, plan: 'pro' },
    };
    const [event] = parseAppEvent(request(JSON.stringify(updated)));
    expect(event).toMatchObject({
      type: 'user.updated',
      occurredAt: '2026-06-20T19:08:41.000Z',
      data: updated,
    });
  });

  it('accepts user.deleted with user_id, email and deleted_at', () => {
    const deleted = {
      event: 'user.deleted',
      timestamp: '2026-06-21T08:00:00Z',
      data: { user_id: 'usr_987654321', email: 'alex@example.com', deleted_at: '2026-06-21T08:00:00Z' },
    };
    expect(parseAppEvent(request(JSON.stringify(deleted)))[0]).toMatchObject({
      type: 'user.deleted',
      subject: { kind: 'user', id: 'usr_987654321', email: 'alex@example.com' },
    });
    const withProfile = { ...deleted, data: { ...deleted.data, first_name: 'Alex' } };
    expect(issues(() => parseAppEvent(request(JSON.stringify(withProfile)))).issues).toEqual([
      { path: 'data.first_name', message: 'Unknown field: the payload allows no other fields.' },
    ]);
  });

  it('refuses bytes that are not JSON with 400 INVALID_JSON', () => {
    const error = refusal(() => parseAppEvent(request('{"event":')));
    expect([error.status, error.code]).toEqual([400, 'INVALID_JSON']);
  });

  it('refuses unknown fields, at the top level and in data, naming each', () => {
    const extra = { ...payload, id: 'evt_1', data: { ...payload.data, phone: '+1', role: 'admin' } };
    expect(issues(() => parseAppEvent(request(JSON.stringify(extra))))).toEqual({
      message: 'Body is not an app webhook event.',
      issues: [{ path: 'id', message: 'Unknown field: the payload allows no other fields.' }],
    });
    const extraData = { ...payload, data: { ...payload.data, phone: '+1', role: 'admin' } };
    expect(issues(() => parseAppEvent(request(JSON.stringify(extraData))))).toEqual({
      message: 'data of this user.created event is not valid.',
      issues: [
        { path: 'data.phone', message: 'Unknown field: the payload allows no other fields.' },
        { path: 'data.role', message: 'Unknown field: the payload allows no other fields.' },
      ],
    });
  });

  it('names every missing or malformed field', () => {
    const { email: _email, ...noEmail } = payload.data;
    const broken = {
      event: 'user.created',
      timestamp: '20 June 2026',
      data: { ...noEmail, user_id: 42, plan: 'platinum' },
    };
    const envelope = issues(() => parseAppEvent(request(JSON.stringify(broken))));
    expect(envelope.issues).toEqual([
      {
        path: 'timestamp',
        message: 'Invalid date-time: expected ISO-8601 with a zone, like 2026-06-20T19:08:41Z',
      },
    ]);
    const data = issues(() =>
      parseAppEvent(request(JSON.stringify({ ...broken, timestamp: '2026-06-20T19:08:41Z' }))),
    );
    expect(data.issues.map((i) => i.path)).toEqual(['data.user_id', 'data.email', 'data.plan']);
    expect(data.issues[2]?.message).toBe(
      'Invalid option: expected one of "free"|"starter"|"pro"|"enterprise"',
    );

    const badEmail = { ...payload, data: { ...payload.data, email: 'not-an-email', user_id: 'usr 1' } };
    expect(issues(() => parseAppEvent(request(JSON.stringify(badEmail)))).issues).toEqual([
      {
        path: 'data.user_id',
        message:
          'Invalid user id: expected 1 to 255 letters, digits or _ - . : @ | + = ~ / (like usr_987654321, a UUID or 42)',
      },
      { path: 'data.email', message: 'Invalid email address' },
    ]);
  });

  it('accepts any user id the product uses, within 1 to 255 characters of a safe set', () => {
    const parse = (userId: unknown) =>
      parseAppEvent(request(JSON.stringify({ ...payload, data: { ...payload.data, user_id: userId } })));
    for (const id of [
      'usr_987654321',
      '3f1c9a2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b',
      '42',
      'user_ab-12',
      'auth0|5f7c8ec7c33c6c004bbafe82',
      'x'.repeat(255),
    ]) {
      expect(parse(id)[0]?.subject).toEqual({ kind: 'user', id, email: payload.data.email });
    }
    for (const id of ['', 'x'.repeat(256), 'usr 1', 'usr_1\n', 'usr_\u0000', 'usr_\u001b[31m', 'ü', 42]) {
      expect(issues(() => parse(id)).issues.map((i) => i.path)).toEqual(['data.user_id']);
    }
  });

  it('refuses an unknown event type, a missing data and a body that is not an object', () => {
    const unknown = issues(() =>
      parseAppEvent(request(JSON.stringify({ ...payload, event: 'user.banned' }))),
    );
    expect(unknown.issues).toEqual([
      {
        path: 'event',
        message: 'Invalid option: expected one of "user.created"|"user.updated"|"user.deleted"',
      },
    ]);
    const { data: _data, ...noData } = payload;
    expect(issues(() => parseAppEvent(request(JSON.stringify(noData)))).issues).toEqual([
      { path: 'data', message: 'Invalid input: expected record, received undefined' },
    ]);
    expect(issues(() => parseAppEvent(request('[1,2]'))).issues).toEqual([
      { path: '(body)', message: 'Invalid input: expected object, received array' },
    ]);
  });
});

describe('APP_* configuration', () => {
  it('is off without credentials, and needs APP_BASE_URL once APP_API_KEY is set', () => {
    expect(AppConfig.parse({})).toEqual({});
    const missing = AppConfig.safeParse({ APP_API_KEY: 'app_live_1' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues).toEqual([
      expect.objectContaining({
        path: ['APP_BASE_URL'],
        message:
          "is required when APP_API_KEY is set: the product's API has no public default, give its base URL (e.g. https://api.example.com)",
      }),
    ]);
    expect(AppConfig.parse({ APP_API_KEY: 'k', APP_BASE_URL: 'https://api.example.com' })).toEqual({
      APP_API_KEY: 'k',
      APP_BASE_URL: 'https://api.example.com',
    });
    expect(AppConfig.safeParse({ APP_API_KEY: 'k', APP_BASE_URL: 'ftp://x' }).success).toBe(false);
  });

  it('takes only whsec_ secrets of 24 to 64 bytes', () => {
    expect(AppConfig.safeParse({ APP_WEBHOOK_SECRET: secret }).success).toBe(true);
    for (const bad of [
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'whsec_c2hvcnQ=',
      'whsec_not base64',
      `whsec_${'A'.repeat(88)}`,
    ]) {
      const result = AppConfig.safeParse({ APP_WEBHOOK_SECRET: bad });
      expect(result.error?.issues[0]?.message).toBe(
        'must be a Standard Webhooks secret: whsec_ followed by the base64 of a 24 to 64 byte key',
      );
    }
  });
});
