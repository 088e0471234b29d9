/**
 * Workload 1: Tailcall's posts+users benchmark in Stripe's shape, measured
 * side by side. nginx serves the static upstream; wrk (1 thread, 50
 * connections) loads each server in turn, in interleaved rounds; the figures
 * are set as ratios to Apollo Server + DataLoader from the same run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startServer } from '../lib/children.ts';
import type { ServerProcess } from '../lib/children.ts';
import { median, processCpuMs, stripeSignature, WEBHOOK_SECRET } from '../lib/common.ts';
import { expectedAnswer, WORKLOAD_1_QUERY, writeFixtures } from './fixtures.ts';
import type { Fixtures } from './fixtures.ts';
import { nginxBinary, startNginx } from './nginx.ts';
import type { Nginx } from './nginx.ts';
import { prepareTailcall, startTailcall, TAILCALL_QUERY, tailcallExpected } from './tailcall.ts';
import { runWrk, wrkBinary } from './wrk.ts';

/** The API key wrk sends to Switchyard: the gateway runs with authentication on, as users run it. */
const BENCH_KEY = 'sy_bench_0123456789abcdef0123';

/** One server of the workload, started by {@link startSystems}. */
interface QuerySystem {
  key: string;
  label: string;
  origin: string;
  pid: number;
  headers: Record<string, string>;
  /** Its query for the workload (Tailcall's schema has its own shape) and the exact answer it must give. */
  query: string;
  expected: string;
  stop(): Promise<void>;
}

/** One system's figures over every measured round. */
export interface QueryRow {
  key: string;
  label: string;
  requestsPerS: number;
  /** Median over the rounds. */
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  upstreamPerRequest: number;
  /** Peak resident memory over the whole workload, in MiB (VmHWM). */
  peakRssMiB: number;
  requests: number;
  errors: number;
}

export interface Workload1Result {
  rows: QueryRow[];
  rounds: number;
  roundS: number;
  connections: number;
  nginx: string;
  wrk: string;
  /** Why Tailcall is not in the rows, when it is not. */
  tailcallNote: string | null;
  /** Switchyard's answer after a customer changed upstream and its webhook arrived, checked at once. */
  freshness: Freshness;
}

/** How a change reached Switchyard's answers, with its response cache on. */
export interface Freshness {
  /** Whether the query right after the change's webhook answered the new data. */
  freshAfterWebhook: boolean;
  /** From posting the webhook to the fresh answer, in ms. */
  webhookToFreshMs: number;
  /** Whether, before the webhook, the cached answer still said the old data (what the TTL bounds). */
  staleWithoutWebhook: boolean;
}

export interface Workload1Options {
  quick: boolean;
  log: (message: string) => void;
  /** Whether to fetch and run Tailcall. Default true. */
  tailcall?: boolean;
  /** Extra environment for Switchyard (e.g. to turn a lever off for a comparison). */
  switchyardEnv?: Record<string, string>;
  /** Also measure Switchyard with its levers off, in the same run (what each lever gives). Default true. */
  levers?: boolean;
}

/** Switchyard with levers turned off, measured beside the real thing. */
const LEVER_VARIANTS: readonly { key: string; label: string; env: Record<string, string> }[] = [
  {
    key: 'switchyard-no-cache',
    label: 'Switchyard, response cache off (`RESPONSE_CACHE_TTL_S=0`)',
    env: { RESPONSE_CACHE_TTL_S: '0' },
  },
  {
    key: 'switchyard-no-levers',
    label: 'Switchyard, response cache and query sharing off (`SHARE_IDENTICAL_QUERIES=0` too)',
    env: { RESPONSE_CACHE_TTL_S: '0', SHARE_IDENTICAL_QUERIES: '0' },
  },
  {
    // What the heap policy's 32 MB young generation (which keeps peak RSS under 250 MB) costs an executed query.
    key: 'switchyard-no-levers-young-128',
    label:
      'Switchyard, response cache and query sharing off, young generation 128 MB (`HEAP_YOUNG_GENERATION_MB=128` too)',
    env: { RESPONSE_CACHE_TTL_S: '0', SHARE_IDENTICAL_QUERIES: '0', HEAP_YOUNG_GENERATION_MB: '128' },
  },
];

