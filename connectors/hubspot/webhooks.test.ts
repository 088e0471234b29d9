import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/connector.ts';
import { WebhookError } from '../../src/connector.ts';
import { hubspotRetryHint } from './index.ts';
import {
  hubspotSigningUri,
  hubspotWebhooks,
  parseHubSpotEvents,
  verifyHubSpotSignature,
} from './webhooks.ts';

/**
 * The v3 scheme as HubSpot documents it, written here from the docs and not
 * from the connector: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)).
 */
function signV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

const secret = '2f8e1c4a-7b3d-4e9f-a1c6-5d0b8e2f7a93';
const url = 'https://gateway.example.com/webhooks/hubspot';
const body = JSON.stringify([
  {
    eventId: 3029365631,
    subscriptionId: 686627,
    portalId: 891472211,
    appId: 7906213,
    occurredAt: 1_767_225_700_000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 847297356,
    propertyName: 'email',
    propertyValue: 'alex.rivera@acme.example',
    changeSource: 'CRM_UI',
    sourceId: 'userId:882761034',
  },
  {
    eventId: 3029365632,
    subscriptionId: 686620,
    portalId: 891472211,
    appId: 7906213,
    occurredAt: 1_767_225_701_000,
    subscriptionType: 'deal.creation',
    attemptNumber: 0,
    objectId: 9_400_000_123,
    changeFlag: 'NEW',
    changeSource: 'CRM',
  },
]);

function delivery(
  raw: string,
  headers: Record<string, string>,
  options: { url?: string; method?: string } = {},
): WebhookRequest {
  return {
    method: options.method ?? 'POST',
    url: options.url ?? url,
    headers,
    rawBody: Buffer.from(raw, 'utf8'),
  };
}

