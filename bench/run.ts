/**
 * `npm run bench [-- --quick] [-- --out FILE]`: measures Switchyard against a
 * peer baseline (bench/peers/yoga-pubsub.ts) side by side in one run, and
 * writes the results into BENCHMARKS.md. See BENCHMARKS.md for what each
 * number means.
 *
 *   --quick          ~1.5 minute smoke run with small samples (S = 1000 only)
 *   --out FILE       write the report to FILE instead of BENCHMARKS.md
 *   --no-write       only print the report
 *   --fanout A,B     subscriber counts for fan-out and memory (default 1000,5000,10000; quick 1000)
 *   --no-redis       skip Switchyard on Redis (two gateway instances sharing a private redis-server)
 *   --no-redis-peer  skip the Redis peer (it needs `npm ci --prefix bench/peers/redis`, run when missing)
 *   --redis-server P the redis-server binary (default /usr/bin/redis-server)
 *   --no-outbound    skip the outbound deliveries benchmark (bench/outbound.ts, its own BENCHMARKS.md section)
 *   --only events|queries  run only the event-path measurements or only the query workloads
 *   --no-tailcall    leave Tailcall out of workload 1 (it is fetched from npm, with Debian 13's libc if needed)
 *
 * Systems under test, each started fresh for every measurement:
 *   switchyard  one Switchyard gateway, in-memory event log
 *   redis       two Switchyard gateways sharing a private redis-server: webhooks
 *               are posted to instance A, the latency subscriber is on instance B,
 *               ingest posts to both, fan-out subscribers are split over both
 *   peer        bench/peers/yoga-pubsub.ts
 *   redisPeer   two bench/peers/yoga-pubsub.ts with REDIS_URL, on the same redis-server
 *               (yoga + @graphql-yoga/redis-event-target), used like `redis`
 *   floor       bench/peers/verify-floor.ts, in the ingest measurement only: a plain
 *               http server that verifies the signature, parses and keeps, and nothing more
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import {
  killAll,
  openFilesLimit,
  ROOT,
  rssKiB,
  startRedis,
  startServer,
  startWorker,
} from './lib/children.ts';
import type { RedisProcess, Rpc, ServerProcess } from './lib/children.ts';
import type { TargetInfo } from './lib/common.ts';
import { errorMessage, median, now, signedWebhook, sleep, summarize, WEBHOOK_SECRET } from './lib/common.ts';
import type { FanoutRow, IngestRow, LatencyRow, Machine, Results, Settings } from './lib/report.ts';
import { nginxBinary } from './queries/nginx.ts';
import { QUERIES_BEGIN, QUERIES_END, renderQueriesSection } from './queries/report.ts';
import { runWorkload1 } from './queries/workload1.ts';
import { runWorkload2 } from './queries/workload2.ts';
import { wrkBinary } from './queries/wrk.ts';
import { aptInstall } from '../scripts/apt.ts';
import { FLOOR, PEER, peerOf, REDIS, REDIS_PEER, renderSection, SY, writeReport } from './lib/report.ts';
import { renderOutbound, runOutboundBench, writeOutbound } from './outbound.ts';

const QUERY =
  '{ invoices(first: 100) { edges { node { id amountDue { amount currencyCode } status customer { id name email } } } } }';

const started = now();
function log(message: string): void {
  process.stdout.write(`[bench ${((now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}

// ---------------------------------------------------------------- servers

const COMMON_ENV = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' };

function startSwitchyard(
  mode: 'webhooks' | 'sandbox',
  name = `switchyard (${mode})`,
  extraEnv: Record<string, string> = {},
): Promise<ServerProcess> {
  const env: Record<string, string> = {
    ...COMMON_ENV,
    LOG_LEVEL: 'silent',
    DEMO_EVENTS: '0',
    GRAPHIQL: '0',
    SHUTDOWN_TIMEOUT_MS: '1000',
    // Every subscriber of the bench connects from 127.0.0.1: thousands of WebSockets from one address.
    WS_MAX_CONNECTIONS_PER_CLIENT: '0',
    // Open, as the peers are, and with no per-client budget: the bench is one client making thousands of calls.
    ALLOW_ANONYMOUS: '1',
    RATE_LIMIT_PER_MINUTE: '0',
  };
  if (mode === 'webhooks') {
    Object.assign(env, {
      SANDBOX: '0',
      STRIPE_API_KEY: 'sk_test_bench',
      STRIPE_BASE_URL: 'http://127.0.0.1:9',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
  } else {
    env['SANDBOX'] = '1';
  }
  Object.assign(env, extraEnv);
  return startServer({
    name,
    entry: 'src/main.ts',
    env,
    // On Redis, also wait for the banner's event-log line, so a gateway that fell back to memory fails here.
    ready:
      extraEnv['REDIS_URL'] === undefined
        ? /Switchyard is up: (http:\/\/[^\s/]+)\/graphql/
        : /Switchyard is up: (http:\/\/[^\s/]+)\/graphql[\s\S]*event log: redis/,
  });
}

function startPeer(name = 'yoga-pubsub peer', extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({
    name,
    entry: 'bench/peers/yoga-pubsub.ts',
    env: { ...COMMON_ENV, ...extraEnv },
    ready: /yoga-pubsub peer is up: (http:\/\/[^\s/]+)\/graphql/,
  });
}

/** The verify-only floor: serves POST /webhook and no GraphQL, so it takes part in ingest only. */
async function startFloorSystem(): Promise<System> {
  const server = await startServer({
    name: 'verify-floor',
    entry: 'bench/peers/verify-floor.ts',
    env: COMMON_ENV,
    ready: /verify-floor is up: (http:\/\/[^\s/]+)\/webhook/,
  });
  return {
    key: FLOOR,
    servers: [server],
    // No WebSocket endpoint: nothing that subscribes (latency, fan-out) may be pointed at it.
    target: { key: FLOOR, origin: server.origin, webhookPath: '/webhook', wsUrl: '', pid: server.pid },
    wsUrls: [],
  };
}

