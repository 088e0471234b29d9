/**
 * Bench worker generating load: sequential push latency (poster and
 * subscriber in this one process, so both timestamps come from one clock),
 * sustained webhook ingest, and query latency. Driven by bench/run.ts over
 * IPC; see the command switch at the bottom.
 */
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { Pool } from 'undici';
import WebSocket from 'ws';
import type { TargetInfo } from '../lib/common.ts';
import {
  now,
  processCpuMs,
  serveCommands,
  signedWebhook,
  sleep,
  SUBSCRIPTION,
  withTimeout,
} from '../lib/common.ts';

/** A unique prefix for event ids, so no two runs (or phases) ever collide in a dedupe window. */
const RUN = `${Date.now().toString(36)}${String(process.pid)}`;

async function postWebhook(pool: Pool, target: TargetInfo, id: string): Promise<void> {
  const { body, headers } = signedWebhook(id);
  const response = await pool.request({ path: target.webhookPath, method: 'POST', headers, body });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(
      `${target.key}: POST ${target.webhookPath} answered ${String(response.statusCode)}: ${text.slice(0, 300)}`,
    );
  }
}

/** One graphql-ws subscriber that resolves per-event-id waiters with the receive time. */
class TimedSubscriber {
  readonly client: Client;
  readonly #waiters = new Map<string, (at: number) => void>();
  #received = 0;
  #failure: Error | null = null;
  #closing = false;

