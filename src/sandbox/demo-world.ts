/**
 * The seeded demo world: a few hundred people at about forty companies, the
 * same in every emulator, and a deterministic stream of changes to them.
 * Core code; it knows nothing of any provider.
 */
import { PLAN_PRICES } from './world.ts';
import type { Company, DemoWorld, Person, Plan, TicketStatus, WorldChange } from './world.ts';

/** Options of {@link createDemoWorld}. */
export interface DemoWorldOptions {
  /** PRNG seed: the same seed gives a byte-identical world and change stream. Default 42. */
  seed?: number;
  /** How many people to create. Default 240. */
  people?: number;
  /** Unix seconds the seeded history leads up to ({@link DemoWorld.epoch}). Default 1767225600 (2026-01-01T00:00:00Z). */
  epoch?: number;
}

/** Subjects of demo support tickets. */
export const TICKET_SUBJECTS: readonly string[] = [
  'Cannot log in after password reset',
  'Invoice shows the wrong company name',
  'Export to CSV times out',
  'Webhook deliveries failing with 401',
  'How do I add a teammate?',
  'Charged twice this month',
  'Feature request: dark mode',
  'API rate limit too low for our import',
  'Order arrived damaged',
  'Refund for an annual plan',
  'SSO configuration question',
  'Dashboard is slow to load',
];

/** A deterministic source of numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for demo data (not for anything secret). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A PRNG for one named consumer of a seed (`seededRandom(world.seed, 'stripe')`),
 * so that emulators draw from their own streams and never shift each other's data.
 */
