/**
 * Stripe objects as the emulator stores and serves them, in the shape of API
 * version {@link API_VERSION} (the last version where invoices carry
 * `subscription` at the top level and subscriptions carry `current_period_*`).
 */
import { randomBase62 } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';

/** The API version the emulator speaks (sent as `Stripe-Version` and in every event). */
export const API_VERSION = '2025-02-24.acacia';

export type Metadata = Record<string, string>;

export interface StripeProduct {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  images: string[];
  livemode: false;
  marketing_features: unknown[];
  metadata: Metadata;
  name: string;
  package_dimensions: null;
  shippable: boolean | null;
  statement_descriptor: null;
  tax_code: null;
  type: 'service' | 'good';
  unit_label: null;
  updated: number;
  url: null;
}

export interface StripeRecurring {
  aggregate_usage: null;
  interval: 'month';
  interval_count: number;
  meter: null;
  trial_period_days: null;
  usage_type: 'licensed';
}

export interface StripePrice {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: false;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string;
  recurring: StripeRecurring | null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'recurring' | 'one_time';
  unit_amount: number;
  unit_amount_decimal: string;
}

/** The legacy plan object that still rides along with recurring prices. */
export interface StripePlan {
  id: string;
  object: 'plan';
  active: boolean;
  aggregate_usage: null;
  amount: number;
  amount_decimal: string;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  interval: 'month';
  interval_count: number;
  livemode: false;
  metadata: Metadata;
  meter: null;
  nickname: string | null;
  product: string;
  tiers_mode: null;
  transform_usage: null;
  trial_period_days: null;
  usage_type: 'licensed';
}

export interface StripeCustomer {
  id: string;
  object: 'customer';
  address: null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  test_clock: null;
}

export interface DeletedCustomer {
  id: string;
  object: 'customer';
  deleted: true;
}

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  total_count?: number;
  url: string;
}

export interface StripeSubscriptionItem {
  id: string;
  object: 'subscription_item';
  billing_thresholds: null;
  created: number;
  discounts: string[];
  metadata: Metadata;
  plan: StripePlan;
  price: StripePrice;
  quantity: number;
  subscription: string;
  tax_rates: unknown[];
}

export type SubscriptionStatus =
  'active' | 'canceled' | 'incomplete' | 'incomplete_expired' | 'past_due' | 'paused' | 'trialing' | 'unpaid';

export type CollectionMethod = 'charge_automatically' | 'send_invoice';

export interface StripeSubscription {
  id: string;
  object: 'subscription';
  application: null;
  application_fee_percent: null;
  automatic_tax: { disabled_reason: null; enabled: boolean; liability: null };
  billing_cycle_anchor: number;
  billing_thresholds: null;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  collection_method: CollectionMethod;
  created: number;
  currency: string;
  current_period_end: number;
  current_period_start: number;
  customer: string;
  days_until_due: number | null;
  default_payment_method: string | null;
  default_source: null;
  default_tax_rates: unknown[];
  description: string | null;
  discount: null;
  discounts: string[];
  ended_at: number | null;
  invoice_settings: { account_tax_ids: null; issuer: { type: 'self' } };
  items: StripeList<StripeSubscriptionItem>;
  latest_invoice: string | null;
  livemode: false;
  metadata: Metadata;
  next_pending_invoice_item_invoice: null;
  on_behalf_of: null;
  pause_collection: null;
  payment_settings: {
    payment_method_options: null;
    payment_method_types: null;
    save_default_payment_method: 'off';
  };
  pending_invoice_item_interval: null;
  pending_setup_intent: null;
  pending_update: null;
  plan: StripePlan;
  quantity: number;
  schedule: null;
  start_date: number;
  status: SubscriptionStatus;
  test_clock: null;
  transfer_data: null;
  trial_end: number | null;
  trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } };
  trial_start: number | null;
}

