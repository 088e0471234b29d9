import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WebhookError } from '../src/connector.ts';
import type { ConnectorWebhooks, WebhookRequest } from '../src/connector.ts';
import type { IncomingEvent } from '../src/events/event.ts';
import { handleWebhook, readRawBody } from '../src/events/ingress.ts';
import type { HandleWebhookInput } from '../src/events/ingress.ts';
import { EventLogUnavailableError } from '../src/events/log.ts';
import type { EventLog } from '../src/events/log.ts';
import { createMemoryEventLog, type MemoryEventLog } from '../src/events/memory-log.ts';
import { nextOrPending, take } from './event-log-contract.ts';

const SECRET = 'whsec_fake_secret';
const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
const NOW = new Date('2025-03-01T12:00:00.000Z');
const TOLERANCE_S = 300;

const payloadSchema = z.object({
  events: z
    .array(
      z.object({
        id: z.string().min(1),
        type: z.string().min(1),
        created: z.number().int(),
        customer: z.object({ id: z.string(), email: z.email().nullable() }),
      }),
    )
    .min(1),
});
type Payload = z.infer<typeof payloadSchema>;

/** A provider-free stand-in: `x-fake-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
function fakeWebhooks(calls: { verify: number; parse: number } = { verify: 0, parse: 0 }) {
  const webhooks: ConnectorWebhooks<{ webhookSecret?: string }> = {
    secret: (config) => config.webhookSecret,
    verify(request, secret, now) {
      calls.verify++;
      const header = request.headers['x-fake-signature'];
      if (header === undefined) {
        throw new WebhookError(401, 'MISSING_SIGNATURE', 'The x-fake-signature header is missing.');
      }
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      const timestamp = Number(match?.[1]);
      const given = Buffer.from(match?.[2] ?? '', 'hex');
      const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(request.rawBody).digest();
      if (match === null || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new WebhookError(401, 'INVALID_SIGNATURE', 'The webhook signature does not match.');
      }
      if (Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_S) {
        throw new WebhookError(401, 'STALE_SIGNATURE', 'The webhook signature is too old.');
      }
      return [`${timestamp}.`, request.rawBody];
    },
    maxEventsPerDelivery: 5,
    parse(request): IncomingEvent[] {
      // A bare SyntaxError on purpose: the ingress must still answer 400.
      const json: unknown = JSON.parse(request.rawBody.toString('utf8'));
      calls.parse++;
      const result = payloadSchema.safeParse(json);
      if (!result.success) {
        throw new WebhookError(
          400,
          'INVALID_PAYLOAD',
          'The webhook payload does not match the expected shape.',
          result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      return result.data.events.map((event) => ({
        id: event.id,
        source: 'fake',
        type: event.type,
        occurredAt: new Date(event.created * 1000).toISOString(),
        subject: { kind: 'customer', id: event.customer.id, email: event.customer.email },
        data: event,
      }));
    },
  };
  return webhooks;
}

function payload(...ids: string[]): Payload {
  return {
    events: ids.map((id, i) => ({
      id,
      type: 'customer.updated',
      created: 1_740_830_400 + i,
      customer: { id: `cus_${id}`, email: `${id}@example.com` },
    })),
  };
}

function signature(rawBody: Buffer, options: { secret?: string; at?: Date } = {}): string {
  const timestamp = Math.floor((options.at ?? NOW).getTime() / 1000);
  const hex = createHmac('sha256', options.secret ?? SECRET)
    .update(`${timestamp}.`)
    .update(rawBody)
    .digest('hex');
  return `t=${timestamp},v1=${hex}`;
}

function webhookRequest(
  body: unknown,
  options: { secret?: string; at?: Date; sign?: boolean } = {},
): WebhookRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.sign !== false) headers['x-fake-signature'] = signature(rawBody, options);
  return { method: 'POST', url: 'https://gateway.example.com/webhooks/fake', headers, rawBody };
}

describe('handleWebhook', () => {
  let log: MemoryEventLog;
  let calls: { verify: number; parse: number };
  let base: Omit<HandleWebhookInput, 'request'>;

  beforeEach(() => {
    log = createMemoryEventLog();
    calls = { verify: 0, parse: 0 };
    base = { source: 'fake', webhooks: fakeWebhooks(calls), secret: SECRET, log, now: NOW };
  });

  afterEach(async () => {
    await log.close();
  });

  const stored = async () => (await log.read({ limit: 100 })).map((e) => e.id);

  it('stores a verified delivery and reports each event with its cursor', async () => {
    const response = await handleWebhook({ ...base, request: webhookRequest(payload('evt_a', 'evt_b')) });
    expect(response).toEqual({
      status: 200,
      body: {
        received: 2,
        stored: 2,
        duplicates: 0,
        events: [
          { id: 'evt_a', cursor: '1', duplicate: false },
          { id: 'evt_b', cursor: '2', duplicate: false },
        ],
      },
    });
    const [first] = await log.read({ limit: 1 });
    expect(first).toMatchObject({
      id: 'evt_a',
      source: 'fake',
      type: 'customer.updated',
      occurredAt: '2025-03-01T12:00:00.000Z',
      subject: { kind: 'customer', id: 'cus_evt_a', email: 'evt_a@example.com' },
      cursor: '1',
    });
  });

  it('answers 200 to a re-delivery and publishes it only once', async () => {
    const subscription = log.subscribe({});
    const request = webhookRequest(payload('evt_a', 'evt_b'));
    expect((await handleWebhook({ ...base, request })).status).toBe(200);

    expect(await handleWebhook({ ...base, request })).toEqual({
      status: 200,
      body: {
        received: 2,
        stored: 0,
        duplicates: 2,
        events: [
          { id: 'evt_a', cursor: null, duplicate: true },
          { id: 'evt_b', cursor: null, duplicate: true },
        ],
      },
    });
    expect(await handleWebhook({ ...base, request: webhookRequest(payload('evt_b', 'evt_c')) })).toEqual({
      status: 200,
      body: {
        received: 2,
        stored: 1,
        duplicates: 1,
        events: [
          { id: 'evt_b', cursor: null, duplicate: true },
          { id: 'evt_c', cursor: '3', duplicate: false },
        ],
      },
    });

    expect((await take(subscription, 3)).map((e) => e.id)).toEqual(['evt_a', 'evt_b', 'evt_c']);
    expect(await nextOrPending(subscription)).toBe('pending');
    await subscription.return?.();
  });

  it('answers 401 to a missing signature and stores nothing', async () => {
    const response = await handleWebhook({
      ...base,
      request: webhookRequest(payload('evt_a'), { sign: false }),
    });
    expect(response).toEqual({
      status: 401,
      body: { error: { code: 'MISSING_SIGNATURE', message: 'The x-fake-signature header is missing.' } },
    });
    expect(calls.parse).toBe(0);
    expect(await stored()).toEqual([]);
  });

  it('answers 401 to a wrong, tampered or stale signature and stores nothing', async () => {
    const invalid = {
      status: 401,
      body: { error: { code: 'INVALID_SIGNATURE', message: 'The webhook signature does not match.' } },
    };
    const wrongSecret = webhookRequest(payload('evt_a'), { secret: 'whsec_other' });
    expect(await handleWebhook({ ...base, request: wrongSecret })).toEqual(invalid);

    const tampered = webhookRequest(payload('evt_a'));
    tampered.rawBody = Buffer.from(JSON.stringify(payload('evt_evil')));
    expect(await handleWebhook({ ...base, request: tampered })).toEqual(invalid);

    const garbled = webhookRequest(payload('evt_a'));
    garbled.headers = { ...garbled.headers, 'x-fake-signature': 'nonsense' };
    expect(await handleWebhook({ ...base, request: garbled })).toEqual(invalid);

    const stale = webhookRequest(payload('evt_a'), { at: new Date(NOW.getTime() - 301_000) });
    expect(await handleWebhook({ ...base, request: stale })).toEqual({
      status: 401,
      body: { error: { code: 'STALE_SIGNATURE', message: 'The webhook signature is too old.' } },
    });

    expect(calls).toEqual({ verify: 4, parse: 0 });
    expect(await stored()).toEqual([]);
  });

  it('answers 400 INVALID_PAYLOAD to malformed JSON', async () => {
    const response = await handleWebhook({ ...base, request: webhookRequest(Buffer.from('{"events": [')) });
    expect(response).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_PAYLOAD', message: 'The webhook payload could not be parsed.' } },
    });
    expect(await stored()).toEqual([]);
  });

  it('answers 400 with the issues when the schema rejects the payload', async () => {
    const bad = {
      events: [{ id: '', type: 'customer.updated', created: 1.5, customer: { id: 'c', email: 'nope' } }],
    };
    const response = await handleWebhook({ ...base, request: webhookRequest(bad) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'INVALID_PAYLOAD',
        message: 'The webhook payload does not match the expected shape.',
        issues: [
          { path: 'events.0.id', message: expect.any(String) as unknown },
          { path: 'events.0.created', message: expect.any(String) as unknown },
          { path: 'events.0.customer.email', message: expect.any(String) as unknown },
        ],
      },
    });
    expect(await stored()).toEqual([]);

    const empty = await handleWebhook({ ...base, request: webhookRequest({ events: [] }) });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { code: 'INVALID_PAYLOAD', issues: [{ path: 'events' }] } });
  });

  it('maps a bare ZodError from parse to 400 with its issues', async () => {
    const webhooks = {
      verify: (request: WebhookRequest) => [request.rawBody],
      parse: (request: WebhookRequest): IncomingEvent[] => {
        payloadSchema.parse(JSON.parse(request.rawBody.toString('utf8')));
        return [];
      },
    };
    const response = await handleWebhook({ ...base, webhooks, request: webhookRequest({ events: 'no' }) });
    expect(response).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'The webhook payload could not be parsed.',
          issues: [{ path: 'events', message: expect.any(String) as unknown }],
        },
      },
    });
  });

  it('answers 400, not 500, when verify throws something other than a WebhookError', async () => {
    const webhooks = {
      verify: () => {
        throw new TypeError('Cannot read properties of undefined');
      },
      parse: (): IncomingEvent[] => {
        throw new Error('parse must not run');
      },
    };
    expect(await handleWebhook({ ...base, webhooks, request: webhookRequest(payload('evt_a')) })).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_PAYLOAD', message: 'The webhook delivery could not be verified.' } },
    });
    expect(await stored()).toEqual([]);
  });

  it('answers 404 when the source has no webhook secret, before verifying anything', async () => {
    const request = webhookRequest(payload('evt_a'));
    expect(await handleWebhook({ ...base, secret: undefined, request })).toEqual({
      status: 404,
      body: {
        error: {
          code: 'WEBHOOK_NOT_CONFIGURED',
          message: 'Webhooks for source "fake" are not configured: set FAKE_WEBHOOK_SECRET.',
        },
      },
    });
    expect(await handleWebhook({ ...base, source: 'google-calendar', secret: '', request })).toMatchObject({
      status: 404,
      body: {
        error: {
          message:
            'Webhooks for source "google-calendar" are not configured: set GOOGLE_CALENDAR_WEBHOOK_SECRET.',
        },
      },
    });
    expect(calls).toEqual({ verify: 0, parse: 0 });
    expect(await stored()).toEqual([]);
  });

  it('answers 503 when the event log is unavailable, so the provider retries', async () => {
    const unavailable: EventLog = {
      kind: 'redis',
      append: () => Promise.reject(new EventLogUnavailableError('The event log could not reach Redis.')),
      read: () => Promise.resolve([]),
      subscribe: () => log.subscribe({}),
      head: () => Promise.resolve('0'),
      health: () => ({ ok: false, detail: 'redis: down' }),
      close: () => Promise.resolve(),
    };
    const response = await handleWebhook({
      ...base,
      log: unavailable,
      request: webhookRequest(payload('evt_a')),
    });
    expect(response).toEqual({
      status: 503,
      body: {
        error: {
          code: 'EVENT_LOG_UNAVAILABLE',
          message: 'The event log cannot store events right now; nothing was stored. Retry later.',
        },
      },
    });
  });

  it('rethrows other log failures for the adapter to answer 500', async () => {
    const broken: EventLog = { ...log, append: () => Promise.reject(new Error('bug')) };
    await expect(
      handleWebhook({ ...base, log: broken, request: webhookRequest(payload('evt_a')) }),
    ).rejects.toThrow('bug');
  });
});

interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

describe('handleWebhook against hostile deliveries', () => {
  let log: MemoryEventLog;
  let base: Omit<HandleWebhookInput, 'request'>;

  beforeEach(() => {
    log = createMemoryEventLog();
    base = { source: 'fake', webhooks: fakeWebhooks(), secret: SECRET, log, now: NOW };
  });

  afterEach(async () => {
    await log.close();
  });

  const stored = async () => (await log.read({ limit: 100 })).map((e) => e.id);
  /** A delivery of one event whose `data` nests `depth` levels of arrays below the event object. */
  const nested = (depth: number) => {
    const raw = JSON.stringify(payload('evt_deep')).replace(
      '"customer.updated"',
      '"customer.updated","x":' + '['.repeat(depth) + ']'.repeat(depth),
    );
    return webhookRequest(Buffer.from(raw));
  };

  it('refuses a body nested deeper than maxDepth with 400 PAYLOAD_TOO_DEEP, storing nothing', async () => {
    const subscription = log.subscribe({});
    // {events:[{x:[...]}]}: three levels before the arrays.
    expect((await handleWebhook({ ...base, maxDepth: 10, request: nested(7) })).status).toBe(200);
    expect(await handleWebhook({ ...base, maxDepth: 10, request: nested(8) })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'PAYLOAD_TOO_DEEP',
          message:
            'Webhook body nests objects and arrays more than 10 levels deep (WEBHOOK_MAX_DEPTH); nothing was stored.',
        },
      },
    });
    const deep = await handleWebhook({ ...base, request: nested(20_000) });
    expect(deep).toMatchObject({ status: 400, body: { error: { code: 'PAYLOAD_TOO_DEEP' } } });
    expect((deep.body as { error: { message: string } }).error.message).toContain('more than 64 levels');
    expect(await stored()).toEqual(['evt_deep']);
    expect(ids(await take(subscription, 1))).toEqual(['evt_deep']);
    expect(await nextOrPending(subscription)).toBe('pending');
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const tricky = '\\"' + '['.repeat(500) + '{'.repeat(500);
    const raw = JSON.stringify({ events: [{ ...payload('evt_s').events[0], type: 'a.b', note: tricky }] });
    const response = await handleWebhook({ ...base, maxDepth: 4, request: webhookRequest(Buffer.from(raw)) });
    expect(response).toMatchObject({ status: 200, body: { stored: 1 } });
  });

  it('checks the signature before the depth: an unsigned deep body is 401', async () => {
    const raw = Buffer.from('['.repeat(20_000) + ']'.repeat(20_000));
    const response = await handleWebhook({ ...base, request: webhookRequest(raw, { sign: false }) });
    expect(response.status).toBe(401);
  });

  it('refuses more events than the connector declares per delivery with 400 BATCH_TOO_LARGE', async () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `evt_${n}`);
    expect(await handleWebhook({ ...base, request: webhookRequest(payload(...six)) })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'BATCH_TOO_LARGE',
          message: 'This fake delivery carries 6 events; one delivery carries at most 5. Nothing was stored.',
        },
      },
    });
    expect(await stored()).toEqual([]);
    expect((await handleWebhook({ ...base, request: webhookRequest(payload(...six.slice(1))) })).status).toBe(
      200,
    );
    expect(await stored()).toEqual(six.slice(1));
  });

  it.each([
    ['NUL', 'customer.\u0000updated', 'U+0000 at position 9'],
    ['ESC', '\u001b[31mcustomer.updated', 'U+001B at position 0'],
    ['CRLF', 'customer.updated\r\nX-Injected: 1', 'U+000D at position 16'],
    ['DEL', 'customer\u007f.updated', 'U+007F at position 8'],
    ['a bidi override', 'customer.\u202eupdated', 'U+202E at position 9'],
    ['a line separator', 'customer.\u2028updated', 'U+2028 at position 9'],
  ])(
    'refuses an event type containing %s with 400 INVALID_PAYLOAD, storing nothing',
    async (_name, type, where) => {
      const body = payload('evt_ok', 'evt_bad');
      const second = body.events[1];
      if (second) second.type = type;
      const response = await handleWebhook({ ...base, request: webhookRequest(body) });
      expect(response).toEqual({
        status: 400,
        body: {
          error: {
            code: 'INVALID_PAYLOAD',
            message:
              'Some event identifiers (id, type, subject) are not printable text of bounded length; nothing was stored.',
            issues: [
              {
                path: '1.type',
                message: `Event type must be printable text: it contains the control or format character ${where}.`,
              },
            ],
          },
        },
      });
      expect(await stored()).toEqual([]);
    },
  );

  it('refuses over-long and padded identifiers, and control characters in ids and subjects', async () => {
    const body = payload('evt_a');
    const event = body.events[0];
    if (event) {
      event.type = 't'.repeat(201);
      event.id = ' evt_a';
      event.customer.id = 'cus_\u0007';
    }
    const response = await handleWebhook({ ...base, request: webhookRequest(body) });
    expect((response.body as { error: { issues: unknown } }).error.issues).toEqual([
      { path: 'id', message: 'Event id must not start or end with whitespace.' },
      { path: 'type', message: 'Event type must be at most 200 characters; got 201.' },
      {
        path: 'subject.id',
        message:
          'Event subject.id must be printable text: it contains the control or format character U+0007 at position 4.',
      },
    ]);
    expect(await stored()).toEqual([]);
    // Unicode letters, spaces inside and punctuation are printable.
    if (event)
      Object.assign(event, {
        id: 'evt_a',
        type: 'Ticket mis à jour: priorité',
        customer: { id: 'cus_1', email: null },
      });
    expect((await handleWebhook({ ...base, request: webhookRequest(body) })).status).toBe(200);
  });

  describe('replays of the signed bytes under a new unsigned delivery id', () => {
    /** Like Shopify's: the signature covers only the body, the event id is an unsigned header. */
    const headerIdWebhooks: Pick<ConnectorWebhooks<unknown>, 'verify' | 'parse'> = {
      verify(request, secret) {
        const given = Buffer.from(request.headers['x-body-signature'] ?? '', 'hex');
        const expected = createHmac('sha256', secret).update(request.rawBody).digest();
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new WebhookError(401, 'SIGNATURE_INVALID', 'no match');
        }
        return [request.rawBody];
      },
      parse: (request) => [
        {
          id: request.headers['x-delivery-id'] ?? '',
          source: 'fake',
          type: 'order.created',
          occurredAt: NOW.toISOString(),
          subject: null,
          data: JSON.parse(request.rawBody.toString('utf8')) as unknown,
        },
      ],
    };
    const deliver = (body: string, id: string) => {
      const rawBody = Buffer.from(body);
      const headers = {
        'x-body-signature': createHmac('sha256', SECRET).update(rawBody).digest('hex'),
        'x-delivery-id': id,
      };
      return handleWebhook({
        ...base,
        webhooks: headerIdWebhooks,
        request: { method: 'POST', url: 'http://x/', headers, rawBody },
      });
    };

    it('answers 200 reported as duplicate and publishes nothing again', async () => {
      const subscription = log.subscribe({});
      expect(await deliver('{"order":1}', 'd-1')).toMatchObject({ status: 200, body: { stored: 1 } });
      expect(await deliver('{"order":1}', 'd-2')).toEqual({
        status: 200,
        body: {
          received: 1,
          stored: 0,
          duplicates: 1,
          events: [{ id: 'd-2', cursor: null, duplicate: true }],
        },
      });
      expect(await deliver('{"order":2}', 'd-3')).toMatchObject({ status: 200, body: { stored: 1 } });
      expect(ids(await take(subscription, 2))).toEqual(['d-1', 'd-3']);
      expect(await nextOrPending(subscription)).toBe('pending');
    });

    it('keeps the digests of different sources apart', async () => {
      expect(await deliver('{"order":1}', 'd-1')).toMatchObject({ body: { stored: 1 } });
      const other = await handleWebhook({
        ...base,
        source: 'other',
        webhooks: {
          ...headerIdWebhooks,
          parse: (r) => headerIdWebhooks.parse(r).map((e) => ({ ...e, source: 'other' })),
        },
        request: {
          method: 'POST',
          url: 'http://x/',
          headers: {
            'x-body-signature': createHmac('sha256', SECRET).update('{"order":1}').digest('hex'),
            'x-delivery-id': 'd-9',
          },
          rawBody: Buffer.from('{"order":1}'),
        },
      });
      expect(other).toMatchObject({ status: 200, body: { stored: 1 } });
    });
  });
});

