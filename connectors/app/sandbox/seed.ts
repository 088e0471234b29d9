/** Fills the emulator's store from the shared demo world, deterministically. */
import { randomInt } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { DemoWorld, Person } from '../../../src/sandbox/world.ts';
import { isoSeconds } from './store.ts';
import type { UserObject, UserStore } from './store.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Makes unique `usr_` + 9 digit ids (the product's format) from a seeded stream. */
export function createUserIds(random: Random): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const id = `usr_${String(randomInt(random, 100_000_000, 999_999_999))}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}

/** A new user for a world person, signed up at `at` (unix seconds). */
export function newUser(id: string, person: Person, at: number): UserObject {
  return {
    user_id: id,
    email: person.email,
    first_name: person.firstName,
    last_name: person.lastName,
    company: person.company?.name ?? null,
    plan: person.plan,
    created_at: isoSeconds(at),
    updated_at: isoSeconds(at),
  };
}

/**
 * A user for every person present in the app, signed up shortly after the
 * person appeared; about a third of the people absent from the app once had
 * an account and deleted it, so deleted users exist from the start.
 */
export function seedUsers(store: UserStore, nextId: () => string, random: Random, world: DemoWorld): void {
  const now = world.epoch;
  const people = [...world.people].sort((a, b) => a.createdAt - b.createdAt);
  for (const person of people) {
    const hadAccount = person.presence.app || random() < 0.35;
    if (!hadAccount) continue;
    const created = person.createdAt + randomInt(random, 60, 12 * HOUR);
    const user = newUser(nextId(), person, created);
    if (person.presence.app) {
      // Most users touched their profile or plan since they signed up.
      if (random() < 0.7) user.updated_at = isoSeconds(randomInt(random, created, now - HOUR));
    } else {
      const deleted = randomInt(random, Math.min(created + DAY, now - HOUR), now - HOUR);
      user.updated_at = isoSeconds(deleted);
      user.deleted_at = isoSeconds(deleted);
    }
    store.put(user, person.id);
  }
}
