import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, NO_RESPONSE_CACHE, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import { GatewayError } from '../../src/errors.ts';
import { toGlobalId } from '../../src/node-id.ts';
import { createUpstream } from '../../src/upstream/create-upstream.ts';
import { createAppClient } from './client.ts';
import type { RunningAppSandbox } from './sandbox/index.ts';
import { newMessageId } from './sandbox/index.ts';

let t: TestGateway;
let app: RunningAppSandbox;

beforeAll(async () => {
  t = await startTestGateway(NO_RESPONSE_CACHE);
  const found = t.gateway.sources.find((s) => s.name === 'app')?.sandbox;
  if (!found) throw new Error('the app sandbox did not start');
  app = found as RunningAppSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  app.faults.clear();
  app.resetCounters();
});

interface User {
  id: string;
  sourceId: string;
  email: string;
  name: string;
  plan: string;
  deletedAt: string | null;
}
interface UsersPage {
  appUsers: {
    edges: { cursor: string; node: User }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const USERS = `query ($first: Int, $after: String) {
  appUsers(first: $first, after: $after) {
    edges { cursor node { id sourceId email name plan deletedAt } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

async function users(first: number, after?: string | null): Promise<UsersPage['appUsers']> {
  const result = await t.graphql<UsersPage>(USERS, { first, after });
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error('no data');
  return result.data.appUsers;
}

/** Every active user's email, straight from the emulator's store. */
function activeEmails(): string[] {
  return [...app.store.byId.values()].filter((u) => u.deleted_at === undefined).map((u) => u.email);
}

const byEmailQuery = (count: number) =>
  `query (${Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(', ')}) {\n` +
  Array.from(
    { length: count },
    (_, i) => `  u${i}: appUserByEmail(email: $e${i}) { id sourceId email }`,
  ).join('\n') +
  '\n}';

describe('app queries against the product API emulator', () => {
  it('batches: 100 users looked up by email in one request cost one batch call', async () => {
    const emails = activeEmails().slice(0, 100);
    const variables = Object.fromEntries(emails.map((e, i) => [`e${i}`, i % 2 === 0 ? e.toUpperCase() : e]));
    const result = await t.graphql<Record<string, { id: string; sourceId: string; email: string } | null>>(
      byEmailQuery(100),
      variables,
    );
    expect(result.errors).toBeUndefined();
    const found = Object.values(result.data ?? {});
    expect(found).toHaveLength(100);
    found.forEach((user, i) => {
      expect(user?.email).toBe(emails[i]);
      expect(user?.sourceId).toBe(app.store.activeByEmail(emails[i] ?? '')?.user_id);
      expect(user?.id).toBe(toGlobalId('AppUser', user?.sourceId ?? ''));
    });
    expect(app.counters()).toEqual({ 'POST /v1/users/batch': Math.ceil(100 / 100) });
  });

  it('batches 150 emails in ceil(150/100) calls, and answers null for nobody', async () => {
    const emails = [...activeEmails().slice(0, 149), 'nobody@nowhere.example'];
    const variables = Object.fromEntries(emails.map((e, i) => [`e${i}`, e]));
    const result = await t.graphql<Record<string, { email: string } | null>>(byEmailQuery(150), variables);
    expect(result.errors).toBeUndefined();
    expect(Object.values(result.data ?? {}).filter((u) => u === null)).toHaveLength(1);
    expect(result.data?.['u149']).toBeNull();
    expect(app.counters()).toEqual({ 'POST /v1/users/batch': 2 });
  });

  it('never asks twice for the same user within a request', async () => {
    const sample = (await users(3)).edges.map((e) => e.node);
    app.resetCounters();
    const [x, y, z] = sample;
    const result = await t.graphql<Record<string, { id: string } | null>>(
      `query ($x: ID!, $y: ID!, $e: String!, $E: String!) {
        a: appUser(id: $x) { id } b: appUser(id: $x) { id } c: appUser(id: $y) { id }
        d: appUserByEmail(email: $e) { id } e: appUserByEmail(email: $E) { id }
      }`,
      { x: x?.id, y: y?.id, e: z?.email, E: z?.email.toUpperCase() },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      a: { id: x?.id },
      b: { id: x?.id },
      c: { id: y?.id },
      d: { id: z?.id },
      e: { id: z?.id },
    });
    // Two distinct ids in one batch; one distinct email, alone, through the list's email filter.
    expect(app.counters()).toEqual({ 'POST /v1/users/batch': 1, 'GET /v1/users': 1 });
  });

  it('pages with opaque cursors, with no overlap, resuming mid-page too', async () => {
    const first = await users(30);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await users(30, first.pageInfo.endCursor);
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const both = await users(60);
    expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(both.edges.map((e) => e.node.id));
    expect(app.counters()).toEqual({ 'GET /v1/users': 3 });

    // From the cursor of the 10th edge: the 11th to 15th users, in one call.
    app.resetCounters();
    const mid = await users(5, both.edges[9]?.cursor);
    expect(mid.edges.map((e) => e.node.id)).toEqual(both.edges.slice(10, 15).map((e) => e.node.id));
    expect(app.counters()).toEqual({ 'GET /v1/users': 1 });
    const rest = await users(5, mid.pageInfo.endCursor);
    expect(rest.edges.map((e) => e.node.id)).toEqual(both.edges.slice(15, 20).map((e) => e.node.id));
  });

  it('walks the whole list to its end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: UsersPage['appUsers'] = await users(100, after);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(activeEmails().length);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('finds a user by id or email, keeps deleted users by id only, and gives null for unknown ones', async () => {
    const [edge] = (await users(1)).edges;
    const deleted = [...app.store.byId.values()].find((u) => u.deleted_at !== undefined);
    const result = await t.graphql(
      `query ($id: ID!, $email: String!, $gone: ID!, $goneEmail: String!) {
        byId: appUser(id: $id) {
          id sourceId email firstName lastName name company plan createdAt updatedAt deletedAt
        }
        byEmail: appUserByEmail(email: $email) { id sourceId }
        gone: appUser(id: $gone) { id sourceId deletedAt }
        goneByEmail: appUserByEmail(email: $goneEmail) { id }
        missing: appUser(id: "usr_000000000") { id }
      }`,
      {
        id: edge?.node.id,
        email: `  ${edge?.node.email.toUpperCase() ?? ''} `,
        gone: deleted?.user_id,
        goneEmail: deleted?.email,
      },
    );
    expect(result.errors).toBeUndefined();
    const stored = app.store.get(edge?.node.sourceId ?? '');
    expect(stored).toBeDefined();
    expect(deleted).toBeDefined();
    expect(result.data).toEqual({
      byId: {
        id: toGlobalId('AppUser', stored?.user_id ?? ''),
        sourceId: stored?.user_id,
        email: stored?.email,
        firstName: stored?.first_name,
        lastName: stored?.last_name,
        name: `${stored?.first_name ?? ''} ${stored?.last_name ?? ''}`,
        company: stored?.company,
        plan: stored?.plan.toUpperCase(),
        createdAt: new Date(stored?.created_at ?? '').toISOString(),
        updatedAt: new Date(stored?.updated_at ?? '').toISOString(),
        deletedAt: null,
      },
      byEmail: { id: toGlobalId('AppUser', stored?.user_id ?? ''), sourceId: stored?.user_id },
      gone: {
        id: toGlobalId('AppUser', deleted?.user_id ?? ''),
        sourceId: deleted?.user_id,
        deletedAt: new Date(deleted?.deleted_at ?? '').toISOString(),
      },
      goneByEmail: null,
      missing: null,
    });
  });

  it('answers a lone id with GET /v1/users/{id}, 404 being null', async () => {
    const result = await t.graphql('{ appUser(id: "usr_000000000") { id } }');
    expect(result).toEqual({ data: { appUser: null } });
    expect(app.counters()).toEqual({ 'GET /v1/users/:id': 1 });
  });

  it('refuses a bad cursor and a bad page size with BAD_USER_INPUT, calling nothing', async () => {
    const badCursor = await t.graphql(USERS, { first: 5, after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]).toMatchObject({
      message:
        'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const forged = Buffer.from('appUser:["x",500]').toString('base64url');
    expect((await t.graphql(USERS, { first: 5, after: forged })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const tooMany = await t.graphql(USERS, { first: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({
      message: 'Argument "first" must be between 1 and 100; got 101.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(app.counters()).toEqual({});
  });

  it('refetches a user through node(id), and takes either id form in appUser', async () => {
    const [listed] = (await users(2)).edges.map((e) => e.node);
    if (listed === undefined) throw new Error('no user');
    expect(listed.sourceId).toMatch(/^usr_/);
    expect(listed.id).toBe(toGlobalId('AppUser', listed.sourceId));
    app.resetCounters();

    const node = await t.graphql(
      `query ($id: ID!) { node(id: $id) { __typename id
        ... on AppUser { sourceId email name plan deletedAt } } }`,
      { id: listed.id },
    );
    expect(node).toEqual({ data: { node: { __typename: 'AppUser', ...listed } } });
    expect(app.counters()).toEqual({ 'GET /v1/users/:id': 1 });

    app.resetCounters();
    const forms = await t.graphql(
      `query ($global: ID!, $source: ID!) {
        byGlobal: appUser(id: $global) { id sourceId email }
        bySource: appUser(id: $source) { id sourceId email }
        node(id: $global) { id }
      }`,
      { global: listed.id, source: listed.sourceId },
    );
    const user = { id: listed.id, sourceId: listed.sourceId, email: listed.email };
    expect(forms).toEqual({ data: { byGlobal: user, bySource: user, node: { id: listed.id } } });
    // Both forms name the same key: one read.
    expect(app.counters()).toEqual({ 'GET /v1/users/:id': 1 });

    app.resetCounters();
    const unknown = toGlobalId('AppUser', 'usr_000000000');
    const missing = await t.graphql('query ($id: ID!) { appUser(id: $id) { id } node(id: $id) { id } }', {
      id: unknown,
    });
    expect(missing).toEqual({ data: { appUser: null, node: null } });
    expect(app.counters()).toEqual({ 'GET /v1/users/:id': 1 });
  });
});

describe('product API failures map to the error vocabulary, with partial results', () => {
  it('UPSTREAM_UNAVAILABLE after retries on 5xx, while the rest of the answer stands', async () => {
    app.faults.inject({ endpoint: 'GET /v1/users/:id', status: 500, times: 10 });
    const result = await t.graphql('{ gateway { mode } appUser(id: "usr_123456789") { id } }');
    expect(result.data).toEqual({ gateway: { mode: 'SANDBOX' }, appUser: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['appUser'],
      extensions: {
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'app',
        upstreamStatus: 500,
        upstreamCode: 'internal_error',
      },
    });
    expect(result.errors?.[0]?.message).toBe('App API failed with HTTP 500: Internal Server Error');
    expect(app.counters()['GET /v1/users/:id']).toBe(4);
  });

  it('retries a failed batch read too (it is marked idempotent) and fails each field alone', async () => {
    app.faults.inject({ endpoint: 'POST /v1/users/batch', status: 502, times: 10 });
    const emails = activeEmails().slice(0, 2);
    const result = await t.graphql(byEmailQuery(2), {
      e0: emails[0],
      e1: emails[1],
    });
    expect(result.data).toEqual({ u0: null, u1: null });
    expect(result.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['u0'], 'UPSTREAM_UNAVAILABLE'],
      [['u1'], 'UPSTREAM_UNAVAILABLE'],
    ]);
    expect(app.counters()['POST /v1/users/batch']).toBe(4);
  });

  it('retries a transient failure and succeeds, honouring Retry-After', async () => {
    app.faults.inject({ endpoint: 'GET /v1/users', status: 429, retryAfter: 1, times: 1 });
    const result = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(app.counters()['GET /v1/users']).toBe(2);
  });

  it('UPSTREAM_RATE_LIMITED when 429s outlast the retries', async () => {
    app.faults.inject({ endpoint: 'GET /v1/users', status: 429, retryAfter: 0, times: 10 });
    const result = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'app',
      upstreamCode: 'rate_limited',
      retryAfter: '0',
    });
  });

  it('UPSTREAM_BAD_RESPONSE for a body that breaks the API contract', async () => {
    app.faults.inject({ endpoint: 'GET /v1/users', malformed: true, times: 1 });
    const result = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', source: 'app' });
    expect(result.errors?.[0]?.message).toMatch(
      /^App API answered users\.list with a body the gateway does not understand/,
    );
  });

  it('reads only the API\u2019s own not_found as null: a foreign 404 (wrong APP_BASE_URL) is an error', async () => {
    app.faults.inject({ endpoint: 'GET /v1/users/:id', status: 404, times: 1 });
    expect(await t.graphql('{ appUser(id: "usr_123456789") { id } }')).toEqual({ data: { appUser: null } });

    const upstream = createUpstream({
      source: 'app',
      baseUrl: `${app.baseUrl}/api`,
      headers: { authorization: `Bearer ${app.apiKey}` },
    });
    try {
      const error = await createAppClient(upstream)
        .retrieveUser('usr_123456789', {})
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).extensions).toMatchObject({
        code: 'UPSTREAM_NOT_FOUND',
        source: 'app',
        upstreamCode: 'route_not_found',
      });
    } finally {
      await upstream.close();
    }
  });
});

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id source type occurredAt subject { kind id email } data }
}`;

interface PushedEvent {
  events: {
    id: string;
    source: string;
    type: string;
    occurredAt: string;
    subject: { kind: string; id: string; email: string | null };
    data: unknown;
  };
}

let seq = 0;
function userEvent(event = 'user.updated', overrides: Record<string, unknown> = {}): string {
  seq++;
  return JSON.stringify({
    event,
    timestamp: '2026-06-20T19:08:41Z',
    data: {
      user_id: `usr_${String(900_000_000 + seq)}`,
      email: `hook${seq}@example.com`,
      first_name: 'Alex',
      last_name: 'Rivera',
      company: 'Acme Corp',
      plan: 'enterprise',
      ...overrides,
    },
  });
}

async function postApp(
  body: string,
  options: { id?: string; at?: Date; secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; id: string }> {
  const id = options.id ?? newMessageId();
  const at = options.at ?? new Date();
  const signer = new Webhook(options.secret ?? app.webhookSecret);
  const response = await fetch(`${t.url}/webhooks/app`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, body: await response.json(), id };
}

async function latestCursor(): Promise<string> {
  const result = await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }');
  return result.data?.latestEventCursor ?? '';
}

async function storedAppEvents(): Promise<string[]> {
  const result = await t.graphql<{ events: { edges: { node: { id: string } }[] } }>(
    '{ events(first: 500, filter: { sources: ["app"] }) { edges { node { id } } } }',
  );
  return result.data?.events.edges.map((e) => e.node.id) ?? [];
}

describe('POST /webhooks/app', () => {
  it('pushes a Standard Webhooks delivery to a graphql-ws subscriber', async () => {
    const after = await latestCursor();
    const sub = collect<PushedEvent>(t.ws(), EVENTS, { after, filter: { sources: ['app'] } }, 1);
    const body = userEvent('user.created');
    const sent = await postApp(body);
    expect(sent.status).toBe(200);
    const [received] = await sub.done;
    const data = JSON.parse(body) as { data: { user_id: string; email: string } };
    expect(received?.events).toEqual({
      id: sent.id,
      source: 'app',
      type: 'user.created',
      occurredAt: '2026-06-20T19:08:41.000Z',
      subject: { kind: 'user', id: data.data.user_id, email: data.data.email },
      data: JSON.parse(body) as unknown,
    });
  });

  it('acknowledges a redelivery (same webhook-id, new timestamp and signature) and publishes it once', async () => {
    const after = await latestCursor();
    const sub = collect<PushedEvent>(t.ws(), EVENTS, { after, filter: { sources: ['app'] } }, 2);
    const body = userEvent();
    const first = await postApp(body);
    const again = await postApp(body, { id: first.id, at: new Date(Date.now() - 30_000) });
    const marker = await postApp(
      userEvent('user.deleted', {
        deleted_at: '2026-06-20T19:08:41Z',
        first_name: undefined,
        last_name: undefined,
        company: undefined,
        plan: undefined,
      }),
    );
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    expect(marker.status).toBe(200);
    expect((await sub.done).map((r) => r.events.id)).toEqual([first.id, marker.id]);
  });

  it('refuses bad deliveries with the right status and stores none of them', async () => {
    const before = await storedAppEvents();
    const body = userEvent();
    const now = Math.floor(Date.now() / 1000);

    const tampered = await postApp(body, {
      headers: { 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` },
    });
    expect(tampered).toMatchObject({
      status: 401,
      body: {
        error: {
          code: 'SIGNATURE_INVALID',
          message:
            'No v1 signature in the webhook-signature header matches the payload: check APP_WEBHOOK_SECRET.',
        },
      },
    });
    const unsigned = await fetch(`${t.url}/webhooks/app`, { method: 'POST', body });
    expect([unsigned.status, await unsigned.json()]).toEqual([
      401,
      {
        error: {
          code: 'SIGNATURE_MISSING',
          message: 'Missing Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature.',
        },
      },
    ]);
    const stale = await postApp(body, { at: new Date((now - 600) * 1000) });
    expect(stale.status).toBe(401);
    expect(JSON.stringify(stale.body)).toMatch(/stale: signed 60\d s ago, beyond the 300 s tolerance/);
    const future = await postApp(body, { at: new Date((now + 600) * 1000) });
    expect(future).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_STALE' } } });
    const wrongSecret = await postApp(body, { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD/7vhPTTS3vk=' });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });
    const badTimestamp = await postApp(body, { headers: { 'webhook-timestamp': 'soon' } });
    expect(badTimestamp).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });

    const notJson = await postApp('{"event": "user.created", ');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    const extra = await postApp(userEvent('user.created', { phone: '+1' }));
    expect(extra).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'data of this user.created event is not valid.',
          issues: [{ path: 'data.phone', message: 'Unknown field: the payload allows no other fields.' }],
        },
      },
    });
    const missing = await postApp(userEvent('user.created', { email: undefined }));
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PAYLOAD', issues: [{ path: 'data.email' }] } },
    });
    const unknownType = await postApp(userEvent('user.exploded'));
    expect(unknownType).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'event' }] } } });

    const huge = JSON.stringify({ ...(JSON.parse(body) as object), padding: 'x'.repeat(1024 * 1024) });
    expect(await postApp(huge)).toMatchObject({
      status: 413,
      body: {
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is larger than the 1048576 byte limit.' },
      },
    });

    expect(await storedAppEvents()).toEqual(before);
  });

  it('carries demo-world changes from the emulator to subscribers, signed as the product signs them', async () => {
    const demo = t.gateway.demo;
    if (demo === null) throw new Error('the demo clock did not start');
    const after = await latestCursor();
    const sub = collect<PushedEvent>(t.ws(), EVENTS, { after, filter: { sources: ['app'] } }, 1);
    for (let i = 0; i < 50; i++) {
      const before = (await storedAppEvents()).length;
      await demo.tick();
      if ((await storedAppEvents()).length > before) break;
    }
    const [received] = await sub.done;
    expect(received?.events).toMatchObject({
      source: 'app',
      type: expect.stringMatching(/^user\.(created|updated|deleted)$/) as unknown,
      id: expect.stringMatching(/^msg_/) as unknown,
      subject: { kind: 'user', id: expect.stringMatching(/^usr_\d{9}$/) as unknown },
    });
  });
});