function wsUrlOf(server: ServerProcess): string {
  return `${server.origin.replace(/^http/, 'ws')}/graphql`;
}

/** One system under test, started: one process, or two gateways sharing Redis. */
interface System {
  key: string;
  /** Its server processes (memory is read from each and summed). */
  servers: ServerProcess[];
  /** Webhooks go to the first server's origin; the latency subscriber connects to `wsUrl` (the last server). */
  target: TargetInfo;
  /** Fan-out subscriber processes connect to these in turn. */
  wsUrls: string[];
}

/** The private redis-server of this run, when Redis mode is on. */
let redis: RedisProcess | null = null;
let redisPrefixes = 0;
/** Whether the Redis peer is measured (Redis mode on, its dependencies installed, no `--no-redis-peer`). */
let redisPeer = false;

/** Two instances of a system on the private redis-server: webhooks to A, the latency subscriber on B. */
async function startPair(
  key: string,
  webhookPath: string,
  start: (name: string) => Promise<ServerProcess>,
): Promise<System> {
  if (redis === null) throw new Error('Redis mode is off');
  const a = await start(`${key} A`);
  let b: ServerProcess;
  try {
    b = await start(`${key} B`);
  } catch (error) {
    await a.stop();
    throw error;
  }
  return {
    key,
    servers: [a, b],
    target: {
      key,
      origin: a.origin,
      webhookPath,
      wsUrl: wsUrlOf(b),
      pid: a.pid,
      ingestOrigins: [a.origin, b.origin],
      cpuPids: [a.pid, b.pid, redis.pid],
    },
    wsUrls: [wsUrlOf(a), wsUrlOf(b)],
  };
}

