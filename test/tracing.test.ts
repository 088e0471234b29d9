import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { createDemoWorld } from '../src/sandbox/demo-world.ts';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { createClient } from 'graphql-ws';
import Stripe from 'stripe';
import WebSocket from 'ws';
import { stripeCustomer, stripeCustomerEvent, TEST_EPOCH } from './helpers/gateway.ts';
import { spawnGateway } from './helpers/process.ts';

/** A span as the OTLP/HTTP JSON exporter sends it, flattened. */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttributes = { key: string; value: OtlpValue }[] | undefined;

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attributesOf(list: OtlpAttributes): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

/** A local OTLP/HTTP receiver: decodes the JSON export requests it gets. */
async function otlpReceiver() {
  const bodies: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      headers.push(req.headers);
      paths.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const url = await listen(server);
  return {
    url,
    bodies,
    headers,
    paths,
    spans(): ExportedSpan[] {
      return bodies.flatMap((body) => {
        const parsed = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: OtlpAttributes };
            scopeSpans: {
              spans: {
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                name: string;
                kind: number;
                attributes: OtlpAttributes;
                events?: { name: string; attributes: OtlpAttributes }[];
                links?: { traceId: string; spanId: string }[];
                status: { code?: number; message?: string };
              }[];
            }[];
          }[];
        };
        return parsed.resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((span) => ({
              ...span,
              attributes: attributesOf(span.attributes),
              events: (span.events ?? []).map((e) => ({
                name: e.name,
                attributes: attributesOf(e.attributes),
              })),
              links: span.links ?? [],
              resource: attributesOf(rs.resource.attributes),
            })),
          ),
        );
      });
    },
  };
}

/** A proxy in front of the Stripe emulator that records the headers of every request it forwards. */
async function recordingProxy(target: string) {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const upstream = httpRequest(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { url: await listen(server), seen };
}

const servers: Server[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

interface Setup {
  gateway: Gateway;
  url: string;
  stripe: RunningSandbox;
  proxy: Awaited<ReturnType<typeof recordingProxy>>;
  receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  post(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: { data?: unknown; errors?: unknown[] }; requestId: string | null }>;
}

/**
 * A gateway whose Stripe source is "real" (its own key), reached through a
 * recording proxy in front of a Stripe emulator; the other sources are sandboxed.
 */
async function start(
  env: Record<string, string> = {},
  tracing = true,
  receiverUrl?: string,
  logLines?: string[],
): Promise<Setup> {
  const stripeConnector = connectors.find((c) => c.name === 'stripe');
  if (!stripeConnector?.sandbox) throw new Error('no stripe sandbox');
  const stripe = await stripeConnector.sandbox.start(createDemoWorld({ seed: 42, epoch: TEST_EPOCH }));
  cleanups.push(() => stripe.close());
  const proxy = await recordingProxy(stripe.baseUrl);
  const receiver = await otlpReceiver();
  const fullEnv: Record<string, string> = {
    LOG_LEVEL: 'silent',
    SANDBOX: '1',
    DEMO_EVENTS: '0',
    // Every query must execute: these tests follow the upstream path, not the response cache.
    RESPONSE_CACHE_TTL_S: '0',
    STRIPE_API_KEY: stripe.env['STRIPE_API_KEY'] ?? '',
    STRIPE_BASE_URL: proxy.url,
    STRIPE_WEBHOOK_SECRET: stripe.env['STRIPE_WEBHOOK_SECRET'] ?? '',
    ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl ?? receiver.url } : {}),
    ...env,
  };
  const config = loadConfig(fullEnv, connectors);
  const log =
    logLines === undefined
      ? createLogger('silent')
      : createLogger('warn', { write: (line: string) => void logLines.push(line) });
  const gateway = await createGateway({ config, connectors, log, env: fullEnv });
  cleanups.push(() => gateway.close());
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    gateway,
    url,
    stripe,
    proxy,
    receiver,
    async post(query, variables, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { data?: unknown; errors?: unknown[] },
        requestId: response.headers.get('x-request-id'),
      };
    },
  };
}

async function firstInvoiceId(t: Setup): Promise<string> {
  const listed = await t.post('{ invoices(first: 1) { edges { node { sourceId } } } }');
  const id = (listed.body.data as { invoices: { edges: { node: { sourceId: string } }[] } }).invoices.edges[0]
    ?.node.sourceId;
  if (id === undefined) throw new Error(`no invoice: ${JSON.stringify(listed.body)}`);
  return id;
}

