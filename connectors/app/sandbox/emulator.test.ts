import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import type { DemoWorld, Person, WorldChange } from '../../../src/sandbox/world.ts';
import { changesOf } from '../../../test/helpers/world-changes.ts';
import { parseAppEvent } from '../webhooks.ts';
import { appSandbox, startAppSandbox } from './index.ts';
import type { RunningAppSandbox } from './index.ts';

interface User {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  company: string | null;
  plan: string;
  created_at: string;
  updated_at: string;
  deleted_at?: string;
}
interface Page {
  data: User[];
  next_cursor: string | null;
}

let world: DemoWorld;
let sandbox: RunningAppSandbox;

async function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const { auth, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set('Authorization', auth ?? `Bearer ${sandbox.apiKey}`);
  const response = await fetch(`${sandbox.baseUrl}${path}`, { ...rest, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
}

async function page(path: string): Promise<Page> {
  const { status, body } = await call(path);
  expect(status).toBe(200);
  return body as Page;
}

async function listAll(): Promise<{ users: User[]; pages: number }> {
  const users: User[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const next: Page = await page(`/v1/users?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
    pages++;
    users.push(...next.data);
    cursor = next.next_cursor;
  } while (cursor !== null);
  return { users, pages };
}

function batch(body: unknown) {
  return call('/v1/users/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  world = createDemoWorld();
  sandbox = await startAppSandbox(world);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
});

describe('seeded users', () => {
  it('has an active user per person present in the app, paged newest first', async () => {
    const { users, pages } = await listAll();
    const present = world.people.filter((p) => p.presence.app);
    expect(users).toHaveLength(present.length);
    expect(pages).toBe(Math.ceil(users.length / 100));
    expect(new Set(users.map((u) => u.user_id)).size).toBe(users.length);
    expect(new Set(users.map((u) => u.email))).toEqual(new Set(present.map((p) => p.email)));
    const times = users.map((u) => Date.parse(u.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const user of users) {
      expect(user.user_id).toMatch(/^usr_\d{9}$/);
      expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(user.updated_at)).toBeGreaterThanOrEqual(Date.parse(user.created_at));
      expect(['free', 'starter', 'pro', 'enterprise']).toContain(user.plan);
      expect(user).not.toHaveProperty('deleted_at');
      const person = present.find((p) => p.email === user.email);
      expect(user).toMatchObject({
        first_name: person?.firstName,
        last_name: person?.lastName,
        company: person?.company?.name ?? null,
        plan: person?.plan,
      });
    }
  });

  it('keeps deleted users, retrievable by id with deleted_at, out of the list', async () => {
    const deleted = [...sandbox.store.byId.values()].filter((u) => u.deleted_at !== undefined);
    expect(deleted.length).toBeGreaterThan(0);
    const [one] = deleted;
    const { body } = await call(`/v1/users/${one?.user_id ?? ''}`);
    expect(body).toMatchObject({ user_id: one?.user_id, deleted_at: one?.deleted_at });
    const listed = await page(`/v1/users?email=${encodeURIComponent(one?.email ?? '')}`);
    expect(listed).toEqual({ data: [], next_cursor: null });
  });

  it('is deterministic for a seed', async () => {
    const again = await appSandbox.start(createDemoWorld());
    try {
      // The same data for the same seed; credentials are new in every process.
      expect(Object.keys(again.env).sort()).toEqual(Object.keys(sandbox.env).sort());
      expect(again.env['APP_WEBHOOK_SECRET']).not.toBe(sandbox.env['APP_WEBHOOK_SECRET']);
      const theirs = await fetch(`${again.baseUrl}/v1/users?limit=100`, {
        headers: { Authorization: `Bearer ${again.env['APP_API_KEY'] ?? ''}` },
      });
      expect(await theirs.json()).toEqual(await page('/v1/users?limit=100'));
    } finally {
      await again.close();
    }
  });

  it('exposes the environment for the connector', () => {
    expect(sandbox.env['APP_BASE_URL']).toBe(sandbox.baseUrl);
    expect(sandbox.env['APP_API_KEY']).toMatch(/^app_test_[0-9A-Za-z]{32}$/);
    expect(sandbox.env['APP_WEBHOOK_SECRET']).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe('GET /v1/users', () => {
  it('answers { data, next_cursor } with 20 users by default, and rate-limit headers', async () => {
    const { status, body, headers } = await call('/v1/users');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-request-id')).toMatch(/^req_/);
    expect(headers.get('ratelimit-limit')).toBe('1000');
    expect(Number(headers.get('ratelimit-remaining'))).toBeLessThan(1000);
    expect(Number(headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Object.keys(body as object)).toEqual(['data', 'next_cursor']);
    expect((body as Page).data).toHaveLength(20);
    expect((body as Page).next_cursor).toEqual(expect.any(String));
  });

  it('pages with next_cursor with no overlap, the same as one larger page', async () => {
    const first = await page('/v1/users?limit=7');
    const second = await page(`/v1/users?limit=7&cursor=${first.next_cursor ?? ''}`);
    const both = await page('/v1/users?limit=14');
    expect([...first.data, ...second.data]).toEqual(both.data);
  });

  it('filters by email, case-insensitively', async () => {
    const [user] = (await page('/v1/users?limit=1')).data;
    const found = await page(`/v1/users?email=${encodeURIComponent(user?.email.toUpperCase() ?? '')}`);
    expect(found).toEqual({ data: [user], next_cursor: null });
    expect(await page('/v1/users?email=nobody%40nowhere.example')).toEqual({ data: [], next_cursor: null });
  });

  it('refuses a bad limit, an unknown cursor and unknown parameters', async () => {
    for (const limit of ['0', '101', 'ten']) {
      expect(await call(`/v1/users?limit=${limit}`)).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 'invalid_request',
            message: `limit must be an integer from 1 to 100; got ${limit}.`,
            param: 'limit',
          },
        },
      });
    }
    expect((await call('/v1/users?cursor=bm9wZQ')).body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'cursor is not a next_cursor this API returned.',
        param: 'cursor',
      },
    });
    expect((await call('/v1/users?page=2')).body).toEqual({
      error: { code: 'invalid_request', message: 'Unknown parameter: page.', param: 'page' },
    });
  });
});

describe('GET /v1/users/{id} and errors', () => {
  it('retrieves a user and 404s an unknown id with not_found', async () => {
    const [user] = (await page('/v1/users?limit=1')).data;
    expect((await call(`/v1/users/${user?.user_id ?? ''}`)).body).toEqual(user);
    const missing = await call('/v1/users/usr_000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 'not_found', message: "No user with id 'usr_000000000'." },
    });
  });

  it('answers unknown URLs with route_not_found', async () => {
    expect(await call('/v1/nothing')).toMatchObject({
      status: 404,
      body: { error: { code: 'route_not_found', message: 'Unrecognized request URL (GET: /v1/nothing).' } },
    });
  });

  it('authenticates with a Bearer key', async () => {
    const missing = await call('/v1/users', { auth: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="app"');
    expect(missing.body).toEqual({
      error: {
        code: 'unauthorized',
        message: 'Missing API key: send it as Authorization: Bearer <APP_API_KEY>.',
      },
    });
    const wrong = await call('/v1/users', { auth: 'Bearer app_test_wrong' });
    expect([wrong.status, wrong.body]).toEqual([
      401,
      { error: { code: 'unauthorized', message: 'Invalid API key.' } },
    ]);
  });

  it('injects 5xx with Retry-After on 503, and malformed bodies', async () => {
    sandbox.faults.inject({ endpoint: 'GET /v1/users', status: 503 });
    const down = await call('/v1/users');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.body).toEqual({ error: { code: 'service_unavailable', message: 'Service Unavailable' } });
    sandbox.faults.inject({ endpoint: 'GET /v1/users', malformed: true });
    expect((await call('/v1/users')).body).toEqual({ data: { user_id: null }, next_cursor: 42 });
  });
});

describe('POST /v1/users/batch', () => {
  it('reads by ids, unordered, leaving out unknown ids and keeping deleted users', async () => {
    const users = (await page('/v1/users?limit=5')).data;
    const deleted = [...sandbox.store.byId.values()].find((u) => u.deleted_at !== undefined);
    const ids = [
      ...users.map((u) => u.user_id),
      'usr_000000000',
      deleted?.user_id ?? '',
      users[0]?.user_id ?? '',
    ];
    const { status, body } = await batch({ ids });
    expect(status).toBe(200);
    const data = (body as { data: User[] }).data;
    expect(data).toHaveLength(6);
    expect(data.map((u) => u.user_id)).not.toEqual(ids.slice(0, 6));
    expect(new Set(data.map((u) => u.user_id))).toEqual(
      new Set([...users.map((u) => u.user_id), deleted?.user_id]),
    );
  });

  it('reads active users by emails, case-insensitively', async () => {
    const users = (await page('/v1/users?limit=3')).data;
    const deleted = [...sandbox.store.byId.values()].find((u) => u.deleted_at !== undefined);
    const { body } = await batch({
      emails: [...users.map((u) => u.email.toUpperCase()), deleted?.email, 'x@y.example'],
    });
    const data = (body as { data: User[] }).data;
    expect(new Set(data.map((u) => u.user_id))).toEqual(new Set(users.map((u) => u.user_id)));
  });

  it('refuses bodies outside the contract', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `usr_${i}`);
    const cases: [unknown, Record<string, string>][] = [
      [{}, { param: 'ids', message: 'Send exactly one of "ids" or "emails".' }],
      [
        { ids: ['a'], emails: ['b'] },
        { param: 'ids', message: 'Send exactly one of "ids" or "emails".' },
      ],
      [{ ids: [] }, { param: 'ids', message: 'ids must hold 1 to 100 entries; got 0.' }],
      [{ ids: tooMany }, { param: 'ids', message: 'ids must hold 1 to 100 entries; got 101.' }],
      [{ emails: [1] }, { param: 'emails', message: 'emails must be an array of non-empty strings.' }],
      [{ id: ['a'] }, { param: 'id', message: 'Unknown field: id.' }],
    ];
    for (const [body, error] of cases) {
      expect(await batch(body)).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', ...error } },
      });
    }
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After and RateLimit headers past the limit', async () => {
    const limited = await startAppSandbox(createDemoWorld(), { rateLimit: 2, rateWindowSeconds: 60 });
    try {
      const get = () =>
        fetch(`${limited.baseUrl}/v1/users?limit=1`, {
          headers: { Authorization: `Bearer ${limited.apiKey}` },
        });
      expect((await get()).headers.get('ratelimit-remaining')).toBe('1');
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(await refused.json()).toEqual({
        error: {
          code: 'rate_limited',
          message: 'Too many requests: slow down and retry after Retry-After seconds.',
        },
      });
    } finally {
      await limited.close();
    }
  });
});

describe('react: world changes become signed Standard Webhooks', () => {
  const verifier = () => new Webhook(sandbox.webhookSecret);
  const at = 1_767_300_000;

  function deliver(change: WorldChange) {
    return sandbox.react(change, 'http://gateway.invalid/webhooks/app').map((delivery) => {
      const verified = verifier().verify(delivery.body, delivery.headers);
      const [event] = parseAppEvent({
        method: 'POST',
        url: 'http://gateway.invalid/webhooks/app',
        headers: delivery.headers,
        rawBody: Buffer.from(delivery.body),
      });
      return { delivery, verified, event };
    });
  }

  function person(): Person {
    const found = world.people.find((p) => p.presence.app && sandbox.store.activeOf(p.id) !== undefined);
    if (found === undefined) throw new Error('no app person');
    return structuredClone(found);
  }

  it('person.joined → user.created, signed so that standardwebhooks verifies it', async () => {
    const newcomer: Person = {
      ...person(),
      id: 'per_9001',
      email: 'newcomer@example.com',
      firstName: 'Nia',
      lastName: 'Okafor',
      plan: 'free',
      company: null,
    };
    const [result, ...rest] = deliver({ kind: 'person.joined', at, person: newcomer });
    expect(rest).toEqual([]);
    expect(result?.delivery.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': expect.stringMatching(/^msg_[0-9A-Za-z]{27}$/) as unknown,
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/) as unknown,
    });
    const sentAt = Number(result?.delivery.headers['webhook-timestamp']);
    expect(Math.abs(sentAt - Date.now() / 1000)).toBeLessThan(60);
    expect(result?.verified).toEqual({
      event: 'user.created',
      timestamp: '2026-01-01T20:40:00Z',
      data: {
        user_id: expect.stringMatching(/^usr_\d{9}$/) as unknown,
        email: 'newcomer@example.com',
        first_name: 'Nia',
        last_name: 'Okafor',
        company: null,
        plan: 'free',
      },
    });
    const found = await page('/v1/users?email=newcomer%40example.com');
    expect(found.data[0]).toMatchObject({
      email: 'newcomer@example.com',
      created_at: '2026-01-01T20:40:00Z',
    });
    expect(result?.event?.subject).toEqual({
      kind: 'user',
      id: found.data[0]?.user_id,
      email: 'newcomer@example.com',
    });
  });

  it('person.updated → user.updated when a stored field changed, nothing for a new phone', () => {
    const someone = person();
    expect(
      deliver({
        kind: 'person.updated',
        at,
        person: { ...someone, phone: '+12125550100' },
        changed: ['phone'],
      }),
    ).toEqual([]);
    const renamed = { ...someone, lastName: 'Lindqvist-Renamed' };
    const [result] = deliver({ kind: 'person.updated', at, person: renamed, changed: ['name'] });
    expect(result?.verified).toMatchObject({
      event: 'user.updated',
      data: { last_name: 'Lindqvist-Renamed' },
    });
    expect(sandbox.store.activeOf(someone.id)).toMatchObject({
      last_name: 'Lindqvist-Renamed',
      updated_at: '2026-01-01T20:40:00Z',
    });
  });

  it('plan.changed and plan.canceled → user.updated with the plan', () => {
    const someone = person();
    const to = someone.plan === 'pro' ? 'enterprise' : 'pro';
    const [changed] = deliver({
      kind: 'plan.changed',
      at,
      person: { ...someone, plan: to },
      from: someone.plan,
      to,
    });
    expect(changed?.verified).toMatchObject({ event: 'user.updated', data: { plan: to } });
    const [canceled] = deliver({
      kind: 'plan.canceled',
      at: at + 60,
      person: { ...someone, plan: 'free' },
      from: to,
    });
    expect(canceled?.verified).toMatchObject({
      event: 'user.updated',
      timestamp: '2026-01-01T20:41:00Z',
      data: { plan: 'free' },
    });
  });

  it('person.left → user.deleted; the user leaves the list and keeps deleted_at', async () => {
    const someone = person();
    const user = sandbox.store.activeOf(someone.id);
    const [result] = deliver({
      kind: 'person.left',
      at,
      person: { ...someone, presence: { ...someone.presence, app: false } },
    });
    expect(result?.verified).toEqual({
      event: 'user.deleted',
      timestamp: '2026-01-01T20:40:00Z',
      data: { user_id: user?.user_id, email: someone.email, deleted_at: '2026-01-01T20:40:00Z' },
    });
    expect((await page(`/v1/users?email=${encodeURIComponent(someone.email)}`)).data).toEqual([]);
    expect((await call(`/v1/users/${user?.user_id ?? ''}`)).body).toMatchObject({
      deleted_at: '2026-01-01T20:40:00Z',
    });
    // A deleted user gets no more webhooks.
    expect(deliver({ kind: 'plan.canceled', at, person: someone, from: 'pro' })).toEqual([]);
  });

  it('sends nothing for changes the product does not see, and a fresh id per delivery', () => {
    const someone = person();
    const others: WorldChange[] = [
      { kind: 'payment.failed', at, person: someone, amount: 1900, currency: 'usd' },
      { kind: 'ticket.opened', at, person: someone, ticketId: 'tkt_1', subject: 'Hi', priority: 'low' },
      { kind: 'purchase', at, person: someone, orderId: 'ord_1', currency: 'usd', items: [], amount: 0 },
    ];
    for (const change of others) expect(deliver(change)).toEqual([]);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const plan = i % 2 === 0 ? 'pro' : 'starter';
      const [result] = deliver({
        kind: 'plan.changed',
        at,
        person: { ...someone, plan },
        from: 'free',
        to: plan,
      });
      ids.add(result?.delivery.headers['webhook-id'] ?? '');
    }
    expect(ids.size).toBe(5);
  });

  it('follows the demo world: every step it reacts to verifies and parses', async () => {
    const stepping = createDemoWorld();
    const own = await startAppSandbox(stepping);
    try {
      const signer = new Webhook(own.webhookSecret);
      const types = new Map<string, number>();
      const next = changesOf(stepping);
      for (let i = 0; i < 300; i++) {
        for (const delivery of own.react(next(), 'http://gateway.invalid/webhooks/app')) {
          const verified = signer.verify(delivery.body, delivery.headers) as { event: string };
          types.set(verified.event, (types.get(verified.event) ?? 0) + 1);
          const request = {
            method: 'POST',
            url: '',
            headers: delivery.headers,
            rawBody: Buffer.from(delivery.body),
          };
          expect(parseAppEvent(request)).toHaveLength(1);
        }
      }
      expect([...types.keys()].sort()).toEqual(['user.created', 'user.deleted', 'user.updated']);
    } finally {
      await own.close();
    }
  });
});
