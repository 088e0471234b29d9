import type { SourceScope } from '../../src/connector.ts';
import { stripeMutations } from './writes.ts';
import type { GatewayContext } from '../../src/context.ts';
import type { Resolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../../src/pagination.ts';
import type { StripeClient } from './client.ts';
import type { StripeLoaders } from './loaders.ts';
import { subscriptionsFromExpansion } from './expanded-subscriptions.ts';
import { invoiceSubscriptionId } from './models.ts';
import { stripeMoney } from './money.ts';

/** Largest Stripe list page. */
export const MAX_PAGE = 100;

const stripeOf = (ctx: GatewayContext): SourceScope<StripeClient, StripeLoaders> =>
  ctx.source<StripeClient, StripeLoaders>('stripe');

const iso = (unix: number): string => new Date(unix * 1000).toISOString();
const isoOrNull = (unix: number | null): string | null => (unix === null ? null : iso(unix));

/** Relay arguments → Stripe `limit`/`starting_after`; each list has its own cursor namespace. */
function page(namespace: string, args: { first?: number | null; after?: string | null }) {
  return {
    limit: pageSize(args.first, MAX_PAGE),
    startingAfter: args.after ? decodeCursor(namespace, args.after) : undefined,
  };
}

function connection<T extends { id: string }>(
  namespace: string,
  result: { data: T[]; hasMore: boolean },
  after: string | null | undefined,
) {
  return toConnection(
    result.data,
    (node) => encodeCursor(namespace, node.id),
    result.hasMore,
    Boolean(after),
  );
}

export const stripeResolvers: Resolvers = {
  Mutation: stripeMutations,
  Query: {
    async billingCustomers(_parent, args, ctx) {
      const { client, loaders, call } = stripeOf(ctx);
      const result = await client.listCustomers(
        { ...page('customer', args), email: args.email ?? undefined },
        call,
      );
      for (const customer of result.data) loaders.customer.prime(customer.id, customer);
      return connection('customer', result, args.after);
    },
    billingCustomerByEmail: (_parent, args, ctx) =>
      stripeOf(ctx).loaders.customerByEmail.load(args.email.trim().toLowerCase()),
    billingCustomer: (_parent, args, ctx) =>
      stripeOf(ctx).loaders.customer.load(sourceIdOf('BillingCustomer', args.id)),
    async invoices(_parent, args, ctx) {
      const { loaders } = stripeOf(ctx);
      const result = await loaders.invoices.load({
        ...page('invoice', args),
        status: args.status ?? undefined,
      });
      return connection('invoice', result, args.after);
    },
    invoice: (_parent, args, ctx) => stripeOf(ctx).loaders.invoice.load(sourceIdOf('Invoice', args.id)),
    async subscriptions(_parent, args, ctx) {
      const { loaders } = stripeOf(ctx);
      const result = await loaders.subscriptions.load({
        ...page('subscription', args),
        status: args.status ?? undefined,
      });
      return connection('subscription', result, args.after);
    },
    billingSubscription: (_parent, args, ctx) =>
      stripeOf(ctx).loaders.subscription.load(sourceIdOf('BillingSubscription', args.id)),
  },
  BillingCustomer: {
    balance: (c) => (c.currency === null ? null : stripeMoney('customer balance', c.balance, c.currency)),
    delinquent: (c) => c.delinquent ?? false,
    createdAt: (c) => iso(c.created),
    metadata: (c) => c.metadata,
    async subscriptions(customer, args, ctx) {
      const { loaders } = stripeOf(ctx);
      const params = {
        ...page('subscription', args),
        customer: customer.id,
        status: args.status ?? undefined,
      };
      const expanded = subscriptionsFromExpansion(customer, params);
      for (const item of expanded?.data ?? []) loaders.subscription.prime(item.id, item);
      const result = expanded ?? (await loaders.subscriptions.load(params));
      return connection('subscription', result, args.after);
    },
    async invoices(customer, args, ctx) {
      const { loaders } = stripeOf(ctx);
      const result = await loaders.invoices.load({
        ...page('invoice', args),
        customer: customer.id,
        status: args.status ?? undefined,
      });
      return connection('invoice', result, args.after);
    },
  },
  Invoice: {
    amountDue: (i) => stripeMoney('invoice amount_due', i.amount_due, i.currency),
    amountPaid: (i) => stripeMoney('invoice amount_paid', i.amount_paid, i.currency),
    amountRemaining: (i) => stripeMoney('invoice amount_remaining', i.amount_remaining, i.currency),
    subtotal: (i) => stripeMoney('invoice subtotal', i.subtotal, i.currency),
    total: (i) => stripeMoney('invoice total', i.total, i.currency),
    dueDate: (i) => isoOrNull(i.due_date),
    periodStart: (i) => iso(i.period_start),
    periodEnd: (i) => iso(i.period_end),
    createdAt: (i) => iso(i.created),
    hostedInvoiceUrl: (i) => i.hosted_invoice_url,
    lines: (i) => i.lines.data,
    customer: (i, _args, ctx) => stripeOf(ctx).loaders.customer.load(i.customer),
    subscription(i, _args, ctx) {
      const id = invoiceSubscriptionId(i);
      return id === null ? null : stripeOf(ctx).loaders.subscription.load(id);
    },
  },
  InvoiceLine: {
    amount: (line) => stripeMoney('invoice line amount', line.amount, line.currency),
  },
  BillingSubscription: {
    currencyCode: (s) => s.currency.toUpperCase(),
    cancelAtPeriodEnd: (s) => s.cancel_at_period_end,
    startDate: (s) => iso(s.start_date),
    trialStart: (s) => isoOrNull(s.trial_start),
    trialEnd: (s) => isoOrNull(s.trial_end),
    createdAt: (s) => iso(s.created),
    metadata: (s) => s.metadata,
    items: (s) => s.items.data,
    customer: (s, _args, ctx) => stripeOf(ctx).loaders.customer.load(s.customer),
    latestInvoice(s, _args, ctx) {
      return s.latest_invoice === null ? null : stripeOf(ctx).loaders.invoice.load(s.latest_invoice);
    },
  },
  InvoiceStatus: { DRAFT: 'draft', OPEN: 'open', PAID: 'paid', UNCOLLECTIBLE: 'uncollectible', VOID: 'void' },
  SubscriptionStatus: {
    ACTIVE: 'active',
    CANCELED: 'canceled',
    INCOMPLETE: 'incomplete',
    INCOMPLETE_EXPIRED: 'incomplete_expired',
    PAST_DUE: 'past_due',
    PAUSED: 'paused',
    TRIALING: 'trialing',
    UNPAID: 'unpaid',
  },
  PriceInterval: { DAY: 'day', WEEK: 'week', MONTH: 'month', YEAR: 'year' },
  Price: {
    unitAmount: (p) =>
      p.unit_amount === null ? null : stripeMoney('price unit_amount', p.unit_amount, p.currency),
    interval: (p) => p.recurring?.interval ?? null,
  },
};
