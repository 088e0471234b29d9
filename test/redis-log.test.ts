import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stripe } from '../connectors/stripe/index.ts';
import { parseStripeEvent } from '../connectors/stripe/webhooks.ts';
import type { IncomingEvent } from '../src/events/event.ts';
import { compareIds, createRedisEventLog } from '../src/events/redis-log.ts';
import { createDemoWorld } from '../src/sandbox/demo-world.ts';
import type { RedisEventLog, RedisEventLogOptions } from '../src/events/redis-log.ts';
import { EventLogUnavailableError, InvalidCursorError, SubscriberLaggingError } from '../src/events/log.ts';
import { appendAll, eventLogContract, incomingEvent, nextOrPending, take } from './event-log-contract.ts';
import { TEST_EPOCH } from './helpers/gateway.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';
import { changesOf } from './helpers/world-changes.ts';

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let prefixes = 0;
/** A key prefix no other test (or earlier run against the same server) uses. */
const freshPrefix = () => `t${process.pid}-${Date.now().toString(36)}-${++prefixes}`;

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Appends events `evt_0` to `evt_<count - 1>`, 50 per call. */
async function appendInBatches(log: RedisEventLog, count: number) {
  const stored = [];
  for (let n = 0; n < count; n += 50) {
    stored.push(
      ...(await appendAll(
        log,
        Array.from({ length: 50 }, (_, i) => incomingEvent(n + i)),
      )),
    );
  }
  return stored;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(redisSkipReason !== null)('Redis event log', () => {
  let server: RedisServer;
  const open: RedisEventLog[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await (server as RedisServer | undefined)?.close();
  });

  async function makeLog(options: Partial<RedisEventLogOptions> = {}): Promise<RedisEventLog> {
    // A generous append bound: a loaded test machine must not turn a slow reply into a failure.
    const log = createRedisEventLog({
      url: server.url,
      keyPrefix: freshPrefix(),
      appendTimeoutMs: 5_000,
      ...options,
    });
    open.push(log);
    if (!(await log.ready(15_000)))
      throw new Error(`the Redis event log did not connect: ${log.health().detail}`);
    return log;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((log) => log.close()));
  });

  eventLogContract('redis', () => makeLog());
  eventLogContract('redis with small pages and batches', () =>
    makeLog({ pageSize: 2, tailBatchSize: 3, subscriberQueueLimit: 64 }),
  );

  describe('createRedisEventLog', () => {
    let admin: Redis;
    beforeAll(() => {
      admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
      // The outage test stops the server under this client; it reconnects on its own.
      admin.on('error', () => undefined);
    });
    afterAll(() => {
      admin.disconnect();
    });

    it('is the redis kind; cursors are stream ids stamped with Redis time; head starts at 0-0', async () => {
      const log = await makeLog({ keyPrefix: 'kind-test' });
      expect(log.kind).toBe('redis');
      expect(log.streamKey).toBe('{kind-test}:events');
      expect(log.description).toBe(`${server.url} stream {kind-test}:events`);
      expect(log.health()).toEqual({ ok: true, detail: 'redis' });
      await admin.del(log.streamKey);
      expect(await log.head()).toBe('0-0');
      const before = Date.now();
      const [first, second] = await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
      expect(first?.cursor).toMatch(/^\d+-\d+$/);
      const [ms] = (first?.cursor ?? '').split('-');
      expect(first?.receivedAt).toBe(new Date(Number(ms)).toISOString());
      expect(Math.abs(Number(ms) - before)).toBeLessThan(60_000);
      expect(await log.head()).toBe(second?.cursor);
      expect(await admin.xlen(log.streamKey)).toBe(2);
      const [[id, fields] = ['', []]] = await admin.xrange(log.streamKey, '-', '+', 'COUNT', 1);
      expect(id).toBe(first?.cursor);
      expect(fields.slice(0, 4)).toEqual(['source', 'hubspot', 'type', 'customer.updated']);
    });

    it('refuses cursors that are not stream ids with InvalidCursorError', async () => {
      const log = await makeLog();
      for (const cursor of [
        '',
        '1',
        '1-',
        '-1',
        '1-2-3',
        ' 1-0',
        '1-0 ',
        '0x1-0',
        '1.0-0',
        '18446744073709551616-0',
      ]) {
        await expect(log.read({ after: cursor, limit: 10 })).rejects.toThrow(new InvalidCursorError(cursor));
        await expect(log.subscribe({ after: cursor }).next()).rejects.toThrow(InvalidCursorError);
      }
      // Leading zeros name the same id.
      const [stored] = await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
      const [ms, seq] = (stored?.cursor ?? '').split('-');
      expect(ids(await log.read({ after: `00${ms}-0${seq}`, limit: 10 }))).toEqual(['evt_2']);
      expect(log.subscriberCount()).toBe(0);
    });

    it('trims the stream with MAXLEN ~ and replays a trimmed cursor from the oldest retained event', async () => {
      const log = await makeLog({ maxLen: 10 });
      const stored = await appendInBatches(log, 600);
      const length = await admin.xlen(log.streamKey);
      // Approximate trimming drops whole nodes (100 entries by default), never below MAXLEN.
      expect(length).toBeGreaterThanOrEqual(10);
      expect(length).toBeLessThan(200);
      const oldest = (await admin.xrange(log.streamKey, '-', '+', 'COUNT', 1))[0]?.[0] ?? '';
      const retained = stored.filter((e) => compareIds(e.cursor, oldest) >= 0);
      expect(retained).toHaveLength(length);

      const read = await log.read({ after: stored[0]?.cursor, limit: 1_000 });
      expect(ids(read)).toEqual(ids(retained));
      const subscription = log.subscribe({ after: stored[0]?.cursor });
      expect(ids(await take(subscription, length))).toEqual(ids(retained));
      await appendAll(log, [incomingEvent(1_000)]);
      expect(ids(await take(subscription, 1))).toEqual(['evt_1000']);
      await subscription.return?.();
      // Trimmed events are still remembered for de-duplication.
      expect(await log.append([incomingEvent(0)])).toEqual([{ status: 'duplicate', id: 'evt_0' }]);
    });

    it('never reads or replays events older than maxAgeMs, and trims them from the stream as appends come', async () => {
      const log = await makeLog({ maxAgeMs: 400 });
      const old = await appendInBatches(log, 300);
      expect(await admin.xlen(log.streamKey)).toBe(300);
      await delay(500);
      const [fresh] = await appendAll(log, [incomingEvent(1_000)]);
      // Approximate trimming drops whole nodes (100 entries by default) once all their entries are too old.
      expect(await admin.xlen(log.streamKey)).toBeLessThanOrEqual(101);
      // What trimming left behind is past the age limit all the same: never read, never replayed.
      expect(ids(await log.read({ limit: 1_000 }))).toEqual(['evt_1000']);
      expect(ids(await log.read({ after: old[0]?.cursor, limit: 1_000 }))).toEqual(['evt_1000']);
      const subscription = log.subscribe({ after: old[0]?.cursor });
      expect(await take(subscription, 1)).toEqual([fresh]);
      await appendAll(log, [incomingEvent(1_001)]);
      expect(ids(await take(subscription, 1))).toEqual(['evt_1001']);
      await subscription.return?.();
      // Aged out is not forgotten: the dedupe window is its own.
      expect(await log.append([incomingEvent(0)])).toEqual([{ status: 'duplicate', id: 'evt_0' }]);
    });

    it('remembers each (source, id) with SET NX EX for the dedupe window', async () => {
      const log = await makeLog({ keyPrefix: `${freshPrefix()}-ttl` });
      await appendAll(log, [incomingEvent(1), incomingEvent(2, { source: 'a:b' })]);
      const prefix = log.streamKey.replace(/:events$/, '');
      const key = `${prefix}:dedupe:hubspot:evt_1`;
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(7 * 86_400 - 60);
      expect(ttl).toBeLessThanOrEqual(7 * 86_400);
      // Sources are escaped, so "a:b"/"c" and "a"/"b:c" cannot collide.
      expect(await admin.exists(`${prefix}:dedupe:a%3Ab:evt_2`)).toBe(1);

      const short = await makeLog({ dedupeWindowS: 1 });
      await appendAll(short, [incomingEvent(1)]);
      expect((await short.append([incomingEvent(1)]))[0]?.status).toBe('duplicate');
      const shortKey = `${short.streamKey.replace(/:events$/, '')}:dedupe:hubspot:evt_1`;
      expect(await admin.ttl(shortKey)).toBe(1);
      await until('the dedupe key to expire', async () => (await admin.exists(shortKey)) === 0, 10_000);
      expect((await short.append([incomingEvent(1)]))[0]?.status).toBe('stored');

      const none = await makeLog({ dedupeWindowS: 0 });
      expect((await none.append([incomingEvent(1), incomingEvent(1)])).map((r) => r.status)).toEqual([
        'stored',
        'stored',
      ]);
      expect(await admin.keys(`${none.streamKey.replace(/:events$/, '')}:dedupe:*`)).toEqual([]);
    });

    it('writes the dedupe key and the stream entry together or not at all', async () => {
      const log = await makeLog();
      const prefix = log.streamKey.replace(/:events$/, '');
      const dedupeKeys = () => admin.keys(`${prefix}:dedupe:*`);

      // XADD fails inside the script (the key holds a string): the SET NX it already did is undone.
      await admin.set(log.streamKey, 'not a stream');
      const wrongType = await rejection(log.append([incomingEvent(1), incomingEvent(2)]));
      expect(wrongType).toBeInstanceOf(EventLogUnavailableError);
      expect((wrongType as Error).message).toMatch(/WRONGTYPE/);
      expect(await dedupeKeys()).toEqual([]);
      await admin.del(log.streamKey);
      await until('the log to report healthy again', () => log.health().ok);

      // Out of memory: nothing is written at all.
      await admin.config('SET', 'maxmemory', '1');
      try {
        const oom = await rejection(log.append([incomingEvent(3)]));
        expect(oom).toBeInstanceOf(EventLogUnavailableError);
        expect((oom as Error).message).toMatch(/OOM/);
      } finally {
        await admin.config('SET', 'maxmemory', '0');
      }
      expect(await dedupeKeys()).toEqual([]);
      expect(await admin.exists(log.streamKey)).toBe(0);

      // The failed deliveries were not acknowledged, so their retries store them, each with its key.
      const stored = await appendAll(log, [incomingEvent(1), incomingEvent(2), incomingEvent(3)]);
      expect(ids(await log.read({ limit: 10 }))).toEqual(ids(stored));
      expect((await dedupeKeys()).sort()).toEqual(
        ['evt_1', 'evt_2', 'evt_3']
          .map((id, i) => `${prefix}:dedupe:${i === 1 ? 'stripe' : 'hubspot'}:${id}`)
          .sort(),
      );
    });

    it('remembers a delivery key with SET NX EX in the same script, undone when the append fails', async () => {
      const log = await makeLog();
      const prefix = log.streamKey.replace(/:events$/, '');
      const deliveryKey = `${prefix}:delivery:shopify:sha256:ab12`;

      await admin.set(log.streamKey, 'not a stream');
      const failed = await rejection(log.append([incomingEvent(1)], { deliveryKey: 'shopify:sha256:ab12' }));
      expect(failed).toBeInstanceOf(EventLogUnavailableError);
      expect(await admin.exists(deliveryKey)).toBe(0);
      await admin.del(log.streamKey);
      await until('the log to report healthy again', () => log.health().ok);

      const stored = await log.append([incomingEvent(1)], { deliveryKey: 'shopify:sha256:ab12' });
      expect(stored[0]?.status).toBe('stored');
      const ttl = await admin.ttl(deliveryKey);
      expect(ttl).toBeGreaterThan(7 * 86_400 - 60);
      expect(ttl).toBeLessThanOrEqual(7 * 86_400);
      expect(await log.append([incomingEvent(9)], { deliveryKey: 'shopify:sha256:ab12' })).toEqual([
        { status: 'duplicate', id: 'evt_9' },
      ]);
      expect(await admin.exists(`${prefix}:dedupe:hubspot:evt_9`)).toBe(0);

      const none = await makeLog({ dedupeWindowS: 0 });
      const twice = [
        await none.append([incomingEvent(1)], { deliveryKey: 'k' }),
        await none.append([incomingEvent(1)], { deliveryKey: 'k' }),
      ];
      expect(twice.map(([r]) => r?.status)).toEqual(['stored', 'stored']);
    });

    it('sends the appends of one event-loop turn in one script call, each de-duplicated on its own', async () => {
      const log = await makeLog();
      const prefix = log.streamKey.replace(/:events$/, '');
      const scriptCalls = async () => {
        const stats = await admin.info('commandstats');
        return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0);
      };
      const before = await scriptCalls();
      const results = await Promise.all([
        log.append([incomingEvent(1), incomingEvent(2)], { deliveryKey: 'k1' }),
        log.append([incomingEvent(7)], { deliveryKey: 'k1' }),
        log.append([incomingEvent(2), incomingEvent(3)]),
      ]);
      expect(await scriptCalls()).toBe(before + 1);
      expect(results.map((r) => r.map((e) => e.status))).toEqual([
        ['stored', 'stored'],
        ['duplicate'],
        ['duplicate', 'stored'],
      ]);
      expect(ids(await log.read({ limit: 10 }))).toEqual(['evt_1', 'evt_2', 'evt_3']);

      // A call carries at most 64 appends.
      const many = await Promise.all(
        Array.from({ length: 70 }, (_, i) => log.append([incomingEvent(100 + i)])),
      );
      expect(await scriptCalls()).toBe(before + 3);
      expect(many.map(([result]) => result?.status)).toEqual(Array.from({ length: 70 }, () => 'stored'));
      expect(await log.read({ after: (await log.read({ limit: 3 }))[2]?.cursor, limit: 100 })).toHaveLength(
        70,
      );

      // One failing call fails every append it carried, and none of them leaves a key behind.
      await admin.set(log.streamKey, 'not a stream');
      const failures = await Promise.all([
        rejection(log.append([incomingEvent(4)], { deliveryKey: 'k2' })),
        rejection(log.append([incomingEvent(5)])),
      ]);
      for (const error of failures) {
        expect(error).toBeInstanceOf(EventLogUnavailableError);
        expect((error as Error).message).toMatch(/^Redis could not store the events: WRONGTYPE/);
      }
      expect(await admin.exists(`${prefix}:delivery:k2`)).toBe(0);
      expect(await admin.keys(`${prefix}:dedupe:*:evt_[45]`)).toEqual([]);
    });

    it('loads its script again when Redis forgot it (EVALSHA falls back to EVAL)', async () => {
      const log = await makeLog();
      await appendAll(log, [incomingEvent(1)]);
      await admin.script('FLUSH');
      expect(ids(await appendAll(log, [incomingEvent(2)]))).toEqual(['evt_2']);
      expect((await log.append([incomingEvent(1)]))[0]?.status).toBe('duplicate');
    });

    it('reads the stream with one tail connection however many subscribers there are', async () => {
      const log = await makeLog();
      const subscriptions = Array.from({ length: 50 }, (_, i) =>
        log.subscribe({ filter: i % 2 === 0 ? { sources: ['stripe'] } : null }),
      );
      await appendAll(
        log,
        Array.from({ length: 4 }, (_, n) => incomingEvent(n)),
      );
      for (const [i, s] of subscriptions.entries())
        expect(await take(s, i % 2 === 0 ? 2 : 4)).toHaveLength(i % 2 === 0 ? 2 : 4);
      const clients = (await admin.client('LIST')) as string;
      const ours = clients.split('\n').filter((line) => /name=switchyard-events/.test(line));
      // The other open logs of this file are closed after each test: only this log's two connections remain.
      expect(ours.map((line) => /name=(\S+)/.exec(line)?.[1]).sort()).toEqual([
        'switchyard-events',
        'switchyard-events-tail',
      ]);
      expect(ours.filter((line) => /cmd=xread/.test(line))).toHaveLength(1);
      for (const s of subscriptions) await s.return?.();
    });

    it('delivers what one instance appends to subscribers of another, each event once', async () => {
      const keyPrefix = freshPrefix();
      const a = await makeLog({ keyPrefix });
      const b = await makeLog({ keyPrefix });
      const onB = b.subscribe({ after: await b.head() });
      await appendAll(a, [incomingEvent(1), incomingEvent(2)]);
      // The same deliveries through B are duplicates: the dedupe keys are shared.
      expect((await b.append([incomingEvent(2), incomingEvent(3)])).map((r) => r.status)).toEqual([
        'duplicate',
        'stored',
      ]);
      expect(ids(await take(onB, 3))).toEqual(['evt_1', 'evt_2', 'evt_3']);
      expect(await nextOrPending(onB, 200)).toBe('pending');
      expect(await a.read({ limit: 10 })).toEqual(await b.read({ limit: 10 }));
      await onB.return?.();
    });

    it('hands another instance the events exactly as stored, non-ASCII text included, and tells it every source', async () => {
      const keyPrefix = freshPrefix();
      const a = await makeLog({ keyPrefix });
      const seen: string[] = [];
      const b = await makeLog({ keyPrefix, onSources: (sources) => seen.push(...sources) });
      const onB = b.subscribe({ after: await b.head() });
      const stored = await appendAll(a, [
        incomingEvent(1, { source: 'stripé', type: 'facture.payée', data: { who: 'Zoë — 東京 🚀' } }),
        incomingEvent(2),
        incomingEvent(3, { subject: null }),
      ]);
      expect(await take(onB, 3)).toEqual(stored);
      expect(stored[0]?.data).toEqual({ who: 'Zoë — 東京 🚀' });
      await until('onSources to see all three', () => seen.length >= 3);
      expect(seen).toEqual(['stripé', 'stripe', 'hubspot']);
      await onB.return?.();
    });

    it('ends a subscriber that falls too far behind with SubscriberLaggingError, and it can resume', async () => {
      const log = await makeLog({ subscriberQueueLimit: 3 });
      const start = await log.head();
      const subscription = log.subscribe({});
      expect(log.subscriberCount()).toBe(1);
      await appendAll(
        log,
        [1, 2, 3, 4, 5].map((n) => incomingEvent(n)),
      );
      await until('the lagging subscriber to be dropped', () => log.subscriberCount() === 0);
      const error = await rejection(subscription.next());
      expect(error).toBeInstanceOf(SubscriberLaggingError);
      expect((error as SubscriberLaggingError).resumeCursor).toBe(start);
      expect(await subscription.next()).toEqual({ done: true, value: undefined });

      // A replay longer than the queue limit is fine: only live events count.
      const resumed = log.subscribe({ after: (error as SubscriberLaggingError).resumeCursor });
      expect(ids(await take(resumed, 5))).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5']);
      await resumed.return?.();
    });

    it('refuses appends while Redis answers slower than appendTimeoutMs, and recovers by itself', async () => {
      const log = await makeLog({ appendTimeoutMs: 300 });
      const subscription = log.subscribe({ after: await log.head() });
      await admin.client('PAUSE', 4_000, 'ALL');
      const started = Date.now();
      const error = await rejection(log.append([incomingEvent(1)]));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(EventLogUnavailableError);
      expect((error as Error).message).toBe('Redis could not store the events: no reply within 300 ms.');
      expect(log.health()).toEqual({ ok: false, detail: 'redis: no reply within 300 ms' });

      await until('the log to report healthy again', () => log.health().ok, 20_000);
      // The refused append reached Redis and ran once it resumed: the provider's retry is a
      // duplicate, and the subscriber gets the event once.
      expect(await log.append([incomingEvent(1)])).toEqual([{ status: 'duplicate', id: 'evt_1' }]);
      await appendAll(log, [incomingEvent(2)]);
      expect(ids(await take(subscription, 2, 10_000))).toEqual(['evt_1', 'evt_2']);
      expect(await nextOrPending(subscription, 200)).toBe('pending');
      await subscription.return?.();
    });

    // Last: it restarts the server, which loses its data (persistence is off).
    it('refuses appends at once while Redis is down, and works again after a restart with the same log', async () => {
      const log = await makeLog();
      const subscription = log.subscribe({ after: await log.head() });
      await appendAll(log, [incomingEvent(1)]);
      expect(ids(await take(subscription, 1))).toEqual(['evt_1']);

      await server.stop();
      await until('the log to notice', () => !log.health().ok);
      expect(log.health().detail).toMatch(/^redis: /);
      const started = Date.now();
      const error = await rejection(log.append([incomingEvent(2)]));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(EventLogUnavailableError);
      expect((error as Error).message).toMatch(/^Redis is unreachable: /);
      await expect(log.read({ limit: 10 })).rejects.toThrow(EventLogUnavailableError);
      await expect(log.head()).rejects.toThrow(EventLogUnavailableError);

      await server.start();
      await until('the log to report healthy again', () => log.health().ok, 20_000);
      expect(log.health()).toEqual({ ok: true, detail: 'redis' });
      expect(ids(await appendAll(log, [incomingEvent(2)]))).toEqual(['evt_2']);
      // The tail reconnected and resumed after the last id it delivered.
      expect(ids(await take(subscription, 1, 10_000))).toEqual(['evt_2']);
      await subscription.return?.();
    });

    it('validates its options', () => {
      expect(() => createRedisEventLog({ url: server.url, keyPrefix: 'a{b}' })).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: server.url, keyPrefix: '' })).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: server.url, maxLen: 0 })).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: server.url, appendTimeoutMs: 1.5 })).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: server.url, dedupeWindowS: -1 })).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: server.url, maxAgeMs: -1 })).toThrow(RangeError);
      expect(() => createRedisEventLog({})).toThrow(RangeError);
      expect(() => createRedisEventLog({ url: 'http://127.0.0.1:6379' })).toThrow(RangeError);
    });
  });
});

