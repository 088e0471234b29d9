import { z } from 'zod';
import type { MutationResolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { runWrite } from '../../src/writes/run-write.ts';
import { parseWriteInput } from '../../src/writes/write-input.ts';
import type { ShopifyClient } from './client.ts';
import type { ShopifyLoaders } from './loaders.ts';
import type { ShopifyOrder } from './models.ts';
import { gidArgument } from './resolvers.ts';
import { refreshLoader } from '../../src/writes/refresh-loader.ts';

// Tag lengths are Shopify's to judge (its userErrors say which); the gateway bounds only the sizes.
const UpdateOrderArgs = z.object({
  input: z
    .object({
      note: z.string().max(5000, 'must be at most 5000 characters').nullish(),
      tags: z.array(z.string()).max(250, 'at most 250 tags').nullish(),
    })
    .refine((i) => i.note !== undefined || i.tags != null, { message: 'give note or tags' }),
});

/** Shopify's write: `orderUpdate` sets values, so it may be retried; keys are kept by the gateway's store. */
export const shopifyMutations: MutationResolvers = {
  async updateOrder(_parent, args, ctx) {
    const { input } = parseWriteInput(UpdateOrderArgs, { input: args.input });
    const id = gidArgument('Order', sourceIdOf('Order', args.id));
    const changes = {
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(input.tags == null ? {} : { tags: input.tags }),
    };
    const order = await runWrite<ShopifyClient, ShopifyLoaders, ShopifyOrder>(ctx, {
      source: 'shopify',
      title: 'Shopify',
      mutation: 'updateOrder',
      input: { id, changes },
      idempotencyKey: args.idempotencyKey,
      setsValues: true,
      write: (scope) => scope.client.updateOrder(id, changes, scope.call),
    });
    return refreshLoader(ctx, 'shopify', (loaders: ShopifyLoaders) => loaders.order, order.id, order);
  },
};
