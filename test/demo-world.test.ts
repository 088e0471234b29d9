import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDemoWorld, mulberry32, seededRandom } from '../src/sandbox/demo-world.ts';
import { PLAN_PRICES } from '../src/sandbox/world.ts';
import type { DemoWorld, WorldChange } from '../src/sandbox/world.ts';

const snapshot = (world: DemoWorld) => JSON.stringify({ people: world.people, companies: world.companies });

/** The changes of `n` ticks, three seconds apart from an hour after the epoch. */
function ticks(world: DemoWorld, n: number): WorldChange[][] {
  return Array.from({ length: n }, (_, i) => world.tick(world.epoch + 3600 + 3 * i));
}
const steps = (world: DemoWorld, n: number): WorldChange[] => ticks(world, n).flat();

describe('createDemoWorld', () => {
  it('gives byte-identical worlds and change streams for the same seed', () => {
    const a = createDemoWorld({ seed: 7 });
    const b = createDemoWorld({ seed: 7 });
    expect(snapshot(a)).toBe(snapshot(b));
    expect(JSON.stringify(steps(a, 200))).toBe(JSON.stringify(steps(b, 200)));
    expect(snapshot(a)).toBe(snapshot(b));
  });

  it('gives a different world for another seed', () => {
    expect(snapshot(createDemoWorld({ seed: 1 }))).not.toBe(snapshot(createDemoWorld({ seed: 2 })));
  });

  it('keeps the change stream independent of emulators drawing from random()', () => {
    const a = createDemoWorld();
    const b = createDemoWorld();
    for (let i = 0; i < 50; i++) b.random();
    expect(JSON.stringify(steps(a, 50))).toBe(JSON.stringify(steps(b, 50)));
  });

  it('has the default population', () => {
    const world = createDemoWorld();
    expect(world.seed).toBe(42);
    expect(world.epoch).toBe(1767225600);
    expect(world.people).toHaveLength(240);
    expect(world.companies.length).toBeGreaterThanOrEqual(35);
    expect(world.people.filter((p) => p.presence.billing).length).toBeGreaterThanOrEqual(220);
    for (const source of ['crm', 'support', 'commerce', 'app'] as const) {
      const known = world.people.filter((p) => p.presence[source]).length;
      expect(known).toBeGreaterThan(150);
      expect(known).toBeLessThan(240);
    }
    const plans = new Set(world.people.map((p) => p.plan));
    expect([...plans].sort()).toEqual(['enterprise', 'free', 'pro', 'starter']);
  });

  it('makes realistic, unique, lower-case emails and safe phone numbers', () => {
    for (const seed of [42, 1, 2, 3]) {
      const world = createDemoWorld({ seed });
      const emails = world.people.map((p) => p.email);
      expect(new Set(emails).size).toBe(emails.length);
      for (const person of world.people) {
        expect(person.email).toBe(person.email.toLowerCase());
        // Reserved names only (RFC 2606): `*.example`, or example.com/.org/.net and their subdomains.
        expect(person.email).toMatch(/^[a-z0-9._]+@([a-z0-9-]+\.example|([a-z]+\.)?example\.(com|org|net))$/);
        if (person.phone !== null) expect(person.phone).toMatch(/^\+(1\d{3}55501\d{2}|44207946\d{4})$/);
        if (!person.presence.billing) expect(person.plan).toBe('free');
      }
      const atCompany = world.people.filter(
        (p) => p.company !== null && p.email.endsWith(`@${p.company.domain}`),
      );
      expect(atCompany.length).toBeGreaterThan(world.people.length / 2);
      expect(new Set(world.companies.map((c) => c.domain)).size).toBe(world.companies.length);
    }
  });

  it('spreads createdAt over the year before the epoch', () => {
    const world = createDemoWorld();
    const epoch = world.epoch;
    const times = world.people.map((p) => p.createdAt);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(epoch - 366 * 86_400);
    expect(Math.max(...times)).toBeLessThan(epoch);
    expect(Math.min(...times)).toBeLessThan(epoch - 300 * 86_400);
    expect(Math.max(...times)).toBeGreaterThan(epoch - 30 * 86_400);
  });

  it('makes coherent changes, each at the time of its tick', () => {
    const world = createDemoWorld();
    const kinds = new Set<string>();
    const initial = world.people.length;
    const opened = new Set<string>();
    const closed = new Set<string>();
    let joined = 0;
    const at = world.epoch + 86_400;
    for (let i = 0; i < 400; i++) {
      const changes = world.tick(at + i);
      expect(changes).toHaveLength(3);
      for (const change of changes) {
        kinds.add(change.kind);
        expect(change.at).toBe(at + i);
        const current = world.people.find((p) => p.id === change.person.id);
        expect(current).toBeDefined();
        switch (change.kind) {
          case 'person.joined':
            joined++;
            expect(change.person.createdAt).toBe(change.at);
            break;
          case 'person.updated':
            expect(change.changed.length).toBeGreaterThan(0);
            expect(change.changed).not.toContain('email');
            break;
          case 'plan.changed':
            expect(change.from).not.toBe(change.to);
            expect(change.person.plan).toBe(change.to);
            expect(change.person.presence.billing).toBe(true);
            break;
          case 'plan.canceled':
            expect(change.from).not.toBe('free');
            expect(change.person.plan).toBe('free');
            break;
          case 'purchase':
            expect(change.orderId).toMatch(/^ord_\d{6}$/);
            expect(change.items.length).toBeGreaterThan(0);
            expect(change.amount).toBe(change.items.reduce((s, i) => s + i.quantity * i.unitAmount, 0));
            break;
          case 'payment.failed':
            expect(change.amount).toBe(PLAN_PRICES[change.person.plan]);
            expect(change.amount).toBeGreaterThan(0);
            break;
          case 'ticket.opened':
            expect(change.ticketId).toMatch(/^tkt_\d{6}$/);
            expect(change.person.presence.support).toBe(true);
            break;
          case 'ticket.updated':
            expect(change.from).not.toBe(change.to);
            expect(opened.has(change.ticketId)).toBe(true);
            expect(closed.has(change.ticketId)).toBe(false);
            if (change.to === 'closed') closed.add(change.ticketId);
            break;
          case 'person.left':
            expect(change.person.presence.app).toBe(false);
            break;
        }
        if (change.kind === 'ticket.opened') opened.add(change.ticketId);
      }
    }
    expect(kinds.size).toBe(9);
    expect(world.people.length).toBe(initial + joined);
    expect(new Set(world.people.map((p) => p.email)).size).toBe(world.people.length);
  });

  it('hands out snapshots: a change is not altered by later ones', () => {
    const world = createDemoWorld();
    const changes = steps(world, 100);
    const frozen = JSON.stringify(changes);
    steps(world, 200);
    expect(JSON.stringify(changes)).toBe(frozen);
  });

  it('honours the people and epoch options', () => {
    const world = createDemoWorld({ people: 30, epoch: 1_700_000_000 });
    expect(world.people).toHaveLength(30);
    expect(world.epoch).toBe(1_700_000_000);
    expect(world.people.every((p) => p.createdAt < 1_700_000_000)).toBe(true);
  });
});

