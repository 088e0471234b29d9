import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { payloadTooLargeMessage } from '../src/http/body-limit.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { chunk, rawExchange } from './helpers/raw-http.ts';

const MAX = 1024 * 1024;
const MiB = 1024 * 1024;
/** A query that would call the Stripe emulator if it ran. */
const QUERY = '{ invoices(first: 1) { edges { node { id } } } }';

/** 20 MB of a JSON body carrying QUERY, in 64 KiB pieces. */
function* twentyMegabytes(frame: (piece: Buffer) => Buffer = (piece) => piece): Generator<Buffer> {
  yield frame(Buffer.from(`{"query":${JSON.stringify(QUERY)},"variables":{"pad":"`));
  const piece = Buffer.alloc(64 * 1024, 'x');
  for (let sent = 0; sent < 20 * MiB; sent += piece.length) yield frame(piece);
  yield frame(Buffer.from('"}}'));
}

describe('GraphQL request body size (GRAPHQL_MAX_BODY_BYTES)', () => {
  let t: TestGateway;
  let port: number;
  const stripeCalls = () => Object.values(t.stripe.counters()).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    t = await startTestGateway();
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t.close());

  const expectRefused = (response: Awaited<ReturnType<typeof rawExchange>>) => {
    expect(response.status).toBe(413);
    expect(response.headers['connection']).toBe('close');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ message: payloadTooLargeMessage(MAX), extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
  };

  it('refuses a declared 20 MB body at once, from its Content-Length, and closes the connection', async () => {
    const before = stripeCalls();
    const response = await rawExchange(
      port,
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${20 * MiB + 100}\r\n\r\n`,
      twentyMegabytes(),
    );
    expectRefused(response);
    // Answered before the body: at most what was in flight when the answer came.
    expect(response.bodyBytesSent).toBeLessThan(2 * MiB);
    expect(stripeCalls()).toBe(before);
  });

  it('refuses a chunked 20 MB body as soon as it passes the cap, without reading the rest', async () => {
    const before = stripeCalls();
    const response = await rawExchange(
      port,
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      twentyMegabytes(chunk),
    );
    expectRefused(response);
    expect(response.bodyBytesSent).toBeGreaterThan(MAX);
    expect(response.bodyBytesSent).toBeLessThan(4 * MiB);
    expect(stripeCalls()).toBe(before);
  });

  it('refuses a whole body one byte over the cap, and runs one at the cap', async () => {
    const body = (size: number) => {
      const start = `{"query":${JSON.stringify(QUERY)},"variables":{"pad":"`;
      return start + 'x'.repeat(size - start.length - 3) + '"}}';
    };
    const over = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(MAX + 1),
    });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const at = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(MAX),
    });
    expect(at.status).toBe(200);
    expect(await at.json()).toMatchObject({
      data: { invoices: { edges: [{ node: { id: expect.any(String) as unknown } }] } },
    });
  });

  it('applies the same cap to graphql-ws messages (close 1009)', async () => {
    const small = await startTestGateway({ GRAPHQL_MAX_BODY_BYTES: '2048' });
    try {
      const socket = new WebSocket(`${small.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2048) } }));
      const code = await new Promise((resolve) => socket.once('close', resolve));
      expect(code).toBe(1009);
      const body = JSON.stringify({ query: `{ latestEventCursor } # ${'x'.repeat(2048)}` });
      const response = await fetch(`${small.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('slow clients (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS)', () => {
  let t: TestGateway;
  let port: number;

  beforeAll(async () => {
    t = await startTestGateway({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t.close());

  /** Header lines, one every 200 ms, for far longer than the timeout. */
  function* slowHeaders(): Generator<string> {
    for (let i = 0; i < 100; i++) yield `X-Slow-${i}: ${'a'.repeat(10)}\r\n`;
  }

  /** Sends `head`, then one of `pieces` every `everyMs`. */
  function dripping(head: string, pieces: Iterable<string>, everyMs: number) {
    async function* slowly() {
      for (const piece of pieces) {
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        yield piece;
      }
    }
    return rawExchange(port, head, slowly(), 10_000);
  }

  it('cuts off a client that sends its headers slowly (slowloris) within the headers timeout', async () => {
    const response = await dripping('GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n', slowHeaders(), 200);
    expect(response.status).toBe(408);
    // 1 s of timeout, checked every second (Node's default would wait 60 s, checked every 30 s).
    expect(response.closedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(response.closedAfterMs).toBeLessThan(3000);
  });

  it('cuts off a slow WebSocket upgrade the same way', async () => {
    const response = await dripping(
      'GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
      slowHeaders(),
      200,
    );
    expect(response.status).toBe(408);
    expect(response.closedAfterMs).toBeLessThan(3000);
  });

  it('cuts off a client that sends its body slowly within the request timeout', async () => {
    const response = await dripping(
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      Array.from({ length: 100 }, () => 'x'),
      200,
    );
    expect(response.status).toBe(408);
    expect(response.closedAfterMs).toBeGreaterThanOrEqual(2000);
    expect(response.closedAfterMs).toBeLessThan(4000);
  });

  it('still refuses oversized headers with 431', async () => {
    const response = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(response.status).toBe(431);
  });

  it('keeps serving a prompt client on a kept-alive connection', async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('transport limits: configuration', () => {
  it('has the documented defaults', () => {
    const { core } = loadConfig({}, connectors);
    expect(core).toMatchObject({
      GRAPHQL_MAX_BODY_BYTES: 1024 * 1024,
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: 100,
      WS_MAX_CONNECTIONS_PER_CLIENT: 100,
      WS_MAX_HEARTBEATS_PER_SECOND: 10,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
    });
    expect(core.CORS_ORIGINS).toBeUndefined();
  });

  it('refuses to start with a request timeout shorter than the headers timeout, or a bad limit', () => {
    let error: unknown;
    try {
      loadConfig(
        { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '5000', GRAPHQL_MAX_BODY_BYTES: '10' },
        connectors,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'GRAPHQL_MAX_BODY_BYTES (GRAPHQL_MAX_BODY_BYTES="10"): must be a whole number from 1024 to 67108864. Fix: correct it or unset it to use the default.',
    ]);
    expect(() =>
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '5000' }, connectors),
    ).toThrow(
      'HTTP_REQUEST_TIMEOUT_MS (5000) is shorter than HTTP_HEADERS_TIMEOUT_MS (20000): a request includes its headers. Fix: raise HTTP_REQUEST_TIMEOUT_MS or lower HTTP_HEADERS_TIMEOUT_MS.',
    );
  });
});
