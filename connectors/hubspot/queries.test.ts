import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/node-id.ts';
import { keyFailure } from './client.ts';
import { startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningHubSpotSandbox } from './sandbox/index.ts';

let t: TestGateway;
let hubspot: RunningHubSpotSandbox;

beforeAll(async () => {
  t = await startTestGateway();
  const sandbox = t.gateway.sources.find((s) => s.name === 'hubspot')?.sandbox;
  if (!sandbox) throw new Error('the hubspot sandbox did not start');
  hubspot = sandbox as RunningHubSpotSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  hubspot.faults.clear();
  hubspot.rateLimits.reset();
  hubspot.resetCounters();
});

interface Contact {
  id: string;
  sourceId: string;
  email: string | null;
  name: string | null;
  company: { id: string; sourceId: string; name: string | null } | null;
  deals: { edges: { node: { id: string; sourceId: string; name: string | null } }[] };
}

interface ContactsData {
  crmContacts: {
    edges: { cursor: string; node: Contact }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const CONTACTS = `query ($first: Int, $after: String) {
  crmContacts(first: $first, after: $after) {
    edges { cursor node { id sourceId email name company { id sourceId name } deals(first: 20) { edges { node { id sourceId name } } } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

const IDS = `query ($first: Int, $after: String) {
  crmContacts(first: $first, after: $after) { edges { cursor node { id sourceId } } pageInfo { hasNextPage endCursor } }
}`;

describe('CRM queries against the HubSpot emulator', () => {
  it('batches: 100 contacts with company and deals cost one list call and one batch per kind of read', async () => {
    const result = await t.graphql<ContactsData>(CONTACTS, { first: 100 });
    expect(result.errors).toBeUndefined();
    const contacts = result.data?.crmContacts.edges.map((e) => e.node) ?? [];
    expect(contacts).toHaveLength(100);
    const companies = new Set(contacts.flatMap((c) => (c.company ? [c.company.sourceId] : [])));
    const deals = new Set(contacts.flatMap((c) => c.deals.edges.map((e) => e.node.sourceId)));
    expect(companies.size).toBeGreaterThan(10);
    expect(deals.size).toBeGreaterThan(10);
    expect(hubspot.counters()).toEqual({
      'GET /crm/v3/objects/contacts': 1,
      'POST /crm/v4/associations/contacts/companies/batch/read': Math.ceil(100 / 100),
      'POST /crm/v4/associations/contacts/deals/batch/read': Math.ceil(100 / 100),
      'POST /crm/v3/objects/companies/batch/read': Math.ceil(companies.size / 100),
      'POST /crm/v3/objects/deals/batch/read': Math.ceil(deals.size / 100),
    });
    // Every answer is mapped back by key: each contact gets its own company and deals.
    for (const contact of contacts) {
      expect(contact.id).toBe(toGlobalId('CrmContact', contact.sourceId));
      const record = hubspot.store.get('contacts', contact.sourceId);
      expect(contact.email).toBe(record?.properties['email']);
      const linked = hubspot.store.associated('contacts', contact.sourceId, 'companies')[0]?.id;
      expect(contact.company?.sourceId).toBe(linked);
      expect(contact.company?.id).toBe(linked && toGlobalId('CrmCompany', linked));
      expect(contact.company?.name).toBe(
        linked && hubspot.store.get('companies', linked)?.properties['name'],
      );
      const dealIds = hubspot.store.associated('contacts', contact.sourceId, 'deals').map((d) => d.id);
      expect(contact.deals.edges.map((e) => e.node.sourceId)).toEqual(dealIds);
      expect(contact.deals.edges.map((e) => e.node.id)).toEqual(
        dealIds.map((id) => toGlobalId('CrmDeal', id)),
      );
    }
  });

  it('costs more batch calls only past 100 distinct records, and never repeats one', async () => {
    const result = await t.graphql<{
      crmDeals: {
        edges: {
          node: { sourceId: string; company: { sourceId: string } | null; contacts: { edges: unknown[] } };
        }[];
      };
    }>(
      '{ crmDeals(first: 100) { edges { node { sourceId company { sourceId } contacts(first: 5) { edges { node { sourceId email } } } } } } }',
    );
    expect(result.errors).toBeUndefined();
    const deals = result.data?.crmDeals.edges.map((e) => e.node) ?? [];
    expect(deals).toHaveLength(100);
    const contactIds = new Set(
      deals.flatMap((d) => hubspot.store.associated('deals', d.sourceId, 'contacts').slice(0, 5)),
    );
    const companyIds = new Set(deals.flatMap((d) => (d.company ? [d.company.sourceId] : [])));
    expect(hubspot.counters()).toEqual({
      'GET /crm/v3/objects/deals': 1,
      'POST /crm/v4/associations/deals/companies/batch/read': 1,
      'POST /crm/v4/associations/deals/contacts/batch/read': 1,
      'POST /crm/v3/objects/companies/batch/read': Math.ceil(companyIds.size / 100),
      ...(contactIds.size > 0
        ? { 'POST /crm/v3/objects/contacts/batch/read': Math.ceil(contactIds.size / 100) }
        : {}),
    });
  });

  it('pages with opaque cursors, from the end of a page or from any edge inside it', async () => {
    const first = await t.graphql<ContactsData>(IDS, { first: 30 });
    const page1 = first.data?.crmContacts;
    expect(page1?.pageInfo.hasNextPage).toBe(true);
    const second = await t.graphql<ContactsData>(IDS, { first: 30, after: page1?.pageInfo.endCursor });
    const ids1 = page1?.edges.map((e) => e.node.id) ?? [];
    const ids2 = second.data?.crmContacts.edges.map((e) => e.node.id) ?? [];
    expect(ids2).toHaveLength(30);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    const both = await t.graphql<ContactsData>(IDS, { first: 60 });
    expect(both.data?.crmContacts.edges.map((e) => e.node.id)).toEqual([...ids1, ...ids2]);

    // Resuming after the 10th edge gives the 11th onwards.
    const middle = await t.graphql<ContactsData>(IDS, { first: 25, after: page1?.edges[9]?.cursor });
    expect(middle.data?.crmContacts.edges.map((e) => e.node.id)).toEqual([...ids1, ...ids2].slice(10, 35));

    // Walking the whole list with endCursor visits every contact once.
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await t.graphql<ContactsData>(IDS, { first: 100, after });
      seen.push(...(page.data?.crmContacts.edges.map((e) => e.node.sourceId) ?? []));
      if (!page.data?.crmContacts.pageInfo.hasNextPage) break;
      after = page.data.crmContacts.pageInfo.endCursor;
    }
    expect(seen).toEqual([...hubspot.store.ids('contacts')]);
  });

  it('pages the contacts of a company through its associations', async () => {
    const companyId = [...hubspot.store.ids('companies')].find(
      (id) => hubspot.store.associated('companies', id, 'contacts').length >= 5,
    );
    const all = hubspot.store.associated('companies', companyId ?? '', 'contacts').map((c) => c.id);
    const query = `query ($id: ID!, $after: String) {
      crmCompany(id: $id) { id name contacts(first: 2, after: $after) { edges { cursor node { sourceId } } pageInfo { hasNextPage endCursor } } }
    }`;
    type Data = {
      crmCompany: {
        contacts: {
          edges: { node: { sourceId: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    };
    const first = await t.graphql<Data>(query, { id: companyId });
    expect(first.errors).toBeUndefined();
    expect(first.data?.crmCompany.contacts.edges.map((e) => e.node.sourceId)).toEqual(all.slice(0, 2));
    const next = await t.graphql<Data>(query, {
      id: companyId,
      after: first.data?.crmCompany.contacts.pageInfo.endCursor,
    });
    expect(next.data?.crmCompany.contacts.edges.map((e) => e.node.sourceId)).toEqual(all.slice(2, 4));
    const foreign = await t.graphql(query, {
      id: companyId,
      after: (await t.graphql<ContactsData>(IDS, { first: 1 })).data?.crmContacts.pageInfo.endCursor,
    });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('finds contacts by email, case-insensitively, in one batch call for several emails', async () => {
    const [a, b] = [...hubspot.store.records.contacts.values()];
    const result = await t.graphql<{
      a: { sourceId: string } | null;
      b: { sourceId: string } | null;
      nobody: null;
    }>(
      `query ($a: String!, $b: String!) {
        a: crmContactByEmail(email: $a) { sourceId }
        b: crmContactByEmail(email: $b) { sourceId }
        nobody: crmContactByEmail(email: "nobody@nowhere.example") { sourceId }
      }`,
      { a: a?.properties['email']?.toUpperCase(), b: ` ${b?.properties['email'] ?? ''} ` },
    );
    expect(result).toEqual({ data: { a: { sourceId: a?.id }, b: { sourceId: b?.id }, nobody: null } });
    expect(hubspot.counters()).toEqual({ 'POST /crm/v3/objects/contacts/batch/read': 1 });
  });

  it('reads one record with a single GET, null when HubSpot answers 404', async () => {
    const dealId = hubspot.store.ids('deals')[0] ?? '';
    const result = await t.graphql<{
      crmDeal: { id: string; sourceId: string; stage: string; pipeline: string; amount: unknown };
    }>(
      `query ($id: ID!) { crmDeal(id: $id) { id sourceId stage pipeline amount { amount currencyCode minorUnits } closeDate createdAt company { id } } }`,
      { id: dealId },
    );
    expect(result.errors).toBeUndefined();
    const record = hubspot.store.get('deals', dealId);
    expect(result.data?.crmDeal).toMatchObject({
      id: toGlobalId('CrmDeal', dealId),
      sourceId: dealId,
      stage: record?.properties['dealstage'],
      pipeline: 'default',
      // The seeded deals have whole-dollar amounts and no deal_currency_code: the account's company currency.
      amount: {
        amount: `${record?.properties['amount'] ?? ''}.00`,
        currencyCode: 'USD',
        minorUnits: Number(record?.properties['amount']) * 100,
      },
    });
    expect(hubspot.counters()).toMatchObject({ 'GET /account-info/v3/details': 1 });
    const missing = await t.graphql(
      '{ crmContact(id: "1") { id } crmCompany(id: "not-a-number") { id } crmDeal(id: "99999999999") { id } }',
    );
    expect(missing).toEqual({ data: { crmContact: null, crmCompany: null, crmDeal: null } });
    expect(hubspot.counters()).toMatchObject({
      'GET /crm/v3/objects/contacts/:id': 1,
      'GET /crm/v3/objects/companies/:id': 1,
      'GET /crm/v3/objects/deals/:id': 2,
    });
  });

  it("gives a deal's amount as Money in deal_currency_code, and a malformed amount as UPSTREAM_BAD_RESPONSE", async () => {
    const [yen, broken] = hubspot.store.ids('deals').slice(-2);
    const at = new Date().toISOString();
    hubspot.store.update('deals', yen ?? '', { amount: '1200000', deal_currency_code: 'JPY' }, at);
    hubspot.store.update('deals', broken ?? '', { amount: '1,200.50' }, at);
    const result = await t.graphql(
      `query ($a: ID!, $b: ID!) {
        yen: crmDeal(id: $a) { sourceId amount { amount currencyCode minorUnits } }
        broken: crmDeal(id: $b) { sourceId amount { amount } }
      }`,
      { a: yen, b: broken },
    );
    expect(result.data).toEqual({
      yen: { sourceId: yen, amount: { amount: '1200000', currencyCode: 'JPY', minorUnits: 1200000 } },
      broken: { sourceId: broken, amount: null },
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `HubSpot's deal amount is not an amount of money: "1,200.50" is not a decimal amount.`,
        path: ['broken', 'amount'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', source: 'hubspot' }) as unknown,
      }),
    ]);
  });

  it('refetches each Node type through node(id), and its field takes the global or the HubSpot id', async () => {
    type Fields = { id: string; sourceId: string; email?: string | null; name?: string | null };
    const list = await t.graphql<
      Record<'crmContacts' | 'crmCompanies' | 'crmDeals', { edges: { node: Fields }[] }>
    >(`{
      crmContacts(first: 1) { edges { node { id sourceId email } } }
      crmCompanies(first: 1) { edges { node { id sourceId name } } }
      crmDeals(first: 1) { edges { node { id sourceId name } } }
    }`);
    expect(list.errors).toBeUndefined();
    const objects = {
      CrmContact: { field: 'crmContact', object: list.data?.crmContacts.edges[0]?.node },
      CrmCompany: { field: 'crmCompany', object: list.data?.crmCompanies.edges[0]?.node },
      CrmDeal: { field: 'crmDeal', object: list.data?.crmDeals.edges[0]?.node },
    };
    const NODE = `query ($id: ID!) { node(id: $id) { __typename id
      ... on CrmContact { sourceId email } ... on CrmCompany { sourceId name } ... on CrmDeal { sourceId name } } }`;
    for (const [typeName, { field, object }] of Object.entries(objects)) {
      if (!object) throw new Error(`no ${typeName} listed`);
      expect(object.id).toBe(toGlobalId(typeName, object.sourceId));
      expect(await t.graphql(NODE, { id: object.id })).toEqual({
        data: { node: { __typename: typeName, ...object } },
      });
      const selection = typeName === 'CrmContact' ? 'id sourceId email' : 'id sourceId name';
      for (const id of [object.id, object.sourceId]) {
        const one = await t.graphql(`query ($id: ID!) { ${field}(id: $id) { ${selection} } }`, { id });
        expect(one).toEqual({ data: { [field]: object } });
      }
    }

    // nodes(ids) keeps the order, with null for an id HubSpot does not know: one batch read per object type.
    hubspot.resetCounters();
    const ids = [objects.CrmDeal.object?.id, toGlobalId('CrmContact', '1'), objects.CrmContact.object?.id];
    const many = await t.graphql<{ nodes: ({ __typename: string; id: string } | null)[] }>(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
      { ids },
    );
    expect(many).toEqual({
      data: {
        nodes: [{ __typename: 'CrmDeal', id: ids[0] }, null, { __typename: 'CrmContact', id: ids[2] }],
      },
    });
    expect(hubspot.counters()).toEqual({
      'POST /crm/v3/objects/deals/batch/read': 1,
      'POST /crm/v3/objects/contacts/batch/read': 1,
    });

    // A source id is not a global id: node(id) refuses it before any call.
    hubspot.resetCounters();
    const bare = await t.graphql('query ($id: ID!) { node(id: $id) { id } }', {
      id: objects.CrmContact.object?.sourceId,
    });
    expect(bare.data).toEqual({ node: null });
    expect(bare.errors?.[0]).toMatchObject({ path: ['node'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(hubspot.counters()).toEqual({});
  });

  it('refuses a bad cursor and a bad page size with BAD_USER_INPUT, before any call', async () => {
    const badCursor = await t.graphql(IDS, { first: 5, after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const tooMany = await t.graphql(IDS, { first: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({
      message: 'Argument "first" must be between 1 and 100; got 101.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(hubspot.counters()).toEqual({});
  });
});

describe('HubSpot failures map to the error vocabulary, with partial results', () => {
  it('UPSTREAM_UNAVAILABLE after retries on 5xx, while the rest of the answer stands', async () => {
    hubspot.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts/:id', status: 503, times: 10 });
    const result = await t.graphql('{ gateway { mode } crmContact(id: "1051") { id } }');
    expect(result.data).toEqual({ gateway: { mode: 'SANDBOX' }, crmContact: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['crmContact'],
      extensions: {
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'hubspot',
        upstreamStatus: 503,
        upstreamCode: 'INTERNAL_ERROR',
      },
    });
    expect(result.errors?.[0]?.message).toBe('HubSpot failed with HTTP 503: internal error');
    expect(hubspot.counters()['GET /crm/v3/objects/contacts/:id']).toBe(4);

    hubspot.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts', status: 500, times: 10 });
    const list = await t.graphql('{ crmContacts(first: 1) { edges { node { id } } } }');
    expect(list.errors?.[0]).toMatchObject({
      path: ['crmContacts'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'hubspot', upstreamStatus: 500 },
    });
  });

  it('retries a batch read (a POST) on a transient failure, and succeeds', async () => {
    hubspot.faults.inject({ endpoint: 'POST /crm/v3/objects/contacts/batch/read', status: 502, times: 1 });
    const email = [...hubspot.store.contactByEmail.keys()][0] ?? '';
    const result = await t.graphql('query ($e: String!) { crmContactByEmail(email: $e) { email } }', {
      e: email,
    });
    expect(result).toEqual({ data: { crmContactByEmail: { email } } });
    expect(hubspot.counters()['POST /crm/v3/objects/contacts/batch/read']).toBe(2);
  });

  it('UPSTREAM_RATE_LIMITED when the ten-secondly limit outlasts the retries', async () => {
    hubspot.faults.inject({ endpoint: 'GET /crm/v3/objects/deals', status: 429, times: 10 });
    const result = await t.graphql('{ crmDeals(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'hubspot',
      upstreamCode: 'TEN_SECONDLY_ROLLING',
    });
    expect(hubspot.counters()['GET /crm/v3/objects/deals']).toBe(4);
  });

  it('does not retry once the daily limit is spent', async () => {
    hubspot.rateLimits.usedToday = hubspot.rateLimits.daily;
    const result = await t.graphql('{ crmCompanies(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/You have reached your daily limit\.$/) as unknown,
      extensions: { code: 'UPSTREAM_RATE_LIMITED', source: 'hubspot', upstreamCode: 'DAILY' },
    });
    expect(hubspot.counters()).toEqual({ 'GET /crm/v3/objects/companies': 1 });
  });

  it('waits out a real ten-secondly limit when HubSpot says how long', async () => {
    hubspot.faults.inject({
      endpoint: 'GET /crm/v3/objects/companies',
      status: 429,
      retryAfter: 0,
      times: 2,
    });
    const result = await t.graphql('{ crmCompanies(first: 2) { edges { node { id name } } } }');
    expect(result.errors).toBeUndefined();
    expect(hubspot.counters()['GET /crm/v3/objects/companies']).toBe(3);
  });

  it('UPSTREAM_BAD_RESPONSE for a body that breaks the API contract', async () => {
    hubspot.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts', malformed: true, times: 1 });
    const result = await t.graphql('{ crmContacts(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'hubspot',
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^HubSpot answered contacts\.list with a body the gateway does not understand/,
    );
  });

  it('names the credentials variable when HubSpot refuses the token', async () => {
    hubspot.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts', status: 401, times: 1 });
    const result = await t.graphql('{ crmContacts(first: 1) { edges { node { id } } } }');
    expect(result.errors?.[0]).toMatchObject({
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'hubspot', upstreamCode: 'INVALID_AUTHENTICATION' },
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^HubSpot rejected the gateway's credentials \(401\).*Check HUBSPOT_ACCESS_TOKEN\.$/,
    );
  });

  it('a failing association read nulls only the fields that needed it', async () => {
    hubspot.faults.inject({
      endpoint: 'POST /crm/v4/associations/contacts/companies/batch/read',
      status: 500,
      times: 100,
    });
    const result = await t.graphql<{ crmContacts: { edges: { node: { id: string; company: null } }[] } }>(
      '{ crmContacts(first: 2) { edges { node { id company { id } } } } }',
    );
    expect(result.data?.crmContacts.edges.map((e) => e.node.company)).toEqual([null, null]);
    expect(result.errors?.map((e) => e.path)).toEqual([
      ['crmContacts', 'edges', 0, 'node', 'company'],
      ['crmContacts', 'edges', 1, 'node', 'company'],
    ]);
    expect(hubspot.counters()['POST /crm/v4/associations/contacts/companies/batch/read']).toBe(4);
  });
});

describe('a key HubSpot failed inside a batch', () => {
  it("keeps HubSpot's text out of what production shows", () => {
    const error = keyFailure('123', 'internal detail from HubSpot');
    expect(error.message).toBe('HubSpot could not read 123: internal detail from HubSpot');
    expect(error.publicMessage).toBe('HubSpot could not read 123');
    expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', source: 'hubspot' });
  });
});
