import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GatewayError } from '../src/errors.ts';
import { createMemoryIdempotencyStore } from '../src/writes/memory-idempotency-store.ts';
import { asWriteError } from '../src/writes/write-errors.ts';
import { createRedisIdempotencyStore } from '../src/writes/redis-idempotency-store.ts';
import { bearer, gql, wsClient } from './helpers/auth.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { redisSkipReason, startRedisServer } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';

const SUPPORT = 'support-only-key-0123456789';
const SUPPORT_WRITE = 'support-write-key-0123456789';
const WRITE_ONLY = 'support-write-only-0123456789';

const CREATE = `mutation ($key: String) {
  createTicket(input: { requesterEmail: "a.b@example.org", subject: "Hi", comment: "Hello" }, idempotencyKey: $key) {
    sourceId subject
  }
}`;

const scope = (key: string) => ({ principal: 'key:1', mutation: 'createTicket', key });

describe('write scopes', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      GATEWAY_API_KEYS: `${SUPPORT}:support;${SUPPORT_WRITE}:support,support:write;${WRITE_ONLY}:support:write`,
    });
  });
  afterAll(() => t.close());
  const fetcher = (url: string, init: RequestInit) => t.gateway.yoga.fetch(url, init);

  it('a key with `support` only gets FORBIDDEN on createTicket, and its reads still work', async () => {
    const refused = await gql(fetcher, 'http://yoga', CREATE, { authorization: bearer(SUPPORT) });
    expect(refused.body.errors?.[0]).toMatchObject({
      message: 'Your credentials may not write to source "zendesk": that needs the "support:write" scope.',
      extensions: { code: 'FORBIDDEN', source: 'zendesk', scope: 'support:write' },
    });
    const read = await gql<{ tickets: { edges: unknown[] } }>(
      fetcher,
      'http://yoga',
      '{ tickets(first: 2) { edges { node { subject } } } }',
      { authorization: bearer(SUPPORT) },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.tickets.edges).toHaveLength(2);
  });

  it('`support:write` may write; without `support` it cannot read the ticket back through other fields', async () => {
    const written = await gql<{ createTicket: { subject: string } }>(fetcher, 'http://yoga', CREATE, {
      authorization: bearer(SUPPORT_WRITE),
    });
    expect(written.body.errors).toBeUndefined();
    expect(written.body.data?.createTicket.subject).toBe('Hi');
    const writeOnly = await gql(fetcher, 'http://yoga', CREATE, { authorization: bearer(WRITE_ONLY) });
    expect(writeOnly.body.errors).toBeUndefined();
    const read = await gql(fetcher, 'http://yoga', '{ tickets(first: 1) { edges { node { subject } } } }', {
      authorization: bearer(WRITE_ONLY),
    });
    expect(read.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'support' });
  });

  it('keys are per principal: the same key of another principal is another request', async () => {
    const variables = { key: 'shared-key-1' };
    const a = await gql<{ createTicket: { sourceId: string } }>(fetcher, 'http://yoga', CREATE, {
      authorization: bearer(SUPPORT_WRITE),
      variables,
    });
    const b = await gql<{ createTicket: { sourceId: string } }>(fetcher, 'http://yoga', CREATE, {
      authorization: bearer(WRITE_ONLY),
      variables,
    });
    expect(a.body.data?.createTicket.sourceId).not.toBe(b.body.data?.createTicket.sourceId);
  });

  it('a mutation over graphql-ws passes the same limits and scopes, and is counted in the operation metrics', async () => {
    const { client, acked } = wsClient(t.url, { authorization: bearer(SUPPORT_WRITE) });
    void acked;
    const result = await new Promise<{ data?: unknown; errors?: unknown }>((resolve, reject) => {
      client.subscribe(
        { query: CREATE, variables: { key: 'ws-key-1' } },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ createTicket: { subject: 'Hi' } });
    await client.dispose();
    const refused = await new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>(
      (resolve) => {
        const other = wsClient(t.url, { authorization: bearer(SUPPORT) }).client;
        other.subscribe(
          { query: CREATE },
          { next: resolve, error: () => undefined, complete: () => void other.dispose() },
        );
      },
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'support:write' });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_graphql_operations_total\{type="mutation"\} [1-9]/);
  });

  it('GraphiQL docs (introspection) list every mutation with its arguments', async () => {
    const result = await gql<{
      __schema: { mutationType: { fields: { name: string; args: { name: string }[] }[] } };
    }>(fetcher, 'http://yoga', '{ __schema { mutationType { fields { name args { name } } } } }', {
      authorization: bearer(SUPPORT),
    });
    const fields = result.body.data?.__schema.mutationType.fields ?? [];
    expect(fields.find((f) => f.name === 'createTicket')?.args.map((a) => a.name)).toEqual([
      'input',
      'idempotencyKey',
    ]);
    expect(fields.map((f) => f.name).sort()).toEqual([
      'cancelBillingSubscription',
      'createCrmNote',
      'createTicket',
      'createWebhookEndpoint',
      'deleteWebhookEndpoint',
      'recoverWebhookEndpoint',
      'retryWebhookDelivery',
      'rotateWebhookEndpointSecret',
      'updateAppUser',
      'updateBillingCustomer',
      'updateCrmContact',
      'updateOrder',
      'updateTicket',
      'updateWebhookEndpoint',
    ]);
    expect(fields.find((f) => f.name === 'updateTicket')?.args.map((a) => a.name)).toEqual([
      'id',
      'input',
      'idempotencyKey',
    ]);
  });
});