export function seededRandom(seed: number, stream: string): Random {
  // FNV-1a over the stream name, mixed with the seed.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    hash ^= stream.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mulberry32(hash >>> 0);
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** An element chosen by weight (`[['a', 3], ['b', 1]]` gives `a` three times in four). */
export function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = choices.at(-1);
  if (last === undefined) throw new Error('weighted choice from an empty list');
  return last[0];
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` base62 characters (`[0-9A-Za-z]`). */
export function randomBase62(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62.charAt(Math.floor(random() * 62));
  return out;
}

/** Space-separated word lists keep the data compact (and prettier from putting one name per line). */
const words = (list: string): readonly string[] => list.trim().split(/\s+/);

const FIRST_NAMES = words(`
  Alex Amara Ana Andrea Arjun Ava Ben Bianca Carlos Chen Chloe Daniel Deepa Diego Elena Eli Emma Farah Felix
  Fatima Gabriel Grace Hana Hugo Ines Isaac Jade James Jin Jonas Julia Kai Kenji Lars Layla Leo Lina Lucas Maya
  Mateo Mei Mia Nadia Noah Nora Olivia Omar Priya Quinn Rafael Ravi Rosa Sam Sara Sofia Tariq Theo Uma Valentina
  Victor Wei Yara Yusuf Zoe Zara Ethan Aisha Marcus Ingrid Tomas Leila Oscar Hiro Nia Santiago Freya Kofi Anika
  Mateus Elif
`);

const LAST_NAMES = words(`
  Adeyemi Alvarez Andersen Bauer Becker Brooks Castillo Chen Costa Dubois Eriksson Fernandes Fischer Garcia
  Gupta Haddad Hansen Hernandez Ito Jensen Kim Kowalski Kumar Larsen Lee Lopez Martin Meyer Moreau Morales
  Nakamura Nguyen Novak Okafor Oliveira Park Patel Perez Petrov Ramos Reyes Rivera Romano Rossi Santos Schmidt
  Silva Singh Sato Tanaka Torres Turner Varga Walsh Wang Weber Williams Wong Yamamoto Young Zhang Ziegler Murphy
  O'Brien Kaya Mensah Lindqvist Horvat Byrne
`);

/** `Word:Industry` pairs (industries use `_` for spaces). */
const COMPANY_WORDS = words(`
  Acme:Manufacturing Northwind:Logistics Lumen:Analytics Bluefin:Fintech Cobalt:Software Driftwood:Hospitality
  Evergreen:Healthcare Foxglove:Biotech Granite:Construction Harbor:Logistics Ironclad:Security Juniper:Retail
  Keystone:Insurance Lighthouse:Education Meridian:Consulting Nimbus:Software Orchid:Retail Pinnacle:Fintech
  Quartz:Hardware Redwood:Media Sapphire:Healthcare Tidal:Energy Umbra:Media Vertex:Software Willow:Hospitality
  Xenon:Energy Yellowtail:Food Zephyr:Travel Atlas:Logistics Beacon:Marketing Cedar:Real_Estate
  Delta:Manufacturing Ember:Gaming Falcon:Aerospace Glacier:Software Helix:Biotech Indigo:Marketing
  Jasper:Consulting Kestrel:Travel Lattice:Analytics
`).map((pair) => {
  const [word = '', industry = ''] = pair.split(':');
  return [word, industry.replace('_', ' ')] as const;
});

const COMPANY_SUFFIXES = ['Inc.', 'Labs', 'Co.', 'Group', 'Systems', 'Ltd', 'Corp', 'Partners'] as const;

const PERSONAL_DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'mail.example.com',
  'inbox.example.net',
];

/** US area codes for 555-01xx numbers, the range reserved for fiction. */
const US_AREA_CODES = ['212', '305', '312', '415', '512', '617', '646', '720', '206', '404'];

/** What the demo company sells besides plans (amounts in cents); `purchase` changes draw from it. */
export const DEMO_CATALOG: readonly { sku: string; title: string; unitAmount: number }[] = [
  { sku: 'SKU-TSHIRT', title: 'Logo T-Shirt', unitAmount: 2500 },
  { sku: 'SKU-HOODIE', title: 'Zip Hoodie', unitAmount: 5900 },
  { sku: 'SKU-MUG', title: 'Enamel Mug', unitAmount: 1500 },
  { sku: 'SKU-STICKERS', title: 'Sticker Pack', unitAmount: 600 },
  { sku: 'SKU-NOTEBOOK', title: 'Dot Grid Notebook', unitAmount: 1800 },
  { sku: 'SKU-SEATS-10', title: 'Extra Seats (10)', unitAmount: 9900 },
  { sku: 'SKU-ONBOARD', title: 'Onboarding Workshop', unitAmount: 49900 },
  { sku: 'SKU-SUPPORT', title: 'Priority Support Add-on', unitAmount: 29900 },
];

const DAY = 86_400;
/** How many spotlight people the world names; each of them changes every this many ticks. */
const SPOTLIGHT_SIZE = 2;
/** Ticks between two sign-ups, two purchases, two ticket changes. */
const RHYTHM = 3;
const YEAR = 365 * DAY;

function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '');
}

function makeCompanies(random: Random): Company[] {
  return COMPANY_WORDS.map(([word, industry], index) => {
    const suffix = pick(random, COMPANY_SUFFIXES);
    const name = `${word} ${suffix}`;
    const domain = `${slug(word)}${random() < 0.3 ? slug(industry) : ''}.example`;
    return { id: `co_${String(index + 1).padStart(3, '0')}`, name, domain, industry };
  });
}

function makePhone(random: Random): string | null {
  const roll = random();
  if (roll < 0.15) return null;
  // UK "drama" numbers 020 7946 0000-0999 are reserved like the US 555-01xx.
  if (roll < 0.25) return `+44207946${String(randomInt(random, 0, 999)).padStart(4, '0')}`;
  return `+1${pick(random, US_AREA_CODES)}55501${String(randomInt(random, 0, 99)).padStart(2, '0')}`;
}

/**
 * Creates the demo world. The same options always give the same people,
 * companies and changes; {@link DemoWorld.random} is a separate stream, so
 * emulators drawing from it never alter what {@link DemoWorld.tick} returns.
 *
 * A change replaces the changed person in `people` with a new object (never
 * mutates one), and every change carries its own snapshot of the person.
 * Newcomers join on the free plan; `plan.changed` only targets billing people
 * and never goes to free (that is `plan.canceled`); `payment.failed` only hits
 * paying ones. Personal emails use example.com/.org/.net, company domains the
 * reserved `.example` top-level domain; phones are fictional 555-01xx / 020 7946 numbers.
 */
export function createDemoWorld(options: DemoWorldOptions = {}): DemoWorld {
  const seed = options.seed ?? 42;
  const count = options.people ?? 240;
  const epoch = options.epoch ?? 1767225600;
  const random = seededRandom(seed, 'world');
  const sharedRandom = seededRandom(seed, 'shared');

  const companies = makeCompanies(random);
  const people: Person[] = [];
  const emails = new Set<string>();
  let nextOrder = 1;

  function uniqueEmail(first: string, last: string, company: Company | null): string {
    const f = slug(first);
    const l = slug(last);
    const personal = company === null || random() < 0.1;
    const domain = personal ? pick(random, PERSONAL_DOMAINS) : company.domain;
    const locals = personal
      ? [`${f}${l}`, `${f}.${l}`, `${f}${l}${randomInt(random, 1, 99)}`]
      : [`${f}.${l}`, `${f.charAt(0)}${l}`, f, `${f}.${l}${randomInt(random, 2, 9)}`];
    for (const local of locals) {
      const email = `${local}@${domain}`;
      if (!emails.has(email)) return email;
    }
    for (let n = 2; ; n++) {
      const email = `${f}.${l}${n}@${domain}`;
      if (!emails.has(email)) return email;
    }
  }

  function makePerson(index: number, createdAt: number, billing: boolean): Person {
    const firstName = pick(random, FIRST_NAMES);
    const lastName = pick(random, LAST_NAMES);
    const company = random() < 0.88 ? pick(random, companies) : null;
    const email = uniqueEmail(firstName, lastName, company);
    emails.add(email);
    const phone = makePhone(random);
    const plan: Plan = billing
      ? weighted<Plan>(random, [
          ['free', 28],
          ['starter', 34],
          ['pro', 26],
          ['enterprise', company === null ? 2 : 12],
        ])
      : 'free';
    return {
      id: `per_${String(index).padStart(4, '0')}`,
      firstName,
      lastName,
      email,
      phone,
      company,
      plan,
      createdAt,
      presence: {
        billing,
        crm: random() < 0.9,
        support: random() < 0.8,
        commerce: random() < 0.75,
        app: random() < 0.93,
      },
    };
  }

  // About 5% of people are unknown to billing; chosen as a fixed-size set so
  // the "billing for nearly everyone" promise holds for every seed.
  const withoutBilling = new Set<number>();
  const skipCount = Math.floor(count * 0.05);
  while (withoutBilling.size < skipCount) withoutBilling.add(randomInt(random, 1, count));

  const createdTimes = Array.from({ length: count }, () => epoch - randomInt(random, DAY, YEAR));
  createdTimes.sort((a, b) => a - b);
  createdTimes.forEach((createdAt, i) => {
    people.push(makePerson(i + 1, createdAt, !withoutBilling.has(i + 1)));
  });

  const snapshot = (person: Person): Person => structuredClone(person);

  function replace(person: Person): void {
    const index = people.findIndex((p) => p.id === person.id);
    people[index] = person;
  }

  function candidates(filter: (p: Person) => boolean): Person[] {
    return people.filter(filter);
  }

  // The longest-standing people known everywhere and working at a company: their customer view fills
  // every part, and they stay (never `person.left`), so examples can name them for good.
  const spotlight = people
    .filter((p) => p.company !== null && Object.values(p.presence).every(Boolean))
    .slice(0, SPOTLIGHT_SIZE)
    .map((p) => p.id);
  const inSpotlight = (person: Person): boolean => spotlight.includes(person.id);

  function joined(at: number): WorldChange {
    const person = makePerson(people.length + 1, at, random() < 0.95);
    // Newcomers sign up in the product, on the free plan, and upgrade later (plan.changed).
    person.plan = 'free';
    person.presence = { ...person.presence, app: true };
    people.push(person);
    return { kind: 'person.joined', at, person: snapshot(person) };
  }

  function updated(at: number, of: Person = pick(random, people)): WorldChange {
    const person = { ...of };
    const changed: ('name' | 'phone')[] = [];
    const what = weighted(random, [
      ['name', 2],
      ['phone', 3],
      ['both', 1],
    ] as const);
    if (what !== 'phone') {
      // Names change by marriage or correction: keep the first name most of the time.
      if (random() < 0.7)
        person.lastName = pick(
          random,
          LAST_NAMES.filter((n) => n !== person.lastName),
        );
      else
        person.firstName = pick(
          random,
          FIRST_NAMES.filter((n) => n !== person.firstName),
        );
      changed.push('name');
    }
    if (what !== 'name') {
      let phone = makePhone(random);
      while (phone === person.phone) phone = makePhone(random);
      person.phone = phone;
      changed.push('phone');
    }
    replace(person);
    return { kind: 'person.updated', at, person: snapshot(person), changed };
  }

  function planChanged(at: number, of?: Person): WorldChange | undefined {
    const pool = of === undefined ? candidates((p) => p.presence.billing) : [of];
    if (pool.length === 0) return undefined;
    const person = { ...pick(random, pool) };
    const from = person.plan;
    const to = pick(
      random,
      (['starter', 'pro', 'enterprise'] as const).filter((p) => p !== from),
    );
    person.plan = to;
    replace(person);
    return { kind: 'plan.changed', at, person: snapshot(person), from, to };
  }

  function planCanceled(at: number): WorldChange | undefined {
    const pool = candidates((p) => p.presence.billing && p.plan !== 'free');
    if (pool.length === 0) return undefined;
    const person = { ...pick(random, pool) };
    const from = person.plan;
    person.plan = 'free';
    replace(person);
    return { kind: 'plan.canceled', at, person: snapshot(person), from };
  }

  function purchase(at: number, pool: readonly Person[]): WorldChange | undefined {
    if (pool.length === 0) return undefined;
    const person = pick(random, pool);
    const lines = randomInt(random, 1, 3);
    const chosen = new Set<(typeof DEMO_CATALOG)[number]>();
    while (chosen.size < lines) chosen.add(pick(random, DEMO_CATALOG));
    const items = [...chosen].map((item) => ({
      sku: item.sku,
      title: item.title,
      quantity: item.unitAmount > 20000 ? 1 : randomInt(random, 1, 3),
      unitAmount: item.unitAmount,
    }));
    const amount = items.reduce((sum, item) => sum + item.quantity * item.unitAmount, 0);
    const orderId = `ord_${String(nextOrder++).padStart(6, '0')}`;
    return { kind: 'purchase', at, person: snapshot(person), orderId, currency: 'usd', items, amount };
  }

  function paymentFailed(at: number, pool: readonly Person[]): WorldChange | undefined {
    if (pool.length === 0) return undefined;
    const person = pick(random, pool);
    return {
      kind: 'payment.failed',
      at,
      person: snapshot(person),
      amount: PLAN_PRICES[person.plan],
      currency: 'usd',
    };
  }

  /** Tickets opened by the change stream that are not closed yet, oldest first. */
  const openTickets: { ticketId: string; personId: string; status: TicketStatus }[] = [];
  let nextTicket = 1;

  function ticketOpened(at: number): WorldChange | undefined {
    const pool = candidates((p) => p.presence.support);
    if (pool.length === 0) return undefined;
    const person = pick(random, pool);
    const ticketId = `tkt_${String(nextTicket++).padStart(6, '0')}`;
    openTickets.push({ ticketId, personId: person.id, status: 'new' });
    const subject = pick(random, TICKET_SUBJECTS);
    const priority = weighted(random, [
      ['low', 3],
      ['normal', 6],
      ['high', 2],
      ['urgent', 1],
    ] as const);
    return { kind: 'ticket.opened', at, person: snapshot(person), ticketId, subject, priority };
  }

  function ticketUpdated(at: number): WorldChange | undefined {
    const ticket = openTickets.length > 0 ? pick(random, openTickets) : undefined;
    const person = ticket && people.find((p) => p.id === ticket.personId);
    if (!ticket || !person) return undefined;
    const from = ticket.status;
    const next: Record<TicketStatus, readonly TicketStatus[]> = {
      new: ['open'],
      open: ['pending', 'solved', 'hold'],
      pending: ['open', 'solved'],
      hold: ['open'],
      solved: ['closed', 'open'],
      closed: [],
    };
    const to = pick(random, next[from]);
    ticket.status = to;
    if (to === 'closed') openTickets.splice(openTickets.indexOf(ticket), 1);
    return { kind: 'ticket.updated', at, person: snapshot(person), ticketId: ticket.ticketId, from, to };
  }

  function left(at: number): WorldChange | undefined {
    const pool = candidates((p) => p.presence.app && !inSpotlight(p));
    if (pool.length < 2) return undefined;
    const person = { ...pick(random, pool) };
    person.presence = { ...person.presence, app: false };
    replace(person);
    return { kind: 'person.left', at, person: snapshot(person) };
  }

  const buyers = (): Person[] => candidates((p) => p.presence.commerce);
  const payers = (): Person[] => candidates((p) => p.presence.billing && p.plan !== 'free');
  const ticket = (at: number): WorldChange | undefined =>
    random() < 0.5 ? (ticketUpdated(at) ?? ticketOpened(at)) : ticketOpened(at);

  /** The sign-up, order or ticket of this tick: each comes back every `RHYTHM` ticks. */
  function rhythm(at: number, beat: number): WorldChange | undefined {
    if (beat === 0) return joined(at);
    // Bought by someone billing knows too, so the order is also invoiced.
    if (beat === 1)
      return purchase(
        at,
        candidates((p) => p.presence.commerce && p.presence.billing),
      );
    return ticket(at);
  }

  /** A change of a spotlight person that billing reports with their email. */
  function featured(at: number, id: string): WorldChange | undefined {
    const person = people.find((p) => p.id === id);
    if (person === undefined) return undefined;
    const kind = weighted(random, [
      ['person.updated', 3],
      ['plan.changed', 2],
      ['purchase', 3],
      ['payment.failed', person.plan === 'free' ? 0 : 1],
    ] as const);
    if (kind === 'person.updated') return updated(at, person);
    if (kind === 'plan.changed') return planChanged(at, person);
    if (kind === 'purchase') return purchase(at, [person]);
    return paymentFailed(at, [person]);
  }

  function anything(at: number): WorldChange | undefined {
    const kind = weighted(random, [
      ['person.joined', 14],
      ['person.updated', 20],
      ['plan.changed', 18],
      ['plan.canceled', 8],
      ['purchase', 28],
      ['payment.failed', 12],
      ['ticket.opened', 16],
      ['ticket.updated', 16],
      ['person.left', 2],
    ] as const);
    switch (kind) {
      case 'person.joined':
        return joined(at);
      case 'person.updated':
        return updated(at);
      case 'plan.changed':
        return planChanged(at);
      case 'plan.canceled':
        return planCanceled(at);
      case 'purchase':
        return purchase(at, buyers());
      case 'payment.failed':
        return paymentFailed(at, payers());
      case 'ticket.opened':
        return ticketOpened(at);
      case 'ticket.updated':
        return ticketUpdated(at) ?? ticketOpened(at);
      case 'person.left':
        return left(at);
    }
  }

  let ticks = 0;
  return {
    seed,
    epoch,
    people,
    companies,
    spotlight: spotlight.map((id) => people.find((p) => p.id === id)?.email ?? ''),
    random: sharedRandom,
    tick(at: number): WorldChange[] {
      const beat = ticks++;
      const star = spotlight.length === 0 ? undefined : spotlight[beat % spotlight.length];
      const changes = [
        people.length === 0 ? joined(at) : (rhythm(at, beat % RHYTHM) ?? joined(at)),
        star === undefined ? undefined : featured(at, star),
        anything(at) ?? joined(at),
      ];
      return changes.filter((change) => change !== undefined);
    },
  };
}