function switchyardEnv(upstream: string, extra: Record<string, string>): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    SANDBOX: '0',
    DEMO_EVENTS: '0',
    STRIPE_API_KEY: 'sk_test_bench',
    STRIPE_BASE_URL: upstream,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // nginx stands in for Stripe here: Stripe's published 25 calls a second (test keys) would measure the budget, not the gateway.
    STRIPE_RATE_LIMIT: 'off',
    // Authentication on, as in production; one client sending thousands of requests a second.
    GATEWAY_API_KEYS: `${BENCH_KEY}:*`,
    RATE_LIMIT_PER_MINUTE: '0',
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    ...extra,
  };
}

async function startSystems(
  upstream: string,
  extra: Record<string, string>,
  expected: { graphql: string; tailcall: string },
  tailcall: { command: Parameters<typeof startTailcall>[0]; workDir: string } | null,
  levers: boolean,
): Promise<QuerySystem[]> {
  const peerEnv = { PORT: '0', UPSTREAM_URL: upstream, NODE_ENV: 'production' };
  const node = (
    key: string,
    label: string,
    server: ServerProcess,
    headers: Record<string, string> = {},
  ): QuerySystem => ({
    key,
    label,
    origin: server.origin,
    pid: server.pid,
    headers,
    query: WORKLOAD_1_QUERY,
    expected: expected.graphql,
    stop: () => server.stop(),
  });
  const systems: QuerySystem[] = [];
  try {
    const apollo = await startServer({
      name: 'apollo-dataloader',
      entry: 'bench/peers/apollo-dataloader.ts',
      env: peerEnv,
      ready: /peer is up: (http:\/\/[^\s/]+)\/graphql/,
    });
    systems.push(node('apollo', 'Apollo Server 5 + DataLoader', apollo));
    const yoga = await startServer({
      name: 'yoga-dataloader',
      entry: 'bench/peers/yoga-dataloader.ts',
      env: peerEnv,
      ready: /peer is up: (http:\/\/[^\s/]+)\/graphql/,
    });
    systems.push(node('yoga', 'graphql-yoga + DataLoader', yoga));
    if (tailcall !== null) {
      const server = await startTailcall(tailcall.command, upstream, tailcall.workDir);
      systems.push({
        key: 'tailcall',
        label: `Tailcall ${tailcall.command.version.replace(/^tailcall v?/, '')} (Rust, \`dedupe: true\`)`,
        origin: server.origin,
        pid: server.pid,
        headers: {},
        query: TAILCALL_QUERY,
        expected: expected.tailcall,
        stop: () => server.stop(),
      });
    }
    const switchyard = await startServer({
      name: 'switchyard (workload 1)',
      entry: 'src/main.ts',
      env: switchyardEnv(upstream, extra),
      ready: /Switchyard is up: (http:\/\/[^\s/]+)\/graphql/,
    });
    systems.push(node('switchyard', 'Switchyard', switchyard, { authorization: `Bearer ${BENCH_KEY}` }));
    for (const variant of levers ? LEVER_VARIANTS : []) {
      const server = await startServer({
        name: variant.key,
        entry: 'src/main.ts',
        env: switchyardEnv(upstream, { ...extra, ...variant.env }),
        ready: /Switchyard is up: (http:\/\/[^\s/]+)\/graphql/,
      });
      systems.push(node(variant.key, variant.label, server, { authorization: `Bearer ${BENCH_KEY}` }));
    }
    return systems;
  } catch (error) {
    for (const system of systems) await system.stop().catch(() => undefined);
    throw error;
  }
}

