import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const WEBHOOK_SECRET = 'whsec_scaleout_0123456789abcdef';
const signer = new Stripe('sk_test_x');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One gateway process of the fleet. */
interface Instance {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** SIGTERM (graceful) or SIGKILL (a crash); resolves once it exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
}

async function startInstance(name: string, redisUrl: string): Promise<Instance> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEMO_EVENTS: '0',
    SANDBOX: '0',
    STRIPE_API_KEY: 'sk_test_scaleout',
    STRIPE_BASE_URL: 'http://127.0.0.1:9',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    REDIS_URL: redisUrl,
    // Generous on a loaded machine; Redis being down is noticed at once, not through this bound.
    REDIS_APPEND_TIMEOUT_MS: '5000',
  };
  delete env['REDIS_CLUSTER_NODES'];
  delete env['REDIS_KEY_PREFIX'];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['src/main.ts'], { env });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no banner within 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const match = /Switchyard is up: (http:\/\/[^/\s]+)\/graphql/.exec(out);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(match[1]);
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before its banner:\n${out}`));
    });
  });
  return {
    name,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function postStripe(instance: Instance, body: string): Promise<{ status: number; body: unknown }> {
  const header = signer.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET });
  const response = await fetch(`${instance.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body,
  });
  return { status: response.status, body: await response.json() };
}

async function graphql<T>(
  instance: Instance,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (result.errors !== undefined || result.data === undefined) {
    throw new Error(`${instance.name}: ${JSON.stringify(result)}`);
  }
  return result.data;
}

const latestCursor = async (instance: Instance) =>
  (await graphql<{ latestEventCursor: string }>(instance, '{ latestEventCursor }')).latestEventCursor;

async function storedIds(instance: Instance, after: string): Promise<string[]> {
  const data = await graphql<{ events: { edges: { node: { id: string } }[] } }>(
    instance,
    'query ($after: String) { events(after: $after, first: 500) { edges { node { id } } } }',
    { after },
  );
  return data.events.edges.map((edge) => edge.node.id);
}

