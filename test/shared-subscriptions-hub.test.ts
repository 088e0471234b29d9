import { GraphQLError, parse } from 'graphql';
import type { ExecutionResult, OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/schema.ts';
import { SharedSubscriptions, groupKey, isLiveFeed, serializeResult } from '../src/subscriptions/shared.ts';
import type { JoinOptions, MemberSink } from '../src/subscriptions/shared.ts';

/** An execution's result stream, fed by the test. */
function source() {
  const items: ExecutionResult[] = [];
  let pending: ((step: IteratorResult<ExecutionResult>) => void) | null = null;
  let failWith: ((error: Error) => void) | null = null;
  const state = { returned: 0, signal: null as AbortSignal | null };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next() {
      const item = items.shift();
      if (item) return Promise.resolve({ done: false, value: item });
      return new Promise((resolve, reject) => {
        pending = resolve;
        failWith = reject;
      });
    },
    return() {
      state.returned++;
      pending?.({ done: true, value: undefined });
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return {
    state,
    start: (signal: AbortSignal) => {
      state.signal = signal;
      return Promise.resolve(iterator);
    },
    push(cursor: string) {
      const value: ExecutionResult = { data: { events: { cursor } } };
      if (pending) {
        const resolve = pending;
        pending = null;
        resolve({ done: false, value });
      } else items.push(value);
    },
    end() {
      pending?.({ done: true, value: undefined });
    },
    fail(error: Error) {
      failWith?.(error);
    },
  };
}

/** A socket: `held` ones never finish writing until `flush()`. */
function sink(held = false) {
  const texts: string[] = [];
  const waiting: (() => void)[] = [];
  const target: MemberSink = {
    send(text, done) {
      texts.push(text);
      if (held) waiting.push(() => done());
      else queueMicrotask(() => done());
    },
  };
  return {
    target,
    texts,
    messages: () => texts.map((t) => JSON.parse(t) as { id: string; type: string; payload: ExecutionResult }),
    flush() {
      held = false;
      for (const done of waiting.splice(0)) done();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function join(
  hub: SharedSubscriptions,
  feed: ReturnType<typeof source>,
  id: string,
  to: MemberSink,
  more: Partial<JoinOptions> = {},
) {
  const options: JoinOptions = {
    key: 'k',
    id,
    sink: to,
    start: feed.start,
    joinableMidStream: true,
    rootField: 'events',
    ...more,
  };
  return hub.join(options);
}

describe('SharedSubscriptions hub', () => {
  it('ends a member whose queue overflows with SUBSCRIPTION_LAGGING, the others going on', async () => {
    const hub = new SharedSubscriptions({ maxQueue: 3, maxQueueWaitMs: 0 });
    const feed = source();
    const slow = sink(true);
    const fast = sink();
    const slowMember = join(hub, feed, 'slow', slow.target);
    const fastMember = join(hub, feed, 'fast', fast.target);
    let slowEnded = false;
    void slowMember.next().then((step) => (slowEnded = step.done === true));
    await tick();
    expect(hub.stats()).toEqual({ groups: 1, members: 2, executions: 1 });

    for (let i = 1; i <= 6; i++) {
      feed.push(`c${i}`);
      await tick();
    }
    // Event 1 is being written, 2-4 fill the queue, 5 overflows it: the slow member is out.
    expect(hub.stats().members).toBe(1);
    expect(slowEnded).toBe(false);
    slow.flush();
    await tick();
    expect(slowEnded).toBe(true);
    const slowMessages = slow.messages();
    expect(slowMessages.map((m) => m.id)).toEqual(['slow', 'slow']);
    expect(slowMessages[0]?.payload).toEqual({ data: { events: { cursor: 'c1' } } });
    expect(slowMessages[1]).toEqual({
      id: 'slow',
      type: 'next',
      payload: {
        data: null,
        errors: [
          {
            message: expect.stringMatching(/fell more than 3 events behind/) as unknown,
            path: ['events'],
            extensions: { code: 'SUBSCRIPTION_LAGGING', resumeCursor: 'c1' },
          },
        ],
      },
    });
    expect(fast.messages().map((m) => m.payload)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => ({ data: { events: { cursor: `c${i}` } } })),
    );
    expect(feed.state.returned).toBe(0);

    await fastMember.return(undefined);
    expect(hub.stats()).toEqual({ groups: 0, members: 0, executions: 1 });
    expect(feed.state.returned).toBe(1);
    expect(feed.state.signal?.aborted).toBe(true);
  });

  it('serializes each result once, shared by every member, framed with each id', async () => {
    const hub = new SharedSubscriptions();
    const feed = source();
    const sinks = [sink(), sink(), sink()];
    const members = sinks.map((s, i) => join(hub, feed, `id-${i}`, s.target));
    await tick();
    feed.push('c1');
    await tick();
    expect(sinks.map((s) => s.texts)).toEqual(
      [0, 1, 2].map((i) => [`{"id":"id-${i}","type":"next","payload":{"data":{"events":{"cursor":"c1"}}}}`]),
    );
    for (const member of members) await member.return(undefined);
    expect(feed.state.returned).toBe(1);
  });

  it('keeps the execution for the remaining members when one leaves', async () => {
    const hub = new SharedSubscriptions();
    const feed = source();
    const a = sink();
    const b = sink();
    const leaving = join(hub, feed, 'a', a.target);
    const staying = join(hub, feed, 'b', b.target);
    await tick();
    await leaving.return(undefined);
    feed.push('c1');
    await tick();
    expect(a.texts).toEqual([]);
    expect(b.messages().map((m) => m.payload)).toEqual([{ data: { events: { cursor: 'c1' } } }]);
    expect(feed.state.returned).toBe(0);
    await staying.return(undefined);
    expect(feed.state.returned).toBe(1);
  });

  it('completes every member when the execution ends, and fails them when it fails, after what was queued', async () => {
    const hub = new SharedSubscriptions();
    const feed = source();
    const s = sink(true);
    const member = join(hub, feed, 'a', s.target);
    await tick();
    feed.push('c1');
    await tick();
    feed.push('c2');
    await tick();
    feed.fail(new Error('log went away'));
    await tick();
    expect(hub.stats().groups).toBe(0);
    const outcome = member.next().then(
      () => 'done',
      (error: unknown) => (error as Error).message,
    );
    s.flush();
    await tick();
    s.flush();
    expect(await outcome).toBe('log went away');
    expect(s.messages().map((m) => m.payload)).toEqual([
      { data: { events: { cursor: 'c1' } } },
      { data: { events: { cursor: 'c2' } } },
    ]);

    const other = source();
    const t = sink();
    const done = join(hub, other, 'b', t.target);
    await tick();
    other.end();
    expect(await done.next()).toEqual({ done: true, value: undefined });
  });

  it('sends a single result (the subscribe resolver failed) once, then completes', async () => {
    const hub = new SharedSubscriptions();
    const s = sink();
    const result: ExecutionResult = {
      errors: [new GraphQLError('bad', { extensions: { code: 'BAD_USER_INPUT' } })],
    };
    const member = hub.join({
      key: 'x',
      id: '1',
      sink: s.target,
      start: () => Promise.resolve(result),
      joinableMidStream: true,
      rootField: 'events',
    });
    expect(await member.next()).toEqual({ done: true, value: undefined });
    expect(s.messages()).toEqual([
      {
        id: '1',
        type: 'next',
        payload: { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] },
      },
    ]);
    expect(hub.stats().groups).toBe(0);
  });

  it('writes a result to a large group a slice at a time, letting other work run in between, each member once and in order', async () => {
    const hub = new SharedSubscriptions({ sliceSize: 4 });
    const feed = source();
    const sinks = Array.from({ length: 10 }, () => sink());
    const members = sinks.map((s, i) => join(hub, feed, `m${i}`, s.target));
    await tick();
    feed.push('c1');
    feed.push('c2');
    // A group larger than a slice lets the event loop run before each slice: nothing is written in
    // the microtasks that follow the result, then one slice per turn.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(sinks.map((s) => s.texts.length)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sinks.map((s) => s.texts.length)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    // A member joining mid-broadcast starts with the next result.
    const late = sink();
    const lateMember = join(hub, feed, 'late', late.target);
    for (let i = 0; i < 10; i++) await tick();
    for (const s of sinks) {
      expect(s.messages().map((m) => m.payload)).toEqual([
        { data: { events: { cursor: 'c1' } } },
        { data: { events: { cursor: 'c2' } } },
      ]);
    }
    expect(late.messages().map((m) => m.payload)).toEqual([{ data: { events: { cursor: 'c2' } } }]);
    for (const member of [...members, lateMember]) await member.return(undefined);
    expect(feed.state.returned).toBe(1);
  });

  it('does not end a member handed a burst larger than maxQueue while its socket drains it', async () => {
    const hub = new SharedSubscriptions({ maxQueue: 10 });
    const feed = source();
    const texts: string[] = [];
    // Writes complete on a later turn, as a socket's do: the whole burst is queued before the first one.
    const socket: MemberSink = {
      send(text, done) {
        texts.push(text);
        setImmediate(done);
      },
    };
    const member = join(hub, feed, 'idle', socket);
    await tick();
    for (let i = 1; i <= 150; i++) feed.push(`c${i}`);
    for (let i = 0; i < 100 && texts.length < 150; i++) await tick();
    expect(texts).toHaveLength(150);
    expect(texts.some((t) => t.includes('SUBSCRIPTION_LAGGING'))).toBe(false);
    expect(hub.stats().members).toBe(1);
    await member.return(undefined);
  });

  it('ends a member whose socket does not drain once more than maxQueue waited maxQueueWaitMs', async () => {
    let now = 0;
    const hub = new SharedSubscriptions({ maxQueue: 3, maxQueueWaitMs: 1000, now: () => now });
    const feed = source();
    const stuck = sink(true);
    join(hub, feed, 'stuck', stuck.target);
    await tick();
    for (let i = 1; i <= 6; i++) {
      feed.push(`c${i}`);
      await tick();
    }
    expect(hub.stats().members).toBe(1);
    now = 999;
    feed.push('c7');
    await tick();
    expect(hub.stats().members).toBe(1);
    now = 1000;
    feed.push('c8');
    await tick();
    expect(hub.stats().members).toBe(0);
    stuck.flush();
    await tick();
    expect(stuck.messages().at(-1)?.payload.errors?.[0]).toMatchObject({
      message:
        'This subscriber fell more than 3 events behind the live stream and did not catch up within 1000 ms, so it was ended: resubscribe with `after` set to extensions.resumeCursor.',
      extensions: { code: 'SUBSCRIPTION_LAGGING', resumeCursor: 'c1' },
    });
  });

  it('ends a member at once past hardMaxQueue, however recent its queue', async () => {
    const hub = new SharedSubscriptions({ maxQueue: 3, hardMaxQueue: 5, now: () => 0 });
    const feed = source();
    const stuck = sink(true);
    join(hub, feed, 'stuck', stuck.target);
    await tick();
    for (let i = 1; i <= 6; i++) feed.push(`c${i}`);
    await tick();
    expect(hub.stats().members).toBe(1);
    feed.push('c7');
    await tick();
    expect(hub.stats().members).toBe(0);
  });

  it('calls onEnd once a member ended on its own is written out, never when it left', async () => {
    const hub = new SharedSubscriptions({ maxQueue: 1, maxQueueWaitMs: 0 });
    const feed = source();
    const ends: Record<string, (Error | null)[]> = { done: [], lagging: [], leaving: [] };
    const onEnd = (id: string) => ({ onEnd: (error: Error | null) => ends[id]?.push(error) });
    const slow = sink(true);
    join(hub, feed, 'done', sink().target, onEnd('done'));
    join(hub, feed, 'lagging', slow.target, onEnd('lagging'));
    const leaving = join(hub, feed, 'leaving', sink().target, onEnd('leaving'));
    await tick();
    await leaving.return(undefined);
    for (const cursor of ['c1', 'c2', 'c3']) {
      feed.push(cursor);
      await tick();
    }
    // Ended as lagging, but its last message is still being written: not yet.
    expect(ends['lagging']).toEqual([]);
    slow.flush();
    await tick();
    slow.flush();
    await tick();
    expect(ends['lagging']).toEqual([null]);
    feed.fail(new Error('log went away'));
    await tick();
    expect(ends).toEqual({ done: [new Error('log went away')], lagging: [null], leaving: [] });
  });

  it('does not let a member join a replaying group once it has delivered', async () => {
    const hub = new SharedSubscriptions();
    const feed = source();
    const options = (id: string, to: MemberSink): JoinOptions => ({
      key: 'replay',
      id,
      sink: to,
      start: feed.start,
      joinableMidStream: false,
      rootField: 'events',
    });
    const early = [hub.join(options('1', sink().target)), hub.join(options('2', sink().target))];
    await tick();
    expect(hub.stats()).toEqual({ groups: 1, members: 2, executions: 1 });
    feed.push('c1');
    await tick();
    const late = hub.join(options('3', sink().target));
    expect(hub.stats()).toMatchObject({ groups: 2, executions: 2 });
    for (const member of [...early, late]) await member.return(undefined);
    expect(hub.stats().groups).toBe(0);
  });
});

describe('group keys and live feeds', () => {
  const schema = buildSchema([]);
  const operation = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;

  it('keys by query, operation name and canonical variables', () => {
    expect(groupKey('q', null, { a: 1, b: { d: [1, { f: 1, e: 2 }], c: 3 } })).toBe(
      groupKey('q', undefined, { b: { c: 3, d: [1, { e: 2, f: 1 }] }, a: 1 }),
    );
    expect(groupKey('q', null, {})).toBe(groupKey('q', null, null));
    expect(groupKey('q', 'A', {})).not.toBe(groupKey('q', null, {}));
    expect(groupKey('q', null, { a: 1 })).not.toBe(groupKey('q', null, { a: 2 }));
  });

  it('treats only event feeds without a cursor as live', () => {
    const live = (query: string, variables: Record<string, unknown> = {}) =>
      isLiveFeed(schema, operation(query), variables);
    expect(live('subscription { events { id } }')).toBe(true);
    expect(live('subscription { events(after: null) { id } }')).toBe(true);
    expect(live('subscription ($a: String) { events(after: $a) { id } }')).toBe(true);
    expect(live('subscription ($a: String) { events(after: $a) { id } }', { a: null })).toBe(true);
    expect(live('subscription ($a: String) { events(after: $a) { id } }', { a: 'x' })).toBe(false);
    expect(live('subscription ($a: String = "x") { events(after: $a) { id } }')).toBe(false);
    expect(live('subscription { events(after: "x") { id } }')).toBe(false);
    expect(live('subscription { heartbeat { tick } }')).toBe(false);
  });

  it('answers an error result for a value too deep to serialize, and keys deep variables apart', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(JSON.parse(serializeResult({ data: { events: { data: deep } } }))).toEqual({
      data: null,
      errors: [
        {
          message: 'This result could not be serialized, so it was not sent; the subscription goes on.',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ],
    });
    const key = groupKey('subscription { events { id } }', null, { filter: deep });
    expect(key).not.toBe(groupKey('subscription { events { id } }', null, { filter: deep }));
  });

  it('serializes a result as graphql-ws does', () => {
    const error = new GraphQLError('boom', { path: ['events'] });
    expect(serializeResult({ errors: [error], data: null })).toBe(
      JSON.stringify({ data: null, errors: [error.toJSON()] }),
    );
  });
});
