import { describe, expect, it } from 'vitest';
import { createMemoryEventLog } from '../src/events/memory-log.ts';
import {
  EventLogUnavailableError,
  InvalidCursorError,
  SubscriberLaggingError,
  type EventLog,
} from '../src/events/log.ts';
import { appendAll, eventLogContract, incomingEvent, nextOrPending, take } from './event-log-contract.ts';

eventLogContract('memory', () => Promise.resolve(createMemoryEventLog()));
eventLogContract('memory with small bounds', () =>
  Promise.resolve(createMemoryEventLog({ maxEvents: 100, subscriberQueueLimit: 64, dedupeMaxKeys: 1_000 })),
);

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
const DAY_MS = 24 * 60 * 60 * 1000;

function clock(start = Date.UTC(2025, 0, 1)) {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createMemoryEventLog', () => {
  it('is the memory kind, healthy until closed, then refuses appends', async () => {
    const log = createMemoryEventLog();
    expect(log.kind).toBe('memory');
    expect(log.health()).toEqual({ ok: true, detail: 'memory' });
    await log.close();
    expect(log.health().ok).toBe(false);
    await expect(log.append([incomingEvent(1)])).rejects.toThrow(EventLogUnavailableError);
    expect(await log.subscribe({}).next()).toEqual({ done: true, value: undefined });
  });

  it('uses decimal sequence numbers as cursors and stamps receivedAt from the clock', async () => {
    const time = clock();
    const log = createMemoryEventLog({ now: time.now });
    const stored = await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
    time.advance(1_500);
    stored.push(...(await appendAll(log, [incomingEvent(3)])));
    expect(stored.map((e) => e.cursor)).toEqual(['1', '2', '3']);
    expect(stored.map((e) => e.receivedAt)).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:00:01.500Z',
    ]);
  });

  it('stores each event as a frozen copy of exactly its fields, stamped with the clock of its own append', async () => {
    const time = clock();
    const log = createMemoryEventLog({ now: time.now });
    const [first] = await appendAll(log, [incomingEvent(1)]);
    const [second] = await appendAll(log, [incomingEvent(2)]);
    time.advance(1);
    const [third] = await appendAll(log, [incomingEvent(3)]);
    time.advance(-1);
    const [fourth] = await appendAll(log, [incomingEvent(4)]);
    expect([first, second, third, fourth].map((e) => e?.receivedAt)).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:00:00.001Z',
      '2025-01-01T00:00:00.000Z',
    ]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({ ...incomingEvent(1), cursor: '1', receivedAt: '2025-01-01T00:00:00.000Z' });
    expect(Object.keys(first ?? {})).toEqual([...Object.keys(incomingEvent(1)), 'cursor', 'receivedAt']);
  });

  it('parses cursors strictly', async () => {
    const log = createMemoryEventLog();
    await appendAll(log, [incomingEvent(1), incomingEvent(2), incomingEvent(3)]);
    expect(ids(await log.read({ after: '0', limit: 10 }))).toEqual(['evt_1', 'evt_2', 'evt_3']);
    expect(ids(await log.read({ after: '2', limit: 10 }))).toEqual(['evt_3']);
    for (const cursor of ['', '01', '+1', '-1', ' 1', '1 ', '1.0', '1e0', '0x1', '4', '9007199254740993']) {
      await expect(log.read({ after: cursor, limit: 10 })).rejects.toThrow(new InvalidCursorError(cursor));
      await expect(log.subscribe({ after: cursor }).next()).rejects.toThrow(InvalidCursorError);
    }
    expect(log.subscriberCount()).toBe(0);
  });

  it('evicts the oldest events beyond maxEvents and replays an older cursor from the oldest retained', async () => {
    const log = createMemoryEventLog({ maxEvents: 3 });
    const stored = await appendAll(
      log,
      [0, 1, 2, 3, 4].map((n) => incomingEvent(n)),
    );
    expect(ids(await log.read({ limit: 10 }))).toEqual(['evt_2', 'evt_3', 'evt_4']);
    expect(ids(await log.read({ after: stored[0]?.cursor, limit: 10 }))).toEqual(['evt_2', 'evt_3', 'evt_4']);

    const subscription = log.subscribe({ after: stored[0]?.cursor });
    await appendAll(log, [incomingEvent(5)]);
    expect(ids(await take(subscription, 4))).toEqual(['evt_2', 'evt_3', 'evt_4', 'evt_5']);
    await subscription.return?.();
    // Evicted events are still remembered for de-duplication.
    expect(await log.append([incomingEvent(0)])).toEqual([{ status: 'duplicate', id: 'evt_0' }]);
  });

  it('stays correct across many evictions', async () => {
    const log = createMemoryEventLog({ maxEvents: 50 });
    for (let n = 0; n < 5_000; n += 10) {
      await appendAll(
        log,
        Array.from({ length: 10 }, (_, i) => incomingEvent(n + i)),
      );
    }
    const read = await log.read({ limit: 100 });
    expect(ids(read)).toEqual(Array.from({ length: 50 }, (_, i) => `evt_${4_950 + i}`));
    expect(ids(await log.read({ after: '4990', limit: 100 }))).toEqual(
      Array.from({ length: 10 }, (_, i) => `evt_${4_990 + i}`),
    );
  });

  it('evicts events older than maxAgeMs', async () => {
    const time = clock();
    const log = createMemoryEventLog({ maxAgeMs: 60_000, now: time.now });
    await appendAll(log, [incomingEvent(1)]);
    time.advance(30_000);
    await appendAll(log, [incomingEvent(2)]);
    time.advance(30_000);
    expect(ids(await log.read({ limit: 10 }))).toEqual(['evt_1', 'evt_2']);
    time.advance(1);
    expect(ids(await log.read({ limit: 10 }))).toEqual(['evt_2']);
    const subscription = log.subscribe({ after: '0' });
    expect(ids(await take(subscription, 1))).toEqual(['evt_2']);
    await subscription.return?.();
    time.advance(30_000);
    expect(await log.read({ limit: 10 })).toEqual([]);
  });

  it('forgets ids after the dedupe window', async () => {
    const time = clock();
    const log = createMemoryEventLog({ now: time.now });
    await appendAll(log, [incomingEvent(1)]);
    time.advance(7 * DAY_MS);
    expect((await log.append([incomingEvent(1)]))[0]?.status).toBe('duplicate');
    time.advance(1);
    expect((await log.append([incomingEvent(1)]))[0]?.status).toBe('stored');
    // The window restarts from the new delivery.
    time.advance(DAY_MS);
    expect((await log.append([incomingEvent(1)]))[0]?.status).toBe('duplicate');
  });

  it('honours a custom dedupe window, and 0 disables de-duplication', async () => {
    const time = clock();
    const short = createMemoryEventLog({ dedupeWindowMs: 1_000, now: time.now });
    await appendAll(short, [incomingEvent(1), incomingEvent(2)]);
    time.advance(500);
    await appendAll(short, [incomingEvent(3)]);
    time.advance(501);
    expect((await short.append([incomingEvent(1), incomingEvent(3)])).map((r) => r.status)).toEqual([
      'stored',
      'duplicate',
    ]);

    const none = createMemoryEventLog({ dedupeWindowMs: 0 });
    expect((await none.append([incomingEvent(1), incomingEvent(1)])).map((r) => r.status)).toEqual([
      'stored',
      'stored',
    ]);
  });

  it('forgets the oldest ids beyond dedupeMaxKeys', async () => {
    const log = createMemoryEventLog({ dedupeMaxKeys: 2 });
    await appendAll(log, [incomingEvent(1), incomingEvent(2), incomingEvent(3)]);
    expect((await log.append([incomingEvent(3)]))[0]?.status).toBe('duplicate');
    expect((await log.append([incomingEvent(1)]))[0]?.status).toBe('stored');
    // Storing evt_1 again pushed evt_2 out.
    expect((await log.append([incomingEvent(2)]))[0]?.status).toBe('stored');
  });

  it('ends a subscriber that falls too far behind with SubscriberLaggingError, and it can resume', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 3 });
    const subscription = log.subscribe({});
    const stored = await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
    expect(ids(await take(subscription, 1))).toEqual(['evt_1']);
    await appendAll(log, [incomingEvent(3)]);
    expect(log.subscriberCount()).toBe(1);
    // evt_2 and evt_3 are queued; two more exceed the limit of 3.
    await appendAll(log, [incomingEvent(4), incomingEvent(5)]);
    expect(log.subscriberCount()).toBe(0);

    const error = await rejection(subscription.next());
    expect(error).toBeInstanceOf(SubscriberLaggingError);
    const lagging = error as SubscriberLaggingError;
    expect(lagging.resumeCursor).toBe(stored[0]?.cursor);
    expect(lagging.message).toBe(
      'The subscription fell too far behind the event log (more than 3 undelivered events): ' +
        'resubscribe with after: "1" to resume right after the last event it received.',
    );
    expect(await subscription.next()).toEqual({ done: true, value: undefined });

    const resumed = log.subscribe({ after: lagging.resumeCursor });
    expect(ids(await take(resumed, 4))).toEqual(['evt_2', 'evt_3', 'evt_4', 'evt_5']);
    await resumed.return?.();
  });

  it('counts only matching events towards the queue limit', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 2 });
    const subscription = log.subscribe({ filter: { sources: ['stripe'] } });
    await appendAll(
      log,
      [1, 2, 3, 5, 7, 9].map((n) => incomingEvent(n)),
    );
    expect(ids(await take(subscription, 1))).toEqual(['evt_2']);
    await subscription.return?.();
  });

  it('gives the starting cursor as resumeCursor when nothing was received', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 2 });
    const live = log.subscribe({});
    const stored = await appendAll(
      log,
      [1, 2, 3].map((n) => incomingEvent(n)),
    );
    await expect(live.next()).rejects.toMatchObject({ name: 'SubscriberLaggingError', resumeCursor: '0' });

    const replaying = log.subscribe({ after: stored[0]?.cursor });
    await appendAll(
      log,
      [4, 5, 6].map((n) => incomingEvent(n)),
    );
    // The replayed backlog does not count; the three live events do.
    await expect(replaying.next()).rejects.toMatchObject({ resumeCursor: stored[0]?.cursor });

    const tip = log.subscribe({});
    await appendAll(
      log,
      [7, 8, 9].map((n) => incomingEvent(n)),
    );
    await expect(tip.next()).rejects.toMatchObject({ resumeCursor: '6' });
    expect(log.subscriberCount()).toBe(0);
  });

  it('does not lag a subscriber that keeps up, however many events pass', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 2 });
    const subscription = log.subscribe({});
    for (let n = 0; n < 200; n++) {
      await appendAll(log, [incomingEvent(n)]);
      expect(ids(await take(subscription, 1))).toEqual([`evt_${n}`]);
    }
    await subscription.return?.();
  });

  it('lets a replaying subscriber read a backlog larger than the queue limit', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 2 });
    await appendAll(
      log,
      Array.from({ length: 50 }, (_, n) => incomingEvent(n)),
    );
    const subscription = log.subscribe({ after: '0' });
    expect(await take(subscription, 50)).toHaveLength(50);
    expect(await nextOrPending(subscription)).toBe('pending');
    await subscription.return?.();
  });

  it('unregisters listeners on return(), abort, lag and close', async () => {
    const log = createMemoryEventLog({ subscriberQueueLimit: 1 });
    const check = async (label: string, cycle: (log: EventLog) => Promise<void>) => {
      for (let i = 0; i < 500; i++) await cycle(log);
      expect({ label, count: log.subscriberCount() }).toEqual({ label, count: 0 });
    };

    await check('return', async (l) => {
      const s = l.subscribe({});
      await s.return?.();
    });
    await check('return with a pending next', async (l) => {
      const s = l.subscribe({ after: '0', filter: { types: ['none'] } });
      const pending = s.next();
      await s.return?.();
      await pending;
    });
    await check('break out of for-await', async (l) => {
      const s = l.subscribe({});
      await l.append([incomingEvent(Math.random())]);
      for await (const _ of s) break;
    });
    await check('abort', async (l) => {
      const controller = new AbortController();
      const s = l.subscribe({ signal: controller.signal });
      const pending = s.next();
      controller.abort();
      await pending;
    });
    await check('lag', async (l) => {
      const s = l.subscribe({});
      await l.append([incomingEvent(Math.random()), incomingEvent(Math.random())]);
      await s.next().catch(() => undefined);
    });

    const signal = new AbortController().signal;
    const many = Array.from({ length: 100 }, () => log.subscribe({ signal }));
    expect(log.subscriberCount()).toBe(100);
    await log.close();
    expect(log.subscriberCount()).toBe(0);
    for (const s of many) expect(await s.next()).toEqual({ done: true, value: undefined });
  });

  it('fans out to many subscribers, each with its own filter', async () => {
    const log = createMemoryEventLog();
    const stripe = Array.from({ length: 200 }, () => log.subscribe({ filter: { sources: ['stripe'] } }));
    const invoices = Array.from({ length: 200 }, () => log.subscribe({ filter: { types: ['invoice.*'] } }));
    await appendAll(
      log,
      Array.from({ length: 30 }, (_, n) => incomingEvent(n)),
    );
    for (const s of stripe) expect(await take(s, 15)).toHaveLength(15);
    for (const s of invoices) expect(ids(await take(s, 10))[0]).toBe('evt_2');
    await log.close();
  });

  it('validates its options', () => {
    expect(() => createMemoryEventLog({ maxEvents: 0 })).toThrow(RangeError);
    expect(() => createMemoryEventLog({ maxAgeMs: -1 })).toThrow(RangeError);
    expect(() => createMemoryEventLog({ dedupeWindowMs: Number.NaN })).toThrow(RangeError);
    expect(() => createMemoryEventLog({ subscriberQueueLimit: 1.5 })).toThrow(RangeError);
  });
});
