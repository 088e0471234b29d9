import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayEvent, IncomingEvent } from '../src/events/event.ts';
import { InvalidCursorError, type EventLog } from '../src/events/log.ts';

/** An incoming event numbered `n`; the defaults alternate sources and types so filters have something to pick. */
export function incomingEvent(n: number, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  const types = ['customer.created', 'customer.updated', 'invoice.paid'] as const;
  return {
    id: `evt_${n}`,
    source: n % 2 === 0 ? 'stripe' : 'hubspot',
    type: types[n % types.length] ?? 'customer.created',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    subject: { kind: 'customer', id: `cus_${n}`, email: `c${n}@example.com` },
    data: { n, nested: { list: [n, n + 1] } },
    ...overrides,
  };
}

/** Appends the events and returns them as stored, failing on any duplicate. */
export async function appendAll(log: EventLog, events: readonly IncomingEvent[]): Promise<GatewayEvent[]> {
  const results = await log.append(events);
  return results.map((result) => {
    if (result.status !== 'stored') throw new Error(`expected ${result.id} to be stored`);
    return result.event;
  });
}

/** Takes exactly `count` events from the iterator, failing if it ends or stalls first. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 2_000): Promise<T[]> {
  const values: T[] = [];
  while (values.length < count) {
    const result = await withTimeout(
      iterator.next(),
      timeoutMs,
      `timed out after ${values.length} of ${count} values`,
    );
    if (result.done === true) throw new Error(`iterator ended after ${values.length} of ${count} values`);
    values.push(result.value);
  }
  return values;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the next result, or `'pending'` when none arrives within `ms`;
 * a pending `next()` is left outstanding, so use it only as a final check.
 */