describe.skipIf(redisSkipReason !== null)(
  'Redis event log on a Redis Cluster (one node owning every slot)',
  () => {
    let server: RedisServer;
    const open: RedisEventLog[] = [];

    beforeAll(async () => {
      server = await startRedisServer({ cluster: true });
    });
    afterAll(async () => {
      await (server as RedisServer | undefined)?.close();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((log) => log.close()));
    });

    eventLogContract('redis cluster', async () => {
      const log = createRedisEventLog({
        clusterNodes: [{ host: '127.0.0.1', port: server.port }],
        keyPrefix: freshPrefix(),
        appendTimeoutMs: 5_000,
      });
      open.push(log);
      if (!(await log.ready(15_000)))
        throw new Error(`the cluster event log did not connect: ${log.health().detail}`);
      return log;
    });
  },
);

/**
 * The capacity figure in README.md ("Redis memory per retained event") comes
 * from here: `npx vitest run test/redis-log.test.ts -t "memory per retained event"`.
 */
describe.skipIf(redisSkipReason !== null)('capacity', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await (server as RedisServer | undefined)?.close();
  });

  it('measures the Redis memory per retained event with 10,000 typical Stripe events', async () => {
    const count = 10_000;
    const events = await typicalStripeEvents(count);
    const admin = new Redis(server.url);
    const log = createRedisEventLog({ url: server.url, keyPrefix: 'capacity' });
    try {
      expect(await log.ready(15_000)).toBe(true);
      const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
      const before = await usedMemory();
      for (let i = 0; i < count; i += 100) await appendAll(log, events.slice(i, i + 100));
      const after = await usedMemory();
      const stream = Number(await admin.memory('USAGE', log.streamKey, 'SAMPLES', '0'));
      const dedupeKey = `{capacity}:dedupe:stripe:${events[0]?.id ?? ''}`;
      const dedupe = Number(await admin.memory('USAGE', dedupeKey));
      const payload =
        events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0) / events.length;
      const figures = {
        events: count,
        averageEventJsonBytes: Math.round(payload),
        streamBytesPerEvent: Math.round(stream / count),
        dedupeKeyBytes: dedupe,
        usedMemoryDeltaPerEvent: Math.round((after - before) / count),
      };
      console.log(`[capacity] Redis memory per retained event: ${JSON.stringify(figures)}`);
      expect(await admin.xlen(log.streamKey)).toBe(count);
      // Sanity bounds, far from the measured figures: a regression in the encoding would show.
      expect(figures.streamBytesPerEvent).toBeLessThan(payload * 1.5 + 256);
      expect(figures.dedupeKeyBytes).toBeLessThan(256);
    } finally {
      await log.close();
      admin.disconnect();
    }
  }, 180_000);
});

/** Events as the Stripe emulator sends them for the demo world's changes, parsed as the connector does. */
async function typicalStripeEvents(count: number): Promise<IncomingEvent[]> {
  const world = createDemoWorld({ seed: 7, epoch: TEST_EPOCH });
  const sandbox = await stripe.sandbox?.start(world);
  if (sandbox === undefined) throw new Error('the Stripe connector has no sandbox');
  const events: IncomingEvent[] = [];
  try {
    const next = changesOf(world);
    while (events.length < count) {
      for (const delivery of sandbox.react(next(), 'http://127.0.0.1/webhooks/stripe')) {
        const headers = Object.fromEntries(
          Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]),
        );
        events.push(
          ...parseStripeEvent({
            method: 'POST',
            url: 'http://127.0.0.1/webhooks/stripe',
            headers,
            rawBody: Buffer.from(delivery.body),
          }),
        );
      }
    }
  } finally {
    await sandbox.close();
  }
  return events.slice(0, count);
}