describe('asWriteError', () => {
  const context = { title: 'Zendesk', retrySafe: false };
  const unavailable = (cause: unknown, details: Record<string, unknown> = {}) =>
    new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, 'zendesk could not be reached', {
      source: 'zendesk',
      cause,
      details,
    });

  it('a refused connection never sent the write: outcome "not_applied", the error kept', () => {
    const error = asWriteError(
      unavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      context,
    );
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', outcome: 'not_applied' } });
  });

  it('a reset after sending is UPSTREAM_TIMEOUT with outcome "unknown"', () => {
    const error = asWriteError(
      unavailable(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })),
      context,
    );
    expect(error).toMatchObject({
      extensions: { code: 'UPSTREAM_TIMEOUT', source: 'zendesk', outcome: 'unknown' },
    });
  });

  it("a provider's 5xx answer is its own outcome, unchanged", () => {
    const answered = unavailable(undefined, { upstreamStatus: 503 });
    expect(asWriteError(answered, context)).toBe(answered);
    expect((answered.extensions as Record<string, unknown>)['outcome']).toBeUndefined();
  });
});

describe('memory idempotency store', () => {
  it('forgets a result after its time to live, and a failed write frees its key', async () => {
    let now = 0;
    const store = createMemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
    let calls = 0;
    const write = () => Promise.resolve({ n: ++calls });
    const deadline = Date.now() + 1000;
    expect(await store.run(scope('a'), { x: 1 }, write, deadline)).toEqual({
      result: { n: 1 },
      replayed: false,
    });
    expect(await store.run(scope('a'), { x: 1 }, write, deadline)).toEqual({
      result: { n: 1 },
      replayed: true,
    });
    now = 1000;
    expect(await store.run(scope('a'), { x: 1 }, write, deadline)).toEqual({
      result: { n: 2 },
      replayed: false,
    });
    await expect(
      store.run(scope('b'), {}, () => Promise.reject(new Error('boom')), deadline),
    ).rejects.toThrow('boom');
    expect(await store.run(scope('b'), {}, write, deadline)).toEqual({ result: { n: 3 }, replayed: false });
  });

  it('key order of the input does not matter', async () => {
    const store = createMemoryIdempotencyStore();
    const deadline = Date.now() + 1000;
    await store.run(scope('c'), { a: 1, b: { c: 2, d: 3 } }, () => Promise.resolve(1), deadline);
    const again = await store.run(
      scope('c'),
      { b: { d: 3, c: 2 }, a: 1 },
      () => Promise.resolve(2),
      deadline,
    );
    expect(again).toEqual({ result: 1, replayed: true });
  });

  it('a repeat waiting past its deadline gets UPSTREAM_TIMEOUT with outcome unknown', async () => {
    const store = createMemoryIdempotencyStore();
    const slow = new Promise<number>((resolve) => setTimeout(() => resolve(1), 300));
    const first = store.run(scope('d'), {}, () => slow, Date.now() + 1000);
    await expect(store.run(scope('d'), {}, () => Promise.resolve(2), Date.now() + 50)).rejects.toMatchObject({
      message:
        'The first createTicket with idempotency key "d" is still in progress, so its outcome is unknown yet. Retry with the same idempotency key to get its result; it will not be written twice.',
      extensions: { code: 'UPSTREAM_TIMEOUT', outcome: 'unknown' },
    });
    await first;
  });
});

describe.skipIf(redisSkipReason !== null)('idempotency across two instances on Redis', () => {
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    redis = await startRedisServer();
    a = await startTestGateway({ REDIS_URL: redis.url });
    b = await startTestGateway({ REDIS_URL: redis.url });
  }, 30_000);
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await redis.close();
  });
  const creates = (t: TestGateway) =>
    t.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox?.counters()['POST /api/v2/tickets.json'] ??
    0;

  it('the same key on two instances, one after the other and at once, opens one ticket', async () => {
    const first = await a.graphql<{ createTicket: { sourceId: string } }>(CREATE, { key: 'redis-key-1' });
    const second = await b.graphql<{ createTicket: { sourceId: string } }>(CREATE, { key: 'redis-key-1' });
    expect(second.data?.createTicket).toEqual(first.data?.createTicket);
    expect(creates(a) + creates(b)).toBe(1);

    const zendeskA = a.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
    const zendeskB = b.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
    zendeskA?.faults.inject({ endpoint: 'POST /api/v2/tickets.json', delayMs: 200, times: 10 });
    zendeskB?.faults.inject({ endpoint: 'POST /api/v2/tickets.json', delayMs: 200, times: 10 });
    const results = await Promise.all(
      [a, b, a, b, a, b].map((t) =>
        t.graphql<{ createTicket: { sourceId: string } }>(CREATE, { key: 'redis-key-2' }),
      ),
    );
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data?.createTicket.sourceId)).size).toBe(1);
    expect(creates(a) + creates(b)).toBe(2);
  });

  it('a key reused with other input is refused on the other instance too', async () => {
    await a.graphql(CREATE, { key: 'redis-key-3' });
    const other = await b.graphql(CREATE.replace('"Hi"', '"Other"'), { key: 'redis-key-3' });
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.subject', message: 'differs from the first request with this key' }],
    });
  });

  it('with Redis down, a keyed write is refused before anything is sent', async () => {
    const store = createRedisIdempotencyStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    let called = false;
    await expect(
      store.run(scope('e'), {}, () => Promise.resolve((called = true)), Date.now() + 1000),
    ).rejects.toMatchObject({ extensions: { code: 'EVENT_LOG_UNAVAILABLE' } });
    expect(called).toBe(false);
    await store.close();
  });
});
