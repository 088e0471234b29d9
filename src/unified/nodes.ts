import type { NodeLoader } from '../connector.ts';
import type { GatewayContext } from '../context.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { fromGlobalId, toGlobalId } from '../node-id.ts';
import type { Source } from '../sources.ts';
import type { CustomerModel } from './customer.ts';

/** The GraphQL type of each object `node` returned, for `Node.__resolveType`. */
const typeOf = new WeakMap<object, string>();

function tagged(typeName: string, object: unknown): unknown {
  if (typeof object === 'object' && object !== null) typeOf.set(object, typeName);
  return object;
}

/**
 * `Query.node`/`Query.nodes` over every connector's `nodes`, plus the `id`
 * (global) and `sourceId` fields of each of those types, so no connector
 * writes them by hand. `Customer` nodes resolve through `customerByEmail`.
 */
export function createNodeResolvers(
  sources: readonly Source[],
  customerByEmail: (ctx: GatewayContext, email: string) => Promise<CustomerModel | null>,
  /** Node types the gateway itself owns (`WebhookEndpoint`...): type name → loader of its id. */
  own: Record<string, (ctx: GatewayContext, id: string) => Promise<unknown>> = {},
): Resolvers {
  const loaders = new Map<string, { source: Source; loader: NodeLoader<unknown, unknown> }>();
  const fields: Record<string, Record<string, (object: unknown) => string>> = {};
  for (const source of sources) {
    for (const loader of source.connector.nodes ?? []) {
      loaders.set(loader.typeName, { source, loader });
      fields[loader.typeName] = {
        id: (object) => toGlobalId(loader.typeName, loader.idOf(object)),
        sourceId: (object) => loader.idOf(object),
      };
    }
  }

  async function load(ctx: GatewayContext, id: string): Promise<unknown> {
    const { typeName, sourceId } = fromGlobalId(id);
    if (typeName === 'Customer') return tagged('Customer', await customerByEmail(ctx, sourceId));
    const ownLoader = own[typeName];
    if (ownLoader !== undefined) return tagged(typeName, await ownLoader(ctx, sourceId));
    const entry = loaders.get(typeName);
    if (!entry || entry.source.mode === 'off') return null;
    return tagged(typeName, await entry.loader.load(ctx.source(entry.source.name), sourceId));
  }

  return {
    ...(fields as Resolvers),
    Query: {
      node: (_parent, args, ctx) => load(ctx, args.id) as never,
      nodes: (_parent, args, ctx) => Promise.all(args.ids.map((id) => load(ctx, id))) as never,
    },
    Node: {
      __resolveType: (object) => (typeOf.get(object) ?? null) as never,
    },
  };
}
