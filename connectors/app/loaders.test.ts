import { describe, expect, it } from 'vitest';
import type { AppClient, ListUsersParams } from './client.ts';
import { createAppLoaders } from './loaders.ts';
import type { AppUser } from './models.ts';

function user(n: number, overrides: Partial<AppUser> = {}): AppUser {
  return {
    user_id: `usr_${String(100_000_000 + n)}`,
    email: `user${n}@example.com`,
    first_name: 'First',
    last_name: `Last${n}`,
    company: null,
    plan: 'free',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    deleted_at: null,
    ...overrides,
  };
}

/** A client over a fixed set of users that records its calls and answers batches in reverse order. */
function fakeClient(all: readonly AppUser[]) {
  const calls: { op: string; keys: readonly string[] }[] = [];
  const client: AppClient = {
    listUsers(params: ListUsersParams) {
      calls.push({ op: 'list', keys: params.email === undefined ? [] : [params.email] });
      const active = all.filter((u) => u.deleted_at === null);
      const matching = params.email === undefined ? active : active.filter((u) => u.email === params.email);
      return Promise.resolve({ data: matching.slice(0, params.limit), next_cursor: null });
    },
    retrieveUser(id) {
      calls.push({ op: 'retrieve', keys: [id] });
      return Promise.resolve(all.find((u) => u.user_id === id) ?? null);
    },
    batchUsersById(ids) {
      calls.push({ op: 'batchIds', keys: ids });
      return Promise.resolve(all.filter((u) => ids.includes(u.user_id)).reverse());
    },
    batchUsersByEmail(emails) {
      calls.push({ op: 'batchEmails', keys: emails });
      // Like a product that also answers deleted accounts: the loader must not let them through.
      return Promise.resolve(all.filter((u) => emails.includes(u.email)).reverse());
    },
    updateUser: () => Promise.reject(new Error('the loaders never write')),
  };
  return { client, calls };
}

describe('app loaders', () => {
  const people = Array.from({ length: 250 }, (_, i) => user(i));

  it('splits 250 ids into batches of at most 100 and maps unordered results back by id', async () => {
    const { client, calls } = fakeClient(people);
    const loaders = createAppLoaders(client, {});
    const ids = [...people.map((u) => u.user_id), 'usr_000000000'];
    const found = await Promise.all(ids.map((id) => loaders.user.load(id)));
    expect(found.slice(0, 250)).toEqual(people);
    expect(found[250]).toBeNull();
    expect(calls.map((c) => [c.op, c.keys.length])).toEqual([
      ['batchIds', 100],
      ['batchIds', 100],
      ['batchIds', 51],
    ]);
  });

  it('looks emails up case-insensitively, once per distinct email, never answering with a deleted user', async () => {
    const deleted = user(900, { email: 'gone@example.com', deleted_at: '2026-02-01T00:00:00Z' });
    const { client, calls } = fakeClient([...people, deleted]);
    const loaders = createAppLoaders(client, {});
    const found = await Promise.all(
      [
        'USER1@example.com',
        ' user1@example.com',
        'user2@example.com',
        'gone@example.com',
        'no@example.com',
      ].map((e) => loaders.userByEmail.load(e)),
    );
    expect(found.map((u) => u?.user_id ?? null)).toEqual([
      people[1]?.user_id,
      people[1]?.user_id,
      people[2]?.user_id,
      null,
      null,
    ]);
    expect(calls).toEqual([
      {
        op: 'batchEmails',
        keys: ['user1@example.com', 'user2@example.com', 'gone@example.com', 'no@example.com'],
      },
    ]);
  });

  it('uses the single-object calls for a lone key', async () => {
    const { client, calls } = fakeClient(people);
    const loaders = createAppLoaders(client, {});
    expect(await loaders.user.load(people[3]?.user_id ?? '')).toEqual(people[3]);
    expect(await loaders.userByEmail.load('User4@Example.com')).toEqual(people[4]);
    expect(calls.map((c) => c.op)).toEqual(['retrieve', 'list']);
  });

  it('primes lookups from a listed page, so they cost nothing more', async () => {
    const { client, calls } = fakeClient(people);
    const loaders = createAppLoaders(client, {});
    await loaders.users.load({ limit: 100 });
    await loaders.users.load({ limit: 100 });
    const byId = await loaders.user.load(people[10]?.user_id ?? '');
    const byEmail = await loaders.userByEmail.load(people[20]?.email.toUpperCase() ?? '');
    expect([byId, byEmail]).toEqual([people[10], people[20]]);
    expect(calls.map((c) => c.op)).toEqual(['list']);
  });
});