function startRedisSystem(): Promise<System> {
  if (redis === null) throw new Error('Redis mode is off');
  // A fresh key prefix per start: an empty stream and dedupe set, like a fresh in-memory server.
  const env = {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `bench${Date.now().toString(36)}n${String(++redisPrefixes)}`,
  };
  return startPair(REDIS, '/webhooks/stripe', (name) => startSwitchyard('webhooks', name, env));
}

function startRedisPeerSystem(): Promise<System> {
  if (redis === null) throw new Error('Redis mode is off');
  const env = { REDIS_URL: redis.url };
  return startPair(REDIS_PEER, '/webhook', (name) => startPeer(name, env));
}

/**
 * Installs the Redis peer's dependencies (bench/peers/redis: ioredis 5, which the
 * project's ioredis 6 rules out of its own tree) when they are missing.
 */
function installRedisPeer(): void {
  const folder = resolve(ROOT, 'bench/peers/redis');
  if (existsSync(resolve(folder, 'node_modules/@graphql-yoga/redis-event-target/package.json'))) return;
  log('redis peer: installing its dependencies (npm ci --prefix bench/peers/redis)');
  const npm = spawnSync('npm', ['ci', '--prefix', folder, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    env: process.env,
  });
  if (npm.status !== 0) {
    throw new Error(
      'could not install the Redis peer (npm ci --prefix bench/peers/redis): pass --no-redis-peer to run without it',
    );
  }
}

function singleSystem(key: string, server: ServerProcess, webhookPath: string): System {
  const wsUrl = wsUrlOf(server);
  return {
    key,
    servers: [server],
    target: { key, origin: server.origin, webhookPath, wsUrl, pid: server.pid },
    wsUrls: [wsUrl],
  };
}

interface SystemSpec {
  key: string;
  start: () => Promise<System>;
}

function systemSpecs(): SystemSpec[] {
  return [
    {
      key: SY,
      start: async () => singleSystem(SY, await startSwitchyard('webhooks'), '/webhooks/stripe'),
    },
    ...(redis === null ? [] : [{ key: REDIS, start: startRedisSystem }]),
    { key: PEER, start: async () => singleSystem(PEER, await startPeer(), '/webhook') },
    ...(redis !== null && redisPeer ? [{ key: REDIS_PEER, start: startRedisPeerSystem }] : []),
  ];
}

async function stopSystems(systems: System[]): Promise<void> {
  await Promise.allSettled(systems.flatMap((system) => system.servers.map((server) => server.stop())));
}

/** Starts every system (and `extra` ones after them), runs `body` with their targets, and always stops them. */
async function withServers<T>(
  body: (targets: TargetInfo[]) => Promise<T>,
  extra: SystemSpec[] = [],
): Promise<T> {
  const running: System[] = [];
  try {
    for (const spec of [...systemSpecs(), ...extra]) running.push(await spec.start());
    return await body(running.map((system) => system.target));
  } finally {
    await stopSystems(running);
  }
}

async function withWorker<T>(name: string, entry: string, body: (worker: Rpc) => Promise<T>): Promise<T> {
  const worker = startWorker(name, entry);
  try {
    return await body(worker);
  } finally {
    await worker.stop(2000).catch(() => undefined);
  }
}

async function postWebhook(target: TargetInfo, id: string): Promise<number> {
  const { body, headers } = signedWebhook(id);
  const response = await request(`${target.origin}${target.webhookPath}`, { method: 'POST', headers, body });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(
      `${target.key}: webhook ${id} answered ${String(response.statusCode)}: ${text.slice(0, 300)}`,
    );
  }
  return now();
}

// ---------------------------------------------------------------- scenarios