export interface StripeInvoiceLine {
  id: string;
  object: 'line_item';
  amount: number;
  amount_excluding_tax: number;
  currency: string;
  description: string;
  discount_amounts: unknown[];
  discountable: boolean;
  discounts: string[];
  invoice: string;
  invoice_item?: string;
  livemode: false;
  metadata: Metadata;
  period: { end: number; start: number };
  plan: StripePlan | null;
  price: StripePrice;
  proration: boolean;
  proration_details: { credited_items: null };
  quantity: number;
  subscription: string | null;
  subscription_item?: string;
  tax_amounts: unknown[];
  tax_rates: unknown[];
  type: 'subscription' | 'invoiceitem';
  unit_amount_excluding_tax: string;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export type BillingReason = 'manual' | 'subscription_create' | 'subscription_cycle' | 'subscription_update';

export interface StripeInvoice {
  id: string;
  object: 'invoice';
  account_country: string;
  account_name: string;
  account_tax_ids: null;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  amount_shipping: number;
  application: null;
  application_fee_amount: null;
  attempt_count: number;
  attempted: boolean;
  auto_advance: boolean;
  automatic_tax: { disabled_reason: null; enabled: boolean; liability: null; status: null };
  automatically_finalizes_at: number | null;
  billing_reason: BillingReason;
  charge: string | null;
  collection_method: CollectionMethod;
  created: number;
  currency: string;
  custom_fields: null;
  customer: string;
  customer_address: null;
  customer_email: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  customer_shipping: null;
  customer_tax_exempt: 'none';
  customer_tax_ids: unknown[];
  default_payment_method: null;
  default_source: null;
  default_tax_rates: unknown[];
  description: string | null;
  discount: null;
  discounts: string[];
  due_date: number | null;
  effective_at: number | null;
  ending_balance: number | null;
  footer: null;
  from_invoice: null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  issuer: { type: 'self' };
  last_finalization_error: null;
  latest_revision: null;
  lines: StripeList<StripeInvoiceLine>;
  livemode: false;
  metadata: Metadata;
  next_payment_attempt: number | null;
  number: string | null;
  on_behalf_of: null;
  paid: boolean;
  paid_out_of_band: boolean;
  payment_intent: string | null;
  payment_settings: { default_mandate: null; payment_method_options: null; payment_method_types: null };
  period_end: number;
  period_start: number;
  post_payment_credit_notes_amount: number;
  pre_payment_credit_notes_amount: number;
  quote: null;
  receipt_number: null;
  rendering: null;
  shipping_cost: null;
  shipping_details: null;
  starting_balance: number;
  statement_descriptor: null;
  status: InvoiceStatus;
  status_transitions: {
    finalized_at: number | null;
    marked_uncollectible_at: number | null;
    paid_at: number | null;
    voided_at: number | null;
  };
  subscription: string | null;
  subscription_details: { metadata: Metadata | null };
  subtotal: number;
  subtotal_excluding_tax: number;
  tax: null;
  test_clock: null;
  total: number;
  total_discount_amounts: unknown[];
  total_excluding_tax: number;
  total_tax_amounts: unknown[];
  transfer_data: null;
  webhooks_delivered_at: number | null;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** Mints Stripe-looking ids, deterministic for a given random source, never twice the same. */
export interface IdFactory {
  /** The sandbox account (`acct_1...`). */
  readonly account: string;
  /** `prefix_` and 14 base62 characters (`cus_NffrFeUfNV2Hib`). */
  short(prefix: string): string;
  /** `prefix_1`, then 23 characters embedding the account, as newer ids do (`in_1MowQWLkdIwHu7ix...`). */
  long(prefix: string): string;
  /** A lowercase v4-shaped UUID, for idempotency keys. */
  uuid(): string;
  /** `length` base62 characters, for tokens in URLs. */
  token(length: number): string;
}

export function createIdFactory(random: Random): IdFactory {
  const used = new Set<string>();
  const fragment = randomBase62(random, 10);
  const account = `acct_1${randomBase62(random, 5)}${fragment}`;
  const unique = (make: () => string): string => {
    let id = make();
    while (used.has(id)) id = make();
    used.add(id);
    return id;
  };
  return {
    account,
    short: (prefix) => unique(() => `${prefix}_${randomBase62(random, 14)}`),
    long: (prefix) =>
      unique(() => `${prefix}_1${randomBase62(random, 5)}${fragment}${randomBase62(random, 8)}`),
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    },
    token: (length) => randomBase62(random, length),
  };
}

/** Adds calendar months the way Stripe advances a billing cycle: same day and time, clamped to the month's end. */
export function addMonths(unix: number, months: number): number {
  const date = new Date(unix * 1000);
  const day = date.getUTCDate();
  const first = Date.UTC(
    date.getUTCFullYear(),
    date.getUTCMonth() + months,
    1,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  );
  const target = new Date(first);
  const daysInMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, daysInMonth));
  return Math.floor(target.getTime() / 1000);
}