/** Fails unless `system` answers the workload's query exactly as the fixtures say. */
async function checkAnswer(system: QuerySystem): Promise<void> {
  const response = await request(`${system.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...system.headers },
    body: JSON.stringify({ query: system.query }),
  });
  const text = await response.body.text();
  let canonical: string | null = null;
  try {
    canonical = JSON.stringify(JSON.parse(text));
  } catch {
    // not JSON: reported below
  }
  if (response.statusCode !== 200 || canonical !== system.expected) {
    throw new Error(
      `${system.label} answered workload 1 wrongly (HTTP ${String(response.statusCode)}): ${text.slice(0, 400)}`,
    );
  }
}

/**
 * Renames one customer in nginx's files (a change Switchyard cannot see by
 * itself), checks its cached answer is unchanged, POSTs the `customer.updated`
 * webhook Stripe would send, signed, and checks the very next answer has the
 * new name; then puts the customer back. Throws if the answer is wrong in any
 * other way.
 */
async function checkFreshness(system: QuerySystem, fixtures: Fixtures, www: string): Promise<Freshness> {
  const [id, customer] = [...fixtures.customers][0] ?? [];
  if (id === undefined || customer === undefined) throw new Error('no customer in the fixtures');
  const file = join(www, 'customers', `${id}.json`);
  const ask = async (headers: Record<string, string> = {}): Promise<string> => {
    const response = await request(`${system.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...system.headers, ...headers },
      body: JSON.stringify({ query: system.query }),
    });
    return JSON.stringify(await response.body.json());
  };
  const renamed = { ...customer, name: `${customer.name ?? ''} (renamed)` };
  const changed = JSON.stringify(
    expectedAnswer({ ...fixtures, customers: new Map([...fixtures.customers, [id, renamed]]) }),
  );
  try {
    // A fresh entry (the lookup skipped, the answer stored), so the TTL cannot run out during the check.
    if ((await ask({ 'cache-control': 'no-cache' })) !== system.expected)
      throw new Error('wrong answer before');
    writeFileSync(file, JSON.stringify(renamed));
    const staleWithoutWebhook = (await ask()) === system.expected;
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: `evt_bench_fresh_${String(Date.now())}`,
      object: 'event',
      api_version: '2025-10-29.clover',
      created: now,
      data: { object: renamed },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'customer.updated',
    });
    const start = performance.now();
    const posted = await request(`${system.origin}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripeSignature(body, now) },
      body,
    });
    await posted.body.dump();
    if (posted.statusCode !== 200)
      throw new Error(`the webhook was refused: HTTP ${String(posted.statusCode)}`);
    const answer = await ask();
    const webhookToFreshMs = performance.now() - start;
    if (answer !== changed && answer !== system.expected) {
      throw new Error(`Switchyard answered neither the old nor the new data: ${answer.slice(0, 300)}`);
    }
    return { freshAfterWebhook: answer === changed, webhookToFreshMs, staleWithoutWebhook };
  } finally {
    writeFileSync(file, JSON.stringify(customer));
  }
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Runs workload 1; throws when nginx or wrk is missing (the orchestrator installs them first). */
export async function runWorkload1(options: Workload1Options): Promise<Workload1Result> {
  const nginxPath = nginxBinary();
  const wrkPath = wrkBinary();
  if (nginxPath === null || wrkPath === null)
    throw new Error('workload 1 needs nginx and wrk (apt-get install nginx wrk)');
  const { log, quick } = options;
  const rounds = quick ? 1 : 2;
  const roundS = quick ? 3 : 10;
  const connections = 50;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-queries-'));
  let nginx: Nginx | null = null;
  let systems: QuerySystem[] = [];
  try {
    const fixtures = writeFixtures(join(dir, 'www'));
    const expected = {
      graphql: JSON.stringify(expectedAnswer(fixtures)),
      tailcall: JSON.stringify(tailcallExpected(fixtures)),
    };
    const tailcall = options.tailcall === false ? 'not asked for (--no-tailcall)' : prepareTailcall(log);
    if (typeof tailcall === 'string') log(`workload 1: Tailcall left out: ${tailcall}`);
    nginx = await startNginx(nginxPath, join(dir, 'www'), dir);
    systems = await startSystems(
      nginx.origin,
      options.switchyardEnv ?? {},
      expected,
      typeof tailcall === 'string' ? null : { command: tailcall, workDir: dir },
      options.levers ?? true,
    );
    const tailcallNote = typeof tailcall === 'string' ? tailcall : null;
    for (const system of systems) await checkAnswer(system);
    log(`workload 1: all ${String(systems.length)} servers give the expected answer; warming up`);

    const load = (system: QuerySystem, durationS: number) =>
      runWrk({
        binary: wrkPath,
        workDir: dir,
        url: `${system.origin}/graphql`,
        body: JSON.stringify({ query: system.query }),
        headers: system.headers,
        connections,
        durationS,
      });
    for (const system of systems) await load(system, quick ? 1 : 3);

    const samples = new Map<
      string,
      {
        rps: number[];
        p50: number[];
        p99: number[];
        cpu: number;
        upstream: number;
        requests: number;
        durationS: number;
        errors: number;
      }
    >();
    for (let round = 0; round < rounds; round += 1) {
      // Each round starts with a different server, so none always runs on a fresher machine.
      const order = systems
        .map((_, i) => systems[(i + round) % systems.length])
        .filter((s) => s !== undefined);
      for (const system of order) {
        const cpuBefore = await processCpuMs(system.pid);
        const upstreamBefore = await nginx.requests();
        const result = await load(system, roundS);
        const cpu = (await processCpuMs(system.pid)) - cpuBefore;
        const upstream = (await nginx.requests()) - upstreamBefore;
        const sample = samples.get(system.key) ?? {
          rps: [],
          p50: [],
          p99: [],
          cpu: 0,
          upstream: 0,
          requests: 0,
          durationS: 0,
          errors: 0,
        };
        sample.rps.push(result.requestsPerS);
        sample.p50.push(result.p50);
        sample.p99.push(result.p99);
        sample.cpu += cpu;
        sample.upstream += upstream;
        sample.requests += result.requests;
        sample.durationS += result.durationS;
        sample.errors += result.errors;
        samples.set(system.key, sample);
        log(
          `  round ${String(round + 1)} ${system.label}: ${result.requestsPerS.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
            `${(cpu / Math.max(1, result.requests)).toFixed(2)} CPU ms/req, ${(upstream / Math.max(1, result.requests)).toFixed(2)} upstream GETs/req` +
            (result.errors > 0 ? `, ${String(result.errors)} errors` : ''),
        );
      }
    }
    // Still correct after the load (nothing stale or corrupted under concurrency).
    for (const system of systems) await checkAnswer(system);
    const switchyard = systems.find((system) => system.key === 'switchyard');
    if (switchyard === undefined) throw new Error('workload 1 has no Switchyard');
    const freshness = await checkFreshness(switchyard, fixtures, join(dir, 'www'));
    log(
      `workload 1: a customer renamed upstream: cached answer still old without a webhook: ${String(freshness.staleWithoutWebhook)}; ` +
        `fresh right after its webhook: ${String(freshness.freshAfterWebhook)} (${freshness.webhookToFreshMs.toFixed(1)} ms)`,
    );
    const rows = systems.map((system): QueryRow => {
      const sample = samples.get(system.key);
      if (!sample) throw new Error(`no samples for ${system.key}`);
      return {
        key: system.key,
        label: system.label,
        requestsPerS: sample.requests / sample.durationS,
        p50: median(sample.p50),
        p99: median(sample.p99),
        cpuMsPerRequest: sample.cpu / Math.max(1, sample.requests),
        upstreamPerRequest: sample.upstream / Math.max(1, sample.requests),
        peakRssMiB: peakRssMiB(system.pid),
        requests: sample.requests,
        errors: sample.errors,
      };
    });
    return { rows, rounds, roundS, connections, nginx: nginxPath, wrk: wrkPath, tailcallNote, freshness };
  } finally {
    for (const system of systems) await system.stop().catch(() => undefined);
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