async function runLatency(s: Settings): Promise<Record<string, LatencyRow>> {
  log(
    `latency: ${String(s.latencyN)} sequential webhooks per system, 1 subscriber` +
      (redis === null ? '' : ' (on Redis: posted to instance A, received on B)'),
  );
  return withServers((targets) =>
    withWorker('load', 'bench/workers/load.ts', async (load) => {
      const raw = await load.call<Record<string, { push: number[]; http: number[] }>>(
        'latency',
        { targets, n: s.latencyN, warmup: s.latencyWarmup, blocks: s.latencyBlocks },
        180_000,
      );
      const rows: Record<string, LatencyRow> = {};
      for (const [key, r] of Object.entries(raw)) {
        rows[key] = { push: summarize(r.push), http: summarize(r.http) };
        log(`  ${key}: p50 ${rows[key].push.p50.toFixed(2)} ms, p99 ${rows[key].push.p99.toFixed(2)} ms`);
      }
      return rows;
    }),
  );
}

/** Every system, and the verify-only floor, which is measured in ingest alone. */
function withIngestSystems<T>(body: (targets: TargetInfo[]) => Promise<T>): Promise<T> {
  return withServers(body, [{ key: FLOOR, start: startFloorSystem }]);
}

async function runIngest(s: Settings, clockTicks: number): Promise<Record<string, IngestRow>> {
  log(
    `ingest: ${String(s.ingestConcurrency)} in flight for ${String(s.ingestMs / 1000)} s per system` +
      (redis === null ? '' : ' (on Redis: spread over both instances)') +
      ', and the verify-only floor',
  );
  return withIngestSystems((targets) =>
    withWorker('load', 'bench/workers/load.ts', async (load) => {
      const raw = await load.call<
        Record<
          string,
          {
            accepted: number;
            errors: Record<string, number>;
            elapsedMs: number;
            latencies: number[];
            serverCpuMs: number;
            blockRates: number[];
            driverCpuMs: number;
          }
        >
      >(
        'ingest',
        {
          targets,
          durationMs: s.ingestMs,
          warmupMs: s.ingestWarmupMs,
          blocks: s.ingestBlocks,
          concurrency: s.ingestConcurrency,
          clockTicks,
        },
        (s.ingestMs + s.ingestWarmupMs) * targets.length + 120_000,
      );
      const rows: Record<string, IngestRow> = {};
      for (const [key, r] of Object.entries(raw)) {
        const peerRates = raw[peerOf(key, (k) => raw[k] !== undefined)]?.blockRates ?? [];
        rows[key] = {
          blockRatio: median(r.blockRates.map((rate, i) => rate / (peerRates[i] ?? Number.NaN))),
          accepted: r.accepted,
          errors: r.errors,
          perSecond: (r.accepted * 1000) / r.elapsedMs,
          latency: summarize(r.latencies),
          cpuPer1000: (r.serverCpuMs * 1000) / r.accepted,
          driverCorePercent: (r.driverCpuMs * 100) / r.elapsedMs,
        };
        const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
        log(`  ${key}: ${rows[key].perSecond.toFixed(0)} webhooks/s, ${String(errors)} errors`);
      }
      return rows;
    }),
  );
}

interface GcReading {
  gc: boolean;
  heapUsed: number;
}

/** Forces a GC, waits 2 s, forces another and reads heap and RSS, summed over the servers. */
async function settledMemory(servers: ServerProcess[]): Promise<{ rss: number; heap: number; gc: boolean }> {
  await Promise.all(servers.map((server) => server.call('gc', null, 10_000)));
  await sleep(2000);
  const readings = await Promise.all(
    servers.map(async (server) => {
      const reading = await server.call<GcReading>('gc', null, 10_000);
      return { rss: await rssKiB(server.pid), heap: reading.heapUsed, gc: reading.gc };
    }),
  );
  return {
    rss: readings.reduce((n, x) => n + x.rss, 0),
    heap: readings.reduce((n, x) => n + x.heap, 0),
    gc: readings.every((x) => x.gc),
  };
}

interface SubscriberStatus {
  count: number;
  gotAny: number;
  failures: string[];
  failureCount: number;
}

