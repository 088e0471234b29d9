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
    },
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
      verify: () => undefined,
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
      body: { error: { code: 'EVENT_LOG_UNAVAILABLE', message: 'The event log could not reach Redis.' } },
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