async function readiness(
  instance: Instance,
): Promise<{ status: number; body: { eventLog?: { detail?: string } } }> {
  const response = await fetch(`${instance.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { eventLog?: { detail?: string } } };
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

let seq = 0;
/** A signed-able Stripe event body with a fresh id. */
function stripeEvent(label: string): { id: string; body: string } {
  const id = `evt_scaleout_${label}_${++seq}_${Date.now()}`;
  const body = stripeCustomerEvent(
    id,
    'customer.updated',
    stripeCustomer('cus_ScaleOut0001', `scale${seq}@example.com`, 'Scale Out'),
  );
  return { id, body };
}

/** A graphql-ws subscription to `events` that records what it receives. */
interface Recorder {
  readonly received: { id: string; cursor: string }[];
  /** Set when the server ended the subscription or the socket closed. */
  readonly ended: boolean;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

function subscribe(instance: Instance, after: string): Recorder {
  const client: Client = createClient({
    url: `${instance.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const received: { id: string; cursor: string }[] = [];
  const problems: unknown[] = [];
  let ended = false;
  client.subscribe<{ events: { id: string; cursor: string } }>(
    { query: 'subscription ($after: String) { events(after: $after) { id cursor } }', variables: { after } },
    {
      next: (value) => {
        if (value.errors !== undefined) problems.push(value.errors);
        if (value.data) received.push(value.data.events);
      },
      error: () => {
        ended = true;
      },
      complete: () => {
        ended = true;
      },
    },
  );
  return {
    received,
    get ended() {
      return ended;
    },
    async waitFor(count, timeoutMs = 20_000) {
      await until(
        `${count} events on ${instance.name} (have ${JSON.stringify(received)})`,
        () => {
          if (problems.length > 0) throw new Error(`subscription errors: ${JSON.stringify(problems)}`);
          return received.length >= count;
        },
        timeoutMs,
      );
    },
    async dispose() {
      await client.dispose();
    },
  };
}

describe.skipIf(redisSkipReason !== null)('scale-out: gateway instances sharing one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  const recorders: Recorder[] = [];
  const record = (instance: Instance, after: string) => {
    const recorder = subscribe(instance, after);
    recorders.push(recorder);
    return recorder;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    [a, b] = await Promise.all([startInstance('A', redis.url), startInstance('B', redis.url)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.dispose()));
    // Any of them is missing when start-up failed; that failure is the one to report.
    const instances = [a as Instance | undefined, b as Instance | undefined].filter((i) => i !== undefined);
    await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
    await (redis as RedisServer | undefined)?.close();
  }, 60_000);

  it('starts with the Redis event log and is ready', async () => {
    for (const instance of [a, b]) {
      expect(instance.output()).toContain(`event log: redis ${redis.url} stream {switchyard}:events`);
      const ready = await readiness(instance);
      expect(ready).toMatchObject({ status: 200, body: { eventLog: { ok: true, detail: 'redis' } } });
    }
  });

  it('delivers every webhook posted to A to a subscriber on B, in order, once; re-deliveries to B are duplicates', async () => {
    const subscriber = record(b, await latestCursor(b));
    const events = Array.from({ length: 6 }, () => stripeEvent('a'));
    for (const event of events) {
      expect(await postStripe(a, event.body)).toMatchObject({
        status: 200,
        body: { stored: 1, duplicates: 0 },
      });
    }
    await subscriber.waitFor(events.length);

    for (const event of events) {
      expect(await postStripe(b, event.body)).toEqual({
        status: 200,
        body: {
          received: 1,
          stored: 0,
          duplicates: 1,
          events: [{ id: event.id, cursor: null, duplicate: true }],
        },
      });
    }
    const marker = stripeEvent('marker');
    expect((await postStripe(b, marker.body)).status).toBe(200);
    await subscriber.waitFor(events.length + 1);
    await delay(300);

    expect(subscriber.received.map((e) => e.id)).toEqual([...events, marker].map((e) => e.id));
    const cursors = subscriber.received.map((e) => e.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    // Both instances serve the same history.
    const first = cursors[0] ?? '';
    expect(await storedIds(a, first)).toEqual(await storedIds(b, first));
    // B's tail read A's appends from the stream: the tail lag it measured is in its metrics.
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    const lagged = /^switchyard_event_log_tail_lag_seconds_count (\d+)$/m.exec(metrics)?.[1];
    expect(Number(lagged)).toBeGreaterThanOrEqual(1);
  });

  it('resumes a subscriber whose instance was killed with exactly the events it missed', async () => {
    const subscriber = record(b, await latestCursor(a));
    const before = [stripeEvent('before'), stripeEvent('before')];
    for (const event of before) expect((await postStripe(a, event.body)).status).toBe(200);
    await subscriber.waitFor(2);
    const resumeFrom = subscriber.received.at(-1)?.cursor ?? '';

    expect(await b.stop('SIGKILL')).toBeNull();
    await until('the subscription to notice', () => subscriber.ended);
    const missed = [stripeEvent('missed'), stripeEvent('missed'), stripeEvent('missed')];
    for (const event of missed) expect((await postStripe(a, event.body)).status).toBe(200);

    b = await startInstance('B (restarted)', redis.url);
    const resumed = record(b, resumeFrom);
    await resumed.waitFor(missed.length);
    const live = stripeEvent('live');
    expect((await postStripe(a, live.body)).status).toBe(200);
    await resumed.waitFor(missed.length + 1);
    await delay(300);

    expect(subscriber.received.map((e) => e.id)).toEqual(before.map((e) => e.id));
    expect(resumed.received.map((e) => e.id)).toEqual([...missed, live].map((e) => e.id));
  });

  it('answers 503 and acknowledges nothing while Redis is down, then stores and publishes each delivery once', async () => {
    const subscriber = record(b, await latestCursor(b));
    const first = stripeEvent('up');
    expect((await postStripe(a, first.body)).status).toBe(200);
    await subscriber.waitFor(1);

    await redis.stop();
    for (const instance of [a, b]) {
      await until(
        `${instance.name} to report not ready`,
        async () => (await readiness(instance)).status === 503,
      );
      const ready = await readiness(instance);
      expect(ready.body.eventLog?.detail).toMatch(/^redis: /);
    }
    const during = [stripeEvent('down'), stripeEvent('down')];
    for (const event of during) {
      for (const instance of [a, b]) {
        expect(await postStripe(instance, event.body)).toMatchObject({
          status: 503,
          body: { error: { code: 'EVENT_LOG_UNAVAILABLE' } },
        });
      }
    }
    // Queries do not need Redis: the instance keeps serving them.
    const info = await graphql<{ gateway: { version: string } }>(a, '{ gateway { version } }');
    expect(info.gateway.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(subscriber.received).toHaveLength(1);

    await redis.start();
    for (const instance of [a, b]) {
      await until(
        `${instance.name} to be ready again`,
        async () => (await readiness(instance)).status === 200,
      );
    }
    for (const event of during) {
      expect(await postStripe(a, event.body)).toMatchObject({ status: 200, body: { stored: 1 } });
      expect(await postStripe(b, event.body)).toMatchObject({
        status: 200,
        body: { stored: 0, duplicates: 1 },
      });
    }
    await subscriber.waitFor(1 + during.length);
    await delay(300);
    expect(subscriber.received.map((e) => e.id)).toEqual([first, ...during].map((e) => e.id));
    expect(subscriber.ended).toBe(false);
    // What was acknowledged after the restart is stored, on both instances' view.
    const after = subscriber.received[0]?.cursor ?? '';
    expect(await storedIds(a, after)).toEqual(during.map((e) => e.id));
    expect(await storedIds(b, after)).toEqual(during.map((e) => e.id));
  });
});