/** One system of a fan-out run, with its subscriber processes and readings. */
interface FanoutSide {
  key: string;
  system: System;
  target: TargetInfo;
  /** Subscriber process i connects to `system.wsUrls[i % system.wsUrls.length]`. */
  workers: Rpc[];
  tag: string;
  probes: number;
  connectMs: number;
  before: { rss: number; heap: number; gc: boolean };
  after: { rss: number; heap: number; gc: boolean };
  firsts: number[];
  medians: number[];
  lasts: number[];
  https: number[];
}

/** Posts probe events until every subscriber of every worker of `side` has received one. */
async function untilLive(side: FanoutSide, expected: number, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  for (;;) {
    await postWebhook(side.target, `evt_probe_${side.tag}_${String(side.probes++)}`);
    await sleep(250);
    const statuses = await Promise.all(
      side.workers.map((w) => w.call<SubscriberStatus>('status', null, 10_000)),
    );
    const failure = statuses.find((st) => st.failureCount > 0);
    if (failure !== undefined)
      throw new Error(`${side.key} subscribers failed: ${failure.failures.join('; ')}`);
    const live = statuses.reduce((n, st) => n + st.gotAny, 0);
    const total = statuses.reduce((n, st) => n + st.count, 0);
    if (total === expected && live === expected) break;
    if (now() > deadline) {
      throw new Error(
        `${side.key}: only ${String(live)} of ${String(expected)} subscriptions went live within ${String(timeoutMs / 1000)} s`,
      );
    }
  }
  await Promise.all(side.workers.map((w) => w.call('forget', null, 10_000)));
}

/** Posts one webhook to `side` and times its receipt by every subscriber. */
async function fanoutRound(side: FanoutSide, size: number, id: string, record: boolean): Promise<void> {
  const arrivals = side.workers.map((w) =>
    w.call<number[]>('await', { eventId: id, timeoutMs: 60_000 }, 70_000),
  );
  const start = now();
  const responded = await postWebhook(side.target, id);
  const times = (await Promise.all(arrivals)).flat().sort((a, b) => a - b);
  if (times.length !== size) {
    throw new Error(`${side.key}: ${id} reached ${String(times.length)} of ${String(size)} subscribers`);
  }
  if (!record) return;
  side.firsts.push((times[0] ?? Number.NaN) - start);
  side.medians.push(median(times) - start);
  side.lasts.push((times.at(-1) ?? Number.NaN) - start);
  side.https.push(responded - start);
}

/** Subscriber processes per system: 2, or 4 from S = 5,001 up (about 2,500 WebSockets each at most). */
function subscriberProcesses(size: number): number {
  return size > 5000 ? 4 : 2;
}

/**
 * Fan-out and memory with S idle subscribers per system. Every system runs at
 * once, each with its own subscriber processes (on Redis, half of them on each
 * instance; webhooks are posted to instance A); memory is read per system (its
 * own processes), and the measured rounds alternate between systems so the
 * machine's noise falls on all alike.
 */
