/**
 * Seeds the emulated HubSpot account from the shared demo world: a company
 * per world company, a contact per person known to the CRM, and a few deals
 * per company, associated the way a sales team would have them.
 */
import { pick, randomInt, weighted } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { Company, DemoWorld, Person } from '../../../src/sandbox/world.ts';
import type { CrmRecord, CrmStore, CrmType } from './store.ts';
import { MODIFIED_PROPERTY } from './store.ts';

const DAY_MS = 86_400_000;

/** HubSpot's industry values for the demo world's industries. */
const INDUSTRIES: Readonly<Record<string, string>> = {
  Manufacturing: 'MACHINERY',
  Logistics: 'LOGISTICS_AND_SUPPLY_CHAIN',
  Analytics: 'INFORMATION_TECHNOLOGY_AND_SERVICES',
  Fintech: 'FINANCIAL_SERVICES',
  Software: 'COMPUTER_SOFTWARE',
  Hospitality: 'HOSPITALITY',
  Healthcare: 'HOSPITAL_HEALTH_CARE',
  Biotech: 'BIOTECHNOLOGY',
  Construction: 'CONSTRUCTION',
  Security: 'COMPUTER_NETWORK_SECURITY',
  Retail: 'RETAIL',
  Insurance: 'INSURANCE',
  Education: 'EDUCATION_MANAGEMENT',
  Consulting: 'MANAGEMENT_CONSULTING',
  Hardware: 'COMPUTER_HARDWARE',
  Media: 'ONLINE_MEDIA',
  Energy: 'RENEWABLES_ENVIRONMENT',
  Food: 'FOOD_BEVERAGES',
  Travel: 'LEISURE_TRAVEL_TOURISM',
  Marketing: 'MARKETING_AND_ADVERTISING',
  'Real Estate': 'REAL_ESTATE',
  Gaming: 'COMPUTER_GAMES',
  Aerospace: 'AVIATION_AEROSPACE',
};

/** HubSpot's value for an industry name (`Real Estate` → `REAL_ESTATE`). */
export function industryValue(industry: string): string {
  return INDUSTRIES[industry] ?? industry.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

const JOB_TITLES = [
  'CEO',
  'CTO',
  'Head of Operations',
  'Engineering Manager',
  'Software Engineer',
  'Product Manager',
  'Account Executive',
  'Marketing Lead',
  'Finance Manager',
  'Customer Success Manager',
  'Data Analyst',
  'Office Manager',
] as const;

const DEAL_PRODUCTS = [
  'Enterprise plan',
  'Pro plan, annual',
  'Extra seats',
  'Onboarding workshop',
  'Priority support',
  'Starter plan, annual',
  'Renewal',
  'Expansion',
] as const;

/** The default sales pipeline's stages, in order. */
export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
] as const;
export type DealStage = (typeof DEAL_STAGES)[number];

/** Stages of deals still being worked. */
export const OPEN_STAGES: readonly string[] = DEAL_STAGES.filter(
  (s) => s !== 'closedwon' && s !== 'closedlost',
);

/** Record ids: numeric strings, ascending with gaps, as a HubSpot account accumulates them. */
export interface IdFactory {
  next(type: CrmType): string;
  /** Webhook event ids (large, ascending). */
  eventId(): number;
}

