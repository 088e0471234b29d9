import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUpstream } from '../src/upstream/create-upstream.ts';
import type { Upstream, UpstreamOptions } from '../src/upstream/types.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

describe('coalescing against the Stripe emulator', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('20 concurrent different queries needing the same object make one upstream call', async () => {
    const listed = await t.graphql<{ invoices: { edges: { node: { id: string } }[] } }>(
      '{ invoices(first: 1) { edges { node { id } } } }',
    );
    const id = listed.data?.invoices.edges[0]?.node.id;
    if (id === undefined) throw new Error('the demo world has no invoice');
    t.stripe.resetCounters();
    // Slow enough that all 20 requests arrive while the first call is in flight.
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 300, times: 1 });
    // Different documents, so each runs its own execution (no shared execution): only the GET is shared.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.graphql(`query Invoice${String(i)} ($id: ID!) { invoice(id: $id) { id status } }`, { id }),
      ),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toMatchObject({ invoice: { id } });
    }
    expect(t.stripe.counters()).toEqual({ 'GET /v1/invoices/:id': 1 });
  });
});

describe('coalescing in createUpstream', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  interface Slow {
    url: string;
    seen: IncomingMessage[];
    /** Requests whose client went away before the answer. */
    aborted: () => number;
  }

  async function slowServer(delayMs: number): Promise<Slow> {
    const seen: IncomingMessage[] = [];
    let aborted = 0;
    const server = createServer((req, res) => {
      const n = seen.push(req);
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ n, auth: req.headers.authorization ?? null }));
      }, delayMs);
      res.on('close', () => {
        if (!res.writableEnded) aborted += 1;
        clearTimeout(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `http://127.0.0.1:${port}`, seen, aborted: () => aborted };
  }

  function upstream(options: Partial<UpstreamOptions> & { baseUrl: string }): Upstream {
    const created = createUpstream({ source: 'test', ...options });
    cleanups.push(() => created.close());
    return created;
  }

  it('shares identical GETs, but not different queries, headers, credentials or POSTs', async () => {
    const server = await slowServer(100);
    const api = upstream({ baseUrl: server.url, headers: { Authorization: 'Bearer a' } });
    const other = upstream({ baseUrl: server.url, headers: { Authorization: 'Bearer b' } });
    const get = (u: Upstream, extra: Partial<Parameters<Upstream['request']>[0]> = {}) =>
      u.request({ method: 'GET', path: '/x', operation: 'x', query: { q: '1' }, ...extra });

    const [a1, a2, a3, q2, h2, b1, post] = await Promise.all([
      get(api),
      get(api),
      get(api),
      get(api, { query: { q: '2' } }),
      get(api, { headers: { Authorization: 'Bearer c' } }),
      get(other),
      api.request({ method: 'POST', path: '/x', operation: 'x', query: { q: '1' }, body: '' }),
      api.request({ method: 'POST', path: '/x', operation: 'x', query: { q: '1' }, body: '' }),
    ]);
    // One shared call, then one each for another query, other headers, other credentials and each POST.
    expect(server.seen).toHaveLength(6);
    expect(a1.json).toEqual(a2.json);
    expect(a2.json).toEqual(a3.json);
    // Each caller gets its own parsed body.
    expect(a1.json).not.toBe(a2.json);
    expect(new Set([a1, q2, h2, b1, post].map((r) => (r.json as { n: number }).n)).size).toBe(5);
    expect(h2.json).toMatchObject({ auth: 'Bearer c' });
    expect(b1.json).toMatchObject({ auth: 'Bearer b' });
  });

  it("one caller's abort or deadline does not cancel the call for the others", async () => {
    const server = await slowServer(300);
    const api = upstream({ baseUrl: server.url });
    const controller = new AbortController();
    const request = { method: 'GET', path: '/slow', operation: 'slow' } as const;
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    const results = await Promise.allSettled([
      api.request({ ...request, signal: controller.signal }),
      api.request({ ...request, deadline: Date.now() + 100 }),
      api.request(request),
    ]);
    const [aborted, timedOut, answered] = results;
    expect(aborted).toMatchObject({ status: 'rejected', reason: { message: 'client went away' } });
    expect(timedOut).toMatchObject({
      status: 'rejected',
      reason: {
        message: 'test did not answer GET /slow within 100 ms',
        extensions: { code: 'UPSTREAM_TIMEOUT' },
      },
    });
    expect(answered).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.seen).toHaveLength(1);
    expect(server.aborted()).toBe(0);
  });

  it('cancels the shared call when every caller has gone', async () => {
    const server = await slowServer(1000);
    const api = upstream({ baseUrl: server.url });
    const controller = new AbortController();
    const request = { method: 'GET', path: '/slow', operation: 'slow', signal: controller.signal } as const;
    const pending = Promise.allSettled([api.request(request), api.request(request)]);
    setTimeout(() => controller.abort(new Error('gone')), 50);
    const results = await pending;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.seen).toHaveLength(1);
    expect(server.aborted()).toBe(1);
    // Nothing is left in flight: the next identical call goes to the server.
    const next = api.request({
      method: 'GET',
      path: '/slow',
      operation: 'slow',
      deadline: Date.now() + 2000,
    });
    expect((await next).status).toBe(200);
    expect(server.seen).toHaveLength(2);
  });
});
