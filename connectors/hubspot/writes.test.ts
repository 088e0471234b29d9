import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningHubSpotSandbox } from './sandbox/index.ts';

let t: TestGateway;
let hs: RunningHubSpotSandbox;
const EMAIL = 'julia.kumar@lattice.example';

beforeAll(async () => {
  t = await startTestGateway({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '300' });
  const found = t.gateway.sources.find((s) => s.name === 'hubspot')?.sandbox;
  if (!found) throw new Error('the hubspot sandbox did not start');
  hs = found as RunningHubSpotSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  hs.faults.clear();
  hs.resetCounters();
});

interface Contact {
  id: string;
  sourceId: string;
  email: string | null;
  firstName: string | null;
  jobTitle: string | null;
  lifecycleStage: string | null;
}
interface Note {
  id: string;
  sourceId: string;
  body: string | null;
  contact: { email: string | null } | null;
}

const UPDATE = `mutation ($id: ID!, $input: UpdateCrmContactInput!, $key: String) {
  updateCrmContact(id: $id, input: $input, idempotencyKey: $key) { id sourceId email firstName jobTitle lifecycleStage }
}`;
const NOTE = `mutation ($contactId: ID!, $body: String!, $key: String) {
  createCrmNote(contactId: $contactId, body: $body, idempotencyKey: $key) { id sourceId body contact { email } }
}`;

async function contact(): Promise<Contact> {
  const result = await t.graphql<{ crmContactByEmail: Contact }>(
    `query ($email: String!) { crmContactByEmail(email: $email) { id sourceId email firstName jobTitle lifecycleStage } }`,
    { email: EMAIL },
  );
  if (!result.data?.crmContactByEmail) throw new Error(JSON.stringify(result.errors));
  return result.data.crmContactByEmail;
}

const patches = () => hs.counters()['PATCH /crm/v3/objects/contacts/:id'] ?? 0;
const noteCreates = () => hs.counters()['POST /crm/v3/objects/notes'] ?? 0;

describe('updateCrmContact', () => {
  it('PATCHes named properties and the JSON escape hatch; a query right after shows them', async () => {
    const before = await contact();
    const result = await t.graphql<{ updateCrmContact: Contact }>(UPDATE, {
      id: before.id,
      input: {
        jobTitle: 'Head of Platform',
        lifecycleStage: 'customer',
        properties: { company: 'Lattice Two' },
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateCrmContact).toMatchObject({
      jobTitle: 'Head of Platform',
      lifecycleStage: 'customer',
    });
    expect(patches()).toBe(1);
    expect(hs.store.get('contacts', before.sourceId)?.properties['company']).toBe('Lattice Two');
    expect((await contact()).jobTitle).toBe('Head of Platform');
  });

  it("maps HubSpot's VALIDATION_ERROR entries to argument paths", async () => {
    const { sourceId } = await contact();
    const result = await t.graphql(UPDATE, {
      id: sourceId,
      input: { lifecycleStage: 'notastage', properties: { hs_lead_status: 'OPEN' } },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'hubspot',
      upstreamStatus: 400,
      fields: [
        {
          field: 'input.lifecycleStage',
          message:
            'notastage was not one of the allowed options: [subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other]',
        },
        { field: 'input.properties.hs_lead_status', message: 'Property "hs_lead_status" does not exist' },
      ],
    });
  });

  it('refuses before calling HubSpot: a named property given twice, a bad email', async () => {
    const { id } = await contact();
    const result = await t.graphql(UPDATE, { id, input: { email: 'x', properties: { jobtitle: 'CTO' } } });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'input.email', message: 'must be an email address' },
        { field: 'input.properties.jobtitle', message: 'has its own field in the input: set it there' },
      ],
    });
    expect(patches()).toBe(0);
  });

  it('a PATCH only sets values, so a reset is retried and still applies once', async () => {
    const { id } = await contact();
    hs.faults.inject({ endpoint: 'PATCH /crm/v3/objects/contacts/:id', reset: true, times: 1 });
    const result = await t.graphql<{ updateCrmContact: Contact }>(UPDATE, {
      id,
      input: { firstName: 'Jules' },
    });
    expect(result.data?.updateCrmContact.firstName).toBe('Jules');
    expect(patches()).toBe(2);
  });

  it('a customerChanged subscriber sees the contact.propertyChange of its own write', async () => {
    const { id } = await contact();
    const feed = collect<{ customerChanged: { event: { source: string; type: string; data: unknown } } }>(
      t.ws(),
      'subscription ($email: String!) { customerChanged(email: $email) { event { source type data } } }',
      { email: EMAIL },
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.graphql(UPDATE, { id, input: { jobTitle: 'Chief Seen-Live Officer' } });
    const [received] = await feed.done;
    expect(received?.customerChanged.event).toMatchObject({
      source: 'hubspot',
      type: 'contact.propertyChange',
      data: expect.objectContaining({
        propertyName: 'jobtitle',
        propertyValue: 'Chief Seen-Live Officer',
      }) as unknown,
    });
  });
});

