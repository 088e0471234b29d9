/**
 * Workload 2: the unified Customer page, `customers(first: 100)` with its
 * billing (active subscriptions), CRM, support and commerce (latest orders)
 * parts, against the built-in emulators
 * (sandbox mode: the emulators run in the gateway's process, so its CPU and
 * latency include theirs). Reports the upstream calls one query makes per
 * source (from the gateway's own /metrics), the latency of one client asking
 * one query after another, and the throughput of concurrent clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startServer } from '../lib/children.ts';
import type { ServerProcess } from '../lib/children.ts';
import { now, processCpuMs, summarize } from '../lib/common.ts';
import type { Summary } from '../lib/common.ts';
import { runWrk, wrkBinary } from './wrk.ts';

const KEY = 'sy_bench_customers_0123456789abcdef';
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

export const WORKLOAD_2_QUERY = `{
  customers(first: 100) {
    edges {
      node {
        email
        name
        billing { sourceId subscriptions(first: 5, status: ACTIVE) { edges { node { status } } } }
        crm { sourceId company { name } deals(first: 5) { edges { node { name stage } } } }
        support { sourceId tickets(first: 5) { edges { node { subject status } } } }
        commerce {
          sourceId name numberOfOrders amountSpent { amount currencyCode }
          orders(first: 5) { edges { node { name createdAt totalPrice { amount currencyCode } } } }
        }
      }
    }
  }
}`;

/** The same page without its commerce part: what the gateway does when Shopify's cost bucket is not the limit. */
export const WORKLOAD_2_QUERY_WITHOUT_COMMERCE = WORKLOAD_2_QUERY.replace(
  /\n {8}commerce \{[\s\S]*?\n {8}\}/,
  '',
);

/** One client asking one page after another. */
export interface SequentialPages {
  /** Source → upstream calls of one page. */
  callsPerQuery: Record<string, number>;
  latency: Summary;
  /** Pages answered per second, one after another. */
  pagesPerS: number;
  /** Answers that carried GraphQL errors (a source over its rate limit...). */
  withErrors: number;
}

export interface Workload2Result {
  customers: number;
  /** The whole page, one client. */
  page: SequentialPages;
  /** The page without its commerce part, one client. */
  withoutCommerce: SequentialPages;
  /** The whole page answered from the response cache (asked again within its TTL), one client. */
  cached: { p50: number; p99: number; count: number; upstreamCalls: number };
  /** The page without its commerce part, concurrent clients. */
  concurrent: {
    connections: number;
    requestsPerS: number;
    p50: number;
    p99: number;
    cpuMsPerRequest: number;
    /** Failed HTTP requests. */
    errors: number;
    /** 200 answers that carried GraphQL errors. */
    withGraphqlErrors: number;
  };
}