async function runFanout(s: Settings, size: number): Promise<Record<string, FanoutRow>> {
  const sides: FanoutSide[] = [];
  const processes = subscriberProcesses(size);
  try {
    for (const spec of systemSpecs()) {
      const system = await spec.start();
      const side: FanoutSide = {
        key: spec.key,
        system,
        target: system.target,
        workers: [],
        tag: `${Date.now().toString(36)}_${spec.key}_${String(size)}`,
        probes: 0,
        connectMs: 0,
        before: { rss: 0, heap: 0, gc: false },
        after: { rss: 0, heap: 0, gc: false },
        firsts: [],
        medians: [],
        lasts: [],
        https: [],
      };
      sides.push(side);
      for (let i = 0; i < processes; i++) {
        side.workers.push(
          startWorker(`${spec.key} subscribers-${String(i + 1)}`, 'bench/workers/subscribers.ts'),
        );
      }
    }
    const wsUrlFor = (side: FanoutSide, i: number) =>
      side.system.wsUrls[i % side.system.wsUrls.length] ?? side.target.wsUrl;
    for (const side of sides) {
      log(
        `fan-out + memory: ${side.key}, connecting ${String(size)} idle subscribers ` +
          `from ${String(processes)} processes` +
          (side.system.wsUrls.length > 1 ? ` to ${String(side.system.wsUrls.length)} instances` : ''),
      );
      // Warm the WebSocket and subscription paths (of every instance) so the baseline includes their code, then drop them.
      const warm = side.workers.slice(0, side.system.wsUrls.length);
      if (warm.length < side.system.wsUrls.length) throw new Error('fewer subscriber workers than instances');
      await Promise.all(
        warm.map((w, i) =>
          w.call('connect', { wsUrl: wsUrlFor(side, i), count: 20, concurrency: 20 }, 60_000),
        ),
      );
      await untilLive(side, 20 * warm.length, 30_000);
      await Promise.all(warm.map((w) => w.call('close', null, 30_000)));

      side.before = await settledMemory(side.system.servers);
      const shares = side.workers.map(
        (_, i) => Math.floor(size / processes) + (i < size % processes ? 1 : 0),
      );
      const connectStart = now();
      await Promise.all(
        side.workers.map((w, i) =>
          w.call(
            'connect',
            { wsUrl: wsUrlFor(side, i), count: shares[i] ?? 0, concurrency: 50 },
            120_000 + size * 20,
          ),
        ),
      );
      side.connectMs = now() - connectStart;
      await untilLive(side, size, 60_000 + size * 5);
      side.after = await settledMemory(side.system.servers);
      log(
        `  connected in ${(side.connectMs / 1000).toFixed(1)} s; ` +
          `RSS +${((side.after.rss - side.before.rss) / size).toFixed(1)} KiB/subscription`,
      );
    }
    log(
      `fan-out: ${String(s.fanoutWarmupRounds)} warm-up + ${String(s.fanoutRounds)} measured rounds per system, alternating`,
    );
    for (let round = 0; round < s.fanoutWarmupRounds + s.fanoutRounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        await fanoutRound(side, size, `evt_fan_${side.tag}_${String(round)}`, round >= s.fanoutWarmupRounds);
        await sleep(300);
      }
    }
    const rows: Record<string, FanoutRow> = {};
    for (const side of sides) {
      rows[side.key] = {
        subscribers: size,
        instances: side.system.servers.length,
        subscriberProcesses: processes,
        connectMs: side.connectMs,
        firstMs: median(side.firsts),
        medianMs: median(side.medians),
        lastMs: median(side.lasts),
        httpMs: median(side.https),
        lastPerRound: side.lasts,
        rssBeforeKiB: side.before.rss,
        rssAfterKiB: side.after.rss,
        heapBeforeBytes: side.before.heap,
        heapAfterBytes: side.after.heap,
        gcForced: side.before.gc && side.after.gc,
      };
      log(
        `  ${side.key}: last subscriber ${median(side.lasts).toFixed(1)} ms (median of ${String(s.fanoutRounds)})`,
      );
    }
    await Promise.all(sides.flatMap((side) => side.workers.map((w) => w.call('close', null, 30_000))));
    return rows;
  } finally {
    await Promise.allSettled(sides.flatMap((side) => side.workers.map((w) => w.stop(2000))));
    await stopSystems(sides.map((side) => side.system));
  }
}

