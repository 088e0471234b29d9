import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import type { DemoWorld, Person, WorldChange } from '../../../src/sandbox/world.ts';
import { changesOf } from '../../../test/helpers/world-changes.ts';
import { createUpstream } from '../../../src/upstream/create-upstream.ts';
import type { Upstream } from '../../../src/upstream/types.ts';
import { createZendeskClient } from '../client.ts';
import type { ZendeskClient } from '../client.ts';
import { ZendeskConfig } from '../config.ts';
import { zendesk } from '../index.ts';
import { parseZendeskWebhook } from '../webhooks.ts';
import { startZendeskSandbox } from './index.ts';
import type { RunningZendeskSandbox } from './index.ts';

interface Listed {
  id: number;
  url: string;
  [key: string]: unknown;
}
interface CursorBody {
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { next: string | null; prev: string | null };
  [key: string]: unknown;
}

let sandbox: RunningZendeskSandbox;
const basic = (email: string, token: string) =>
  `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;

async function call(path: string, auth: string | null = basic(sandbox.email, sandbox.apiToken)) {
  const url = path.startsWith('http') ? path : `${sandbox.baseUrl}${path}`;
  const response = await fetch(url, { headers: auth === null ? {} : { Authorization: auth } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Plain-text answers (429) stay text.
  }
  return { status: response.status, headers: response.headers, body, text };
}

async function ok<T>(path: string): Promise<T> {
  const { status, body } = await call(path);
  expect(status).toBe(200);
  return body as T;
}

/** Walks a cursor-paginated endpoint by its `links.next`, as Zendesk's docs say to. */
async function walk(path: string, key: string): Promise<{ items: Listed[]; pages: number }> {
  const items: Listed[] = [];
  let pages = 0;
  let next: string | null = path;
  while (next !== null) {
    const page: CursorBody = await ok<CursorBody>(next);
    pages++;
    items.push(...(page[key] as Listed[]));
    next = page.meta.has_more ? page.links.next : null;
  }
  return { items, pages };
}

beforeAll(async () => {
  sandbox = await startZendeskSandbox(createDemoWorld());
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.faults.down = false;
});

describe('rate limit', () => {
  it('refuses requests past its per-minute limit with 429, Retry-After and the plain-text body', async () => {
    const limit = sandbox.rateLimit;
    const used = 700 - Number((await call('/api/v2/tickets.json')).headers.get('x-rate-limit-remaining'));
    limit.limit = used + 1;
    try {
      const last = await call('/api/v2/tickets.json');
      // Unless the minute just turned, the one request left is spent.
      if (last.headers.get('x-rate-limit-remaining') !== '0') return;
      const refused = await call('/api/v2/tickets.json');
      expect(refused.status).toBe(429);
      expect(refused.text).toBe(
        'Too Many Requests. Rate limit exceeded: retry after the Retry-After period.\n',
      );
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(refused.headers.get('x-rate-limit')).toBe(String(used + 1));
      expect(limit.refused).toBe(1);
    } finally {
      limit.limit = 700;
    }
  });
});

describe('seeded data', () => {
  it('has an end user for every person Support knows, and a team of agents', () => {
    const world = createDemoWorld();
    const supported = world.people.filter((p) => p.presence.support);
    const users = [...sandbox.store.users.values()];
    expect(users.filter((u) => u.role === 'end-user')).toHaveLength(supported.length);
    expect(users.filter((u) => u.role === 'agent').length).toBeGreaterThanOrEqual(5);
    expect(users.filter((u) => u.role === 'admin')).toHaveLength(1);
    const emails = new Set(users.map((u) => u.email));
    for (const person of supported) expect(emails.has(person.email)).toBe(true);
    expect(emails.size).toBe(users.length);
  });

  it('has several tickets per person, in creation order, with statuses that fit their age', async () => {
    const { items, pages } = await walk('/api/v2/tickets.json?page[size]=100', 'tickets');
    expect(items.length).toBe(sandbox.store.tickets.size);
    expect(items.length).toBeGreaterThan(2 * sandbox.store.userOfPerson.size);
    expect(pages).toBe(Math.ceil(items.length / 100));
    expect(items.map((t) => t.id)).toEqual(items.map((_, i) => i + 1));
    const created = items.map((t) => String(t['created_at']));
    expect([...created].sort()).toEqual(created);
    const statuses = new Set(items.map((t) => t['status']));
    expect([...statuses].sort()).toEqual(['closed', 'hold', 'new', 'open', 'pending', 'solved']);
    const world = createDemoWorld();
    const now = world.epoch * 1000;
    for (const ticket of items) {
      expect(ticket.url).toBe(`${sandbox.baseUrl}/api/v2/tickets/${ticket.id}.json`);
      expect(ticket['created_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(String(ticket['updated_at']))).toBeLessThanOrEqual(now);
      expect(ticket['assignee_id'] === null).toBe(ticket['status'] === 'new');
      if (ticket['status'] === 'new')
        expect(now - Date.parse(String(ticket['created_at']))).toBeLessThan(5 * 86_400_000);
      if (ticket['type'] !== 'task') expect(ticket['due_at']).toBeNull();
    }
  });

  it('is deterministic for a seed', async () => {
    const again = await startZendeskSandbox(createDemoWorld());
    try {
      // The same data for the same seed; credentials are new in every process.
      expect(Object.keys(again.env).sort()).toEqual(Object.keys(sandbox.env).sort());
      expect(again.env['ZENDESK_WEBHOOK_SECRET']).not.toBe(sandbox.env['ZENDESK_WEBHOOK_SECRET']);
      const headers = { Authorization: basic(again.email, again.apiToken) };
      const theirs = await (
        await fetch(`${again.baseUrl}/api/v2/tickets.json?page[size]=50`, { headers })
      ).text();
      const ours = (await call('/api/v2/tickets.json?page[size]=50')).text;
      expect(theirs.replaceAll(again.baseUrl, 'BASE')).toBe(ours.replaceAll(sandbox.baseUrl, 'BASE'));
    } finally {
      await again.close();
    }
  });

  it('exposes the environment for the connector, which reads it as a sandboxed config', () => {
    expect(sandbox.env['ZENDESK_BASE_URL']).toBe(sandbox.baseUrl);
    expect(sandbox.env['ZENDESK_EMAIL']).toMatch(/@support\.switchyard\.example$/);
    expect(sandbox.env['ZENDESK_API_TOKEN']).toMatch(/^[0-9A-Za-z]{40}$/);
    expect(sandbox.env['ZENDESK_WEBHOOK_SECRET']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const config = ZendeskConfig.parse(sandbox.env);
    expect(zendesk.hasCredentials(config)).toBe(true);
    expect(zendesk.upstream(config).baseUrl).toBe(sandbox.baseUrl);
  });
});

describe('lists', () => {
  it('uses Zendesk’s cursor envelope, and pages back with page[before]', async () => {
    const first = await ok<CursorBody & { tickets: Listed[] }>('/api/v2/tickets.json?page[size]=5');
    expect(Object.keys(first)).toEqual(['tickets', 'meta', 'links']);
    expect(first.meta.has_more).toBe(true);
    expect(first.links.next).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/tickets\.json\?page%5Bsize%5D=5&page%5Bafter%5D=/,
    );
    const second = await ok<CursorBody & { tickets: Listed[] }>(
      `/api/v2/tickets.json?page[size]=5&page[after]=${encodeURIComponent(first.meta.after_cursor ?? '')}`,
    );
    expect(second.tickets.map((t) => t.id)).toEqual([6, 7, 8, 9, 10]);
    const back = await ok<CursorBody & { tickets: Listed[] }>(
      `/api/v2/tickets.json?page[size]=5&page[before]=${encodeURIComponent(second.meta.before_cursor ?? '')}`,
    );
    expect(back.tickets.map((t) => t.id)).toEqual([1, 2, 3, 4, 5]);
    expect(back.meta.has_more).toBe(false);
  });

  it('falls back to offset pagination without page[size]', async () => {
    const page = await ok<{
      tickets: Listed[];
      next_page: string | null;
      previous_page: string | null;
      count: number;
    }>('/api/v2/tickets.json?per_page=3&page=2');
    expect(page.tickets.map((t) => t.id)).toEqual([4, 5, 6]);
    expect(page.count).toBe(sandbox.store.tickets.size);
    expect(page.next_page).toContain('page=3');
    expect(page.previous_page).toContain('page=1');
  });

  it('refuses bad page sizes and cursors', async () => {
    const big = await call('/api/v2/tickets.json?page[size]=101');
    expect(big).toMatchObject({
      status: 400,
      body: {
        error: { title: 'Invalid attribute', message: 'page[size] must be less than or equal to 100.' },
      },
    });
    const cursor = await call('/api/v2/tickets.json?page[size]=5&page[after]=garbage');
    expect(cursor.status).toBe(400);
    expect(cursor.body).toEqual({
      errors: [
        {
          code: 'InvalidPaginationParameter',
          title: 'Invalid Pagination Parameter',
          detail: 'page[after] is not a valid cursor.',
        },
      ],
    });
  });

  it('shows many by id, leaving unknown ids out, at most 100 at a time', async () => {
    const body = await ok<{ tickets: Listed[]; count: number }>(
      '/api/v2/tickets/show_many.json?ids=3,999999,1,x',
    );
    expect(body.tickets.map((t) => t.id)).toEqual([3, 1]);
    const [user] = sandbox.store.allUsers();
    const users = await ok<{ users: Listed[] }>(`/api/v2/users/show_many.json?ids=${user?.id ?? 0},42`);
    expect(users.users.map((u) => u.id)).toEqual([user?.id]);
    const tooMany = await call(
      `/api/v2/users/show_many.json?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`,
    );
    expect(tooMany.status).toBe(400);
  });

  it('lists the tickets a user requested, and searches users by exact email', async () => {
    const user = [...sandbox.store.users.values()].find((u) => u.role === 'end-user');
    if (user === undefined) throw new Error('no end user');
    const { items } = await walk(`/api/v2/users/${user.id}/tickets/requested.json?page[size]=2`, 'tickets');
    expect(items.map((t) => t.id)).toEqual(
      sandbox.store
        .allTickets()
        .filter((t) => t.requester_id === user.id)
        .map((t) => t.id),
    );
    const found = await ok<{ users: Listed[]; count: number }>(
      `/api/v2/users/search.json?query=${encodeURIComponent(`email:${user.email.toUpperCase()}`)}`,
    );
    expect(found.users.map((u) => u.id)).toEqual([user.id]);
    expect(found.count).toBe(1);
    expect((await call('/api/v2/users/search.json')).status).toBe(400);
    expect((await call('/api/v2/users/1/tickets/requested.json')).status).toBe(404);
  });

  it('exports search results by status and requester, with a cursor, and requires filter[type]', async () => {
    const user = sandbox.store.allUsers().find((u) => u.role === 'end-user');
    const query = encodeURIComponent(`type:ticket status:closed requester:${user?.id ?? 0}`);
    const { items } = await walk(
      `/api/v2/search/export.json?query=${query}&filter[type]=ticket&page[size]=1`,
      'results',
    );
    const expected = sandbox.store
      .allTickets()
      .filter((t) => t.requester_id === user?.id && t.status === 'closed');
    expect(items.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    for (const item of items) expect(item['result_type']).toBe('ticket');
    const missing = await call(`/api/v2/search/export.json?query=status:open&page[size]=10`);
    expect(missing.status).toBe(400);
  });
});

describe('objects, auth and errors', () => {
  it('shows one ticket or user, and 404s with Zendesk’s exact body', async () => {
    const one = await ok<{ ticket: Listed }>('/api/v2/tickets/7.json');
    expect(one.ticket).toMatchObject({ id: 7, url: `${sandbox.baseUrl}/api/v2/tickets/7.json` });
    expect((await ok<{ ticket: Listed }>('/api/v2/tickets/7')).ticket.id).toBe(7);
    const missing = await call('/api/v2/tickets/999999.json');
    expect([missing.status, missing.body]).toEqual([
      404,
      { error: 'RecordNotFound', description: 'Not found' },
    ]);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}-IAD$/);
    expect((await call('/api/v2/users/1.json')).body).toEqual({
      error: 'RecordNotFound',
      description: 'Not found',
    });
    const nowhere = await call('/api/v2/nothing.json');
    expect([nowhere.status, nowhere.body]).toEqual([
      404,
      { error: 'InvalidEndpoint', description: 'Not found' },
    ]);
  });

  it('authenticates like Zendesk: API token for staff, or OAuth', async () => {
    const none = await call('/api/v2/tickets.json', null);
    expect([none.status, none.body]).toEqual([401, { error: "Couldn't authenticate you" }]);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Web Password"');
    expect((await call('/api/v2/tickets.json', basic(sandbox.email, 'wrong'))).status).toBe(401);
    const endUser = sandbox.store.allUsers().find((u) => u.role === 'end-user');
    expect((await call('/api/v2/tickets.json', basic(endUser?.email ?? '', sandbox.apiToken))).status).toBe(
      401,
    );
    const plainPassword = `Basic ${Buffer.from(`${sandbox.email}:${sandbox.apiToken}`).toString('base64')}`;
    expect((await call('/api/v2/tickets.json', plainPassword)).status).toBe(401);
    expect((await call('/api/v2/tickets.json?page[size]=1', `Bearer ${sandbox.oauthToken}`)).status).toBe(
      200,
    );
  });

  it('sends the rate-limit headers on every response', async () => {
    const a = await call('/api/v2/tickets.json?page[size]=1');
    const b = await call('/api/v2/tickets/999999.json');
    expect(a.headers.get('x-rate-limit')).toBe('700');
    const remaining = [a, b].map((r) => Number(r.headers.get('x-rate-limit-remaining')));
    expect(remaining[0]).toBeLessThan(700);
    expect(remaining[1]).toBeLessThanOrEqual(remaining[0] ?? 0);
  });
});

describe('faults', () => {
  it('rate-limits with Retry-After and a plain-text body', async () => {
    sandbox.faults.inject({ status: 429, endpoint: 'GET /api/v2/tickets.json' });
    expect((await call('/api/v2/tickets/1.json')).status).toBe(200);
    const limited = await call('/api/v2/tickets.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(limited.text).toMatch(/^Too Many Requests/);
    sandbox.faults.inject({ status: 429, retryAfter: 30 });
    expect((await call('/api/v2/tickets.json')).headers.get('retry-after')).toBe('30');
  });

  it('answers 503 with Zendesk’s body, sends malformed bodies, resets and goes down', async () => {
    sandbox.faults.inject({ status: 503 });
    expect(await call('/api/v2/tickets.json')).toMatchObject({
      status: 503,
      body: { error: 'ServiceUnavailable' },
    });
    sandbox.faults.inject({ malformed: true });
    const malformed = await call('/api/v2/tickets.json?page[size]=1');
    expect(malformed.status).toBe(200);
    expect(malformed.body).not.toMatchObject({ tickets: expect.any(Array) as unknown });
    sandbox.faults.inject({ reset: true });
    await expect(call('/api/v2/tickets.json')).rejects.toThrow();
    sandbox.faults.down = true;
    await expect(call('/api/v2/tickets.json')).rejects.toThrow();
    sandbox.faults.down = false;
    expect((await call('/api/v2/tickets.json?page[size]=1')).status).toBe(200);
  });
});

describe('the connector’s client against the emulator', () => {
  let upstream: Upstream;
  let client: ZendeskClient;
  beforeAll(() => {
    upstream = createUpstream({ ...zendesk.upstream(ZendeskConfig.parse(sandbox.env)), maxRetries: 0 });
    client = createZendeskClient(upstream);
  });
  afterAll(() => upstream.close());

  it('retrieves, shows many, lists, searches, and gives null for what does not exist', async () => {
    expect((await client.retrieveTicket('3', {}))?.id).toBe(3);
    expect(await client.retrieveTicket('999999', {})).toBeNull();
    expect(await client.retrieveUser('1', {})).toBeNull();
    const page = await client.listTickets({ size: 10 }, {});
    expect(page.items).toHaveLength(10);
    const next = await client.listTickets({ size: 10, after: page.afterCursor ?? undefined }, {});
    expect(next.items[0]?.id).toBe(11);
    const requester = String(page.items[0]?.requester_id);
    const [user] = await client.showManyUsers([requester], {});
    expect(user?.email).toMatch(/@/);
    expect((await client.searchUsersByEmails([user?.email ?? ''], {})).map((u) => u.id)).toEqual([user?.id]);
    const requested = await client.listRequestedTickets(requester, { size: 100 }, {});
    expect(requested.items.every((t) => String(t.requester_id) === requester)).toBe(true);
    const open = await client.searchTickets({ size: 100, status: 'open' }, {});
    expect(open.items.every((t) => t.status === 'open')).toBe(true);
  });

  it('finds several users by email in one search, a repeated property matching any of its values', async () => {
    const users = sandbox.store
      .allUsers()
      .filter((u) => u.role === 'end-user')
      .slice(0, 3);
    const emails = users.map((u) => u.email.toUpperCase());
    sandbox.resetCounters();
    const found = await client.searchUsersByEmails([...emails].reverse(), {});
    expect(found.map((u) => u.id).sort((a, b) => a - b)).toEqual(
      users.map((u) => u.id).sort((a, b) => a - b),
    );
    expect(sandbox.counters()).toEqual({ 'GET /api/v2/users/search.json': 1 });
    // Different properties still all have to match.
    const [first] = users;
    const both = await call(
      `/api/v2/users/search.json?query=${encodeURIComponent(`email:${first?.email ?? ''} role:agent`)}`,
    );
    expect((both.body as { users: unknown[] }).users).toEqual([]);
    expect(await client.searchUsersByEmails(['has space@example.com', 'quote"@example.com'], {})).toEqual([]);
    await expect(
      client.searchUsersByEmails(
        Array.from({ length: 21 }, (_, i) => `u${String(i)}@example.com`),
        {},
      ),
    ).rejects.toThrow('a batched Zendesk user search takes at most 20 emails, got 21');
  });

  it('reads several users’ requested tickets in one search export, each ticket with its requester', async () => {
    const requesters = [...new Set(sandbox.store.allTickets().map((t) => t.requester_id))].slice(0, 4);
    const ids = requesters.map(String);
    sandbox.resetCounters();
    const result = await client.searchTicketsByRequesters(ids, undefined, {});
    expect(sandbox.counters()).toEqual({ 'GET /api/v2/search/export.json': 1 });
    expect(result.complete).toBe(true);
    for (const id of ids) {
      const listed = await client.listRequestedTickets(id, { size: 100 }, {});
      const mine = result.tickets.filter((t) => String(t.requester_id) === id);
      expect(mine.map((t) => t.id).sort((a, b) => a - b)).toEqual(listed.items.map((t) => t.id));
    }
    const open = await client.searchTicketsByRequesters(ids, 'open', {});
    expect(open.tickets.every((t) => t.status === 'open' && ids.includes(String(t.requester_id)))).toBe(true);
    expect(await client.searchTicketsByRequesters(['not-an-id'], undefined, {})).toEqual({
      tickets: [],
      complete: true,
    });
  });

  it('maps Zendesk’s error bodies: bad cursor, bad credentials, plain-text 429', async () => {
    const badCursor = await client.listTickets({ size: 10, after: 'garbage' }, {}).catch((e: unknown) => e);
    expect(badCursor).toBeInstanceOf(GatewayError);
    expect((badCursor as GatewayError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'zendesk',
      upstreamStatus: 400,
      upstreamCode: 'InvalidPaginationParameter',
    });
    const wrong = createUpstream({
      ...zendesk.upstream(ZendeskConfig.parse({ ...sandbox.env, ZENDESK_API_TOKEN: 'nope' })),
      maxRetries: 0,
    });
    try {
      const denied = await createZendeskClient(wrong)
        .listTickets({ size: 1 }, {})
        .catch((e: unknown) => e);
      expect((denied as GatewayError).message).toBe(
        "Zendesk rejected the gateway's credentials (401): Couldn't authenticate you. Check ZENDESK_API_TOKEN (with ZENDESK_EMAIL) or ZENDESK_OAUTH_TOKEN.",
      );
    } finally {
      await wrong.close();
    }
    sandbox.faults.inject({ status: 429 });
    const limited = await client.listTickets({ size: 1 }, {}).catch((e: unknown) => e);
    expect((limited as GatewayError).extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      retryAfter: '1',
    });
    expect((limited as GatewayError).message).toMatch(/: Too Many Requests/);
  });
});

describe('react', () => {
  let world: DemoWorld;
  let next: () => WorldChange;
  let live: RunningZendeskSandbox;

  beforeAll(async () => {
    world = createDemoWorld({ seed: 9 });
    next = changesOf(world);
    live = await startZendeskSandbox(world);
  });
  afterAll(async () => {
    await live.close();
  });

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${live.baseUrl}${path}`, {
      headers: { Authorization: basic(live.email, live.apiToken) },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  interface Payload {
    type: string;
    id: string;
    time: string;
    subject: string;
    account_id: number;
    detail: Record<string, unknown>;
    event: Record<string, unknown>;
  }

  /** Checks every delivery's signature with Zendesk's documented recipe, and that the connector parses it. */
  function verify(change: WorldChange): Payload[] {
    return live.react(change, 'http://127.0.0.1:1/webhooks/zendesk').map((delivery) => {
      const timestamp = delivery.headers['X-Zendesk-Webhook-Signature-Timestamp'] ?? '';
      expect(Math.abs(Date.parse(timestamp) - Date.now())).toBeLessThan(5000);
      const expected = createHmac('sha256', live.webhookSecret)
        .update(timestamp + delivery.body)
        .digest('base64');
      expect(delivery.headers['X-Zendesk-Webhook-Signature']).toBe(expected);
      expect(delivery.headers).toMatchObject({
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'Zendesk Webhook',
        'X-Zendesk-Account-Id': String(live.account.id),
        'X-Zendesk-Webhook-Invocation-Id': expect.stringMatching(/^\d+$/) as unknown,
      });
      const rawBody = Buffer.from(delivery.body);
      const lower = Object.fromEntries(
        Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const [event] = parseZendeskWebhook({ method: 'POST', url: 'x', headers: lower, rawBody });
      const payload = JSON.parse(delivery.body) as Payload;
      expect(Object.keys(payload)).toEqual([
        'type',
        'account_id',
        'id',
        'time',
        'zendesk_event_version',
        'subject',
        'detail',
        'event',
      ]);
      expect(event?.id).toBe(payload.id);
      expect(payload.time).toBe(new Date(change.at * 1000).toISOString());
      return payload;
    });
  }

  function nextChange(kind: WorldChange['kind'], support = true): WorldChange {
    for (let i = 0; i < 2000; i++) {
      const change = next();
      if (change.kind === kind && change.person.presence.support === support) return change;
      live.react(change, 'x');
    }
    throw new Error(`no ${kind} change`);
  }

  it('opens a ticket with ticket.created, and the API then serves it', async () => {
    const change = nextChange('ticket.opened');
    const [created] = verify(change);
    expect(created).toMatchObject({ type: 'zen:event-type:ticket.created', event: {} });
    expect(created?.detail).toMatchObject({ status: 'NEW', assignee_id: null });
    const id = created?.subject.replace('zen:ticket:', '') ?? '';
    const { ticket } = await get<{ ticket: Record<string, unknown> }>(`/api/v2/tickets/${id}.json`);
    expect(ticket).toMatchObject({
      id: Number(id),
      status: 'new',
      priority: change.kind === 'ticket.opened' ? change.priority : '',
    });
    expect(String(ticket['requester_id'])).toBe(created?.detail['requester_id']);
    const { user } = await get<{ user: { email: string } }>(
      `/api/v2/users/${String(ticket['requester_id'])}.json`,
    );
    expect(user.email).toBe(change.person.email);
  });

  it('moves tickets along with ticket.status_changed, assigning an agent when work starts', async () => {
    const change = nextChange('ticket.updated');
    if (change.kind !== 'ticket.updated') throw new Error('unreachable');
    const events = verify(change);
    const status = events.find((e) => e.type === 'zen:event-type:ticket.status_changed');
    expect(status?.event).toEqual({ current: change.to.toUpperCase(), previous: change.from.toUpperCase() });
    if (change.from === 'new') expect(events[0]?.type).toBe('zen:event-type:ticket.agent_assignment_changed');
    const id = status?.subject.replace('zen:ticket:', '') ?? '';
    const { ticket } = await get<{ ticket: { status: string; assignee_id: number | null } }>(
      `/api/v2/tickets/${id}.json`,
    );
    expect(ticket.status).toBe(change.to);
    expect(ticket.assignee_id).not.toBeNull();
  });

  it('sends user.created for newcomers and user.name_changed or identity changes for updates', async () => {
    const joined = nextChange('person.joined');
    const [created] = verify(joined);
    expect(created).toMatchObject({
      type: 'zen:event-type:user.created',
      detail: { email: joined.person.email, role: 'end-user' },
    });

    const updated = nextChange('person.updated');
    const events = verify(updated);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(['zen:event-type:user.name_changed', 'zen:event-type:user.identity_changed']).toContain(
        event.type,
      );
    }
    const id = events[0]?.subject.replace('zen:user:', '') ?? '';
    const { user } = await get<{ user: { name: string; phone: string | null } }>(`/api/v2/users/${id}.json`);
    expect(user).toMatchObject({
      name: `${updated.person.firstName} ${updated.person.lastName}`,
      phone: updated.person.phone,
    });
  });

  it('says nothing for people Support does not know, nor for billing changes', () => {
    const [someone] = world.people;
    if (someone === undefined) throw new Error('empty world');
    const person: Person = { ...someone, presence: { ...someone.presence, support: false } };
    expect(
      live.react(
        { kind: 'person.updated', at: Math.floor(Date.now() / 1000), person, changed: ['name'] },
        'x',
      ),
    ).toEqual([]);
    const supported = { ...someone, presence: { ...someone.presence, support: true } };
    expect(
      live.react(
        { kind: 'plan.canceled', at: Math.floor(Date.now() / 1000), person: supported, from: 'pro' },
        'x',
      ),
    ).toEqual([]);
  });

  it('keeps working through a long run of changes', () => {
    let count = 0;
    for (let i = 0; i < 150; i++) count += verify(next()).length;
    expect(count).toBeGreaterThan(30);
  });
});
