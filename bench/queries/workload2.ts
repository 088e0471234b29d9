/**
 * Workload 2: the unified Customer page, `customers(first: 100)` with its
 * billing, CRM, support and commerce parts, against the built-in emulators
 * (commerce without orders: a page of 100 customers' orders costs more of
 * Shopify's query-cost bucket than it refills in seconds, so it would measure
 * Shopify's restore rate, not the gateway)
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
        billing { sourceId subscriptions(first: 5) { edges { node { status } } } }
        crm { sourceId company { name } deals(first: 5) { edges { node { name stage } } } }
        support { sourceId tickets(first: 5) { edges { node { subject status } } } }
        commerce { sourceId name numberOfOrders amountSpent { amount currencyCode } }
      }
    }
  }
}`;

export interface Workload2Result {
  customers: number;
  /** Source → upstream calls of one query. */
  callsPerQuery: Record<string, number>;
  /** One client, one query after another. */
  sequential: Summary;
  /** Answers of the sequential client that carried GraphQL errors (a source over its rate limit...). */
  sequentialErrors: number;
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

/** Asks the workload's query; the customers listed and the GraphQL errors of the answer. */
async function ask(server: ServerProcess): Promise<{ customers: number; errors: string[] }> {
  const response = await request(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query: WORKLOAD_2_QUERY }),
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
  try {
    const first = await ask(server);
    if (first.errors.length > 0)
      throw new Error(`workload 2's first answer has errors: ${first.errors.join(', ')}`);
    const customers = first.customers;
    const before = await upstreamCalls(server);
    await ask(server);
    const after = await upstreamCalls(server);
    const callsPerQuery: Record<string, number> = {};
    for (const [source, count] of Object.entries(after))
      callsPerQuery[source] = count - (before[source] ?? 0);
    options.log(
      `workload 2: ${String(customers)} customers; upstream calls per query ${JSON.stringify(callsPerQuery)}`,
    );

    const samples: number[] = [];
    const n = options.quick ? 10 : 50;
    let sequentialErrors = 0;
    for (let i = 0; i < n; i += 1) {
      const start = now();
      const answer = await ask(server);
      samples.push(now() - start);
      if (answer.errors.length > 0) sequentialErrors += 1;
    }
    const sequential = summarize(samples);
    const connections = 10;
    const cpuBefore = await processCpuMs(server.pid);
    const load = await runWrk({
      binary: wrkPath,
      workDir: dir,
      url: `${server.origin}/graphql`,
      body: JSON.stringify({ query: WORKLOAD_2_QUERY }),
      headers: { authorization: `Bearer ${KEY}` },
      connections,
      durationS: options.quick ? 3 : 10,
      graphqlErrors: true,
    });
    const cpu = (await processCpuMs(server.pid)) - cpuBefore;
    options.log(
      `  one client: p50 ${sequential.p50.toFixed(1)} ms, p99 ${sequential.p99.toFixed(1)} ms, ${String(sequentialErrors)}/${String(n)} with errors; ` +
        `${String(connections)} clients: ${load.requestsPerS.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ` +
        `${String(load.graphqlErrors)}/${String(load.requests)} with errors`,
    );
    return {
      customers,
      callsPerQuery,
      sequential,
      sequentialErrors,
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