export function createIdFactory(random: Random): IdFactory {
  const counters: Record<CrmType, number> = {
    contacts: 1_000 + randomInt(random, 0, 900) * 50,
    companies: 8_100_000_000 + randomInt(random, 0, 99_999) * 1_000,
    deals: 9_400_000_000 + randomInt(random, 0, 99_999) * 1_000,
  };
  let event = 3_000_000_000 + randomInt(random, 0, 999_999);
  return {
    next(type) {
      counters[type] += type === 'contacts' ? 50 * randomInt(random, 1, 2) : randomInt(random, 1, 60);
      return String(counters[type]);
    },
    eventId() {
      event += randomInt(random, 1, 40);
      return event;
    },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A record with HubSpot's system properties filled in. */
export function newRecord(
  type: CrmType,
  id: string,
  createdMs: number,
  modifiedMs: number,
  properties: Record<string, string | null>,
): CrmRecord {
  return {
    id,
    properties: {
      ...properties,
      createdate: iso(createdMs),
      [MODIFIED_PROPERTY[type]]: iso(modifiedMs),
      hs_object_id: id,
    },
    createdAt: iso(createdMs),
    updatedAt: iso(modifiedMs),
  };
}

/** The lifecycle stage a person has reached, from what billing knows of them. */
function lifecycleStage(random: Random, person: Person): string {
  if (person.plan !== 'free') return 'customer';
  if (!person.presence.billing)
    return weighted(random, [
      ['subscriber', 2],
      ['lead', 3],
    ] as const);
  return weighted(random, [
    ['lead', 5],
    ['marketingqualifiedlead', 3],
    ['salesqualifiedlead', 2],
    ['opportunity', 1],
  ] as const);
}

/** The properties of a contact for a person. */
export function contactProperties(
  person: Person,
  extra: Record<string, string | null>,
): Record<string, string | null> {
  return {
    email: person.email,
    firstname: person.firstName,
    lastname: person.lastName,
    phone: person.phone,
    company: person.company?.name ?? null,
    ...extra,
  };
}

/** What the seed made, to map world ids to CRM ids later. */
export interface SeedMaps {
  /** World company id → company record id. */
  companyOf: Map<string, string>;
  /** World person id → contact record id. */
  contactOf: Map<string, string>;
}

/** Fills `store` from the world; deterministic for a given `random`. */
export function seedStore(store: CrmStore, ids: IdFactory, random: Random, world: DemoWorld): SeedMaps {
  const nowMs = world.epoch * 1000;
  const maps: SeedMaps = { companyOf: new Map(), contactOf: new Map() };
  const people = world.people.filter((p) => p.presence.crm).toSorted((a, b) => a.createdAt - b.createdAt);
  const firstSeen = new Map<string, number>();
  for (const person of people) {
    if (person.company !== null && !firstSeen.has(person.company.id)) {
      firstSeen.set(person.company.id, person.createdAt * 1000);
    }
  }

  // Companies are created in the CRM before their first contact shows up.
  const companies: { company: Company; created: number }[] = world.companies.map((company) => ({
    company,
    created: (firstSeen.get(company.id) ?? nowMs - 30 * DAY_MS) - randomInt(random, 1, 60) * DAY_MS,
  }));
  companies.sort((a, b) => a.created - b.created);
  for (const { company, created } of companies) {
    const id = ids.next('companies');
    const modified = randomInt(random, created, nowMs);
    store.put(
      'companies',
      newRecord('companies', id, created, modified, {
        name: company.name,
        domain: company.domain,
        industry: industryValue(company.industry),
      }),
    );
    maps.companyOf.set(company.id, id);
  }

  for (const person of people) {
    const id = ids.next('contacts');
    const created = person.createdAt * 1000 + randomInt(random, 1_000, 3_600_000);
    const modified = randomInt(random, created, nowMs);
    const properties = contactProperties(person, {
      jobtitle: person.company === null || random() < 0.2 ? null : pick(random, JOB_TITLES),
      lifecyclestage: lifecycleStage(random, person),
    });
    store.put('contacts', newRecord('contacts', id, created, modified, properties));
    maps.contactOf.set(person.id, id);
    const companyId = person.company === null ? undefined : maps.companyOf.get(person.company.id);
    if (companyId !== undefined) store.associate('contacts', id, 'companies', companyId, true);
  }

  // Several deals per company, each with one or two of its contacts.
  const deals: { companyId: string; contacts: string[]; created: number; product: string; name: string }[] =
    [];
  for (const { company, created } of companies) {
    const companyId = maps.companyOf.get(company.id) ?? '';
    const contacts = store.associated('companies', companyId, 'contacts').map((c) => c.id);
    const count = randomInt(random, 2, 5);
    for (let i = 0; i < count; i++) {
      const product = pick(random, DEAL_PRODUCTS);
      deals.push({
        companyId,
        contacts,
        created: randomInt(random, created, nowMs - DAY_MS),
        product,
        name: `${company.name} - ${product}`,
      });
    }
  }
  deals.sort((a, b) => a.created - b.created);
  for (const deal of deals) {
    const id = ids.next('deals');
    const stage = weighted<DealStage>(random, [
      ['appointmentscheduled', 2],
      ['qualifiedtobuy', 2],
      ['presentationscheduled', 2],
      ['decisionmakerboughtin', 1],
      ['contractsent', 1],
      ['closedwon', 5],
      ['closedlost', 2],
    ]);
    const closed = stage === 'closedwon' || stage === 'closedlost';
    const closeMs = closed
      ? randomInt(random, deal.created, nowMs)
      : nowMs + randomInt(random, 7, 120) * DAY_MS;
    const modified = closed ? closeMs : randomInt(random, deal.created, nowMs);
    const amount = randomInt(random, 10, 600) * 100;
    store.put(
      'deals',
      newRecord('deals', id, deal.created, modified, {
        dealname: deal.name,
        dealstage: stage,
        amount: String(amount),
        closedate: iso(closeMs),
        pipeline: 'default',
      }),
    );
    store.associate('deals', id, 'companies', deal.companyId, true);
    const wanted = Math.min(deal.contacts.length, randomInt(random, 1, 2));
    const chosen = new Set<string>();
    while (chosen.size < wanted) chosen.add(pick(random, deal.contacts));
    for (const contactId of chosen) store.associate('deals', id, 'contacts', contactId);
  }
  return maps;
}
