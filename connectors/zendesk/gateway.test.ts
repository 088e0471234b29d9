import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/node-id.ts';
import { collect, NO_RESPONSE_CACHE, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { Person, WorldChange } from '../../src/sandbox/world.ts';
import type { RunningZendeskSandbox } from './sandbox/index.ts';

let t: TestGateway;
let zd: RunningZendeskSandbox;

beforeAll(async () => {
  t = await startTestGateway(NO_RESPONSE_CACHE);
  const found = t.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
  if (!found) throw new Error('the zendesk sandbox did not start');
  zd = found as RunningZendeskSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  zd.faults.clear();
  zd.faults.down = false;
  zd.resetCounters();
});

interface UserRef {
  id: string;
  sourceId: string;
  name: string;
  email: string | null;
  role: string;
}
interface TicketNode {
  id: string;
  sourceId: string;
  subject: string;
  status: string;
  url: string;
  requester: UserRef | null;
  assignee: UserRef | null;
}
interface TicketsPage {
  edges: { cursor: string; node: TicketNode }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

const TICKETS = `query ($first: Int, $after: String, $status: TicketStatus) {
  tickets(first: $first, after: $after, status: $status) {
    edges { cursor node { id sourceId subject status url
      requester { id sourceId name email role }
      assignee { id sourceId name email role } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

async function tickets(variables: Record<string, unknown>): Promise<TicketsPage> {
  const result = await t.graphql<{ tickets: TicketsPage }>(TICKETS, variables);
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error('no data');
  return result.data.tickets;
}

/** Signs a body as Zendesk does (its documented recipe) and POSTs it to /webhooks/zendesk. */
async function postZendesk(
  body: string,
  options: { timestamp?: string; secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown }> {
  const timestamp = options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const signature = createHmac('sha256', options.secret ?? zd.webhookSecret)
    .update(timestamp + body)
    .digest('base64');
  const response = await fetch(`${t.url}/webhooks/zendesk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature': signature,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      ...options.headers,
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

async function latestCursor(): Promise<string> {
  const result = await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }');
  return result.data?.latestEventCursor ?? '';
}

async function storedCount(): Promise<number> {
  const page = await t.graphql<{ events: { edges: unknown[] } }>(
    '{ events(first: 500) { edges { cursor } } }',
  );
  return page.data?.events.edges.length ?? 0;
}

let personSeq = 0;
/** A person of the demo world as Support knows them. */
function person(): Person {
  personSeq++;
  return {
    id: `per_zd_${personSeq}`,
    firstName: 'Dana',
    lastName: `Tester${personSeq}`,
    email: `dana.tester${personSeq}@example.org`,
    phone: null,
    company: null,
    plan: 'free',
    createdAt: Math.floor(Date.now() / 1000) - 86_400,
    presence: { billing: false, crm: false, support: true, commerce: false, app: false },
  };
}

describe('support queries against the Zendesk emulator', () => {
  it('batches: 100 tickets with requester and assignee cost one list call plus ceil(users/100) show_many calls', async () => {
    const page = await tickets({ first: 100 });
    expect(page.edges).toHaveLength(100);
    const users = new Set<string>();
    for (const { node } of page.edges) {
      expect(node.id).toBe(toGlobalId('SupportTicket', node.sourceId));
      expect(node.requester?.role).toBe('END_USER');
      if (node.requester) {
        expect(node.requester.id).toBe(toGlobalId('SupportUser', node.requester.sourceId));
        users.add(node.requester.sourceId);
      }
      if (node.assignee) {
        expect(node.assignee.role).toMatch(/^(AGENT|ADMIN)$/);
        expect(node.assignee.id).toBe(toGlobalId('SupportUser', node.assignee.sourceId));
        users.add(node.assignee.sourceId);
      }
    }
    expect(users.size).toBeGreaterThan(20);
    expect(zd.counters()).toEqual({
      'GET /api/v2/tickets.json': 1,
      'GET /api/v2/users/show_many.json': Math.ceil(users.size / 100),
    });
    const [first] = page.edges;
    // The agent-workspace link names Zendesk's own ticket id, not the gateway's global id.
    expect(first?.node.url).toBe(`${zd.baseUrl}/agent/tickets/${first?.node.sourceId ?? ''}`);
  });

  it('asks for each user once per request, at most 100 ids a call, even across several lists', async () => {
    const first = await tickets({ first: 100 });
    const second = await tickets({ first: 100, after: first.pageInfo.endCursor });
    zd.resetCounters();
    const result = await t.graphql<Record<string, TicketsPage>>(
      `query ($after: String, $after2: String) {
        p1: tickets(first: 100) { edges { node { requester { sourceId } assignee { sourceId } } } }
        p2: tickets(first: 100, after: $after) { edges { node { requester { sourceId } assignee { sourceId } } } }
        p3: tickets(first: 100, after: $after2) { edges { node { requester { sourceId } assignee { sourceId } } } }
      }`,
      { after: first.pageInfo.endCursor, after2: second.pageInfo.endCursor },
    );
    expect(result.errors).toBeUndefined();
    const ids = new Set<string>();
    for (const list of Object.values(result.data ?? {})) {
      for (const { node } of list.edges) {
        if (node.requester) ids.add(node.requester.sourceId);
        if (node.assignee) ids.add(node.assignee.sourceId);
      }
    }
    expect(ids.size).toBeGreaterThan(100);
    const calls = zd
      .requests()
      .filter((r) => r.endpoint === 'GET /api/v2/users/show_many.json')
      .map((r) => (r.query.get('ids') ?? '').split(','));
    for (const call of calls) expect(call.length).toBeLessThanOrEqual(100);
    const asked = calls.flat();
    expect(asked.length).toBe(new Set(asked).size);
    expect(new Set(asked)).toEqual(ids);
    // Each list's users are batched as soon as that list arrives: never more than ceil(n/100) calls per list.
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(zd.counters()['GET /api/v2/tickets.json']).toBe(3);
  });

  it('pages with opaque cursors: no overlap, and any edge cursor resumes right after its edge', async () => {
    const page1 = await tickets({ first: 30 });
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await tickets({ first: 30, after: page1.pageInfo.endCursor });
    expect(page2.pageInfo.hasPreviousPage).toBe(true);
    const ids1 = page1.edges.map((e) => e.node.id);
    const ids2 = page2.edges.map((e) => e.node.id);
    expect(ids2).toHaveLength(30);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    const both = await tickets({ first: 60 });
    expect(both.edges.map((e) => e.node.id)).toEqual([...ids1, ...ids2]);

    const middle = await tickets({ first: 5, after: page1.edges[9]?.cursor });
    expect(middle.edges.map((e) => e.node.id)).toEqual(ids1.slice(10, 15));
    const across = await tickets({ first: 30, after: middle.pageInfo.endCursor });
    expect(across.edges.map((e) => e.node.id)).toEqual([...ids1.slice(15), ...ids2.slice(0, 15)]);
    expect(JSON.stringify(page1)).not.toContain('nice_id');
  });

  it('filters by status through search export, with its own cursors', async () => {
    const open = await tickets({ first: 10, status: 'OPEN' });
    expect(open.edges.length).toBeGreaterThan(0);
    expect(open.edges.every((e) => e.node.status === 'OPEN')).toBe(true);
    expect(zd.counters()['GET /api/v2/search/export.json']).toBe(1);
    const closed = await tickets({ first: 50, status: 'CLOSED' });
    const more = await tickets({ first: 50, status: 'CLOSED', after: closed.pageInfo.endCursor });
    expect(more.edges.every((e) => e.node.status === 'CLOSED')).toBe(true);
    const wrongList = await t.graphql(TICKETS, { first: 5, after: closed.pageInfo.endCursor });
    expect(wrongList.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('serves a user with the tickets they requested, all of them or by status', async () => {
    const requester = (await tickets({ first: 1 })).edges[0]?.node.requester;
    zd.resetCounters();
    const result = await t.graphql<{
      supportUser: UserRef & {
        tickets: { edges: { node: { sourceId: string; status: string; requester: { sourceId: string } } }[] };
        solved: { edges: { node: { status: string } }[] };
      };
    }>(
      `query ($id: ID!) { supportUser(id: $id) { id sourceId name email role
        tickets(first: 100) { edges { node { sourceId status requester { sourceId } } } }
        solved: tickets(first: 100, status: SOLVED) { edges { node { status } } }
      } }`,
      { id: requester?.sourceId },
    );
    expect(result.errors).toBeUndefined();
    const user = result.data?.supportUser;
    expect(user).toMatchObject({
      id: requester?.id,
      sourceId: requester?.sourceId,
      email: requester?.email,
      role: 'END_USER',
    });
    const own = [...zd.store.tickets.values()].filter(
      (tk) => String(tk.requester_id) === requester?.sourceId,
    );
    expect(own.length).toBeGreaterThan(0);
    expect(user?.tickets.edges.map((e) => e.node.sourceId)).toEqual(own.map((tk) => String(tk.id)));
    for (const { node } of user?.tickets.edges ?? []) {
      expect(node.requester.sourceId).toBe(requester?.sourceId);
    }
    expect(user?.solved.edges).toHaveLength(own.filter((tk) => tk.status === 'solved').length);
    // The requester of each ticket is the user already loaded: no call beyond the user and the two lists.
    expect(zd.counters()).toEqual({
      'GET /api/v2/users/show_many.json': 1,
      'GET /api/v2/users/:id/tickets/requested.json': 1,
      'GET /api/v2/search/export.json': 1,
    });
  });

  it('finds users by email, case-insensitively, distinct emails in one search, null for nobody', async () => {
    const users = [...zd.store.users.values()].filter((u) => u.role === 'end-user').slice(0, 2);
    const [a, b] = users;
    const result = await t.graphql<Record<string, { sourceId: string; email: string } | null>>(
      `query ($a: String!, $A: String!, $b: String!) {
        a: supportUserByEmail(email: $a) { sourceId email }
        again: supportUserByEmail(email: $A) { sourceId email }
        b: supportUserByEmail(email: $b) { sourceId email }
        nobody: supportUserByEmail(email: "nobody@nowhere.example") { sourceId }
      }`,
      { a: a?.email, A: ` ${a?.email.toUpperCase() ?? ''} `, b: b?.email },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      a: { sourceId: String(a?.id), email: a?.email },
      again: { sourceId: String(a?.id), email: a?.email },
      b: { sourceId: String(b?.id), email: b?.email },
      nobody: null,
    });
    expect(zd.counters()).toEqual({ 'GET /api/v2/users/search.json': 1 });
  });

  it('resolves unknown tickets and users to null, without calling for impossible ids', async () => {
    const result = await t.graphql(
      '{ ticket(id: "99999999") { id } supportUser(id: "1") { id } bad: ticket(id: "abc") { id } }',
    );
    expect(result).toEqual({ data: { ticket: null, supportUser: null, bad: null } });
    expect(zd.counters()).toEqual({
      'GET /api/v2/tickets/show_many.json': 1,
      'GET /api/v2/users/show_many.json': 1,
    });
  });

  it('refetches tickets and users through node(id), and ticket(id:)/supportUser(id:) take either id', async () => {
    const listed = (await tickets({ first: 1 })).edges[0]?.node;
    if (!listed?.requester) throw new Error('no ticket with a requester listed');
    const ticket = { id: listed.id, sourceId: listed.sourceId, subject: listed.subject, url: listed.url };
    const user = {
      id: listed.requester.id,
      sourceId: listed.requester.sourceId,
      email: listed.requester.email,
    };
    expect(ticket.id).toBe(toGlobalId('SupportTicket', ticket.sourceId));
    expect(user.id).toBe(toGlobalId('SupportUser', user.sourceId));

    const NODE = `query ($id: ID!) { node(id: $id) { __typename id
      ... on SupportTicket { sourceId subject url } ... on SupportUser { sourceId email } } }`;
    expect(await t.graphql(NODE, { id: ticket.id })).toEqual({
      data: { node: { __typename: 'SupportTicket', ...ticket } },
    });
    expect(await t.graphql(NODE, { id: user.id })).toEqual({
      data: { node: { __typename: 'SupportUser', ...user } },
    });
    for (const id of [ticket.id, ticket.sourceId]) {
      const one = await t.graphql('query ($id: ID!) { ticket(id: $id) { id sourceId subject url } }', { id });
      expect(one).toEqual({ data: { ticket } });
    }
    for (const id of [user.id, user.sourceId]) {
      const one = await t.graphql('query ($id: ID!) { supportUser(id: $id) { id sourceId email } }', { id });
      expect(one).toEqual({ data: { supportUser: user } });
    }

    // nodes(ids) keeps the order, with null for a ticket Zendesk does not know: one show_many per type.
    zd.resetCounters();
    const ids = [user.id, toGlobalId('SupportTicket', '99999999'), ticket.id];
    const many = await t.graphql('query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }', { ids });
    expect(many).toEqual({
      data: {
        nodes: [
          { __typename: 'SupportUser', id: user.id },
          null,
          { __typename: 'SupportTicket', id: ticket.id },
        ],
      },
    });
    expect(zd.counters()).toEqual({
      'GET /api/v2/tickets/show_many.json': 1,
      'GET /api/v2/users/show_many.json': 1,
    });

    // A Zendesk id is not a global id: node(id) refuses it before any call.
    zd.resetCounters();
    const bare = await t.graphql('query ($id: ID!) { node(id: $id) { id } }', { id: ticket.sourceId });
    expect(bare.data).toEqual({ node: null });
    expect(bare.errors?.[0]).toMatchObject({ path: ['node'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(zd.counters()).toEqual({});
  });

  it('refuses a bad cursor and a bad page size with BAD_USER_INPUT, without calling Zendesk', async () => {
    const badCursor = await t.graphql(TICKETS, { first: 5, after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]).toMatchObject({
      message:
        'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const tooMany = await t.graphql(TICKETS, { first: 101 });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(zd.counters()).toEqual({});
  });
});

describe('Zendesk failures map to the error vocabulary, with partial results', () => {
  it('UPSTREAM_UNAVAILABLE after retries on 5xx, while the rest of the answer stands', async () => {
    zd.faults.inject({
      endpoint: 'GET /api/v2/tickets/show_many.json',
      status: 503,
      times: 10,
      retryAfter: 0,
    });
    const result = await t.graphql('{ gateway { mode } ticket(id: "1") { id } }');
    expect(result.data).toEqual({ gateway: { mode: 'SANDBOX' }, ticket: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['ticket'],
      extensions: {
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'zendesk',
        upstreamStatus: 503,
        upstreamCode: 'ServiceUnavailable',
      },
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^Zendesk failed with HTTP 503: Zendesk is temporarily unavailable/,
    );
    expect(zd.counters()['GET /api/v2/tickets/show_many.json']).toBe(4);
  });

  it('retries a transient failure and succeeds', async () => {
    zd.faults.inject({ endpoint: 'GET /api/v2/tickets.json', status: 500, times: 1 });
    const result = await t.graphql('{ tickets(first: 1) { edges { node { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(zd.counters()['GET /api/v2/tickets.json']).toBe(2);
  });

  it('UPSTREAM_RATE_LIMITED when 429s outlast the retries, with Zendesk’s plain-text message', async () => {
    zd.faults.inject({ endpoint: 'GET /api/v2/tickets.json', status: 429, times: 10, retryAfter: 0 });
    const result = await t.graphql('{ tickets(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'zendesk',
      retryAfter: '0',
    });
    expect(result.errors?.[0]?.message).toMatch(/Too Many Requests/);
    expect(zd.counters()['GET /api/v2/tickets.json']).toBe(4);
  });

  it('UPSTREAM_BAD_RESPONSE for a body that breaks the API contract', async () => {
    zd.faults.inject({ endpoint: 'GET /api/v2/tickets.json', malformed: true, times: 1 });
    const result = await t.graphql('{ tickets(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'zendesk',
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^Zendesk answered tickets\.list with a body the gateway does not understand/,
    );
  });

  it('a failing user lookup nulls those fields only', async () => {
    zd.faults.inject({
      endpoint: 'GET /api/v2/users/show_many.json',
      status: 500,
      times: 100,
      retryAfter: 0,
    });
    const result = await t.graphql<{ tickets: TicketsPage }>(
      '{ tickets(first: 2) { edges { node { id requester { id } } } } }',
    );
    expect(result.data?.tickets.edges.map((e) => e.node.requester)).toEqual([null, null]);
    expect(result.errors?.map((e) => e.path)).toEqual([
      ['tickets', 'edges', 0, 'node', 'requester'],
      ['tickets', 'edges', 1, 'node', 'requester'],
    ]);
  });
});

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id source type subject { kind id email } data }
}`;

interface ReceivedEvent {
  events: {
    id: string;
    source: string;
    type: string;
    subject: { kind: string; id: string; email: string | null } | null;
    data: { id?: string };
  };
}

describe('POST /webhooks/zendesk', () => {
  it('pushes the emulator’s signed webhooks to a graphql-ws subscriber, and the API agrees', async () => {
    const someone = person();
    const joined: WorldChange = { kind: 'person.joined', at: Math.floor(Date.now() / 1000), person: someone };
    const opened: WorldChange = {
      kind: 'ticket.opened',
      at: joined.at + 60,
      person: someone,
      ticketId: `tkt_zd_${personSeq}`,
      subject: 'Export to CSV times out',
      priority: 'high',
    };
    const updated: WorldChange = {
      kind: 'ticket.updated',
      at: joined.at + 120,
      person: someone,
      ticketId: opened.ticketId,
      from: 'new',
      to: 'open',
    };
    const url = `${t.url}/webhooks/zendesk`;
    const deliveries = [joined, opened, updated].flatMap((change) => zd.react(change, url));
    expect(deliveries).toHaveLength(4);

    const after = await latestCursor();
    const sub = collect<ReceivedEvent>(t.ws(), EVENTS, { after, filter: { sources: ['zendesk'] } }, 4);
    for (const delivery of deliveries) {
      const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
      expect(response.status).toBe(200);
    }
    const received = (await sub.done).map((r) => r.events);
    expect(received.map((e) => e.type)).toEqual([
      'user.created',
      'ticket.created',
      'ticket.agent_assignment_changed',
      'ticket.status_changed',
    ]);
    expect(received[0]?.subject).toEqual({
      kind: 'user',
      id: expect.stringMatching(/^\d+$/) as unknown,
      email: someone.email,
    });
    const ticketId = received[1]?.subject?.id ?? '';
    expect(received.slice(1).every((e) => e.subject?.kind === 'ticket' && e.subject.id === ticketId)).toBe(
      true,
    );
    expect(received.map((e) => e.id)).toEqual(
      deliveries.map((d) => (JSON.parse(d.body) as { id: string }).id),
    );

    const now = await t.graphql<{ ticket: TicketNode | null }>(
      'query ($id: ID!) { ticket(id: $id) { id sourceId subject status url requester { id sourceId name email role } assignee { id sourceId name email role } } }',
      { id: ticketId },
    );
    expect(now.data?.ticket).toMatchObject({
      id: toGlobalId('SupportTicket', ticketId),
      sourceId: ticketId,
      subject: 'Export to CSV times out',
      status: 'OPEN',
      requester: { email: someone.email, role: 'END_USER' },
      assignee: { role: expect.stringMatching(/^(AGENT|ADMIN)$/) as unknown },
    });
    const byEmail = await t.graphql<{ supportUserByEmail: { sourceId: string } | null }>(
      'query ($e: String!) { supportUserByEmail(email: $e) { sourceId } }',
      { e: someone.email },
    );
    expect(byEmail.data?.supportUserByEmail?.sourceId).toBe(received[0]?.subject?.id);
  });

  it('acknowledges a duplicate delivery with 200 and publishes it once', async () => {
    const someone = person();
    const [first] = zd.react(
      { kind: 'person.joined', at: Math.floor(Date.now() / 1000), person: someone },
      'x',
    );
    const [marker] = zd.react(
      { kind: 'person.joined', at: Math.floor(Date.now() / 1000), person: person() },
      'x',
    );
    if (!first || !marker) throw new Error('no deliveries');
    const after = await latestCursor();
    const sub = collect<ReceivedEvent>(t.ws(), EVENTS, { after, filter: { sources: ['zendesk'] } }, 2, 5000);
    const post = async (d: { headers: Record<string, string>; body: string }) => {
      const response = await fetch(`${t.url}/webhooks/zendesk`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    expect((await post(first)).status).toBe(200);
    // Zendesk retries with a fresh signature; the event id stays the same.
    const again = await postZendesk(first.body);
    expect(again).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    expect((await post(marker)).status).toBe(200);
    const ids = (await sub.done).map((r) => r.events.id);
    expect(ids).toEqual([first, marker].map((d) => (JSON.parse(d.body) as { id: string }).id));
  });

  it('refuses bad deliveries with the right status and publishes none of them', async () => {
    const before = await storedCount();
    const [delivery] = zd.react(
      { kind: 'person.joined', at: Math.floor(Date.now() / 1000), person: person() },
      'x',
    );
    if (!delivery) throw new Error('no delivery');
    const body = delivery.body;

    const unsigned = await fetch(`${t.url}/webhooks/zendesk`, { method: 'POST', body });
    expect([unsigned.status, await unsigned.json()]).toEqual([
      401,
      { error: { code: 'SIGNATURE_MISSING', message: 'Missing X-Zendesk-Webhook-Signature header.' } },
    ]);
    const tampered = await fetch(`${t.url}/webhooks/zendesk`, {
      method: 'POST',
      headers: delivery.headers,
      body: body.replace('dana.tester', 'mallory'),
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: { code: 'SIGNATURE_INVALID' } });

    const wrongSecret = await postZendesk(body, { secret: 'not-the-secret' });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });
    const stale = await postZendesk(body, {
      timestamp: new Date(Date.now() - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    expect(stale).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_STALE' } } });

    const notJson = await postZendesk('{"type": "zen:event-type:user.created", ');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    const notAnEvent = await postZendesk(
      JSON.stringify({ type: 'zen:event-type:user.created', id: 'x', detail: { id: '1' } }),
    );
    expect(notAnEvent).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'Body is not a Zendesk event.',
          issues: [
            { path: 'time', message: 'Invalid input: expected string, received undefined' },
            { path: 'account_id', message: 'Invalid input: expected number, received undefined' },
            { path: 'subject', message: 'Invalid input: expected string, received undefined' },
          ],
        },
      },
    });
    const huge = JSON.stringify({ ...(JSON.parse(body) as object), padding: 'x'.repeat(1024 * 1024) });
    const oversize = await postZendesk(huge);
    expect(oversize).toEqual({
      status: 413,
      body: {
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is larger than the 1048576 byte limit.' },
      },
    });
    expect(await storedCount()).toBe(before);
  });

  it('is listed as a sandboxed source with webhooks', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    const body = (await ready.json()) as { sources: { name: string; mode: string; webhooks: boolean }[] };
    expect(body.sources.find((s) => s.name === 'zendesk')).toMatchObject({ mode: 'sandbox', webhooks: true });
  });
});
