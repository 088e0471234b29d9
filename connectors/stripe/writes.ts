import { z } from 'zod';
import type { GatewayContext } from '../../src/context.ts';
import type { MutationResolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { runWrite } from '../../src/writes/run-write.ts';
import { parseWriteInput } from '../../src/writes/write-input.ts';
import type { StripeClient } from './client.ts';
import type { StripeLoaders } from './loaders.ts';
import type { StripeCustomer, StripeSubscription } from './models.ts';
import { refreshLoader } from '../../src/writes/refresh-loader.ts';

// Stripe clears a field given as an empty string: `null` in the mutation means exactly that.
const clearable = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).nullish();

const UpdateCustomerArgs = z.object({
  input: z
    .object({
      name: clearable(256),
      email: z
        .union([z.string().trim().pipe(z.email('must be an email address').max(512)), z.null()])
        .optional(),
      phone: clearable(20),
      metadata: z
        .record(z.string(), z.string().max(500, 'must be at most 500 characters').nullable())
        .superRefine((metadata, ctx) => {
          const keys = Object.keys(metadata);
          if (keys.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 keys' });
          for (const key of keys) {
            if (key === '' || key.length > 40) {
              ctx.addIssue({ code: 'custom', path: [key], message: 'keys must be 1 to 40 characters' });
            }
          }
        })
        .nullish(),
    })
    .refine((i) => Object.values(i as Record<string, unknown>).some((v) => v !== undefined), {
      message: 'give at least one field to change',
    }),
});

const blank = (value: string | null | undefined): string | undefined => (value === null ? '' : value);

function primeCustomer(ctx: GatewayContext, customer: StripeCustomer): StripeCustomer {
  return refreshLoader(ctx, 'stripe', (loaders: StripeLoaders) => loaders.customer, customer.id, customer);
}

function primeSubscription(ctx: GatewayContext, subscription: StripeSubscription): StripeSubscription {
  if (ctx.mayRead('stripe')) {
    // The customer's expanded subscriptions and any list page read before the write are stale now.
    const { loaders } = ctx.source<unknown, StripeLoaders>('stripe');
    loaders.customer.clear(subscription.customer);
    loaders.customerByEmail.clearAll();
    loaders.subscriptions.clearAll();
  }
  return refreshLoader(
    ctx,
    'stripe',
    (loaders: StripeLoaders) => loaders.subscription,
    subscription.id,
    subscription,
  );
}

/** Stripe's writes: its own `Idempotency-Key`s make them safe to retry, so the gateway keeps nothing. */
export const stripeMutations: MutationResolvers = {
  async updateBillingCustomer(_parent, args, ctx) {
    const { input } = parseWriteInput(UpdateCustomerArgs, { input: args.input });
    const id = sourceIdOf('BillingCustomer', args.id);
    const metadata =
      input.metadata == null
        ? undefined
        : Object.fromEntries(Object.entries(input.metadata).map(([k, v]) => [k, v ?? '']));
    const customer = await runWrite<StripeClient, StripeLoaders, StripeCustomer>(ctx, {
      source: 'stripe',
      title: 'Stripe',
      mutation: 'updateBillingCustomer',
      input: { id, input },
      idempotencyKey: args.idempotencyKey,
      keys: 'provider',
      write: (scope, key) =>
        scope.client.updateCustomer(
          id,
          { name: blank(input.name), email: blank(input.email), phone: blank(input.phone), metadata },
          key ?? '',
          scope.call,
        ),
    });
    return primeCustomer(ctx, customer);
  },
  async cancelBillingSubscription(_parent, args, ctx) {
    const id = sourceIdOf('BillingSubscription', args.id);
    // The schema's default (true) applies when the argument is left out; an explicit null means the same.
    const atPeriodEnd = (args.atPeriodEnd as boolean | null) ?? true;
    const subscription = await runWrite<StripeClient, StripeLoaders, StripeSubscription>(ctx, {
      source: 'stripe',
      title: 'Stripe',
      mutation: 'cancelBillingSubscription',
      input: { id, atPeriodEnd },
      idempotencyKey: args.idempotencyKey,
      keys: 'provider',
      write: (scope, key) => scope.client.cancelSubscription(id, atPeriodEnd, key ?? '', scope.call),
    });
    return primeSubscription(ctx, subscription);
  },
};
