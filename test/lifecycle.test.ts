import { once } from 'node:events';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway } from './helpers/gateway.ts';
import { spawnGateway } from './helpers/process.ts';

describe('graceful shutdown', () => {
  it('finishes in-flight queries, then refuses new connections', async () => {
    const t = await startTestGateway();
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices', delayMs: 600 });
    const inFlight = t.graphql<{ invoices: { edges: unknown[] } }>(
      '{ invoices(first: 3) { edges { node { id } } } }',
    );
    // Close only once the query is in flight: it has reached Stripe.
    while (t.stripe.counters()['GET /v1/invoices'] !== 1) await new Promise((r) => setTimeout(r, 10));
    const ready = fetch(`${t.url}/readyz`).catch(() => null);
    const closing = t.close();
    const result = await inFlight;
    expect(result.errors).toBeUndefined();
    expect(result.data?.invoices.edges).toHaveLength(3);
    await closing;
    await ready;
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });

  it('stops on SIGTERM: closes subscriptions (1001) and exits 0', async () => {
    const { child, url, output } = await spawnGateway();
    expect(output()).toMatch(/stripe\s+sandbox\s+built-in emulator at http:\/\/127\.0\.0\.1:\d+/);

    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const ticks: number[] = [];
    client.subscribe<{ heartbeat: { tick: number } }>(
      { query: 'subscription { heartbeat(intervalMs: 100) { tick } }' },
      { next: (v) => ticks.push(v.data?.heartbeat.tick ?? -1), error: () => {}, complete: () => {} },
    );
    while (ticks.length < 2) await new Promise((r) => setTimeout(r, 50));

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(await closed).toBe(1001);
    await client.dispose();
  });
});