async function runQuery(s: Settings): Promise<Results['query']> {
  log(
    `query: invoices(first: 100) x ${String(s.queryN)} executed, then x ${String(s.queryCachedN)} from the response cache, against Switchyard in sandbox mode`,
  );
  const server = await startSwitchyard('sandbox');
  try {
    return await withWorker('load', 'bench/workers/load.ts', async (load) => {
      type Raw = { samples: number[]; edges: number; customers: number };
      // Executed each time: the response cache would answer all but the first.
      const raw = await load.call<Raw>(
        'query',
        {
          origin: server.origin,
          query: QUERY,
          n: s.queryN,
          warmup: s.queryWarmup,
          headers: { 'cache-control': 'no-cache' },
        },
        300_000,
      );
      const cached = await load.call<Raw>(
        'query',
        { origin: server.origin, query: QUERY, n: s.queryCachedN, warmup: 1 },
        300_000,
      );
      const summary = summarize(raw.samples);
      const cachedSummary = summarize(cached.samples);
      log(
        `  switchyard: executed p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms; ` +
          `from the cache p50 ${cachedSummary.p50.toFixed(2)} ms, p99 ${cachedSummary.p99.toFixed(2)} ms; ${String(raw.edges)} invoices`,
      );
      return { summary, cached: cachedSummary, edges: raw.edges, customers: raw.customers };
    });
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- main

function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const cpuinfo = execFileSync('cat', ['/proc/cpuinfo'], { encoding: 'utf8' });
    cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpu;
  } catch {
    // keep os.cpus()'s answer
  }
  return {
    cpu,
    cores: cpus().length,
    ramGiB: totalmem() / 1024 ** 3,
    node: process.version,
    kernel: `Linux ${release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadAvg: loadAverage(),
    loadAvgEnd: '',
  };
}

function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      fanout: { type: 'string' },
      'no-redis': { type: 'boolean', default: false },
      'no-redis-peer': { type: 'boolean', default: false },
      'no-tailcall': { type: 'boolean', default: false },
      'redis-server': { type: 'string', default: '/usr/bin/redis-server' },
      'no-outbound': { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run bench [-- --quick] [-- --out FILE] [-- --no-write] [-- --fanout 1000,5000,10000]\n' +
        '                     [-- --no-redis] [-- --no-redis-peer] [-- --redis-server /usr/bin/redis-server]\n' +
        '                     [-- --only events|queries] [-- --no-tailcall]\n',
    );
    return;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24)
    throw new Error(`Node 24 is required (this is ${process.version}): run it as \`npm run bench\`.`);

  const quick = values.quick;
  const fanoutSizes = (values.fanout ?? (quick ? '1000' : '1000,5000,10000')).split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isInteger(n) || n < 2)
      throw new Error(`--fanout takes subscriber counts of 2 or more, got "${x}"`);
    return n;
  });
  // Every server holds S WebSockets in the largest fan-out; each needs a file descriptor.
  const largest = Math.max(...fanoutSizes);
  const files = openFilesLimit();
  if (Number.isFinite(files.hard) && files.hard < largest + 1024) {
    throw new Error(
      `the open-files limit is ${String(files.hard)} (ulimit -Hn), too low for S = ${String(largest)} ` +
        `subscribers on one server: raise it to at least ${String(largest + 1024)} or pass a smaller --fanout`,
    );
  }
  const args = process.argv.slice(2).join(' ');
  const settings: Settings = {
    quick,
    command: `npm run bench${args ? ` -- ${args}` : ''}`,
    latencyN: quick ? 300 : 2000,
    latencyWarmup: quick ? 30 : 200,
    latencyBlocks: quick ? 4 : 10,
    ingestMs: quick ? 3000 : 10_000,
    ingestWarmupMs: quick ? 500 : 1000,
    ingestBlocks: quick ? 4 : 10,
    ingestConcurrency: 32,
    fanoutSizes,
    fanoutRounds: 5,
    fanoutWarmupRounds: 2,
    // Executed in sandbox mode a query waits for the Stripe emulator's 25 calls a second: a few dozen suffice.
    queryN: quick ? 5 : 20,
    queryWarmup: quick ? 1 : 2,
    queryCachedN: quick ? 50 : 200,
  };
  const info = machine();
  log(
    `${quick ? 'quick' : 'full'} run on ${info.cpu}, ${String(info.cores)} cores, Node ${info.node}, ` +
      `open files ${String(files.soft)} (hard ${String(files.hard)})`,
  );
  const only = values.only;
  if (only !== undefined && only !== 'events' && only !== 'queries') {
    throw new Error(`--only takes events or queries, got "${only}"`);
  }
  const out = resolve(ROOT, values.out ?? 'BENCHMARKS.md');
  if (only !== 'queries') {
    const section = await runEventPath(settings, info, values);
    process.stdout.write(`\n${section}\n`);
    if (!values['no-write']) {
      await writeReport(out, section);
      log(`wrote the event-path section of ${out}`);
    }
  }
  if (only !== 'queries' && !values['no-outbound']) {
    log('outbound deliveries');
    const section = renderOutbound(await runOutboundBench({ quick }));
    process.stdout.write(`\n${section}\n`);
    if (!values['no-write']) {
      await writeOutbound(out, section);
      log(`wrote the outbound section of ${out}`);
    }
  }
  if (only !== 'events') {
    const queriesStarted = now();
    ensureTools({ nginx: nginxBinary() === null, wrk: wrkBinary() === null });
    const workload1 = await runWorkload1({ quick, log, tailcall: !values['no-tailcall'] });
    const workload2 = await runWorkload2({ quick, log });
    const section = renderQueriesSection(
      workload1,
      workload2,
      { ...info, loadAvgEnd: loadAverage() },
      settings.command,
      (now() - queriesStarted) / 1000,
    );
    process.stdout.write(`\n${section}\n`);
    if (!values['no-write']) {
      await writeReport(out, section, QUERIES_BEGIN, QUERIES_END);
      log(`wrote the query-workload section of ${out}`);
    }
  }
}

