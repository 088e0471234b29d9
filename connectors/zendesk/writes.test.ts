import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/node-id.ts';
import { collect, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningZendeskSandbox } from './sandbox/index.ts';

let t: TestGateway;
let zd: RunningZendeskSandbox;

beforeAll(async () => {
  t = await startTestGateway({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '300' });
  const found = t.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
  if (!found) throw new Error('the zendesk sandbox did not start');
  zd = found as RunningZendeskSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  zd.faults.clear();
  zd.resetCounters();
});

interface Ticket {
  id: string;
  sourceId: string;
  subject: string;
  status: string;
  priority: string | null;
  description: string | null;
  requester: { email: string | null; name: string } | null;
}

const CREATE = `mutation ($input: CreateTicketInput!, $key: String) {
  createTicket(input: $input, idempotencyKey: $key) {
    id sourceId subject status priority description requester { email name }
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateTicketInput!, $key: String) {
  updateTicket(id: $id, input: $input, idempotencyKey: $key) { id sourceId status priority }
}`;

const input = (subject: string) => ({
  requesterEmail: 'new.person@example.org',
  requesterName: 'New Person',
  subject,
  comment: 'The export button does nothing.',
  priority: 'HIGH',
});

const creates = () => zd.counters()['POST /api/v2/tickets.json'] ?? 0;

describe('createTicket', () => {
  it('opens the ticket in Zendesk (JSON body, requester by email) and a query right after shows it', async () => {
    const result = await t.graphql<{ createTicket: Ticket }>(CREATE, { input: input('Export broken') });
    expect(result.errors).toBeUndefined();
    const ticket = result.data?.createTicket;
    expect(ticket).toMatchObject({
      subject: 'Export broken',
      status: 'NEW',
      priority: 'HIGH',
      description: 'The export button does nothing.',
      requester: { email: 'new.person@example.org', name: 'New Person' },
    });
    expect(creates()).toBe(1);
    const stored = zd.store.tickets.get(Number(ticket?.sourceId));
    expect(stored?.via.channel).toBe('api');
    const read = await t.graphql<{ ticket: { subject: string } }>(
      `query ($id: ID!) { ticket(id: $id) { subject } }`,
      {
        id: ticket?.id,
      },
    );
    expect(read.data?.ticket.subject).toBe('Export broken');
  });

  it('the same key twice opens one ticket and returns it both times', async () => {
    const variables = { input: input('Twice'), key: 'ticket-twice-1' };
    const first = await t.graphql<{ createTicket: Ticket }>(CREATE, variables);
    const second = await t.graphql<{ createTicket: Ticket }>(CREATE, variables);
    expect(first.errors).toBeUndefined();
    expect(second.data?.createTicket).toEqual(first.data?.createTicket);
    expect(creates()).toBe(1);
  });

  it('the same key from ten clients at once opens one ticket', async () => {
    const variables = { input: input('In parallel'), key: 'ticket-parallel-1' };
    zd.faults.inject({ endpoint: 'POST /api/v2/tickets.json', delayMs: 150 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.graphql<{ createTicket: Ticket }>(CREATE, variables)),
    );
    const ids = new Set(results.map((r) => r.data?.createTicket.sourceId));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
    expect(creates()).toBe(1);
  });

  it('refuses a key reused with other input, naming the field that changed', async () => {
    await t.graphql(CREATE, { input: input('First use'), key: 'ticket-conflict-1' });
    const again = await t.graphql(CREATE, { input: input('Other subject'), key: 'ticket-conflict-1' });
    expect(again.errors?.[0]?.message).toBe(
      'The idempotency key "ticket-conflict-1" was already used for createTicket with different input ' +
        '(input.subject differ): a key stands for one request. Send the same input to get the first result ' +
        'again, or use a new key for a different request.',
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.subject', message: 'differs from the first request with this key' }],
    });
    expect(creates()).toBe(1);
  });

  it('validates the input before calling Zendesk, with field paths', async () => {
    const result = await t.graphql(CREATE, {
      input: { ...input('x'), requesterEmail: 'not-an-email', subject: ' ' },
    });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'input.requesterEmail', message: 'must be an email address' },
        { field: 'input.subject', message: 'must not be empty' },
      ],
    });
    expect(result.errors?.[0]?.message).toBe(
      'The gateway refused the input (input.requesterEmail: must be an email address; input.subject: must not be empty).',
    );
    expect(creates()).toBe(0);
  });

  it('refuses a key longer than 255 characters', async () => {
    const result = await t.graphql(CREATE, { input: input('Long key'), key: 'k'.repeat(256) });
    expect(result.errors?.[0]?.message).toBe(
      'Argument "idempotencyKey" must be 1 to 255 characters; got 256.',
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(creates()).toBe(0);
  });

  it('a create that times out is sent once, never retried, and reports outcome "unknown"', async () => {
    zd.faults.inject({ endpoint: 'POST /api/v2/tickets.json', hang: true, times: 5 });
    const result = await t.graphql(CREATE, { input: input('Hung'), key: 'ticket-hung-1' });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      source: 'zendesk',
      outcome: 'unknown',
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^Zendesk did not answer in time after the write was sent, so its outcome is unknown: it may or may not have happened\. Retry with the same idempotencyKey/,
    );
    expect(creates()).toBe(1);
  });

  it('a create whose connection is reset mid-request is not retried either', async () => {
    zd.faults.inject({ endpoint: 'POST /api/v2/tickets.json', reset: true, times: 5 });
    const result = await t.graphql(CREATE, { input: input('Reset') });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', outcome: 'unknown' });
    expect(creates()).toBe(1);
  });
});