describe('the demo cadence', () => {
  it('names two long-standing spotlight people known to every source, and keeps them', () => {
    for (const seed of [42, 1, 2, 3]) {
      const world = createDemoWorld({ seed });
      expect(world.spotlight).toHaveLength(2);
      const oldest = world.people.filter(
        (p) => p.company !== null && Object.values(p.presence).every(Boolean),
      );
      expect(world.spotlight).toEqual(oldest.slice(0, 2).map((p) => p.email));
      for (const change of steps(world, 300)) {
        if (world.spotlight.includes(change.person.email)) expect(change.kind).not.toBe('person.left');
      }
      for (const email of world.spotlight) {
        expect(world.people.find((p) => p.email === email)?.presence).toEqual({
          billing: true,
          crm: true,
          support: true,
          commerce: true,
          app: true,
        });
      }
    }
  });

  it('changes each spotlight person every other tick, in a way billing reports with their email', () => {
    for (const seed of [42, 1, 2, 3]) {
      const world = createDemoWorld({ seed });
      const all = ticks(world, 300);
      all.forEach((changes, i) => {
        const star = world.spotlight[i % 2];
        // The spotlight's change is the second of the tick (the first is the sign-up, order or ticket).
        const featured = changes[1];
        expect(featured?.person.email).toBe(star);
        expect(['person.updated', 'plan.changed', 'purchase', 'payment.failed']).toContain(featured?.kind);
      });
    }
  });

  it('has a sign-up, an invoiced purchase and a ticket change in every three ticks', () => {
    for (const seed of [42, 1, 2, 3]) {
      const all = ticks(createDemoWorld({ seed }), 300);
      for (let i = 0; i + 3 <= all.length; i++) {
        const window = all.slice(i, i + 3).flat();
        expect(window.some((c) => c.kind === 'person.joined' && c.person.presence.app)).toBe(true);
        expect(
          window.some(
            (c) => c.kind === 'purchase' && c.person.presence.commerce && c.person.presence.billing,
          ),
        ).toBe(true);
        expect(
          window.some(
            (c) => (c.kind === 'ticket.opened' || c.kind === 'ticket.updated') && c.person.presence.support,
          ),
        ).toBe(true);
      }
    }
  });

  it('has the README name the spotlight people of the default world, and only them in examples', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const named = [...readme.matchAll(/(?:customer|customerChanged)\(email: "([^"]+@[^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(named.length).toBeGreaterThan(0);
    const { spotlight } = createDemoWorld({ seed: 42 });
    for (const email of named) expect(spotlight).toContain(email);
    for (const email of spotlight) expect(readme).toContain(email);
  });
});

describe('seeded random helpers', () => {
  it('are deterministic and per stream', () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    const xs = Array.from({ length: 5 }, () => a());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(42, 'stripe')()).toBe(seededRandom(42, 'stripe')());
    expect(seededRandom(42, 'stripe')()).not.toBe(seededRandom(42, 'hubspot')());
  });
});