describe('createCrmNote', () => {
  it('creates a note associated with the contact (type 202), readable again by its global id', async () => {
    const { id, sourceId } = await contact();
    const result = await t.graphql<{ createCrmNote: Note }>(NOTE, {
      contactId: id,
      body: 'Called about renewal.',
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createCrmNote).toMatchObject({
      body: 'Called about renewal.',
      contact: { email: EMAIL },
    });
    const stored = hs.notes.get(result.data?.createCrmNote.sourceId ?? '');
    expect(stored?.contacts).toEqual([sourceId]);
    const again = await t.graphql<{ node: Note }>(
      `query ($id: ID!) { node(id: $id) { ... on CrmNote { body contact { email } } } }`,
      { id: result.data?.createCrmNote.id },
    );
    expect(again.data?.node).toEqual({ body: 'Called about renewal.', contact: { email: EMAIL } });
  });

  it('the same key twice, and ten times at once, creates one note each', async () => {
    const { id } = await contact();
    const first = await t.graphql<{ createCrmNote: Note }>(NOTE, {
      contactId: id,
      body: 'Once',
      key: 'note-1',
    });
    const second = await t.graphql<{ createCrmNote: Note }>(NOTE, {
      contactId: id,
      body: 'Once',
      key: 'note-1',
    });
    expect(second.data).toEqual(first.data);
    expect(noteCreates()).toBe(1);
    hs.faults.inject({ endpoint: 'POST /crm/v3/objects/notes', delayMs: 150 });
    const parallel = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.graphql<{ createCrmNote: Note }>(NOTE, { contactId: id, body: 'Par', key: 'note-2' }),
      ),
    );
    expect(new Set(parallel.map((r) => r.data?.createCrmNote.sourceId)).size).toBe(1);
    expect(noteCreates()).toBe(2);
  });

  it('a note that times out is sent once and reports outcome "unknown", saying HubSpot cannot de-duplicate', async () => {
    const { id } = await contact();
    hs.faults.inject({ endpoint: 'POST /crm/v3/objects/notes', hang: true, times: 5 });
    const result = await t.graphql(NOTE, { contactId: id, body: 'Hung', key: 'note-3' });
    expect(result.errors?.[0]).toMatchObject({
      message:
        'HubSpot did not answer in time after the write was sent, so its outcome is unknown: it may or may not have happened. Retry with the same idempotencyKey: if the first attempt was written, HubSpot has no idempotency keys of its own to notice it, so look for the object first if a duplicate would matter.',
      extensions: { code: 'UPSTREAM_TIMEOUT', source: 'hubspot', outcome: 'unknown' },
    });
    expect(noteCreates()).toBe(1);
  });

  it('an empty body is refused before calling HubSpot', async () => {
    const { id } = await contact();
    const result = await t.graphql(NOTE, { contactId: id, body: '  ' });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'body', message: 'must not be empty' }],
    });
    expect(noteCreates()).toBe(0);
  });
});
