import { z } from 'zod';

/**
 * Zod models of the Stripe objects the connector reads. Only the fields the
 * gateway uses are required; everything else passes through untouched, so a
 * newer Stripe API version does not break parsing.
 */

const metadata = z.record(z.string(), z.string()).default({});
/** An expandable field: an id, or the object itself when expanded. */
const expandableId = z.union([z.string(), z.looseObject({ id: z.string() }).transform((o) => o.id)]);

export const DeletedCustomer = z.looseObject({
  id: z.string(),
  object: z.literal('customer'),
  deleted: z.literal(true),
});

export const StripePrice = z.looseObject({
  id: z.string(),
  nickname: z.string().nullable().default(null),
  currency: z.string(),
  unit_amount: z.number().int().nullable().default(null),
  recurring: z
    .looseObject({ interval: z.enum(['day', 'week', 'month', 'year']) })
    .nullable()
    .default(null),
  product: expandableId.nullable().default(null),
});

export type StripePrice = z.infer<typeof StripePrice>;

export const StripeSubscriptionItem = z.looseObject({
  id: z.string(),
  quantity: z.number().int().nullable().default(null),
  price: StripePrice,
});
export type StripeSubscriptionItem = z.infer<typeof StripeSubscriptionItem>;

export const StripeSubscription = z.looseObject({
  id: z.string().startsWith('sub_'),
  object: z.literal('subscription'),
  customer: expandableId,
  status: z.enum([
    'active',
    'canceled',
    'incomplete',
    'incomplete_expired',
    'past_due',
    'paused',
    'trialing',
    'unpaid',
  ]),
  currency: z.string(),
  cancel_at_period_end: z.boolean().default(false),
  start_date: z.number().int(),
  trial_start: z.number().int().nullable().default(null),
  trial_end: z.number().int().nullable().default(null),
  created: z.number().int(),
  latest_invoice: expandableId.nullable().default(null),
  metadata,
  items: z.looseObject({
    data: z.array(
      z.looseObject({
        id: z.string(),
        quantity: z.number().int().nullable().default(null),
        price: StripePrice,
      }),
    ),
  }),
});
export type StripeSubscription = z.infer<typeof StripeSubscription>;

export const StripeCustomer = z.looseObject({
  id: z.string().startsWith('cus_'),
  object: z.literal('customer'),
  email: z.string().nullable().default(null),
  name: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  currency: z.string().nullable().default(null),
  balance: z.number().int().default(0),
  delinquent: z.boolean().nullable().default(false),
  created: z.number().int(),
  metadata,
  /**
   * Only with `expand[]=subscriptions`: the customer's current (not canceled)
   * subscriptions, newest first, the first 10 with `has_more`.
   */
  subscriptions: z
    .looseObject({ object: z.literal('list'), has_more: z.boolean(), data: z.array(StripeSubscription) })
    .optional(),
});
export type StripeCustomer = z.infer<typeof StripeCustomer>;

export const StripeInvoiceLine = z.looseObject({
  id: z.string(),
  description: z.string().nullable().default(null),
  amount: z.number().int(),
  currency: z.string(),
  quantity: z.number().int().nullable().default(null),
});
export type StripeInvoiceLine = z.infer<typeof StripeInvoiceLine>;

export const StripeInvoice = z.looseObject({
  id: z.string().startsWith('in_'),
  object: z.literal('invoice'),
  customer: expandableId,
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).nullable(),
  number: z.string().nullable().default(null),
  currency: z.string(),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  amount_remaining: z.number().int(),
  subtotal: z.number().int(),
  total: z.number().int(),
  due_date: z.number().int().nullable().default(null),
  period_start: z.number().int(),
  period_end: z.number().int(),
  created: z.number().int(),
  hosted_invoice_url: z.string().nullable().default(null),
  // Since API version 2025-03-31 the subscription moved under `parent`; read either.
  subscription: expandableId.nullable().optional(),
  parent: z
    .looseObject({
      subscription_details: z.looseObject({ subscription: expandableId }).nullable().optional(),
    })
    .nullable()
    .optional(),
  lines: z.looseObject({ data: z.array(StripeInvoiceLine) }).default({ data: [] }),
});
export type StripeInvoice = z.infer<typeof StripeInvoice>;

/** Stripe's list envelope. */
export function stripeList<T extends z.ZodType>(item: T) {
  return z.looseObject({ object: z.literal('list'), has_more: z.boolean(), data: z.array(item) });
}

/** Stripe's search envelope. */
export function stripeSearch<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.literal('search_result'),
    has_more: z.boolean(),
    next_page: z.string().nullish(),
    data: z.array(item),
  });
}

/** Stripe's error body. */
export const StripeErrorBody = z.looseObject({
  error: z.looseObject({
    type: z.string(),
    code: z.string().optional(),
    message: z.string().optional(),
    param: z.string().optional(),
  }),
});

/** The subscription an invoice belongs to, across API versions. */
export function invoiceSubscriptionId(invoice: StripeInvoice): string | null {
  return invoice.subscription ?? invoice.parent?.subscription_details?.subscription ?? null;
}