  constructor(wsUrl: string) {
    this.client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    this.client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          const at = now();
          const event = result.data?.['events'] as { id?: unknown } | undefined;
          if (typeof event?.id !== 'string') {
            this.#failure = new Error(
              `unexpected subscription result ${JSON.stringify(result).slice(0, 300)}`,
            );
            return;
          }
          this.#received++;
          const waiter = this.#waiters.get(event.id);
          if (waiter !== undefined) {
            this.#waiters.delete(event.id);
            waiter(at);
          }
        },
        error: (error: unknown) => {
          if (!this.#closing) this.#failure = new Error(`subscription failed: ${JSON.stringify(error)}`);
        },
        complete: () => {
          if (!this.#closing) this.#failure = new Error('subscription completed unexpectedly');
        },
      },
    );
  }

  get received(): number {
    return this.#received;
  }

  /** Registers interest in `id` before it is posted; resolves with its receive time. */
  expect(id: string, timeoutMs: number): Promise<number> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const arrival = new Promise<number>((resolve) => this.#waiters.set(id, resolve));
    return withTimeout(arrival, timeoutMs, `the subscriber to receive ${id}`).finally(() =>
      this.#waiters.delete(id),
    );
  }

  /** Posts probe events until one arrives, so the subscription is known to be live. */
  async waitLive(pool: Pool, target: TargetInfo, timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    for (let i = 0; this.#received === 0; i++) {
      if (this.#failure !== null) throw this.#failure;
      if (now() > deadline) throw new Error(`${target.key}: the subscription never went live`);
      await postWebhook(pool, target, `evt_probe_${RUN}_${String(i)}`);
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.client.dispose();
  }
}

interface LatencyArgs {
  targets: TargetInfo[];
  /** Measured posts per target. */
  n: number;
  /** Unmeasured posts per target first. */
  warmup: number;
  /** The measured posts are split into this many blocks, alternating targets (ABBA order). */
  blocks: number;
}

interface LatencyResult {
  /** Post start → subscriber receive, ms. */
  push: number[];
  /** Post start → HTTP response fully read, ms. */
  http: number[];
}

async function latency(args: LatencyArgs): Promise<Record<string, LatencyResult>> {
  const setups = await Promise.all(
    args.targets.map(async (target) => {
      const pool = new Pool(target.origin, { connections: 1, pipelining: 1 });
      const subscriber = new TimedSubscriber(target.wsUrl);
      await subscriber.waitLive(pool, target, 15_000);
      const result: LatencyResult = { push: [], http: [] };
      return { target, pool, subscriber, result };
    }),
  );
  const one = async (setup: (typeof setups)[number], id: string, record: boolean) => {
    const arrival = setup.subscriber.expect(id, 10_000);
    const start = now();
    await postWebhook(setup.pool, setup.target, id);
    const responded = now();
    const received = await arrival;
    if (record) {
      setup.result.push.push(received - start);
      setup.result.http.push(responded - start);
    }
  };
  try {
    for (const setup of setups) {
      for (let i = 0; i < args.warmup; i++) await one(setup, `evt_warm_${RUN}_${String(i)}`, false);
    }
    const perBlock = Math.ceil(args.n / args.blocks);
    for (let block = 0; block < args.blocks; block++) {
      const order = block % 2 === 0 ? setups : [...setups].reverse();
      for (const setup of order) {
        for (let i = 0; i < perBlock && setup.result.push.length < args.n; i++) {
          await one(setup, `evt_lat_${RUN}_${String(block)}_${String(i)}`, true);
        }
        await sleep(200);
      }
    }
  } finally {
    await Promise.allSettled(setups.map(async (s) => Promise.all([s.subscriber.close(), s.pool.close()])));
  }
  return Object.fromEntries(setups.map((s) => [s.target.key, s.result]));
}

interface IngestArgs {
  targets: TargetInfo[];
  /** Measured time per target, split across the blocks. */
  durationMs: number;
  /** Unmeasured load per target before its first block. */
  warmupMs: number;
  blocks: number;
  concurrency: number;
  clockTicks: number;
}

interface IngestResult {
  accepted: number;
  /** Status (or `network`) → count, for every answer other than 200. */
  errors: Record<string, number>;
  elapsedMs: number;
  /** Request latencies of accepted webhooks, ms. */
  latencies: number[];
  /** CPU time the server process used during the measured blocks. */
  serverCpuMs: number;
  /** Webhooks/s of each measured block, in block order. */
  blockRates: number[];
  /** CPU time this load generator used during the measured blocks (to show whether it, not the server, was the limit). */
  driverCpuMs: number;
}

/**
 * Most webhooks signed ahead of a block per second of it: far above what any system here
 * ingests, so the timed loop only sends; past it, the loop signs as it goes.
 */
const PRESIGNED_PER_SECOND = 60_000;

/** Unique signed webhooks for one block, made before it starts so signing is not timed. */
function presign(tag: string, ms: number): { body: string; headers: Record<string, string> }[] {
  return Array.from({ length: Math.ceil((ms / 1000) * PRESIGNED_PER_SECOND) }, (_, i) =>
    signedWebhook(`${tag}_${String(i)}`),
  );
}

/** CPU ms used so far by every process of `target`. */
async function targetCpuMs(target: TargetInfo, clockTicks: number): Promise<number> {
  const pids = target.cpuPids ?? [target.pid];
  const readings = await Promise.all(pids.map((pid) => processCpuMs(pid, clockTicks)));
  return readings.reduce((a, b) => a + b, 0);
}

async function ingest(args: IngestArgs): Promise<Record<string, IngestResult>> {
  const setups = args.targets.map((target) => {
    // The in-flight requests are spread evenly over the target's origins (two instances on Redis).
    const origins = target.ingestOrigins ?? [target.origin];
    const pools = origins.map(
      (origin) =>
        new Pool(origin, { connections: Math.ceil(args.concurrency / origins.length), pipelining: 1 }),
    );
    const result: IngestResult = {
      accepted: 0,
      errors: {},
      elapsedMs: 0,
      latencies: [],
      serverCpuMs: 0,
      blockRates: [],
      driverCpuMs: 0,
    };
    return { target, pools, result };
  });
  let phase = 0;
  const run = async (setup: (typeof setups)[number], ms: number, record: boolean) => {
    const tag = `evt_ing_${RUN}_${String(phase++)}`;
    const signed = presign(tag, ms);
    let seq = 0;
    const cpuBefore = await targetCpuMs(setup.target, args.clockTicks);
    const driverBefore = process.cpuUsage();
    const start = now();
    const end = start + ms;
    const acceptedBefore = setup.result.accepted;
    const loop = async (_: unknown, index: number) => {
      const pool = setup.pools[index % setup.pools.length];
      if (pool === undefined) throw new Error(`${setup.target.key}: no origin to post to`);
      while (now() < end) {
        const index = seq++;
        const { body, headers } = signed[index] ?? signedWebhook(`${tag}_${String(index)}`);
        const t0 = now();
        let key: string;
        try {
          const response = await pool.request({
            path: setup.target.webhookPath,
            method: 'POST',
            headers,
            body,
          });
          await response.body.dump();
          key = String(response.statusCode);
        } catch {
          key = 'network';
        }
        if (!record) continue;
        if (key === '200') {
          setup.result.accepted++;
          setup.result.latencies.push(now() - t0);
        } else {
          setup.result.errors[key] = (setup.result.errors[key] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, loop));
    if (record) {
      const elapsed = now() - start;
      const driver = process.cpuUsage(driverBefore);
      setup.result.driverCpuMs += (driver.user + driver.system) / 1000;
      setup.result.blockRates.push(((setup.result.accepted - acceptedBefore) * 1000) / elapsed);
      setup.result.elapsedMs += elapsed;
      setup.result.serverCpuMs += (await targetCpuMs(setup.target, args.clockTicks)) - cpuBefore;
    }
  };
  try {
    for (const setup of setups) await run(setup, args.warmupMs, false);
    for (let block = 0; block < args.blocks; block++) {
      const order = block % 2 === 0 ? setups : [...setups].reverse();
      for (const setup of order) {
        await sleep(200);
        await run(setup, args.durationMs / args.blocks, true);
      }
    }
  } finally {
    await Promise.allSettled(setups.flatMap((s) => s.pools.map((pool) => pool.close())));
  }
  return Object.fromEntries(setups.map((s) => [s.target.key, s.result]));
}

interface QueryArgs {
  origin: string;
  query: string;
  n: number;
  warmup: number;
  /** Extra request headers (`cache-control: no-cache` to measure the execution, not the response cache). */
  headers?: Record<string, string>;
}

async function query(args: QueryArgs): Promise<{ samples: number[]; edges: number; customers: number }> {
  const pool = new Pool(args.origin, { connections: 1, pipelining: 1 });
  const samples: number[] = [];
  let edges = 0;
  let customers = 0;
  try {
    for (let i = 0; i < args.warmup + args.n; i++) {
      const start = now();
      const response = await pool.request({
        path: '/graphql',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...args.headers,
        },
        body: JSON.stringify({ query: args.query }),
      });
      const text = await response.body.text();
      const elapsed = now() - start;
      const result = JSON.parse(text) as {
        data?: { invoices?: { edges?: { node?: { customer?: { id?: string } | null } }[] } } | null;
        errors?: unknown[];
      };
      if (response.statusCode !== 200 || result.errors !== undefined) {
        throw new Error(`query answered ${String(response.statusCode)}: ${text.slice(0, 500)}`);
      }
      const nodes = result.data?.invoices?.edges ?? [];
      edges = nodes.length;
      customers = new Set(nodes.map((e) => e.node?.customer?.id)).size;
      if (i >= args.warmup) samples.push(elapsed);
    }
  } finally {
    await pool.close();
  }
  return { samples, edges, customers };
}

serveCommands(async (cmd, args) => {
  switch (cmd) {
    case 'latency':
      return latency(args as LatencyArgs);
    case 'ingest':
      return ingest(args as IngestArgs);
    case 'query':
      return query(args as QueryArgs);
    default:
      throw new Error(`unknown command ${cmd}`);
  }
});
