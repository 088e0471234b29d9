import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestGateway, stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id cursor source type }
}`;

interface Received {
  events: { id: string; cursor: string; source: string; type: string };
}

let t: TestGateway;
let seq = 0;
const nextEvent = () =>
  stripeCustomerEvent(
    `evt_shared_${++seq}_${Date.now()}`,
    'customer.updated',
    stripeCustomer('cus_SharedTest0001', `s${seq}@example.com`, 'Shared Test'),
  );
const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;

const hub = () => t.gateway.http.subscriptions.stats();
const logSubscribers = () => (t.gateway.events as unknown as { subscriberCount(): number }).subscriberCount();

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(hub())}`);
}

async function post(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = nextEvent();
    expect((await t.postStripe(body)).status).toBe(200);
    ids.push(idOf(body));
  }
  return ids;
}

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('shared graphql-ws subscriptions', () => {
  it('runs ONE execution for 50 clients with the same document, each receiving every event once, in order', async () => {
    const before = hub();
    expect(before.groups).toBe(0);
    const subs = Array.from({ length: 50 }, () =>
      collect<Received>(t.ws(), EVENTS, { filter: { sources: ['stripe'] } }, 3),
    );
    await until('50 members', () => hub().members === 50);
    expect(hub()).toEqual({ groups: 1, members: 50, executions: before.executions + 1 });
    // One execution means one subscription on the event log, not 50.
    expect(logSubscribers()).toBe(1);

    const sent = await post(3);
    for (const results of await Promise.all(subs.map((s) => s.done))) {
      expect(results.map((r) => r.events.id)).toEqual(sent);
      expect(results.every((r) => r.events.source === 'stripe')).toBe(true);
    }
    // `collect` unsubscribes after its 3 results: the last leaving ends the execution.
    await until('no group', () => hub().groups === 0);
    await until('no log subscriber', () => logSubscribers() === 0);
    expect(hub()).toEqual({ groups: 0, members: 0, executions: before.executions + 1 });
  });

  it('gives members with different variables their own group', async () => {
    const before = hub().executions;
    const a = [1, 2].map(() => collect<Received>(t.ws(), EVENTS, { filter: { sources: ['stripe'] } }, 1));
    // Same variables with keys in another order: the same group.
    const b = [
      collect<Received>(t.ws(), EVENTS, { filter: { types: ['customer.*'], sources: ['stripe'] } }, 1),
      collect<Received>(t.ws(), EVENTS, { filter: { sources: ['stripe'], types: ['customer.*'] } }, 1),
    ];
    await until('4 members', () => hub().members === 4);
    expect(hub()).toEqual({ groups: 2, members: 4, executions: before + 2 });
    const [sent] = await post(1);
    for (const results of await Promise.all([...a, ...b].map((s) => s.done))) {
      expect(results.map((r) => r.events.id)).toEqual([sent]);
    }
    await until('no group', () => hub().groups === 0);
  });

  it('keeps the others going when one member unsubscribes, and ends the execution with the last', async () => {
    const staying = [1, 2].map(() => collect<Received>(t.ws(), EVENTS, {}, 2));
    const leaving = collect<Received>(t.ws(), EVENTS, {}, 2);
    leaving.done.catch(() => {});
    await until('3 members', () => hub().members === 3);
    leaving.cancel();
    await until('2 members', () => hub().members === 2);
    expect(hub().groups).toBe(1);
    const sent = await post(2);
    for (const results of await Promise.all(staying.map((s) => s.done))) {
      expect(results.map((r) => r.events.id)).toEqual(sent);
    }
    await until('no group', () => hub().groups === 0);
    await until('no log subscriber', () => logSubscribers() === 0);
  });

  it('returns a validation error to that subscriber only', async () => {
    const good = collect<Received>(t.ws(), EVENTS, {}, 1);
    await until('1 member', () => hub().members === 1);
    const errors = await new Promise<unknown>((resolve) => {
      t.ws().subscribe(
        { query: 'subscription { events { nope } }' },
        {
          next: () => resolve('unexpected next'),
          error: resolve,
          complete: () => resolve('unexpected complete'),
        },
      );
    });
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/Cannot query field "nope" on type "Event"/) as unknown,
      }),
    ]);
    // Again, from the document cache: the same answer.
    const again = await new Promise<unknown>((resolve) => {
      t.ws().subscribe(
        { query: 'subscription { events { nope } }' },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      );
    });
    expect(again).toEqual(errors);
    expect(hub().members).toBe(1);
    const [sent] = await post(1);
    expect((await good.done).map((r) => r.events.id)).toEqual([sent]);
  });

  it('runs queries over graphql-ws as before, outside the hub', async () => {
    const result = await new Promise<unknown>((resolve, reject) => {
      t.ws().subscribe(
        { query: '{ latestEventCursor }' },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(result).toMatchObject({ data: { latestEventCursor: expect.any(String) as unknown } });
    expect(hub().groups).toBe(0);
  });

  it('replays from `after` to a late subscriber with the same cursor: it does not join a group mid-stream', async () => {
    const cursor = (await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }')).data
      ?.latestEventCursor;
    const ids = (received: Received[]) => received.map((r) => r.events.id);
    const firstSeen: Received[] = [];
    const first = t
      .ws()
      .subscribe<Received>(
        { query: EVENTS, variables: { after: cursor } },
        { next: (v) => firstSeen.push(v.data as Received), error: () => {}, complete: () => {} },
      );
    const sent = await post(2);
    await until('the first subscriber to see 2 events', () => firstSeen.length === 2);
    // Its group has delivered: a late subscriber with the same cursor starts its own replay.
    const late = collect<Received>(t.ws(), EVENTS, { after: cursor }, 3);
    await until('2 groups', () => hub().groups === 2);
    sent.push(...(await post(1)));
    expect(ids(await late.done)).toEqual(sent);
    await until('the first subscriber to see 3 events', () => firstSeen.length === 3);
    expect(ids(firstSeen)).toEqual(sent);
    first();
    await until('no group', () => hub().groups === 0);
  });

  it('shares a heartbeat only between subscribers that start together, and reports its errors to each', async () => {
    const bad = await new Promise<unknown>((resolve) => {
      t.ws().subscribe(
        { query: 'subscription { heartbeat(intervalMs: 5) { tick } }' },
        { next: () => {}, error: resolve, complete: () => resolve('complete') },
      );
    });
    expect(JSON.stringify(bad)).toMatch(/must be between 100 and 60000/);
    const ticks = await collect<{ heartbeat: { tick: number } }>(
      t.ws(),
      'subscription { heartbeat(intervalMs: 100) { tick } }',
      {},
      2,
    ).done;
    expect(ticks.map((r) => r.heartbeat.tick)).toEqual([1, 2]);
  });
});