export async function nextOrPending<T>(
  iterator: AsyncIterator<T>,
  ms = 50,
): Promise<IteratorResult<T> | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([iterator.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const evtIds = (from: number, to: number) => range(from, to).map((n) => `evt_${n}`);

/** Calls `subscribe` and the first `next()`, so a back-end may reject either synchronously or on `next()`. */
async function firstOfSubscription(log: EventLog, after: string): Promise<unknown> {
  await Promise.resolve();
  return log.subscribe({ after }).next();
}

/**
 * Registers the suite every {@link EventLog} back-end must pass. `makeLog`
 * returns a fresh, empty log for each test; the suite closes it afterwards.
 *
 * Beyond the interface's TSDoc, it pins down that a live subscription sees
 * every event whose `append` starts after `subscribe()` returned, and that a
 * bad cursor rejects `read` and the subscription's first `next()` with
 * {@link InvalidCursorError}, and that `close()` may be called twice.
 */
export function eventLogContract(name: string, makeLog: () => Promise<EventLog>): void {
  describe(`EventLog contract: ${name}`, () => {
    let log: EventLog;

    beforeEach(async () => {
      log = await makeLog();
    });

    afterEach(async () => {
      await log.close();
    });

    it('is healthy when open', () => {
      expect(log.health().ok).toBe(true);
    });

    it('stores appended events and reads them back oldest first, unchanged', async () => {
      const first = [incomingEvent(0), incomingEvent(1), incomingEvent(2)];
      const second = [incomingEvent(3), incomingEvent(4)];
      const stored = [...(await appendAll(log, first)), ...(await appendAll(log, second))];

      const read = await log.read({ limit: 100 });
      expect(ids(read)).toEqual(evtIds(0, 5));
      expect(read).toEqual(stored);
      for (const [i, event] of read.entries()) {
        const { cursor, receivedAt, ...rest } = event;
        expect(rest).toEqual([...first, ...second][i]);
        expect(typeof cursor).toBe('string');
        expect(cursor.length).toBeGreaterThan(0);
        expect(new Date(receivedAt).toISOString()).toBe(receivedAt);
      }
    });

    it('resolves append results in input order', async () => {
      await appendAll(log, [incomingEvent(1)]);
      const results = await log.append([incomingEvent(2), incomingEvent(1), incomingEvent(3)]);
      expect(results.map((r) => r.status)).toEqual(['stored', 'duplicate', 'stored']);
      expect(results.map((r) => (r.status === 'stored' ? r.event.id : r.id))).toEqual([
        'evt_2',
        'evt_1',
        'evt_3',
      ]);
    });

    it('hands out distinct cursors that order events in append order', async () => {
      const stored: GatewayEvent[] = [];
      for (const batch of [[0], [1, 2, 3], [4], [5, 6]]) {
        stored.push(
          ...(await appendAll(
            log,
            batch.map((n) => incomingEvent(n)),
          )),
        );
      }
      expect(new Set(stored.map((e) => e.cursor)).size).toBe(stored.length);
      for (const [i, event] of stored.entries()) {
        const after = await log.read({ after: event.cursor, limit: 100 });
        expect(ids(after)).toEqual(evtIds(i + 1, stored.length));
      }
    });

    it('drops re-deliveries of the same (source, id) across calls and within a batch', async () => {
      const a = incomingEvent(1);
      expect((await log.append([a]))[0]?.status).toBe('stored');
      expect(await log.append([{ ...a, data: { changed: true } }])).toEqual([
        { status: 'duplicate', id: 'evt_1' },
      ]);

      const b = incomingEvent(2);
      const batch = await log.append([b, b, incomingEvent(3), a]);
      expect(batch.map((r) => r.status)).toEqual(['stored', 'duplicate', 'stored', 'duplicate']);
      expect(batch[1]).toEqual({ status: 'duplicate', id: 'evt_2' });

      // The same id from another source is a different event.
      expect((await log.append([{ ...a, source: 'other' }]))[0]?.status).toBe('stored');

      const read = await log.read({ limit: 100 });
      expect(read.map((e) => `${e.source}:${e.id}`)).toEqual([
        'hubspot:evt_1',
        'stripe:evt_2',
        'hubspot:evt_3',
        'other:evt_1',
      ]);
      expect(read[0]?.data).toEqual(a.data);
    });

    it('drops a replay of a delivery (the same delivery key) whatever its event ids', async () => {
      const first = await log.append([incomingEvent(1), incomingEvent(2)], { deliveryKey: 'src:sha256:aa' });
      expect(first.map((r) => r.status)).toEqual(['stored', 'stored']);
      // The same signed bytes again, under new (unsigned) ids: nothing is stored.
      const replay = await log.append([incomingEvent(3), incomingEvent(4)], { deliveryKey: 'src:sha256:aa' });
      expect(replay).toEqual([
        { status: 'duplicate', id: 'evt_3' },
        { status: 'duplicate', id: 'evt_4' },
      ]);
      // Another delivery key, or none, is de-duplicated by (source, id) only.
      const other = await log.append([incomingEvent(3), incomingEvent(1)], { deliveryKey: 'src:sha256:bb' });
      expect(other.map((r) => r.status)).toEqual(['stored', 'duplicate']);
      expect((await log.append([incomingEvent(5)]))[0]?.status).toBe('stored');
      expect(ids(await log.read({ limit: 100 }))).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_5']);
    });

    it('lets a subscriber waiting for its next event take a burst larger than the queue limit', async () => {
      const waiting = log.subscribe({});
      const idle = log.subscribe({ filter: { sources: ['nobody'] } });
      const first = waiting.next();
      await appendAll(
        log,
        range(0, 200).map((n) => incomingEvent(n)),
      );
      const rest = await take(waiting, 199);
      expect(ids([(await first).value as { id: string }, ...rest])).toEqual(evtIds(0, 200));
      // One that matches none of the burst is untouched by it.
      await appendAll(log, [incomingEvent(200, { source: 'nobody' })]);
      expect(ids(await take(idle, 1))).toEqual(['evt_200']);
      await waiting.return?.();
      await idle.return?.();
    });

    it('filters by sources, exact types and `prefix.*` types', async () => {
      await appendAll(
        log,
        range(0, 9).map((n) => incomingEvent(n)),
      );
      const stripe = await log.read({ limit: 100, filter: { sources: ['stripe'] } });
      expect(ids(stripe)).toEqual(['evt_0', 'evt_2', 'evt_4', 'evt_6', 'evt_8']);

      const customers = await log.read({ limit: 100, filter: { types: ['customer.*'] } });
      expect(customers.map((e) => e.type)).toEqual(
        range(0, 9)
          .filter((n) => n % 3 !== 2)
          .map((n) => (n % 3 === 0 ? 'customer.created' : 'customer.updated')),
      );

      const exact = await log.read({ limit: 100, filter: { types: ['invoice.paid', 'customer.created'] } });
      expect(ids(exact)).toEqual(
        range(0, 9)
          .filter((n) => n % 3 !== 1)
          .map((n) => `evt_${n}`),
      );

      const both = await log.read({ limit: 100, filter: { sources: ['hubspot'], types: ['customer.*'] } });
      expect(ids(both)).toEqual(['evt_1', 'evt_3', 'evt_7']);

      const prefixIsNotExact = await log.read({ limit: 100, filter: { types: ['customer'] } });
      expect(prefixIsNotExact).toEqual([]);

      const empty = await log.read({ limit: 100, filter: { sources: [], types: [] } });
      expect(empty).toHaveLength(9);
    });

    it('reads after a cursor, at most `limit` matching events', async () => {
      const stored = await appendAll(
        log,
        range(0, 10).map((n) => incomingEvent(n)),
      );
      const cursor = (i: number) => stored[i]?.cursor ?? '';

      expect(ids(await log.read({ after: cursor(2), limit: 3 }))).toEqual(['evt_3', 'evt_4', 'evt_5']);
      expect(ids(await log.read({ limit: 2 }))).toEqual(['evt_0', 'evt_1']);
      expect(ids(await log.read({ after: cursor(2), limit: 2, filter: { sources: ['stripe'] } }))).toEqual([
        'evt_4',
        'evt_6',
      ]);
      expect(await log.read({ after: cursor(9), limit: 10 })).toEqual([]);
      expect(await log.read({ after: null, limit: 0 })).toEqual([]);
    });

    it('streams live events appended after subscribe(), in order, and none from before', async () => {
      await appendAll(log, [incomingEvent(0), incomingEvent(1)]);
      const subscription = log.subscribe({});
      const pending = take(subscription, 3);
      await appendAll(log, [incomingEvent(2)]);
      await appendAll(log, [incomingEvent(3), incomingEvent(4)]);
      const received = await pending;
      expect(ids(received)).toEqual(['evt_2', 'evt_3', 'evt_4']);
      expect(received).toEqual(
        await log.read({ after: (await log.read({ limit: 2 }))[1]?.cursor, limit: 10 }),
      );
      await subscription.return?.();
    });

    it('queues live events for a subscriber that is not waiting yet', async () => {
      const subscription = log.subscribe({});
      await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
      expect(ids(await take(subscription, 2))).toEqual(['evt_1', 'evt_2']);
      await subscription.return?.();
    });

    it('applies the filter to live events', async () => {
      const subscription = log.subscribe({ filter: { sources: ['stripe'], types: ['customer.*'] } });
      await appendAll(
        log,
        range(0, 12).map((n) => incomingEvent(n)),
      );
      expect(ids(await take(subscription, 4))).toEqual(['evt_0', 'evt_4', 'evt_6', 'evt_10']);
      expect(await nextOrPending(subscription)).toBe('pending');
      await subscription.return?.();
    });

    it('with `after`, replays then goes live with no gap and no duplicate while appends race the replay', async () => {
      const stored = await appendAll(
        log,
        range(0, 20).map((n) => incomingEvent(n)),
      );
      const after = stored[4]?.cursor ?? '';
      const subscription = log.subscribe({ after });

      // Appends start before the first next() and keep coming while it replays.
      const appends: Promise<unknown>[] = [log.append([incomingEvent(100)])];
      const received: GatewayEvent[] = [];
      let next = 101;
      while (received.length < 15 + 21) {
        const [event] = await take(subscription, 1);
        if (event === undefined) break;
        received.push(event);
        if (next <= 120) appends.push(log.append([incomingEvent(next++)]));
      }
      await Promise.all(appends);

      expect(new Set(ids(received)).size).toBe(received.length);
      expect(new Set(ids(received))).toEqual(new Set([...evtIds(5, 20), ...evtIds(100, 121)]));
      expect(ids(received.slice(0, 15))).toEqual(evtIds(5, 20));
      // Delivered in log order: exactly what a read after the same cursor returns.
      expect(received).toEqual(await log.read({ after, limit: 1_000 }));
      expect(await nextOrPending(subscription)).toBe('pending');
      await subscription.return?.();
    });

    it('with `after`, replays only matching events', async () => {
      const stored = await appendAll(
        log,
        range(0, 10).map((n) => incomingEvent(n)),
      );
      const subscription = log.subscribe({ after: stored[1]?.cursor, filter: { sources: ['hubspot'] } });
      await appendAll(log, [incomingEvent(10), incomingEvent(11)]);
      expect(ids(await take(subscription, 5))).toEqual(['evt_3', 'evt_5', 'evt_7', 'evt_9', 'evt_11']);
      await subscription.return?.();
    });

    it('with `after` the newest cursor, yields only later events', async () => {
      const stored = await appendAll(log, [incomingEvent(0), incomingEvent(1)]);
      const subscription = log.subscribe({ after: stored[1]?.cursor });
      const first = subscription.next();
      expect(await Promise.race([first, delay(50).then(() => 'pending')])).toBe('pending');
      await appendAll(log, [incomingEvent(2)]);
      expect(await withTimeout(first, 2_000, 'no live event')).toMatchObject({ value: { id: 'evt_2' } });
      await subscription.return?.();
    });

    it('head() is a cursor to subscribe from: empty log, then the newest event', async () => {
      const fromStart = log.subscribe({ after: await log.head() });
      const stored = await appendAll(log, [incomingEvent(0), incomingEvent(1)]);
      expect(await log.head()).toBe(stored[1]?.cursor);
      const fromHead = log.subscribe({ after: await log.head() });
      await appendAll(log, [incomingEvent(2)]);
      expect(ids(await take(fromStart, 3))).toEqual(['evt_0', 'evt_1', 'evt_2']);
      expect(ids(await take(fromHead, 1))).toEqual(['evt_2']);
      await fromStart.return?.();
      await fromHead.return?.();
    });

    it('gives each of two subscribers every event exactly once', async () => {
      const one = log.subscribe({});
      const two = log.subscribe({});
      await appendAll(
        log,
        range(0, 5).map((n) => incomingEvent(n)),
      );
      await appendAll(log, [incomingEvent(5)]);
      await log.append([incomingEvent(5)]);
      await appendAll(log, [incomingEvent(6)]);
      expect(ids(await take(one, 7))).toEqual(evtIds(0, 7));
      expect(ids(await take(two, 7))).toEqual(evtIds(0, 7));
      expect(await nextOrPending(one)).toBe('pending');
      expect(await nextOrPending(two)).toBe('pending');
      await one.return?.();
      await two.return?.();
    });

    it('ends iteration on return(), settling a pending next()', async () => {
      const subscription = log.subscribe({});
      const pending = subscription.next();
      expect(await subscription.return?.()).toEqual({ done: true, value: undefined });
      expect(await pending).toEqual({ done: true, value: undefined });
      await appendAll(log, [incomingEvent(1)]);
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
    });

    it('ends a for-await loop that breaks', async () => {
      const subscription = log.subscribe({});
      await appendAll(log, [incomingEvent(1), incomingEvent(2)]);
      const seen: string[] = [];
      for await (const event of subscription) {
        seen.push(event.id);
        break;
      }
      expect(seen).toEqual(['evt_1']);
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
    });

    it('ends iteration when the signal aborts, settling a pending next()', async () => {
      const controller = new AbortController();
      const subscription = log.subscribe({ signal: controller.signal });
      await appendAll(log, [incomingEvent(1)]);
      expect(ids(await take(subscription, 1))).toEqual(['evt_1']);
      const pending = subscription.next();
      controller.abort();
      expect(await withTimeout(pending, 2_000, 'abort did not end the subscription')).toEqual({
        done: true,
        value: undefined,
      });
      await appendAll(log, [incomingEvent(2)]);
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
    });

    it('ends at once for an already aborted signal', async () => {
      await appendAll(log, [incomingEvent(1)]);
      const subscription = log.subscribe({ signal: AbortSignal.abort(), after: null });
      expect(await withTimeout(subscription.next(), 2_000, 'did not end')).toEqual({
        done: true,
        value: undefined,
      });
    });

    it('rejects a cursor it cannot have produced with InvalidCursorError', async () => {
      for (const cursor of ['not-a-cursor', 'abc:def']) {
        const message = `"${cursor}" is not a valid event cursor: pass the cursor of an event this gateway returned.`;
        const read = log.read({ after: cursor, limit: 10 });
        await expect(read).rejects.toThrow(InvalidCursorError);
        await expect(read).rejects.toThrow(message);
        const subscribed = firstOfSubscription(log, cursor);
        await expect(subscribed).rejects.toThrow(InvalidCursorError);
        await expect(subscribed).rejects.toMatchObject({ message, cursor });
      }
    });

    it('ends every subscription on close()', async () => {
      const one = log.subscribe({});
      const two = log.subscribe({ filter: { sources: ['stripe'] } });
      const pending = one.next();
      await log.close();
      expect(await withTimeout(pending, 2_000, 'close did not end')).toEqual({
        done: true,
        value: undefined,
      });
      expect(await withTimeout(two.next(), 2_000, 'close did not end')).toEqual({
        done: true,
        value: undefined,
      });
    });
  });
}
