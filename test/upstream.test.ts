import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, GatewayError } from '../src/errors.ts';
import { fullJitterDelay } from '../src/upstream/backoff.ts';
import { createUpstream } from '../src/upstream/create-upstream.ts';
import { upstreamError, upstreamIdentifier } from '../src/upstream/http-errors.ts';
import { parseRetryAfter } from '../src/upstream/retry-after.ts';
import type { Upstream, UpstreamAttempt, UpstreamOptions } from '../src/upstream/types.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  remotePort: number | undefined;
}

interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
}

/** Answers the n-th request (1-based) it receives; a handler that never ends the response makes a slow server. */
type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    // Drain the request body before answering, as a real API would.
    req.resume();
    req.on('end', () => {
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${port}`, port, seen };
}

function upstream(options: Partial<UpstreamOptions> & { baseUrl: string }): Upstream {
  const created = createUpstream({ source: 'test', backoffBaseMs: 1, backoffCapMs: 5, ...options });
  cleanups.push(() => created.close());
  return created;
}

function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('createUpstream: connections and encoding', () => {
  it('reuses one keep-alive socket across calls and reads the response', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-Request-Id', 'req_1');
      res.end('{"ok":true}');
    });
    const api = upstream({ baseUrl: server.url });

    const responses = [];
    for (let i = 0; i < 3; i += 1) {
      responses.push(await api.request({ method: 'GET', path: '/a', operation: 'a' }));
      // undici resolves the body a moment before it hands the connection back to
      // the pool; a call made in that moment takes a second pooled connection.
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 6; i += 1) await api.request({ method: 'GET', path: '/b', operation: 'b' });

    expect(server.seen).toHaveLength(9);
    expect(new Set(server.seen.slice(0, 3).map((s) => s.remotePort)).size).toBe(1);
    expect(new Set(server.seen.map((s) => s.remotePort)).size).toBeLessThanOrEqual(2);
    expect(server.seen[0]?.headers.connection).toBe('keep-alive');
    const [first] = responses;
    expect(first?.status).toBe(200);
    expect(first?.text).toBe('{"ok":true}');
    expect(first?.json).toEqual({ ok: true });
    expect(first?.attempts).toBe(1);
    expect(first?.headers['x-request-id']).toBe('req_1');
    expect(first?.headers['set-cookie']).toBe('a=1, b=2');
    expect(first?.headers['content-type']).toBe('application/json');
  });

  it('leaves json undefined when the body is not JSON, whatever the content type', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/text') answer(res, 200, 'hello', { 'Content-Type': 'text/plain' });
      else if (req.url === '/broken') answer(res, 200, '{"a":', { 'Content-Type': 'application/json' });
      else if (req.url === '/plain-json') answer(res, 200, '[1,2]', { 'Content-Type': 'text/plain' });
      else answer(res, 204);
    });
    const api = upstream({ baseUrl: server.url });
    const get = (path: string) => api.request({ method: 'GET', path, operation: 'x' });

    expect((await get('/text')).json).toBeUndefined();
    expect((await get('/broken')).json).toBeUndefined();
    expect((await get('/plain-json')).json).toEqual([1, 2]);
    const empty = await get('/empty');
    expect(empty.status).toBe(204);
    expect(empty.text).toBe('');
    expect(empty.json).toBeUndefined();
  });

  it('appends path and query to a base URL with a path prefix, and merges headers', async () => {
    const server = await startServer((_req, res) => answer(res, 200, '{}'));
    const api = upstream({
      baseUrl: `${server.url}/v1/`,
      headers: { Authorization: 'Bearer sk_test', 'X-Api-Version': '1' },
    });

    await api.request({
      method: 'GET',
      path: '/customers',
      operation: 'customers.list',
      query: {
        'expand[]': ['data.invoice', 'data.items x'],
        limit: 10,
        live: false,
        q: 'a&b=c/é',
        skip: undefined,
      },
      headers: { 'x-api-version': '2', 'X-Trace': 't1' },
    });
    await api.request({ method: 'GET', path: '/plain', operation: 'plain', query: { none: undefined } });

    const url = server.seen[0]?.url ?? '';
    expect(url).toBe(
      '/v1/customers?expand%5B%5D=data.invoice&expand%5B%5D=data.items%20x&limit=10&live=false&q=a%26b%3Dc%2F%C3%A9',
    );
    const params = new URL(url, server.url).searchParams;
    expect(params.getAll('expand[]')).toEqual(['data.invoice', 'data.items x']);
    expect(params.get('q')).toBe('a&b=c/é');
    expect(params.has('skip')).toBe(false);
    expect(server.seen[0]?.headers.authorization).toBe('Bearer sk_test');
    expect(server.seen[0]?.headers['x-api-version']).toBe('2');
    expect(server.seen[0]?.headers['x-trace']).toBe('t1');
    expect(server.seen[1]?.url).toBe('/v1/plain');
  });

  it('sends the body of a POST as given', async () => {
    const server = await startServer((_req, res) => answer(res, 200, '{}'));
    const api = upstream({ baseUrl: server.url });
    const body = 'name=Ada&email=ada%40example.com';
    const response = await api.request({
      method: 'POST',
      path: '/customers',
      operation: 'customers.create',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    expect(server.seen[0]?.method).toBe('POST');
    expect(server.seen[0]?.headers['content-length']).toBe(String(body.length));
    expect(server.seen[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('createUpstream: retries', () => {
  it('retries a 503 and resolves with the success, reporting each attempt', async () => {
    const server = await startServer((_req, res, n) =>
      n === 1 ? answer(res, 503) : answer(res, 200, '{"id":1}'),
    );
    const attempts: UpstreamAttempt[] = [];
    const api = upstream({ baseUrl: server.url, onAttempt: (info) => attempts.push(info) });

    const response = await api.request({ method: 'GET', path: '/c/1', operation: 'customers.retrieve' });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ id: 1 });
    expect(response.attempts).toBe(2);
    expect(server.seen).toHaveLength(2);
    expect(attempts.map(({ durationMs: _d, retryInMs: _r, ...rest }) => rest)).toEqual([
      {
        source: 'test',
        operation: 'customers.retrieve',
        method: 'GET',
        attempt: 1,
        status: 503,
        error: undefined,
      },
      {
        source: 'test',
        operation: 'customers.retrieve',
        method: 'GET',
        attempt: 2,
        status: 200,
        error: undefined,
      },
    ]);
    expect(attempts[0]?.retryInMs).toBeGreaterThanOrEqual(0);
    expect(attempts[1]?.retryInMs).toBeUndefined();
  });

  it('retries a GET whose connection the server drops mid-request', async () => {
    const server = await startServer((req, res, n) => {
      if (n === 1) req.socket.destroy();
      else answer(res, 200, 'ok');
    });
    const api = upstream({ baseUrl: server.url });

    const response = await api.request({ method: 'GET', path: '/', operation: 'x' });

    expect(response.text).toBe('ok');
    expect(response.attempts).toBe(2);
  });

  it('waits at least Retry-After seconds before retrying', async () => {
    const server = await startServer((_req, res, n) =>
      n === 1 ? answer(res, 503, '', { 'Retry-After': '1' }) : answer(res, 200),
    );
    const api = upstream({ baseUrl: server.url });

    const started = performance.now();
    const response = await api.request({ method: 'GET', path: '/', operation: 'x' });

    expect(response.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('waits the larger of the jitter and the Retry-After hint', async () => {
    const server = await startServer((req, res, n) => {
      const retryAfter = req.url === '/short' ? '0' : '2';
      if (n % 2 === 1) answer(res, 429, '', { 'Retry-After': retryAfter });
      else answer(res, 200);
    });
    const waits: number[] = [];
    const api = upstream({
      baseUrl: server.url,
      backoffBaseMs: 100,
      backoffCapMs: 5_000,
      random: () => 0.5,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    await api.request({ method: 'GET', path: '/long', operation: 'x' });
    await api.request({ method: 'GET', path: '/short', operation: 'x' });

    expect(waits).toEqual([2000, 50]);
  });

  it('does not retry a POST without an idempotency key', async () => {
    const server = await startServer((_req, res) => answer(res, 503));
    const api = upstream({ baseUrl: server.url });

    const response = await api.request({
      method: 'POST',
      path: '/charges',
      operation: 'charges.create',
      body: 'a=1',
    });

    expect(response.status).toBe(503);
    expect(response.attempts).toBe(1);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('retries a POST with an idempotency key, sending the same key each time', async () => {
    const server = await startServer((_req, res, n) => (n < 3 ? answer(res, 500) : answer(res, 200)));
    const api = upstream({ baseUrl: server.url });

    const response = await api.request({
      method: 'POST',
      path: '/charges',
      operation: 'charges.create',
      body: 'a=1',
      idempotencyKey: 'key-123',
    });

    expect(response.status).toBe(200);
    expect(response.attempts).toBe(3);
    expect(server.seen.map((s) => s.headers['idempotency-key'])).toEqual(['key-123', 'key-123', 'key-123']);
  });

  it('sends the idempotency key in a custom header', async () => {
    const server = await startServer((_req, res) => answer(res, 200));
    const api = upstream({ baseUrl: server.url, idempotencyHeader: 'X-Idempotency-Token' });

    await api.request({ method: 'PATCH', path: '/x', operation: 'x', body: '{}', idempotencyKey: 'k' });

    expect(server.seen[0]?.headers['x-idempotency-token']).toBe('k');
    expect(server.seen[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('lets retryHint stop a retry the status would allow, and allow one it would not', async () => {
    const server = await startServer((req, res, n) => {
      if (req.url === '/no') answer(res, 503, '', { 'X-Should-Retry': 'false' });
      else if (n === 2) answer(res, 409, '', { 'X-Should-Retry': 'true' });
      else answer(res, 200);
    });
    const waits: number[] = [];
    const api = upstream({
      baseUrl: server.url,
      random: () => 0,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      retryHint: (response) => {
        const header = response.headers['x-should-retry'];
        return header === undefined ? undefined : { retry: header === 'true', afterMs: 7 };
      },
    });

    const stopped = await api.request({ method: 'GET', path: '/no', operation: 'x' });
    const retried = await api.request({ method: 'GET', path: '/yes', operation: 'x' });

    expect(stopped.status).toBe(503);
    expect(stopped.attempts).toBe(1);
    expect(retried.status).toBe(200);
    expect(retried.attempts).toBe(2);
    expect(waits).toEqual([7]);
  });

  it('resolves with the last 429 once the retries are exhausted', async () => {
    const server = await startServer((_req, res, n) =>
      answer(res, 429, `{"error":"slow down","n":${n}}`, { 'Content-Type': 'application/json' }),
    );
    const api = upstream({ baseUrl: server.url, maxRetries: 2 });

    const response = await api.request({ method: 'GET', path: '/', operation: 'x' });

    expect(response.status).toBe(429);
    expect(response.attempts).toBe(3);
    expect(response.json).toEqual({ error: 'slow down', n: 3 });
    expect(server.seen).toHaveLength(3);
  });

  it('stops retrying when the wait would pass the deadline, resolving with the last response', async () => {
    const server = await startServer((_req, res) => answer(res, 503, '', { 'Retry-After': '60' }));
    const api = upstream({ baseUrl: server.url, defaultBudgetMs: 2_000 });

    const started = performance.now();
    const response = await api.request({ method: 'GET', path: '/', operation: 'x' });

    expect(response.status).toBe(503);
    expect(response.attempts).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('createUpstream: failures', () => {
  it('rejects with UPSTREAM_UNAVAILABLE after retrying a refused connection', async () => {
    const server = await startServer(() => undefined);
    await cleanups.pop()?.();
    const attempts: UpstreamAttempt[] = [];
    const api = upstream({ baseUrl: server.url, onAttempt: (info) => attempts.push(info) });

    const error = await rejection(api.request({ method: 'GET', path: '/c', operation: 'x' }));

    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.message).toBe(
      `test could not be reached: connect ECONNREFUSED 127.0.0.1:${server.port}`,
    );
    // What production shows: no host, port or error code of the network.
    expect(gatewayError.publicMessage).toBe('test could not be reached');
    expect(gatewayError.code).toBe(ErrorCode.UPSTREAM_UNAVAILABLE);
    expect(gatewayError.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', source: 'test' });
    expect(attempts).toHaveLength(4);
    expect(attempts.every((a) => a.status === undefined && a.error instanceof GatewayError)).toBe(true);
  });

  it('rejects a slow server with UPSTREAM_TIMEOUT within the deadline, not attempts × timeout', async () => {
    const server = await startServer(() => undefined);
    const api = upstream({
      baseUrl: server.url,
      attemptTimeoutMs: 150,
      defaultBudgetMs: 400,
      maxRetries: 10,
    });

    const started = performance.now();
    const error = await rejection(api.request({ method: 'GET', path: '/slow', operation: 'x' }));
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.message).toBe('test did not answer GET /slow within 400 ms');
    expect(gatewayError.publicMessage).toBe('test did not answer within 400 ms');
    expect(gatewayError.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', source: 'test' });
    expect(server.seen.length).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(600);
  });

  it('names the attempt timeout when the retries ran out before the deadline', async () => {
    const server = await startServer(() => undefined);
    const api = upstream({ baseUrl: server.url, attemptTimeoutMs: 100, maxRetries: 1 });

    const error = await rejection(api.request({ method: 'DELETE', path: '/c/1', operation: 'x' }));

    expect((error as GatewayError).message).toBe('test did not answer DELETE /c/1 within 100 ms');
    expect(server.seen).toHaveLength(2);
  });

  it('does not retry a timed-out POST without an idempotency key', async () => {
    const server = await startServer(() => undefined);
    const api = upstream({ baseUrl: server.url, attemptTimeoutMs: 100 });

    const error = await rejection(
      api.request({ method: 'POST', path: '/charges', operation: 'x', body: '' }),
    );

    expect((error as GatewayError).code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(server.seen).toHaveLength(1);
  });

  it("honours the request's own deadline, and sends nothing when it has passed", async () => {
    const server = await startServer(() => undefined);
    const api = upstream({ baseUrl: server.url });

    const late = await rejection(
      api.request({ method: 'GET', path: '/x', operation: 'x', deadline: Date.now() - 1 }),
    );
    expect((late as GatewayError).code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(server.seen).toHaveLength(0);

    const started = performance.now();
    const error = await rejection(
      api.request({ method: 'GET', path: '/x', operation: 'x', deadline: Date.now() + 200 }),
    );
    expect((error as GatewayError).code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('rejects with the abort reason, without retrying, when the caller aborts', async () => {
    const server = await startServer(() => undefined);
    const api = upstream({ baseUrl: server.url });
    const controller = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => controller.abort(reason), 50);

    const error = await rejection(
      api.request({ method: 'GET', path: '/x', operation: 'x', signal: controller.signal }),
    );

    expect(error).toBe(reason);
    expect(server.seen).toHaveLength(1);
  });

  it('stops waiting between attempts when the caller aborts', async () => {
    const server = await startServer((_req, res) => answer(res, 503, '', { 'Retry-After': '10' }));
    const api = upstream({ baseUrl: server.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const started = performance.now();
    const error = await rejection(
      api.request({ method: 'GET', path: '/x', operation: 'x', signal: controller.signal }),
    );

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(server.seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('fullJitterDelay', () => {
  it('stays within [0, min(cap, base * 2^n))', () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const ceiling = Math.min(5_000, 100 * 2 ** attempt);
      expect(fullJitterDelay(attempt, 100, 5_000, () => 0)).toBe(0);
      expect(fullJitterDelay(attempt, 100, 5_000, () => 0.5)).toBe(ceiling / 2);
      expect(fullJitterDelay(attempt, 100, 5_000, () => 1 - Number.EPSILON)).toBe(ceiling - 1);
      expect(fullJitterDelay(attempt, 100, 5_000, () => 1)).toBeLessThan(ceiling);
    }
    expect(fullJitterDelay(3, 100, 5_000, () => 0.25)).toBe(200);
    expect(fullJitterDelay(1_000, 100, 5_000, () => 0.999)).toBe(4_995);
    expect(fullJitterDelay(0, 0, 5_000, () => 0.5)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads every HTTP-date form as the time left until then', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu Jan  1 00:00:05 2026', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('returns undefined for a missing or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Someday, maybe', now)).toBeUndefined();
  });
});

describe('upstreamError: what a provider says stays out of production', () => {
  const response = (status: number, headers: Record<string, string> = {}) => ({
    status,
    headers,
    text: '',
    json: undefined,
    attempts: 1,
  });
  const failure = { source: 'test', title: 'Test', credentialsVariable: 'TEST_API_KEY' };

  it("keeps the provider's message in `message`, and a fixed one in `publicMessage`", () => {
    const said = 'Invalid API key provided: Bearer sk_test_123 from https://u:p@10.0.0.1/x';
    const cases: [number, ErrorCode, string][] = [
      [400, ErrorCode.BAD_USER_INPUT, 'Test refused the request'],
      [
        401,
        ErrorCode.UPSTREAM_UNAVAILABLE,
        "Test rejected the gateway's credentials (401). Check TEST_API_KEY.",
      ],
      [404, ErrorCode.UPSTREAM_NOT_FOUND, 'Test has no such object'],
      [
        429,
        ErrorCode.UPSTREAM_RATE_LIMITED,
        'Test is rate limiting the gateway (429) and retries did not get through in time',
      ],
      [502, ErrorCode.UPSTREAM_UNAVAILABLE, 'Test failed with HTTP 502'],
    ];
    for (const [status, code, publicMessage] of cases) {
      const error = upstreamError({ ...failure, response: response(status), message: said });
      expect(error.code).toBe(code);
      expect(error.publicMessage).toBe(publicMessage);
      expect(error.message).toContain(said);
    }
  });

  it("has no publicMessage when the message is the gateway's own words", () => {
    const error = upstreamError({ ...failure, response: response(503) });
    expect(error.message).toBe('Test failed with HTTP 503');
    expect(error.publicMessage).toBeUndefined();
  });

  it('passes on identifiers only when they look like identifiers', () => {
    const error = upstreamError({
      ...failure,
      response: response(429, { 'request-id': 'req_a b<script>', 'retry-after': '30' }),
      upstreamCode: 'x'.repeat(129),
    });
    expect(error.extensions).toEqual({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'test',
      upstreamStatus: 429,
      retryAfter: '30',
    });
    expect(upstreamIdentifier('req_Ab-9.x:y/z+=')).toBe('req_Ab-9.x:y/z+=');
    expect(upstreamIdentifier(42)).toBe('42');
    expect(upstreamIdentifier('has space')).toBeUndefined();
    expect(upstreamIdentifier('')).toBeUndefined();
    expect(upstreamIdentifier({ code: 'x' })).toBeUndefined();
  });
});