/** Installs Debian's nginx and wrk when missing (root or sudo), or says how. */
function ensureTools(missing: { nginx: boolean; wrk: boolean }): void {
  const packages = [...(missing.nginx ? ['nginx'] : []), ...(missing.wrk ? ['wrk'] : [])];
  if (packages.length === 0) return;
  log(`query workloads: installing ${packages.join(', ')} (Debian packages)`);
  if (!aptInstall(packages)) {
    throw new Error(
      `the query workloads need ${packages.join(' and ')}: apt-get install ${packages.join(' ')} (or --only events)`,
    );
  }
}

/** The event-path measurements (latency, ingest, fan-out, memory, query latency): the section they render. */
async function runEventPath(
  settings: Settings,
  info: Machine,
  values: { 'no-redis'?: boolean; 'no-redis-peer'?: boolean; 'redis-server': string },
): Promise<string> {
  const { fanoutSizes } = settings;
  if (!values['no-redis']) {
    if (!values['no-redis-peer']) {
      installRedisPeer();
      redisPeer = true;
    }
    redis = await startRedis(values['redis-server']);
    log(
      `redis: ${redis.version.split(' ').slice(0, 3).join(' ')} on ${redis.url} (pid ${String(redis.pid)})`,
    );
  }

  let results: Results;
  try {
    const latency = await runLatency(settings);
    const ingest = await runIngest(settings, clockTicks());
    const fanout: Results['fanout'] = {};
    for (const size of fanoutSizes) fanout[size] = await runFanout(settings, size);
    const query = await runQuery(settings);
    results = {
      machine: { ...info, loadAvgEnd: loadAverage() },
      settings,
      durationS: (now() - started) / 1000,
      redis: redis === null ? null : { version: redis.version, binary: values['redis-server'] },
      latency,
      ingest,
      fanout,
      query,
    };
  } finally {
    await redis?.stop().catch(() => undefined);
  }
  return renderSection(results);
}

const interrupt = (signal: string) => {
  process.stderr.write(`\nbench: ${signal}, stopping every child process\n`);
  killAll();
  process.exit(130);
};
process.on('SIGINT', () => interrupt('SIGINT'));
process.on('SIGTERM', () => interrupt('SIGTERM'));

try {
  await main();
  killAll();
} catch (error) {
  process.stderr.write(`\nbench failed: ${errorMessage(error)}\n`);
  if (error instanceof Error && error.stack && process.env['BENCH_DEBUG'])
    process.stderr.write(`${error.stack}\n`);
  killAll();
  process.exit(1);
}