export function newProduct(
  id: string,
  name: string,
  created: number,
  type: 'service' | 'good',
  defaultPrice: string | null,
): StripeProduct {
  return {
    id,
    object: 'product',
    active: true,
    created,
    default_price: defaultPrice,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name,
    package_dimensions: null,
    shippable: type === 'good' ? true : null,
    statement_descriptor: null,
    tax_code: null,
    type,
    unit_label: null,
    updated: created,
    url: null,
  };
}

export function newPrice(options: {
  id: string;
  product: string;
  created: number;
  unitAmount: number;
  nickname: string | null;
  lookupKey: string | null;
  recurring: boolean;
}): StripePrice {
  return {
    id: options.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: options.created,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: options.lookupKey,
    metadata: {},
    nickname: options.nickname,
    product: options.product,
    recurring: options.recurring
      ? {
          aggregate_usage: null,
          interval: 'month',
          interval_count: 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: options.recurring ? 'recurring' : 'one_time',
    unit_amount: options.unitAmount,
    unit_amount_decimal: String(options.unitAmount),
  };
}

/** The plan twin of a recurring price (same id, as Stripe keeps them). */
export function planOf(price: StripePrice): StripePlan {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    aggregate_usage: null,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: 'month',
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export function newCustomer(options: {
  id: string;
  created: number;
  email: string;
  name: string;
  phone: string | null;
  invoicePrefix: string;
  currency: string | null;
  description?: string | null;
  paymentMethod?: string | null;
}): StripeCustomer {
  return {
    id: options.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: options.created,
    currency: options.currency,
    default_source: null,
    delinquent: false,
    description: options.description ?? null,
    discount: null,
    email: options.email,
    invoice_prefix: options.invoicePrefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: options.paymentMethod ?? null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: options.name,
    next_invoice_sequence: 1,
    phone: options.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function newSubscription(options: {
  id: string;
  itemId: string;
  customer: StripeCustomer;
  price: StripePrice;
  start: number;
  periodStart: number;
  collectionMethod: CollectionMethod;
}): StripeSubscription {
  const plan = planOf(options.price);
  const daysUntilDue = options.collectionMethod === 'send_invoice' ? 30 : null;
  return {
    id: options.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: options.start,
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: options.collectionMethod,
    created: options.start,
    currency: options.price.currency,
    current_period_end: addMonths(options.periodStart, 1),
    current_period_start: options.periodStart,
    customer: options.customer.id,
    days_until_due: daysUntilDue,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discount: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    items: {
      object: 'list',
      data: [
        {
          id: options.itemId,
          object: 'subscription_item',
          billing_thresholds: null,
          created: options.start,
          discounts: [],
          metadata: {},
          plan,
          price: options.price,
          quantity: 1,
          subscription: options.id,
          tax_rates: [],
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${options.id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    plan,
    quantity: 1,
    schedule: null,
    start_date: options.start,
    status: 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: null,
  };
}

/** What an invoice line is made from. */
export type LineInput =
  | {
      kind: 'subscription';
      id: string;
      subscription: StripeSubscription;
      period: { start: number; end: number };
    }
  | {
      kind: 'invoiceitem';
      id: string;
      invoiceItem: string;
      price: StripePrice;
      title: string;
      quantity: number;
    };

/** The account the demo invoices come from. */
export const ACCOUNT_NAME = 'Switchyard Demo';

/** A draft invoice; {@link finalizeInvoice}, {@link payInvoice} and friends move it along. */
export function newInvoice(options: {
  id: string;
  customer: StripeCustomer;
  created: number;
  billingReason: BillingReason;
  collectionMethod: CollectionMethod;
  subscription: StripeSubscription | null;
  period: { start: number; end: number };
  lines: readonly LineInput[];
}): StripeInvoice {
  const { customer, id } = options;
  const lines: StripeInvoiceLine[] = options.lines.map((line) => {
    if (line.kind === 'subscription') {
      const item = line.subscription.items.data[0];
      if (item === undefined) throw new Error(`subscription ${line.subscription.id} has no item`);
      return {
        id: line.id,
        object: 'line_item',
        amount: item.price.unit_amount * item.quantity,
        amount_excluding_tax: item.price.unit_amount * item.quantity,
        currency: item.price.currency,
        description: `${item.quantity} × ${item.price.nickname ?? 'Plan'} (at $${(item.price.unit_amount / 100).toFixed(2)} / month)`,
        discount_amounts: [],
        discountable: true,
        discounts: [],
        invoice: id,
        livemode: false,
        metadata: {},
        period: { end: line.period.end, start: line.period.start },
        plan: item.plan,
        price: item.price,
        proration: false,
        proration_details: { credited_items: null },
        quantity: item.quantity,
        subscription: line.subscription.id,
        subscription_item: item.id,
        tax_amounts: [],
        tax_rates: [],
        type: 'subscription',
        unit_amount_excluding_tax: item.price.unit_amount_decimal,
      };
    }
    const amount = line.price.unit_amount * line.quantity;
    return {
      id: line.id,
      object: 'line_item',
      amount,
      amount_excluding_tax: amount,
      currency: line.price.currency,
      description: line.title,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      invoice_item: line.invoiceItem,
      livemode: false,
      metadata: {},
      period: { end: options.created, start: options.created },
      plan: null,
      price: line.price,
      proration: false,
      proration_details: { credited_items: null },
      quantity: line.quantity,
      subscription: null,
      tax_amounts: [],
      tax_rates: [],
      type: 'invoiceitem',
      unit_amount_excluding_tax: line.price.unit_amount_decimal,
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: ACCOUNT_NAME,
    account_tax_ids: null,
    amount_due: total,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    application_fee_amount: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, status: null },
    automatically_finalizes_at: options.created + 3600,
    billing_reason: options.billingReason,
    charge: null,
    collection_method: options.collectionMethod,
    created: options.created,
    currency: 'usd',
    custom_fields: null,
    customer: customer.id,
    customer_address: null,
    customer_email: customer.email,
    customer_name: customer.name,
    customer_phone: customer.phone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discount: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: lines,
      has_more: false,
      total_count: lines.length,
      url: `/v1/invoices/${id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    paid: false,
    paid_out_of_band: false,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: options.period.end,
    period_start: options.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    quote: null,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: options.subscription?.id ?? null,
    subscription_details: { metadata: options.subscription === null ? null : {} },
    subtotal: total,
    subtotal_excluding_tax: total,
    tax: null,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_tax_amounts: [],
    transfer_data: null,
    webhooks_delivered_at: options.created,
  };
}

/** Draft to open: numbered, hosted, due (for `send_invoice`). */
export function finalizeInvoice(
  invoice: StripeInvoice,
  customer: StripeCustomer,
  ids: IdFactory,
  at: number,
): void {
  const token = ids.token(64);
  invoice.status = 'open';
  invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`;
  customer.next_invoice_sequence += 1;
  invoice.status_transitions.finalized_at = at;
  invoice.effective_at = at;
  invoice.automatically_finalizes_at = null;
  invoice.ending_balance = 0;
  invoice.hosted_invoice_url = `https://invoice.stripe.com/i/${ids.account}/test_${token}?s=ap`;
  invoice.invoice_pdf = `https://pay.stripe.com/invoice/${ids.account}/test_${token}/pdf?s=ap`;
  if (invoice.collection_method === 'send_invoice') invoice.due_date = at + 30 * 86_400;
  if (invoice.collection_method === 'charge_automatically') invoice.payment_intent = ids.long('pi');
}

/** Open to paid. */
export function payInvoice(invoice: StripeInvoice, ids: IdFactory, at: number): void {
  invoice.status = 'paid';
  invoice.paid = true;
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.attempted = true;
  invoice.attempt_count = Math.max(1, invoice.attempt_count);
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  if (invoice.collection_method === 'charge_automatically') invoice.charge = ids.long('ch');
  if (invoice.payment_intent === null) invoice.payment_intent = ids.long('pi');
}

/** A failed automatic charge: still open, retried in three days. */
export function failInvoicePayment(invoice: StripeInvoice, at: number): void {
  invoice.attempted = true;
  invoice.attempt_count += 1;
  invoice.next_payment_attempt = at + 3 * 86_400;
}

export function voidInvoice(invoice: StripeInvoice, at: number): void {
  invoice.status = 'void';
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = at;
}

export function markUncollectible(invoice: StripeInvoice, at: number): void {
  invoice.status = 'uncollectible';
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.marked_uncollectible_at = at;
}
