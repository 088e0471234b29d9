/**
 * Helpers shared by the bench orchestrator and its child processes: the clock,
 * statistics, Stripe-style signing, timeouts and the IPC request/response shape.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Milliseconds on a clock that is comparable across processes on one machine:
 * each process's `performance.timeOrigin` is the wall clock at its start, and
 * `performance.now()` is monotonic from there.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming `what` when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Timed out after ${(ms / 1000).toFixed(1)} s: ${what}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/** The signing secret the bench configures Switchyard with (`STRIPE_WEBHOOK_SECRET`). */
export const WEBHOOK_SECRET = 'whsec_bench_secret';

/** A `customer.updated` Stripe event, as Stripe would POST it. */
export function stripeEventBody(id: string, createdS: number): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: createdS,
    data: {
      object: {
        id: 'cus_Bench0001',
        object: 'customer',
        email: 'a@example.com',
        name: 'A',
        created: 1767225600,
        balance: 0,
        delinquent: false,
        metadata: {},
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: null,
    type: 'customer.updated',
  });
}

/** `Stripe-Signature` for `body` signed at `timestampS`, exactly as Stripe computes it. */
export function stripeSignature(body: string, timestampS: number, secret = WEBHOOK_SECRET): string {
  const v1 = createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex');
  return `t=${timestampS},v1=${v1}`;
}

/** A signed webhook delivery: the body and headers to POST. */
export function signedWebhook(id: string): { body: string; headers: Record<string, string> } {
  const t = Math.floor(Date.now() / 1000);
  const body = stripeEventBody(id, t);
  return {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripeSignature(body, t) },
  };
}

/** What a client needs to reach one server under test. */
export interface TargetInfo {
  /** Short key: `switchyard`, `redis` (Switchyard on Redis) or `peer`. */
  key: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Path webhooks are POSTed to (`/webhooks/stripe`, `/webhook`). */
  webhookPath: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  /** The server's process id, for CPU readings from /proc. */
  pid: number;
  /**
   * When the system under test is several processes (Switchyard on Redis: two
   * gateways and redis-server): the origins ingest load is spread over, and
   * every process whose CPU time counts. Default: `origin` and `pid` alone.
   */
  ingestOrigins?: string[];
  cpuPids?: number[];
}

/** The subscription every subscriber runs, on both servers. */
export const SUBSCRIPTION = 'subscription { events { id cursor type } }';

/** A command sent over IPC to a bench worker. */
export interface Command {
  id: number;
  cmd: string;
  args: unknown;
}

/** A worker's answer to a {@link Command}. */
export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Runs a worker's command loop: each IPC {@link Command} goes to `handle`, and
 * its result or error goes back as a {@link Reply}. The worker exits when the
 * orchestrator goes away, so a crashed run never leaves load running.
 */
export function serveCommands(handle: (cmd: string, args: unknown) => Promise<unknown>): void {
  if (process.send === undefined) {
    process.stderr.write('This is a bench worker: run it through `npm run bench`.\n');
    process.exit(2);
  }
  const send = (reply: Reply) => {
    process.send?.(reply);
  };
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: Command) => {
    handle(message.cmd, message.args).then(
      (result) => {
        send({ id: message.id, ok: true, result });
      },
      (error: unknown) => {
        send({ id: message.id, ok: false, error: errorMessage(error) });
      },
    );
  });
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat; NaN when unreadable. */
export async function processCpuMs(pid: number, clockTicks = 100): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