describe('updateTicket', () => {
  async function open(subject: string): Promise<Ticket> {
    const result = await t.graphql<{ createTicket: Ticket }>(CREATE, { input: input(subject) });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.createTicket;
  }

  it('changes status and priority by global id or Zendesk id, and a query right after shows it', async () => {
    const ticket = await open('To solve');
    const byGlobal = await t.graphql<{ updateTicket: Ticket }>(UPDATE, {
      id: ticket.id,
      input: { status: 'PENDING', priority: 'URGENT' },
    });
    expect(byGlobal.data?.updateTicket).toMatchObject({ status: 'PENDING', priority: 'URGENT' });
    const byOwn = await t.graphql<{ updateTicket: Ticket }>(UPDATE, {
      id: ticket.sourceId,
      input: { status: 'SOLVED', comment: { body: 'Fixed in 2.4.1.', public: false } },
    });
    expect(byOwn.data?.updateTicket.status).toBe('SOLVED');
    expect(zd.counters()['PUT /api/v2/tickets/:id']).toBe(2);
    const read = await t.graphql<{ ticket: { status: string } }>(
      `query ($id: ID!) { ticket(id: $id) { status } }`,
      {
        id: ticket.id,
      },
    );
    expect(read.data?.ticket.status).toBe('SOLVED');
  });

  it("maps Zendesk's 422 RecordInvalid details to extensions.fields", async () => {
    const ticket = await open('To close');
    await t.graphql(UPDATE, { id: ticket.id, input: { status: 'CLOSED' } });
    const result = await t.graphql(UPDATE, { id: ticket.id, input: { priority: 'LOW' } });
    expect(result.errors?.[0]?.message).toBe(
      'Zendesk refused the input (input.status: Status: closed prevents ticket update).',
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'zendesk',
      upstreamStatus: 422,
      upstreamCode: 'RecordInvalid',
      fields: [{ field: 'input.status', message: 'Status: closed prevents ticket update' }],
    });
  });

  it('an unknown ticket is UPSTREAM_NOT_FOUND', async () => {
    const result = await t.graphql(UPDATE, {
      id: toGlobalId('SupportTicket', '999999999'),
      input: { status: 'OPEN' },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_NOT_FOUND', source: 'zendesk' });
  });

  it('a comment is never sent twice: a PUT that appends is not retried after a reset', async () => {
    const ticket = await open('Comment once');
    zd.resetCounters();
    zd.faults.inject({ endpoint: 'PUT /api/v2/tickets/:id', reset: true, times: 5 });
    const result = await t.graphql(UPDATE, { id: ticket.id, input: { comment: { body: 'Hello again' } } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', outcome: 'unknown' });
    expect(zd.counters()['PUT /api/v2/tickets/:id']).toBe(1);
  });
});

describe('seen live', () => {
  it("a ticketUpdated subscriber receives Zendesk's webhook for its own createTicket", async () => {
    const client = t.ws();
    const feed = collect<{ ticketUpdated: { event: { type: string }; ticket: { subject: string } } }>(
      client,
      'subscription { ticketUpdated { event { type } ticket { subject } } }',
      {},
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await t.graphql<{ createTicket: Ticket }>(CREATE, {
      input: { ...input('Seen live'), requesterEmail: 'sam.larsen@umbra.example' },
    });
    expect(created.errors).toBeUndefined();
    const [event] = await feed.done;
    expect(event?.ticketUpdated).toEqual({
      event: { type: 'ticket.created' },
      ticket: { subject: 'Seen live' },
    });
  });
});
