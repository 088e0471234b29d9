import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import type { WorldChange } from '../../../src/sandbox/world.ts';
import { changesOf } from '../../../test/helpers/world-changes.ts';
import { hubspotSandbox, startHubSpotSandbox } from './index.ts';
import type { RunningHubSpotSandbox } from './index.ts';

interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}
interface ListBody {
  results: CrmObject[];
  paging?: { next: { after: string; link: string } };
}
interface BatchBody {
  status: string;
  results: CrmObject[];
  numErrors?: number;
  errors?: {
    status: string;
    category: string;
    subCategory?: string;
    message: string;
    context: Record<string, string[]>;
  }[];
  startedAt: string;
  completedAt: string;
}
interface AssociationBody {
  status: string;
  results: {
    from: { id: string };
    to: {
      toObjectId: number;
      associationTypes: { category: string; typeId: number; label: string | null }[];
    }[];
  }[];
  numErrors?: number;
  errors?: BatchBody['errors'];
}

let sandbox: RunningHubSpotSandbox;
const world = createDemoWorld();

async function call(path: string, init: RequestInit & { auth?: string | null; json?: unknown } = {}) {
  const { auth, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set('Authorization', auth ?? `Bearer ${sandbox.accessToken}`);
  if (json !== undefined) headers.set('Content-Type', 'application/json');
  const response = await fetch(`${sandbox.baseUrl}${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { method: 'POST', body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as unknown,
    text,
  };
}

async function list(path: string): Promise<ListBody> {
  const { status, body } = await call(path);
  expect(status).toBe(200);
  return body as ListBody;
}

/** Walks a list endpoint with `after`, as a client would. */
async function listAll(type: string, query = ''): Promise<{ items: CrmObject[]; pages: number }> {
  const items: CrmObject[] = [];
  let pages = 0;
  let after: string | undefined;
  for (;;) {
    const page = await list(
      `/crm/v3/objects/${type}?limit=100${query}${after === undefined ? '' : `&after=${after}`}`,
    );
    pages++;
    items.push(...page.results);
    if (page.paging === undefined) return { items, pages };
    after = page.paging.next.after;
  }
}

function expectHubSpotError(body: unknown, category: string): void {
  expect(body).toMatchObject({ status: 'error', category, message: expect.any(String) as unknown });
  expect((body as { correlationId: string }).correlationId).toMatch(/^[0-9a-f-]{36}$/);
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox(world);
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.rateLimits.reset();
  sandbox.rateLimits.max = 190;
});

describe('seeded data', () => {
  it('has a contact per person the CRM knows, a company per world company and several deals each', async () => {
    const contacts = await listAll('contacts', '&properties=email,lifecyclestage');
    const crmPeople = world.people.filter((p) => p.presence.crm);
    expect(contacts.items).toHaveLength(crmPeople.length);
    expect(contacts.pages).toBe(Math.ceil(crmPeople.length / 100));
    const ids = contacts.items.map((c) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(contacts.items.map((c) => c.properties['email']))).toEqual(
      new Set(crmPeople.map((p) => p.email)),
    );
    for (const person of crmPeople.filter((p) => p.plan !== 'free')) {
      const contact = contacts.items.find((c) => c.properties['email'] === person.email);
      expect(contact?.properties['lifecyclestage']).toBe('customer');
    }

    const companies = await listAll('companies', '&properties=name,domain,industry');
    expect(companies.items.map((c) => c.properties['domain']).sort()).toEqual(
      world.companies.map((c) => c.domain).sort(),
    );
    expect(companies.items.every((c) => /^[A-Z_]+$/.test(c.properties['industry'] ?? ''))).toBe(true);

    const deals = await listAll('deals');
    expect(deals.items.length).toBeGreaterThanOrEqual(2 * world.companies.length);
    expect(deals.items.length).toBeLessThanOrEqual(5 * world.companies.length);
    for (const deal of deals.items) {
      expect(deal.properties['pipeline']).toBe('default');
      expect(deal.properties['dealstage']).toMatch(
        /^(appointmentscheduled|qualifiedtobuy|presentationscheduled|decisionmakerboughtin|contractsent|closedwon|closedlost)$/,
      );
      expect(Number(deal.properties['amount'])).toBeGreaterThan(0);
      expect(sandbox.store.associated('deals', deal.id, 'companies')).toHaveLength(1);
    }
  });

  it('is deterministic for a seed', async () => {
    const again = await hubspotSandbox.start(createDemoWorld());
    try {
      // The same data for the same seed; credentials are new in every process.
      expect(Object.keys(again.env).sort()).toEqual(Object.keys(sandbox.env).sort());
      expect(again.env['HUBSPOT_WEBHOOK_SECRET']).not.toBe(sandbox.env['HUBSPOT_WEBHOOK_SECRET']);
      const headers = { Authorization: `Bearer ${again.env['HUBSPOT_ACCESS_TOKEN'] ?? ''}` };
      const response = await fetch(`${again.baseUrl}/crm/v3/objects/deals?limit=100`, { headers });
      const theirs = (await response.json()) as unknown;
      const ours = await list('/crm/v3/objects/deals?limit=100');
      expect(JSON.stringify(theirs).replaceAll(again.baseUrl, '')).toEqual(
        JSON.stringify(ours).replaceAll(sandbox.baseUrl, ''),
      );
    } finally {
      await again.close();
    }
  });

  it('exposes the environment for the connector', () => {
    expect(sandbox.env['HUBSPOT_BASE_URL']).toBe(sandbox.baseUrl);
    expect(sandbox.env['HUBSPOT_ACCESS_TOKEN']).toMatch(
      /^pat-na1-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(sandbox.env['HUBSPOT_WEBHOOK_SECRET']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});

describe('lists', () => {
  it('uses HubSpot’s envelope, default page size and default properties', async () => {
    const { status, body, headers } = await call('/crm/v3/objects/contacts');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(headers.get('x-hubspot-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const page = body as ListBody;
    expect(page.results).toHaveLength(10);
    const last = page.results.at(-1)?.id ?? '';
    expect(page.paging).toEqual({
      next: {
        after: String(Number(last) + 1),
        link: `${sandbox.baseUrl}/crm/v3/objects/contacts?after=${Number(last) + 1}`,
      },
    });
    const first = page.results[0];
    expect(Object.keys(first ?? {})).toEqual(['id', 'properties', 'createdAt', 'updatedAt', 'archived']);
    expect(Object.keys(first?.properties ?? {})).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);
    expect(first?.properties['hs_object_id']).toBe(first?.id);
    expect(first?.properties['createdate']).toBe(first?.createdAt);
  });

  it('returns the requested properties, null when unset, and ignores unknown ones', async () => {
    const page = await list(
      '/crm/v3/objects/companies?limit=3&properties=name,industry,no_such_property&properties=domain',
    );
    expect(Object.keys(page.results[0]?.properties ?? {})).toEqual([
      'createdate',
      'domain',
      'hs_lastmodifieddate',
      'hs_object_id',
      'industry',
      'name',
    ]);
    const contacts = await listAll('contacts', '&properties=jobtitle');
    expect(contacts.items.some((c) => c.properties['jobtitle'] === null)).toBe(true);
  });

  it('validates limit, after and the object type like HubSpot', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const { status, body } = await call(`/crm/v3/objects/contacts?limit=${limit}`);
      expect(status).toBe(400);
      expectHubSpotError(body, 'VALIDATION_ERROR');
    }
    expect((await call('/crm/v3/objects/contacts?after=abc')).status).toBe(400);
    const unknown = await call('/crm/v3/objects/widgets');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ message: 'Unable to infer object type from: widgets' });
    const alias = await list('/crm/v3/objects/0-2?limit=1');
    expect(alias.results[0]?.id).toBe(sandbox.store.ids('companies')[0]);
  });
});

describe('reads and errors', () => {
  it('batch-reads by id in its own order, answering 207 for what is missing', async () => {
    const ids = sandbox.store.ids('contacts').slice(0, 5);
    const { status, body } = await call('/crm/v3/objects/contacts/batch/read', {
      json: {
        inputs: [...ids, '1', 'nope'].map((id) => ({ id })),
        properties: ['email'],
        propertiesWithHistory: [],
      },
    });
    expect(status).toBe(207);
    const batch = body as BatchBody;
    expect(batch.status).toBe('COMPLETE');
    expect(batch.results.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(batch.results.map((r) => r.id)).not.toEqual(ids);
    expect(batch.numErrors).toBe(1);
    expect(batch.errors).toEqual([
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message:
          'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
        context: { ids: ['1', 'nope'] },
      },
    ]);
    const complete = await call('/crm/v3/objects/deals/batch/read', {
      json: {
        inputs: sandbox.store
          .ids('deals')
          .slice(0, 3)
          .map((id) => ({ id })),
        properties: [],
      },
    });
    expect(complete.status).toBe(200);
    expect(Object.keys(complete.body as object)).toEqual(['status', 'results', 'startedAt', 'completedAt']);
  });

  it('batch-reads contacts by email, case-insensitively', async () => {
    const emails = [...sandbox.store.contactByEmail.keys()].slice(0, 3);
    const { status, body } = await call('/crm/v3/objects/contacts/batch/read', {
      json: {
        idProperty: 'email',
        inputs: [emails[0]?.toUpperCase(), emails[1], emails[2]].map((id) => ({ id })),
        properties: ['email'],
      },
    });
    expect(status).toBe(200);
    expect((body as BatchBody).results.map((r) => r.properties['email']).sort()).toEqual([...emails].sort());
  });

  it('refuses oversized and malformed batches', async () => {
    const tooMany = await call('/crm/v3/objects/contacts/batch/read', {
      json: { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })), properties: [] },
    });
    expect(tooMany.status).toBe(400);
    expectHubSpotError(tooMany.body, 'VALIDATION_ERROR');
    expect(
      (await call('/crm/v3/objects/deals/batch/read', { json: { inputs: [], idProperty: 'email' } })).status,
    ).toBe(400);
    expect((await call('/crm/v3/objects/deals/batch/read', { json: { ids: [] } })).status).toBe(400);
    const notJson = await call('/crm/v3/objects/deals/batch/read', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"inputs":',
    });
    expect(notJson.status).toBe(400);
    const tooManyAssociations = await call('/crm/v4/associations/contacts/companies/batch/read', {
      json: { inputs: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) },
    });
    expect(tooManyAssociations.status).toBe(400);
  });

  it('reads v4 associations with their types, and says which records have none', async () => {
    const withCompany =
      sandbox.store
        .ids('contacts')
        .find((id) => sandbox.store.associated('contacts', id, 'companies').length > 0) ?? '';
    const { status, body } = await call('/crm/v4/associations/contacts/companies/batch/read', {
      json: { inputs: [{ id: withCompany }, { id: '1' }] },
    });
    expect(status).toBe(207);
    const batch = body as AssociationBody;
    expect(batch.results).toEqual([
      {
        from: { id: withCompany },
        to: [
          {
            toObjectId: Number(sandbox.store.associated('contacts', withCompany, 'companies')[0]?.id),
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
              { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
            ],
          },
        ],
      },
    ]);
    expect(batch.errors).toEqual([
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        context: { fromObjectId: ['1'], fromObjectType: ['contact'], toObjectType: ['company'] },
        message: 'No company is associated with contact 1.',
      },
    ]);
    const companyId = String(batch.results[0]?.to[0]?.toObjectId);
    const back = await call(`/crm/v4/objects/companies/${companyId}/associations/contacts`);
    expect((back.body as { results: { toObjectId: number }[] }).results.map((r) => r.toObjectId)).toContain(
      Number(withCompany),
    );
  });

  it('retrieves one record, and 404s an unknown one as HubSpot does', async () => {
    const id = sandbox.store.ids('contacts')[3] ?? '';
    const one = await call(`/crm/v3/objects/contacts/${id}?properties=email,phone`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      properties: { email: sandbox.store.get('contacts', id)?.properties['email'] },
    });
    const email = sandbox.store.get('contacts', id)?.properties['email'] ?? '';
    const byEmail = await call(`/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email`);
    expect(byEmail.body).toMatchObject({ id });
    const missing = await call('/crm/v3/objects/contacts/1');
    expect([missing.status, missing.text]).toEqual([404, '']);
    const wordy = await call('/crm/v3/objects/contacts/not-an-id');
    expect(wordy.status).toBe(404);
    expectHubSpotError(wordy.body, 'OBJECT_NOT_FOUND');
    expect(wordy.body).toMatchObject({
      message: 'Object not found.  objectId are usually numeric.',
      context: { id: ['not-an-id'] },
    });
  });

  it('authenticates with a bearer token like HubSpot', async () => {
    for (const auth of [
      null,
      'Bearer pat-na1-00000000-0000-0000-0000-000000000000',
      `Basic ${sandbox.accessToken}`,
    ]) {
      const { status, body } = await call('/crm/v3/objects/contacts', { auth });
      expect(status).toBe(401);
      expectHubSpotError(body, 'INVALID_AUTHENTICATION');
      expect((body as { message: string }).message).toMatch(/^Authentication credentials not found\./);
    }
  });
});

describe('rate limits and faults', () => {
  it('reports its limits on every answer and refuses past the ten-secondly one', async () => {
    sandbox.rateLimits.max = 3;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('/crm/v3/objects/deals?limit=1'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-hubspot-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    for (const answer of answers) {
      expect(answer.headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(answer.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(answer.headers.get('x-hubspot-ratelimit-daily')).toBe('650000');
    }
    expect(answers[3]?.body).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    sandbox.rateLimits.reset();
    sandbox.rateLimits.usedToday = sandbox.rateLimits.daily;
    const daily = await call('/crm/v3/objects/deals?limit=1');
    expect(daily.status).toBe(429);
    expect(daily.body).toMatchObject({ policyName: 'DAILY', message: 'You have reached your daily limit.' });
    expect(daily.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
  });

  it('injects faults with HubSpot’s error bodies and headers', async () => {
    sandbox.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts', status: 502 });
    const failed = await call('/crm/v3/objects/contacts');
    expect(failed.status).toBe(502);
    expectHubSpotError(failed.body, 'INTERNAL_ERROR');
    sandbox.faults.inject({ endpoint: 'GET /crm/v3/objects/contacts', status: 429, retryAfter: 1 });
    const limited = await call('/crm/v3/objects/contacts');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(limited.body).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING' });
    expect(sandbox.counters()['GET /crm/v3/objects/contacts']).toBeGreaterThanOrEqual(2);
  });
});

describe('webhooks from world changes', () => {
  const url = 'https://gateway.example.com/webhooks/hubspot?src=hs%3Ademo';

  /** Checks a delivery with HubSpot's documented formulas, and returns its events. */
  function verified(delivery: { headers: Record<string, string>; body: string }, secret: string) {
    const timestamp = delivery.headers['X-HubSpot-Request-Timestamp'] ?? '';
    expect(Math.abs(Date.now() - Number(timestamp))).toBeLessThan(60_000);
    const uri = 'https://gateway.example.com/webhooks/hubspot?src=hs:demo';
    const v3 = createHmac('sha256', secret).update(`POST${uri}${delivery.body}${timestamp}`).digest('base64');
    expect(delivery.headers['X-HubSpot-Signature-v3']).toBe(v3);
    const v1 = createHash('sha256').update(`${secret}${delivery.body}`).digest('hex');
    expect(delivery.headers['X-HubSpot-Signature']).toBe(v1);
    expect(delivery.headers['X-HubSpot-Signature-Version']).toBe('v1');
    return JSON.parse(delivery.body) as Record<string, unknown>[];
  }

  it('turns each kind of change into coherent CRM data and one signed delivery', async () => {
    const changes = createDemoWorld({ seed: 7 });
    const running = await startHubSpotSandbox(changes);
    try {
      const seen = new Set<string>();
      const next = changesOf(changes);
      for (let i = 0; i < 400 && seen.size < 4; i++) {
        const change: WorldChange = next();
        const deliveries = running.react(change, url);
        if (
          !change.person.presence.crm ||
          !['person.joined', 'person.updated', 'plan.changed', 'purchase'].includes(change.kind)
        ) {
          if (!change.person.presence.crm) expect(deliveries).toEqual([]);
          continue;
        }
        if (deliveries.length === 0) continue;
        expect(deliveries).toHaveLength(1);
        const events = verified(deliveries[0] ?? { headers: {}, body: '' }, running.webhookSecret);
        for (const event of events) {
          expect(event).toMatchObject({
            attemptNumber: 0,
            occurredAt: change.at * 1000,
            eventId: expect.any(Number) as unknown,
            portalId: expect.any(Number) as unknown,
            appId: expect.any(Number) as unknown,
          });
        }
        const contactId = running.contactOf.get(change.person.id) ?? '';
        const contact = running.store.get('contacts', contactId);
        if (change.kind === 'person.joined') {
          expect(events.map((e) => e['subscriptionType'])).toEqual(['contact.creation']);
          expect(events[0]).toMatchObject({ objectId: Number(contactId), changeFlag: 'NEW' });
          expect(contact?.properties['email']).toBe(change.person.email);
        } else if (change.kind === 'person.updated') {
          expect(events.every((e) => e['subscriptionType'] === 'contact.propertyChange')).toBe(true);
          for (const event of events) {
            expect(contact?.properties[event['propertyName'] as string] ?? '').toBe(event['propertyValue']);
          }
          expect(new Set(events.map((e) => e['propertyName'])).size).toBe(events.length);
        } else if (change.kind === 'plan.changed') {
          expect(events).toMatchObject([
            {
              subscriptionType: 'contact.propertyChange',
              propertyName: 'lifecyclestage',
              propertyValue: 'customer',
            },
          ]);
        } else {
          const types = events.map((e) => e['subscriptionType']);
          const dealId = String(events[0]?.['objectId']);
          expect(running.store.associated('deals', dealId, 'contacts').map((c) => c.id)).toContain(contactId);
          expect(running.store.get('deals', dealId)?.properties['dealstage']).toBe('closedwon');
          if (types[0] === 'deal.creation') expect(types).toEqual(['deal.creation']);
          else {
            expect(events.map((e) => [e['subscriptionType'], e['propertyName']])).toEqual([
              ['deal.propertyChange', 'amount'],
              ['deal.propertyChange', 'dealstage'],
            ]);
          }
        }
        seen.add(change.kind);
      }
      expect([...seen].sort()).toEqual(['person.joined', 'person.updated', 'plan.changed', 'purchase']);
    } finally {
      await running.close();
    }
  });
});