function one(spans: ExportedSpan[], predicate: (span: ExportedSpan) => boolean, what: string): ExportedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    throw new Error(`expected one ${what}, got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  }
  return found[0] as ExportedSpan;
}

const INVOICE = 'query Invoice($id: ID!) { invoice(id: $id) { id status } }';

describe('tracing to an OTLP/HTTP receiver', () => {
  it('exports the operation with its field and upstream call spans as children, and sends traceparent upstream', async () => {
    const t = await start();
    const id = await firstInvoiceId(t);
    t.proxy.seen.length = 0;
    const answer = await t.post(INVOICE, { id });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    // Closing flushes the spans still buffered (the shutdown path).
    await t.gateway.close();

    const spans = t.receiver.spans();
    expect(t.receiver.paths.every((p) => p === '/v1/traces')).toBe(true);
    expect(t.receiver.headers[0]?.['content-type']).toBe('application/json');
    const operation = one(spans, (s) => s.name === 'query Invoice', 'operation span');
    expect(operation.kind).toBe(2); // SERVER
    expect(operation.parentSpanId ?? '').toBe('');
    expect(operation.resource).toMatchObject({ 'service.name': 'switchyard' });
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Invoice',
      'switchyard.request_id': answer.requestId,
      'enduser.id': 'anonymous',
    });
    expect(operation.status.code ?? 0).toBe(0);

    const field = one(
      spans,
      (s) => s.name === 'Query.invoice' && s.traceId === operation.traceId,
      'field span',
    );
    expect(field.parentSpanId).toBe(operation.spanId);
    expect(field.attributes).toMatchObject({ 'graphql.field.path': 'invoice' });

    const call = one(spans, (s) => s.name === 'GET stripe invoices.retrieve', 'upstream span');
    expect(call.traceId).toBe(operation.traceId);
    expect(call.parentSpanId).toBe(field.spanId);
    expect(call.kind).toBe(3); // CLIENT
    expect(call.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(t.proxy.url).port),
      'url.scheme': 'http',
      'url.path': `/v1/invoices/${id}`,
      'switchyard.source': 'stripe',
      'switchyard.upstream.operation': 'invoices.retrieve',
      'http.response.status_code': 200,
      'http.request.resend_count': 0,
      'switchyard.upstream.callers': 1,
    });
    expect(call.events).toEqual([
      {
        name: 'upstream.attempt',
        attributes: {
          'upstream.attempt': 1,
          'upstream.duration_ms': expect.any(Number) as unknown,
          'http.response.status_code': 200,
        },
      },
    ]);

    // The emulator received the upstream span's own context.
    expect(t.proxy.seen).toHaveLength(1);
    expect(t.proxy.seen[0]?.headers['traceparent']).toBe(`00-${call.traceId}-${call.spanId}-01`);
    expect(t.proxy.seen[0]?.headers['baggage']).toBeUndefined();
  });

  it('records url.path without the query string', async () => {
    const t = await start();
    await t.post('query List { invoices(first: 2) { edges { node { id } } } }');
    await t.gateway.close();
    expect(t.proxy.seen[0]?.url).toMatch(/^\/v1\/invoices\?.*limit=2/);
    const call = one(t.receiver.spans(), (s) => s.name === 'GET stripe invoices.list', 'list span');
    expect(call.attributes['url.path']).toBe('/v1/invoices');
    expect(t.receiver.bodies.join('\n')).not.toContain('limit=2');
  });

  it("continues the client's trace: an incoming traceparent becomes the operation's parent, tracestate goes upstream", async () => {
    const t = await start();
    const id = await firstInvoiceId(t);
    t.proxy.seen.length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const answer = await t.post(
      INVOICE,
      { id },
      { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=opaque', baggage: 'user=alex' },
    );
    expect(answer.status).toBe(200);
    await t.gateway.close();
    const operation = one(t.receiver.spans(), (s) => s.name === 'query Invoice', 'operation span');
    expect(operation.traceId).toBe(traceId);
    expect(operation.parentSpanId).toBe(parentId);
    const call = one(t.receiver.spans(), (s) => s.name === 'GET stripe invoices.retrieve', 'upstream span');
    expect(call.traceId).toBe(traceId);
    const sent = t.proxy.seen[0]?.headers ?? {};
    expect(sent['traceparent']).toBe(`00-${traceId}-${call.spanId}-01`);
    expect(sent['tracestate']).toBe('vendor=opaque');
    // A client's baggage is not passed on to a SaaS API.
    expect(sent['baggage']).toBeUndefined();
  });

  it('starts a new trace when the incoming traceparent is malformed', async () => {
    const t = await start();
    const answer = await t.post('query Q { invoices(first: 1) { edges { node { id } } } }', undefined, {
      traceparent: '00-zzzz-not-a-trace-01',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    await t.gateway.close();
    const operation = one(t.receiver.spans(), (s) => s.name === 'query Q', 'operation span');
    expect(operation.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(operation.parentSpanId ?? '').toBe('');
  });

  it('ignores hostile trace headers (invalid ids, version ff) and bounds an oversized tracestate', async () => {
    const t = await start();
    const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const cases: Record<string, string>[] = [
      { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01' },
      { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      { traceparent: `${valid}-${'x'.repeat(4000)}` },
      {
        traceparent: valid,
        tracestate: Array.from({ length: 200 }, (_, i) => `k${i}=${'v'.repeat(20)}`).join(','),
      },
    ];
    for (const headers of cases) {
      t.proxy.seen.length = 0;
      const answer = await t.post(
        'query Q { invoices(first: 1) { edges { node { id } } } }',
        undefined,
        headers,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      const sent = t.proxy.seen[0]?.headers ?? {};
      expect(sent['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // A tracestate is passed on within the W3C bounds: 32 members, 512 characters.
      const state = String(sent['tracestate'] ?? '');
      expect(state.length).toBeLessThanOrEqual(512);
      expect(state.split(',').length).toBeLessThanOrEqual(32);
    }
    await t.gateway.close();
    const operations = t.receiver.spans().filter((s) => s.name === 'query Q');
    expect(operations).toHaveLength(5);
    // Invalid parents start new traces; the valid traceparent with a bad tracestate is still continued.
    expect(operations.slice(0, 3).map((s) => s.parentSpanId ?? '')).toEqual(['', '', '']);
    expect(operations[4]).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
    });
  });

  it('an unsampled caller (flag 00) is not recorded by the default parent-based sampler, and stays unsampled upstream', async () => {
    const t = await start();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const answer = await t.post('query Q { invoices(first: 1) { edges { node { id } } } }', undefined, {
      traceparent,
    });
    expect(answer.status).toBe(200);
    await t.gateway.close();
    expect(t.receiver.spans()).toEqual([]);
    expect(t.proxy.seen[0]?.headers['traceparent']).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/,
    );
  });

  it('does not hold up a shutdown when the receiver hangs, and says why spans were lost', async () => {
    const hung = createServer(() => {
      // Never answers.
    });
    const hungUrl = await listen(hung);
    const lines: string[] = [];
    const t = await start({}, true, hungUrl, lines);
    await t.post('query Q { invoices(first: 1) { edges { node { id } } } }');
    const started = Date.now();
    await t.gateway.close();
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg).join('\n')).toMatch(/^tracing: /m);
  }, 15_000);

  it('traces a query sent over graphql-ws as a new trace', async () => {
    const t = await start();
    const client = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: 'query OverWs { invoices(first: 1) { edges { node { id } } } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    await client.dispose();
    expect(result).toMatchObject({
      data: { invoices: { edges: [{ node: { id: expect.any(String) as unknown } }] } },
    });
    await t.gateway.close();
    const spans = t.receiver.spans();
    const operation = one(spans, (s) => s.name === 'query OverWs', 'operation span');
    expect(operation.parentSpanId ?? '').toBe('');
    const call = one(spans, (s) => s.name === 'GET stripe invoices.list', 'upstream span');
    expect(call.traceId).toBe(operation.traceId);
  });

  it('still coalesces identical GETs: one emulator call, one span linked to every other caller', async () => {
    const t = await start();
    const id = await firstInvoiceId(t);
    t.stripe.resetCounters();
    t.proxy.seen.length = 0;
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 300, times: 1 });
    // A different text each (a comment), so no two share an execution: only the GET is shared.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.post(`${INVOICE} # caller ${String(i)}`, { id })),
    );
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
    expect(t.stripe.counters()).toEqual({ 'GET /v1/invoices/:id': 1 });
    await t.gateway.close();
    const spans = t.receiver.spans();
    expect(spans.filter((s) => s.name === 'query Invoice')).toHaveLength(20);
    const call = one(spans, (s) => s.name === 'GET stripe invoices.retrieve', 'shared upstream span');
    expect(call.attributes['switchyard.upstream.callers']).toBe(20);
    expect(call.links).toHaveLength(19);
    const fields = new Map(spans.filter((s) => s.name === 'Query.invoice').map((s) => [s.spanId, s]));
    for (const link of call.links) expect(fields.get(link.spanId)?.traceId).toBe(link.traceId);
    expect(t.proxy.seen[0]?.headers['traceparent']).toBe(`00-${call.traceId}-${call.spanId}-01`);
  });

  it('marks failed calls and operations with the error code, one event per attempt', async () => {
    const t = await start();
    const id = await firstInvoiceId(t);
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', status: 503, times: 10 });
    const answer = await t.post(INVOICE, { id });
    const errors = answer.body.errors as { extensions: { code: string } }[];
    const code = errors[0]?.extensions.code;
    expect(code).toMatch(/^UPSTREAM_/);
    await t.gateway.close();
    const spans = t.receiver.spans();
    const call = one(spans, (s) => s.name === 'GET stripe invoices.retrieve', 'upstream span');
    expect(call.status.code).toBe(2); // ERROR
    expect(call.attributes).toMatchObject({
      'http.response.status_code': 503,
      'http.request.resend_count': 3,
      'error.type': '503',
    });
    expect(call.events.map((e) => e.attributes['upstream.attempt'])).toEqual([1, 2, 3, 4]);
    expect(
      call.events.slice(0, 3).every((e) => typeof e.attributes['upstream.retry_in_ms'] === 'number'),
    ).toBe(true);
    expect(call.events[3]?.attributes['upstream.retry_in_ms']).toBeUndefined();
    const field = one(spans, (s) => s.name === 'Query.invoice', 'field span');
    expect(field.status).toMatchObject({ code: 2, message: code });
    expect(field.attributes['error.type']).toBe(code);
    const operation = one(spans, (s) => s.name === 'query Invoice', 'operation span');
    expect(operation.status).toMatchObject({ code: 2, message: code });
    expect(operation.attributes['switchyard.error_codes']).toEqual([code]);
  });

  it('names a call that got no answer by the gateway error code, on the span and on each attempt', async () => {
    const t = await start();
    const id = await firstInvoiceId(t);
    t.stripe.faults.down = true;
    const answer = await t.post(INVOICE, { id });
    const errors = answer.body.errors as { extensions: { code: string } }[];
    expect(errors[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    await t.gateway.close();
    const call = one(t.receiver.spans(), (s) => s.name === 'GET stripe invoices.retrieve', 'upstream span');
    expect(call.status).toMatchObject({ code: 2, message: 'UPSTREAM_UNAVAILABLE' });
    expect(call.attributes['error.type']).toBe('UPSTREAM_UNAVAILABLE');
    expect(call.attributes['http.response.status_code']).toBeUndefined();
    expect(call.events.length).toBeGreaterThan(1);
    for (const event of call.events) expect(event.attributes['error.type']).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('never exports a credential: the upstream key, the client key or the exporter headers', async () => {
    const clientKey = 'client-key-0123456789abcdef0123456789';
    const t = await start({
      GATEWAY_API_KEYS: `${clientKey}:*`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-vendor-key=otlp%20secret%2Cvalue,x-team=blue',
      OTEL_SERVICE_NAME: 'billing-gateway',
    });
    const auth = { authorization: `Bearer ${clientKey}` };
    const listed = await t.post('{ invoices(first: 1) { edges { node { sourceId } } } }', undefined, auth);
    const id = (listed.body.data as { invoices: { edges: { node: { sourceId: string } }[] } }).invoices
      .edges[0]?.node.sourceId;
    await t.post(INVOICE, { id }, auth);
    await t.gateway.close();
    const everything = t.receiver.bodies.join('\n');
    const upstreamKey = t.stripe.env['STRIPE_API_KEY'] ?? '';
    expect(upstreamKey).toMatch(/^sk_test_/);
    expect(t.proxy.seen[0]?.headers['authorization']).toBe(`Bearer ${upstreamKey}`);
    for (const secret of [upstreamKey, clientKey, 'otlp secret', 'otlp%20secret']) {
      expect(everything).not.toContain(secret);
    }
    // The exporter headers reach the receiver, decoded, and the service is named as configured.
    expect(t.receiver.headers[0]).toMatchObject({ 'x-vendor-key': 'otlp secret,value', 'x-team': 'blue' });
    const operation = one(t.receiver.spans(), (s) => s.name === 'query Invoice', 'operation span');
    expect(operation.resource['service.name']).toBe('billing-gateway');
    expect(operation.attributes['enduser.id']).toMatch(/^key:[0-9a-f]{8}$/);
  });

  it('samples nothing with OTEL_TRACES_SAMPLER=always_off, yet passes the (unsampled) context upstream', async () => {
    const t = await start({ OTEL_TRACES_SAMPLER: 'always_off' });
    await t.post('query Q { invoices(first: 1) { edges { node { id } } } }');
    await t.gateway.close();
    expect(t.receiver.spans()).toEqual([]);
    expect(t.proxy.seen[0]?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

describe('tracing webhook deliveries', () => {
  it('exports one span per delivery with its source and outcome, a refusal without ERROR status', async () => {
    const t = await start();
    const secret = t.stripe.env['STRIPE_WEBHOOK_SECRET'] ?? '';
    const body = stripeCustomerEvent(
      'evt_trace_1',
      'customer.updated',
      stripeCustomer('cus_t1', 'a@example.com', 'A'),
    );
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload: body,
      secret,
    });
    const deliver = (header: string, traceparent?: string) =>
      fetch(`${t.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': header,
          ...(traceparent === undefined ? {} : { traceparent }),
        },
        body,
      });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect((await deliver(signature, `00-${traceId}-b7ad6b7169203331-01`)).status).toBe(200);
    expect((await deliver('t=1,v1=deadbeef')).status).toBe(401);
    await t.gateway.close();
    const spans = t.receiver.spans().filter((s) => s.name === 'webhook');
    expect(spans).toHaveLength(2);
    const [accepted, refused] = spans;
    expect(accepted?.traceId).toBe(traceId);
    expect(accepted?.parentSpanId).toBe('b7ad6b7169203331');
    expect(accepted?.kind).toBe(2);
    expect(accepted?.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/webhooks/:source',
      'http.response.status_code': 200,
      'switchyard.source': 'stripe',
      'switchyard.webhook.outcome': 'accepted',
    });
    expect(refused?.attributes).toMatchObject({
      'http.response.status_code': 401,
      'switchyard.source': 'stripe',
      'switchyard.webhook.outcome': 'SIGNATURE_INVALID',
    });
    expect(refused?.status.code ?? 0).toBe(0);
    const everything = t.receiver.bodies.join('\n');
    for (const secretText of [secret, signature, 'deadbeef']) expect(everything).not.toContain(secretText);
  });
});

describe('tracing in the running process', () => {
  it('flushes the buffered spans on SIGTERM before exiting 0, and says so in the banner', async () => {
    const receiver = await otlpReceiver();
    const { child, url, output } = await spawnGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'switchyard-sigterm',
    });
    expect(output()).toContain(
      `  tracing: OTLP/HTTP JSON to ${receiver.url}/v1/traces as switchyard-sigterm, sampler parentbased_always_on`,
    );
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query BeforeStop { invoices(first: 1) { edges { node { id } } } }' }),
    });
    expect(answer.status).toBe(200);
    // Well within the batch delay (5 s): nothing has been exported yet.
    expect(receiver.bodies).toEqual([]);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const operation = one(receiver.spans(), (s) => s.name === 'query BeforeStop', 'operation span');
    expect(operation.resource['service.name']).toBe('switchyard-sigterm');
    expect(receiver.spans().some((s) => s.name === 'GET stripe invoices.list')).toBe(true);
  });
});

describe('tracing off (the default)', () => {
  it('sends no trace context upstream, even when the client sent one, and nothing is exported', async () => {
    const t = await start({}, false);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const answer = await t.post('query Q { invoices(first: 1) { edges { node { id } } } }', undefined, {
      traceparent,
      tracestate: 'vendor=opaque',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    await t.gateway.close();
    expect(t.proxy.seen.length).toBeGreaterThan(0);
    for (const request of t.proxy.seen) {
      expect(request.headers['traceparent']).toBeUndefined();
      expect(request.headers['tracestate']).toBeUndefined();
    }
    expect(t.receiver.bodies).toEqual([]);
  });
});