describe('readRawBody over a real HTTP server', () => {
  const MAX_BYTES = 1024;
  let server: Server;
  let port: number;
  let log: MemoryEventLog;
  /** What the server saw of each request readRawBody refused. */
  let refused: { dataListeners: number; flowing: boolean | null }[];

  beforeEach(async () => {
    log = createMemoryEventLog();
    refused = [];
    server = createServer((req, res) => {
      const reply = (status: number, body: unknown, close = false) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(close ? { connection: 'close' } : {}),
        });
        res.end(JSON.stringify(body));
      };
      readRawBody(req, MAX_BYTES).then(
        async (rawBody) => {
          const response = await handleWebhook({
            source: 'fake',
            webhooks: fakeWebhooks(),
            secret: SECRET,
            log,
            now: NOW,
            request: {
              method: req.method ?? 'POST',
              url: `http://127.0.0.1${req.url ?? ''}`,
              headers: flat(req),
              rawBody,
            },
          });
          reply(response.status, response.body);
        },
        (error: unknown) => {
          refused.push({ dataListeners: req.listenerCount('data'), flowing: req.readableFlowing });
          if (error instanceof WebhookError) {
            reply(error.status, { error: { code: error.code, message: error.message } }, true);
          } else res.destroy();
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await log.close();
  });

  /** Sends the chunks; with `end: false` the body is never finished, so only an early answer can arrive. */
  function send(chunks: Buffer[], options: { headers?: Record<string, string>; end?: boolean }) {
    return new Promise<ClientResponse>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/fake',
        agent: false,
        headers: options.headers,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const body: Buffer[] = [];
        res.on('data', (chunk: Buffer) => body.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(body).toString('utf8')) as unknown,
          });
          req.off('error', reject);
          req.on('error', () => undefined);
          req.destroy();
        });
      });
      for (const chunk of chunks) req.write(chunk);
      if (options.end !== false) req.end();
    });
  }

  const tooLarge = {
    status: 413,
    body: {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is larger than the 1024 byte limit.' },
    },
  };

  it('reads a body within the limit, with Content-Length or chunked, and hands it to the pipeline', async () => {
    const raw = Buffer.from(JSON.stringify(payload('evt_a')));
    const headers = { 'content-type': 'application/json', 'x-fake-signature': signature(raw) };
    const sized = await send([raw], { headers: { ...headers, 'content-length': String(raw.length) } });
    expect(sized).toMatchObject({ status: 200, body: { received: 1, stored: 1 } });

    const half = Math.floor(raw.length / 2);
    const chunked = await send([raw.subarray(0, half), raw.subarray(half)], { headers });
    expect(chunked).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    expect((await log.read({ limit: 10 })).map((e) => e.id)).toEqual(['evt_a']);
  });

  it('accepts a body of exactly the limit', async () => {
    const raw = Buffer.alloc(MAX_BYTES, 'x');
    const response = await send([raw], { headers: { 'x-fake-signature': signature(raw) } });
    // Past the size check: the fake connector's JSON.parse refuses it.
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PAYLOAD' } } });
  });

  it('answers 413 from the Content-Length alone, without waiting for the body', async () => {
    const response = await send([Buffer.alloc(100, 'x')], {
      headers: { 'content-length': String(10 * 1024 * 1024) },
      end: false,
    });
    expect(response).toMatchObject(tooLarge);
    expect(response.headers.connection).toBe('close');
    expect(refused).toEqual([{ dataListeners: 0, flowing: false }]);
    expect(await log.read({ limit: 10 })).toEqual([]);
  });

  it('answers 413 once a chunked body passes the limit, without reading the rest', async () => {
    const response = await send([Buffer.alloc(600, 'x'), Buffer.alloc(600, 'y')], { end: false });
    expect(response).toMatchObject(tooLarge);
    expect(refused).toEqual([{ dataListeners: 0, flowing: false }]);
  });

  it('answers 413 to a body one byte over the limit', async () => {
    const raw = Buffer.alloc(MAX_BYTES + 1, 'z');
    const response = await send([raw], { headers: { 'content-length': String(raw.length) } });
    expect(response).toMatchObject(tooLarge);
  });
});

function flat(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
