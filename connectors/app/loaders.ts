import DataLoader from 'dataloader';
import { memoLoader } from '../../src/loaders.ts';
import type { CallOptions } from '../../src/upstream/types.ts';
import { MAX_BATCH_SIZE } from './client.ts';
import type { AppClient, ListUsersParams } from './client.ts';
import { normalizeEmail } from './models.ts';
import type { AppUser, AppUserPage } from './models.ts';

/** The app DataLoaders of one GraphQL request. */
export interface AppLoaders {
  /** A user by id, deleted users included; null for an unknown id. */
  user: DataLoader<string, AppUser | null>;
  /**
   * The active user with an email, matched case-insensitively; null for nobody.
   * The by-email lookup the unified Customer joins on.
   */
  userByEmail: DataLoader<string, AppUser | null, string>;
  /** One page of `GET /v1/users`; the same page asked twice in a request is fetched once. */
  users: DataLoader<ListUsersParams, AppUserPage, string>;
}

/**
 * Batches through `POST /v1/users/batch` (at most {@link MAX_BATCH_SIZE} keys a
 * call) and maps its unordered results back by key. A lone key uses the plain
 * GET instead, which is cheaper for the API and cacheable on the way. Users
 * seen anywhere prime the other loaders, so no user is fetched twice in a request.
 */
export function createAppLoaders(client: AppClient, call: CallOptions): AppLoaders {
  const prime = (found: AppUser): void => {
    user.prime(found.user_id, found);
    if (found.deleted_at === null) userByEmail.prime(found.email, found);
  };

  const user: DataLoader<string, AppUser | null> = new DataLoader(
    async (ids) => {
      if (ids.length === 1) return [await client.retrieveUser(ids[0] ?? '', call)];
      const found = new Map((await client.batchUsersById(ids, call)).map((u) => [u.user_id, u]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );

  const userByEmail: DataLoader<string, AppUser | null, string> = new DataLoader(
    async (emails) => {
      const keys = emails.map(normalizeEmail);
      const results =
        keys.length === 1
          ? (await client.listUsers({ limit: 1, email: keys[0] }, call)).data
          : await client.batchUsersByEmail(keys, call);
      const found = new Map<string, AppUser>();
      for (const result of results) {
        // An active user per email is the API's promise; a deleted one must never answer for it.
        if (result.deleted_at === null) found.set(normalizeEmail(result.email), result);
        user.prime(result.user_id, result);
      }
      return keys.map((key) => found.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE, cacheKeyFn: normalizeEmail },
  );

  const users = memoLoader(async (params: ListUsersParams) => {
    const page = await client.listUsers(params, call);
    for (const found of page.data) prime(found);
    return page;
  });

  return { user, userByEmail, users };
}