function signed(raw: string, timestamp: number, options: { secret?: string; uri?: string } = {}) {
  return {
    'x-hubspot-signature-v3': signV3(
      options.secret ?? secret,
      'POST',
      options.uri ?? url,
      raw,
      String(timestamp),
    ),
    'x-hubspot-request-timestamp': String(timestamp),
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

describe('HubSpot v3 signature verification', () => {
  const now = new Date();
  const t = now.getTime();

  it('reproduces the vectors published in HubSpot’s own SDK tests', () => {
    const vectorSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
    const vectorBody = "{'example_field':'example_value'}";
    const vectorUrl = 'https://www.example.com/webhook_uri';
    for (const [timestamp, expected] of [
      ['1693657560000', 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y='],
      ['1700000300000', 'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw='],
    ] as const) {
      expect(signV3(vectorSecret, 'POST', vectorUrl, vectorBody, timestamp)).toBe(expected);
      const request = delivery(
        vectorBody,
        { 'x-hubspot-signature-v3': expected, 'x-hubspot-request-timestamp': timestamp },
        { url: vectorUrl },
      );
      expect(() =>
        verifyHubSpotSignature(request, vectorSecret, new Date(Number(timestamp) + 1000)),
      ).not.toThrow();
    }
  });

  it('accepts a delivery signed over method, URL, raw body and timestamp', () => {
    expect(() => verifyHubSpotSignature(delivery(body, signed(body, t)), secret, now)).not.toThrow();
  });

  it('signs the URI with the listed characters decoded and the others kept encoded', () => {
    const raw = 'https://gateway.example.com/webhooks/hubspot?src=hs%3Aapp%2Fv3&x=%28a%29&q=a%20b%26c';
    const decoded = 'https://gateway.example.com/webhooks/hubspot?src=hs:app/v3&x=(a)&q=a%20b%26c';
    expect(hubspotSigningUri(raw)).toBe(decoded);
    expect(hubspotSigningUri('http://h/p?a=%40%21%24%27%2A%2C%3B%3F%3a')).toBe("http://h/p?a=@!$'*,;?:");
    const headers = signed(body, t, { uri: decoded });
    expect(() => verifyHubSpotSignature(delivery(body, headers, { url: raw }), secret, now)).not.toThrow();
    const overRaw = signed(body, t, { uri: raw });
    expect(
      refusal(() => verifyHubSpotSignature(delivery(body, overRaw, { url: raw }), secret, now)).code,
    ).toBe('SIGNATURE_INVALID');
  });

  it('accepts the other scheme, for a gateway behind a TLS-terminating proxy', () => {
    const headers = signed(body, t);
    const seenAsHttp = delivery(body, headers, { url: url.replace('https://', 'http://') });
    expect(() => verifyHubSpotSignature(seenAsHttp, secret, now)).not.toThrow();
  });

  it('rejects a tampered body, another path, another method and another secret', () => {
    const headers = signed(body, t);
    const expected = {
      status: 401,
      code: 'SIGNATURE_INVALID',
      message:
        'X-HubSpot-Signature-v3 does not match the request: check HUBSPOT_WEBHOOK_SECRET (the app client secret) and that the target URL reaches the gateway unchanged.',
    };
    const tampered = body.replace('alex.rivera', 'mallory');
    expect(refusal(() => verifyHubSpotSignature(delivery(tampered, headers), secret, now))).toEqual(expected);
    const elsewhere = delivery(body, headers, { url: `${url}/other` });
    expect(refusal(() => verifyHubSpotSignature(elsewhere, secret, now))).toEqual(expected);
    const put = delivery(body, headers, { method: 'PUT' });
    expect(refusal(() => verifyHubSpotSignature(put, secret, now))).toEqual(expected);
    const otherSecret = delivery(body, signed(body, t, { secret: 'not-the-client-secret' }));
    expect(refusal(() => verifyHubSpotSignature(otherSecret, secret, now))).toEqual(expected);
    const retimed = delivery(body, { ...headers, 'x-hubspot-request-timestamp': String(t + 1) });
    expect(refusal(() => verifyHubSpotSignature(retimed, secret, now))).toEqual(expected);
    const garbage = delivery(body, { ...headers, 'x-hubspot-signature-v3': 'not base64!' });
    expect(refusal(() => verifyHubSpotSignature(garbage, secret, now))).toEqual(expected);
  });

  it('rejects missing headers and a timestamp that is not epoch milliseconds', () => {
    const headers = signed(body, t);
    expect(
      refusal(() =>
        verifyHubSpotSignature(
          delivery(body, { 'x-hubspot-request-timestamp': headers['x-hubspot-request-timestamp'] }),
          secret,
          now,
        ),
      ),
    ).toEqual({ status: 401, code: 'SIGNATURE_MISSING', message: 'Missing X-HubSpot-Signature-v3 header.' });
    expect(
      refusal(() =>
        verifyHubSpotSignature(
          delivery(body, { 'x-hubspot-signature-v3': headers['x-hubspot-signature-v3'] }),
          secret,
          now,
        ),
      ),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_MISSING',
      message: 'Missing X-HubSpot-Request-Timestamp header.',
    });
    const words = delivery(body, { ...signed(body, t), 'x-hubspot-request-timestamp': 'yesterday' });
    expect(refusal(() => verifyHubSpotSignature(words, secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      message: 'X-HubSpot-Request-Timestamp is not a time in epoch milliseconds.',
    });
  });

  it('rejects a correctly signed delivery older than 300,000 ms, and accepts one at the edge', () => {
    const stale = delivery(body, signed(body, t - 300_001));
    expect(refusal(() => verifyHubSpotSignature(stale, secret, now))).toEqual({
      status: 401,
      code: 'SIGNATURE_STALE',
      message: 'X-HubSpot-Request-Timestamp is stale: signed 300001 ms ago, beyond the 300000 ms tolerance.',
    });
    expect(() =>
      verifyHubSpotSignature(delivery(body, signed(body, t - 300_000)), secret, now),
    ).not.toThrow();
    const future = delivery(body, signed(body, t + 600_000));
    expect(refusal(() => verifyHubSpotSignature(future, secret, now)).code).toBe('SIGNATURE_STALE');
  });
});

describe('HubSpot delivery parsing', () => {
  it('maps each event of the array to its own gateway event', () => {
    const events = parseHubSpotEvents(delivery(body, {}));
    const [first, second] = JSON.parse(body) as unknown[];
    expect(events).toEqual([
      {
        id: '3029365631',
        source: 'hubspot',
        type: 'contact.propertyChange',
        occurredAt: '2026-01-01T00:01:40.000Z',
        subject: { kind: 'contact', id: '847297356', email: 'alex.rivera@acme.example' },
        data: first,
      },
      {
        id: '3029365632',
        source: 'hubspot',
        type: 'deal.creation',
        occurredAt: '2026-01-01T00:01:41.000Z',
        subject: { kind: 'deal', id: '9400000123', email: null },
        data: second,
      },
    ]);
  });

  it('names the object kind of generic object.* events and association changes', () => {
    const base = {
      subscriptionId: 1,
      portalId: 2,
      appId: 3,
      occurredAt: 1_767_225_600_000,
      attemptNumber: 1,
    };
    const raw = JSON.stringify([
      { ...base, eventId: 1, subscriptionType: 'object.creation', objectTypeId: '0-2', objectId: 55 },
      { ...base, eventId: 2, subscriptionType: 'contact.associationChange', fromObjectId: 7, toObjectId: 8 },
    ]);
    expect(parseHubSpotEvents(delivery(raw, {})).map((e) => e.subject)).toEqual([
      { kind: 'company', id: '55', email: null },
      { kind: 'contact', id: '7', email: null },
    ]);
  });

  it('refuses bytes that are not JSON with 400 INVALID_JSON', () => {
    const error = refusal(() => parseHubSpotEvents(delivery('[{"eventId":', {})));
    expect([error.status, error.code]).toEqual([400, 'INVALID_JSON']);
    expect(error.message).toMatch(/^Webhook body is not valid JSON: /);
  });

  it('refuses a body that is not an array of events, listing the issues', () => {
    const notArray = refusal(() => parseHubSpotEvents(delivery('{"eventId":1}', {})));
    expect(notArray).toEqual({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message: 'Body is not a HubSpot webhook delivery (a JSON array of events).',
    });
    expect(refusal(() => parseHubSpotEvents(delivery('[]', {}))).code).toBe('INVALID_PAYLOAD');
    try {
      const events = JSON.parse(body) as Record<string, unknown>[];
      events[1] = { ...events[1], eventId: 'x', subscriptionType: undefined };
      parseHubSpotEvents(delivery(JSON.stringify(events), {}));
      expect.unreachable();
    } catch (error) {
      const e = error as WebhookError;
      expect([e.status, e.code, e.message]).toEqual([
        400,
        'INVALID_PAYLOAD',
        'Some events of this HubSpot delivery are invalid.',
      ]);
      expect(e.issues?.map((i) => i.path)).toEqual(['1.eventId', '1.subscriptionType']);
    }
  });
});

describe('HubSpot batch size', () => {
  const many = (count: number) => {
    const [first] = JSON.parse(body) as Record<string, unknown>[];
    return JSON.stringify(Array.from({ length: count }, (_, i) => ({ ...first, eventId: 1_000 + i })));
  };

  it('takes a delivery of 100 events, HubSpot’s documented maximum', () => {
    expect(parseHubSpotEvents(delivery(many(100), {}))).toHaveLength(100);
    expect(hubspotWebhooks.maxEventsPerDelivery).toBe(100);
  });

  it('refuses 101 events and more with 400 BATCH_TOO_LARGE before validating them', () => {
    expect(refusal(() => parseHubSpotEvents(delivery(many(101), {})))).toEqual({
      status: 400,
      code: 'BATCH_TOO_LARGE',
      message:
        'This hubspot delivery carries 101 events; one delivery carries at most 100. Nothing was stored.',
    });
    const broken = JSON.stringify(Array.from({ length: 3_000 }, () => ({ not: 'an event' })));
    expect(refusal(() => parseHubSpotEvents(delivery(broken, {}))).code).toBe('BATCH_TOO_LARGE');
  });
});

describe('HubSpot retry hints', () => {
  const response = (json: unknown, headers: Record<string, string> = {}) => ({
    status: 429,
    headers,
    text: JSON.stringify(json),
    json,
    attempts: 1,
  });

  it('retries the ten-secondly limit and gives up at once on the daily one', () => {
    expect(
      hubspotRetryHint(response({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' })),
    ).toEqual({
      retry: true,
    });
    expect(hubspotRetryHint(response({ errorType: 'RATE_LIMIT', policyName: 'DAILY' }))).toEqual({
      retry: false,
    });
    expect(hubspotRetryHint(response('', { 'x-hubspot-ratelimit-daily-remaining': '0' }))).toEqual({
      retry: false,
    });
    expect(hubspotRetryHint({ ...response({}), status: 503 })).toBeUndefined();
  });
});
