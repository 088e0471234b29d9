import type { GatewayContext } from '../context.ts';
import { ErrorCode, GatewayError, badUserInput } from '../errors.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { fromGlobalId, toGlobalId } from '../node-id.ts';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../pagination.ts';
import type { EndpointService } from './endpoints.ts';
import type { Endpoint } from './model.ts';

/** Refuses a principal without the `admin` scope. */
export function requireAdmin(ctx: GatewayContext): void {
  // Endpoints and deliveries change without any source's webhook: never from the response cache.
  ctx.reads.readGatewayState();
  if (!ctx.principal.scopes.has('admin')) {
    throw new GatewayError(
      ErrorCode.FORBIDDEN,
      'Your credentials may not manage outbound webhooks: that needs the "admin" scope.',
      { details: { scope: 'admin' } },
    );
  }
}

/** The store id a global id of `typeName` names, or BAD_USER_INPUT. */
function idOf(typeName: 'WebhookEndpoint' | 'WebhookDelivery', id: string, argument = 'id'): string {
  const decoded = fromGlobalId(id, argument);
  if (decoded.typeName !== typeName) {
    throw badUserInput(
      `Argument "${argument}" is the id of ${article(decoded.typeName)}, not of ${article(typeName)}.`,
      {
        argument,
      },
    );
  }
  return decoded.sourceId;
}

/** `node(id)` for WebhookEndpoint and WebhookDelivery (admin only). */
export function outboundNodeLoaders(
  service: EndpointService,
): Record<string, (ctx: GatewayContext, sourceId: string) => Promise<unknown>> {
  return {
    WebhookEndpoint: async (ctx, id) => {
      requireAdmin(ctx);
      return service.get(id);
    },
    WebhookDelivery: async (ctx, id) => {
      requireAdmin(ctx);
      return service.getDelivery(id);
    },
  };
}

/** The GraphQL surface of outbound webhooks; everything needs the `admin` scope. */
export function createOutboundResolvers(service: EndpointService): Resolvers {
  const withSecret = ({ endpoint, secret }: { endpoint: Endpoint; secret: string }) => ({ endpoint, secret });
  return {
    Query: {
      webhookEndpoints: async (_parent, _args, ctx) => {
        requireAdmin(ctx);
        return service.list();
      },
    },
    Mutation: {
      createWebhookEndpoint: async (_parent, { input }, ctx) => {
        requireAdmin(ctx);
        return withSecret(await service.create(input));
      },
      updateWebhookEndpoint: async (_parent, { id, input }, ctx) => {
        requireAdmin(ctx);
        return service.update(idOf('WebhookEndpoint', id), input);
      },
      deleteWebhookEndpoint: async (_parent, { id }, ctx) => {
        requireAdmin(ctx);
        await service.delete(idOf('WebhookEndpoint', id));
        return id;
      },
      rotateWebhookEndpointSecret: async (_parent, { id }, ctx) => {
        requireAdmin(ctx);
        return withSecret(await service.rotate(idOf('WebhookEndpoint', id)));
      },
      retryWebhookDelivery: async (_parent, { id }, ctx) => {
        requireAdmin(ctx);
        return service.retry(idOf('WebhookDelivery', id));
      },
      recoverWebhookEndpoint: async (_parent, { id, since }, ctx) => {
        requireAdmin(ctx);
        return service.recover(idOf('WebhookEndpoint', id), Date.parse(since));
      },
    },
    WebhookEndpoint: {
      id: (endpoint) => toGlobalId('WebhookEndpoint', endpoint.id),
      createdAt: (endpoint) => new Date(endpoint.createdAt).toISOString(),
      deliveries: async (endpoint, args, ctx) => {
        requireAdmin(ctx);
        const first = pageSize(args.first, 100, 20);
        const after = args.after == null ? undefined : Number(decodeCursor('delivery', args.after));
        if (after !== undefined && !Number.isSafeInteger(after)) {
          throw badUserInput('Argument "after" is not a cursor of this list.', { argument: 'after' });
        }
        const page = await service.deliveries(endpoint.id, {
          beforeSeq: after,
          limit: first + 1,
          status: args.status,
        });
        return toConnection(
          page.slice(0, first),
          (d) => encodeCursor('delivery', String(d.seq)),
          page.length > first,
          after !== undefined,
        );
      },
    },
    WebhookDelivery: {
      id: (delivery) => toGlobalId('WebhookDelivery', delivery.id),
      nextAttemptAt: (delivery) =>
        delivery.status === 'PENDING' && delivery.nextAttemptAt !== null
          ? new Date(delivery.nextAttemptAt).toISOString()
          : null,
    },
    DeliveryAttempt: {
      attemptedAt: (attempt) => new Date(attempt.attemptedAt).toISOString(),
    },
  };
}

/** `a WebhookDelivery`, `an Invoice`. */
function article(typeName: string): string {
  return `${/^[AEIOU]/.test(typeName) ? 'an' : 'a'} ${typeName}`;
}
