import type { SourceScope } from '../../src/connector.ts';
import { appMutations } from './writes.ts';
import type { GatewayContext } from '../../src/context.ts';
import { badUserInput } from '../../src/errors.ts';
import type { Resolvers } from '../../src/generated/resolvers.ts';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../../src/pagination.ts';
import { MAX_PAGE_SIZE } from './client.ts';
import type { AppClient } from './client.ts';
import type { AppLoaders } from './loaders.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { eventSubscription } from '../../src/events/resolvers.ts';

const appOf = (ctx: GatewayContext): SourceScope<AppClient, AppLoaders> =>
  ctx.source<AppClient, AppLoaders>('app');

const NAMESPACE = 'appUser';

/**
 * A position in the user list. The API hands out one opaque `next_cursor` per
 * page, not one per user, so an edge's cursor is "the page that starts at
 * `page`, after its first `skip` users". The last edge of a page carries the
 * API's own `next_cursor` with skip 0, so paging by `endCursor` is plain native paging.
 */
interface Position {
  page: string | null;
  skip: number;
}

function encodePosition(position: Position): string {
  return encodeCursor(NAMESPACE, JSON.stringify([position.page, position.skip]));
}

function decodePosition(cursor: string): Position {
  const raw = decodeCursor(NAMESPACE, cursor);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    (value[0] === null || typeof value[0] === 'string') &&
    Number.isInteger(value[1]) &&
    (value[1] as number) >= 0 &&
    (value[1] as number) < MAX_PAGE_SIZE
  ) {
    return { page: value[0] as string | null, skip: value[1] as number };
  }
  throw badUserInput(
    'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
    { argument: 'after' },
  );
}

const iso = (timestamp: string): string => new Date(timestamp).toISOString();

export const appResolvers: Resolvers = {
  AppPlan: { FREE: 'free', STARTER: 'starter', PRO: 'pro', ENTERPRISE: 'enterprise' },
  Subscription: {
    userCreated: eventSubscription(
      () => ({ sources: ['app'], types: ['user.created'] }),
      (event) => event,
    ),
  },
  AppUserEvent: {
    event: (event) => event,
    user: (event, _args, ctx) => (event.subject ? appOf(ctx).loaders.user.load(event.subject.id) : null),
  },
  Mutation: appMutations,
  Query: {
    async appUsers(_parent, args, ctx) {
      const first = pageSize(args.first, MAX_PAGE_SIZE);
      const from: Position = args.after ? decodePosition(args.after) : { page: null, skip: 0 };
      const { loaders } = appOf(ctx);
      // Resuming mid-page re-reads the page's head and drops it: never more than one call.
      const limit = Math.min(MAX_PAGE_SIZE, from.skip + first);
      const result = await loaders.users.load({ limit, cursor: from.page ?? undefined });
      const last = result.data.length - 1;
      const nodes = result.data.map((user, index) => ({ user, index })).slice(from.skip);
      const connection = toConnection(
        nodes,
        ({ index }) =>
          index === last && result.next_cursor !== null
            ? encodePosition({ page: result.next_cursor, skip: 0 })
            : encodePosition({ page: from.page, skip: index + 1 }),
        result.next_cursor !== null,
        Boolean(args.after),
      );
      return {
        edges: connection.edges.map(({ cursor, node }) => ({ cursor, node: node.user })),
        pageInfo: connection.pageInfo,
      };
    },
    appUser: (_parent, args, ctx) => appOf(ctx).loaders.user.load(sourceIdOf('AppUser', args.id)),
    appUserByEmail: (_parent, args, ctx) => appOf(ctx).loaders.userByEmail.load(args.email),
  },
  AppUser: {
    firstName: (u) => u.first_name,
    lastName: (u) => u.last_name,
    name: (u) => [u.first_name, u.last_name].filter((part) => part !== '').join(' '),
    createdAt: (u) => iso(u.created_at),
    updatedAt: (u) => iso(u.updated_at),
    deletedAt: (u) => (u.deleted_at === null ? null : iso(u.deleted_at)),
  },
};