async function upstreamCalls(server: ServerProcess): Promise<Record<string, number>> {
  const response = await request(`${server.origin}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.body.text();
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(
    /^switchyard_upstream_calls_total\{source="([^"]+)",outcome="[^"]+"\} (\d+)$/gm,
  )) {
    const source = match[1] ?? '';
    calls[source] = (calls[source] ?? 0) + Number(match[2]);
  }
  return calls;
}

/** Asks a page query; the customers listed and the GraphQL errors of the answer. */
async function ask(
  server: ServerProcess,
  query: string,
  cache: 'execute' | 'cached' = 'execute',
): Promise<{ customers: number; errors: string[] }> {
  const response = await request(`${server.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${KEY}`,
      // What the page costs when it runs: the response cache would answer every page after the first.
      ...(cache === 'execute' ? { 'cache-control': 'no-cache' } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.body.json()) as {
    data?: { customers: { edges: unknown[] } };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (response.statusCode !== 200 || body.data === undefined) {
    throw new Error(
      `workload 2 failed (HTTP ${String(response.statusCode)}): ${JSON.stringify(body).slice(0, 400)}`,
    );
  }
  return {
    customers: body.data.customers.edges.length,
    errors: (body.errors ?? []).map((e) => e.extensions?.code ?? e.message),
  };
}

export async function runWorkload2(options: {
  quick: boolean;
  log: (message: string) => void;
}): Promise<Workload2Result> {
  const wrkPath = wrkBinary();
  if (wrkPath === null) throw new Error('workload 2 needs wrk (apt-get install wrk)');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-customers-'));
  const server = await startServer({
    name: 'switchyard (workload 2)',
    entry: 'src/main.ts',
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SANDBOX: '1',
      DEMO_EVENTS: '0',
      GATEWAY_API_KEYS: `${KEY}:*`,
      RATE_LIMIT_PER_MINUTE: '0',
      METRICS_TOKEN,
    },
    ready: /Switchyard is up: (http:\/\/[^\s/]+)\/graphql/,
  });
  /** The upstream calls of one page, then `n` pages one after another. */
  async function sequentialPages(query: string, n: number): Promise<SequentialPages> {
    const before = await upstreamCalls(server);
    await ask(server, query);
    const after = await upstreamCalls(server);
    const callsPerQuery: Record<string, number> = {};
    for (const [source, count] of Object.entries(after))
      callsPerQuery[source] = count - (before[source] ?? 0);
    const samples: number[] = [];
    let withErrors = 0;
    const started = now();
    for (let i = 0; i < n; i += 1) {
      const start = now();
      const answer = await ask(server, query);
      samples.push(now() - start);
      if (answer.errors.length > 0) withErrors += 1;
    }
    return {
      callsPerQuery,
      latency: summarize(samples),
      pagesPerS: (n * 1000) / (now() - started),
      withErrors,
    };
  }
  const describe = (name: string, pages: SequentialPages) =>
    `workload 2, ${name}: upstream calls per page ${JSON.stringify(pages.callsPerQuery)}; one client: ` +
    `p50 ${pages.latency.p50.toFixed(1)} ms, p99 ${pages.latency.p99.toFixed(1)} ms, ${pages.pagesPerS.toFixed(2)} pages/s, ` +
    `${String(pages.withErrors)}/${String(pages.latency.count)} with errors`;

  try {
    const first = await ask(server, WORKLOAD_2_QUERY);
    if (first.errors.length > 0)
      throw new Error(`workload 2's first answer has errors: ${first.errors.join(', ')}`);
    const customers = first.customers;
    // Without commerce first: it leaves Shopify's bucket full for the whole page.
    const withoutCommerce = await sequentialPages(WORKLOAD_2_QUERY_WITHOUT_COMMERCE, options.quick ? 10 : 40);
    options.log(describe('without commerce', withoutCommerce));
    // Each whole page spends about 700 of Shopify's 2,000 points, which restore at 100 a second.
    const page = await sequentialPages(WORKLOAD_2_QUERY, options.quick ? 5 : 15);
    options.log(describe(`${String(customers)} customers, whole page`, page));
    // The same page again within the TTL, as a second visitor would ask it: from the response cache.
    await ask(server, WORKLOAD_2_QUERY);
    const callsBeforeHits = await upstreamCalls(server);
    const hits: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const start = now();
      await ask(server, WORKLOAD_2_QUERY, 'cached');
      hits.push(now() - start);
    }
    const cachedLatency = summarize(hits);
    const callsAfterHits = await upstreamCalls(server);
    const hitCalls = Object.entries(callsAfterHits).reduce(
      (n, [source, count]) => n + count - (callsBeforeHits[source] ?? 0),
      0,
    );
    options.log(`workload 2, whole page from the response cache: p50 ${cachedLatency.p50.toFixed(2)} ms`);
    const connections = 10;
    const cpuBefore = await processCpuMs(server.pid);
    const load = await runWrk({
      binary: wrkPath,
      workDir: dir,
      url: `${server.origin}/graphql`,
      // Concurrent clients of the whole page would only queue for Shopify's bucket (one page a few seconds).
      body: JSON.stringify({ query: WORKLOAD_2_QUERY_WITHOUT_COMMERCE }),
      headers: { authorization: `Bearer ${KEY}`, 'cache-control': 'no-cache' },
      connections,
      durationS: options.quick ? 5 : 10,
      graphqlErrors: true,
    });
    const cpu = (await processCpuMs(server.pid)) - cpuBefore;
    options.log(
      `  ${String(connections)} clients: ${load.requestsPerS.toFixed(2)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ` +
        `${String(load.graphqlErrors)}/${String(load.requests)} with errors`,
    );
    return {
      customers,
      page,
      withoutCommerce,
      cached: {
        p50: cachedLatency.p50,
        p99: cachedLatency.p99,
        count: cachedLatency.count,
        upstreamCalls: hitCalls,
      },
      concurrent: {
        connections,
        requestsPerS: load.requestsPerS,
        p50: load.p50,
        p99: load.p99,
        cpuMsPerRequest: cpu / Math.max(1, load.requests),
        errors: load.errors,
        withGraphqlErrors: load.graphqlErrors,
      },
    };
  } finally {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
