/**
 * The emulator's records of a Shopify shop, and how Shopify renders them: money
 * as GraphQL `Decimal` strings (`"25.0"`) or REST strings (`"25.00"`), times as
 * ISO-8601, and the REST resources webhooks carry.
 */
import type { Random } from '../../../src/sandbox/demo-world.ts';
import { randomInt } from '../../../src/sandbox/demo-world.ts';

/** The API version the emulator answers with (and serializes webhooks in). */
export const API_VERSION = '2025-10';
/** The shop's currency. */
export const SHOP_CURRENCY = 'USD';
/** The sandbox shop. */
export const SHOP_DOMAIN = 'switchyard-demo.myshopify.com';
export const SHOP_NAME = 'Switchyard Demo';

export type FinancialStatus =
  | 'PENDING'
  | 'AUTHORIZED'
  | 'PARTIALLY_PAID'
  | 'PAID'
  | 'PARTIALLY_REFUNDED'
  | 'REFUNDED'
  | 'VOIDED'
  | 'EXPIRED';

export type CustomerState = 'DISABLED' | 'ENABLED' | 'INVITED' | 'DECLINED';

export interface StoredCustomer {
  id: number;
  /** The demo-world person, never shown by the API. */
  personId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  state: CustomerState;
  verifiedEmail: boolean;
  tags: string[];
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
}

export interface StoredLineItem {
  id: number;
  productId: number;
  variantId: number;
  title: string;
  sku: string;
  quantity: number;
  /** Cents. */
  unitPrice: number;
}

export interface StoredOrder {
  id: number;
  /** 1001, 1002...: the order's name is `#<number>`. */
  number: number;
  email: string | null;
  customerId: number | null;
  financialStatus: FinancialStatus;
  currency: string;
  confirmationNumber: string;
  lineItems: StoredLineItem[];
  /** Unix seconds. */
  createdAt: number;
  processedAt: number;
  updatedAt: number;
  /** Set through `orderUpdate`; seeded orders have none. */
  note?: string | null;
  tags?: string[];
}

/** Numeric REST ids, increasing over time as Shopify's do (13-14 digits, within 2^53). */
export interface IdFactory {
  customer(): number;
  order(): number;
  lineItem(): number;
  /** Product and variant ids of a SKU, the same for every use of it. */
  product(sku: string): { productId: number; variantId: number };
  /** A random UUID (webhook and event ids). */
  uuid(): string;
  /** A confirmation number like `XK4M2QZ7A`. */
  confirmation(): string;
}

export function createIdFactory(random: Random): IdFactory {
  let customer = 7_104_000_000_000;
  let order = 5_612_000_000_000;
  let lineItem = 14_880_000_000_000;
  const products = new Map<string, { productId: number; variantId: number }>();
  let product = 8_801_000_000_000;
  let variant = 45_210_000_000_000;
  const hex = (n: number): string => {
    let out = '';
    for (let i = 0; i < n; i++) out += Math.floor(random() * 16).toString(16);
    return out;
  };
  return {
    customer: () => (customer += randomInt(random, 1_000_000, 60_000_000)),
    order: () => (order += randomInt(random, 1_000_000, 60_000_000)),
    lineItem: () => (lineItem += randomInt(random, 10_000, 9_000_000)),
    product(sku) {
      let found = products.get(sku);
      if (found === undefined) {
        found = {
          productId: (product += randomInt(random, 1_000_000, 90_000_000)),
          variantId: (variant += randomInt(random, 1_000_000, 90_000_000)),
        };
        products.set(sku, found);
      }
      return found;
    },
    uuid: () =>
      `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'.charAt(Math.floor(random() * 4))}${hex(3)}-${hex(12)}`,
    confirmation() {
      const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
      let out = '';
      for (let i = 0; i < 9; i++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
      return out;
    },
  };
}

export const gid = (type: string, id: number): string => `gid://shopify/${type}/${id}`;

/** GraphQL `Decimal`: the shortest form with at least one decimal (`"25.0"`, `"19.99"`, `"10.5"`). */
export function decimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const fraction = String(abs % 100)
    .padStart(2, '0')
    .replace(/0$/, '');
  return `${sign}${Math.floor(abs / 100)}.${fraction === '' ? '0' : fraction}`;
}

/** REST money: two decimals (`"25.00"`). */
export const restMoney = (cents: number): string => (cents / 100).toFixed(2);

/** GraphQL `DateTime`: ISO-8601 in UTC without milliseconds (`2026-01-01T00:00:00Z`). */
export const isoTime = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

/** REST timestamps carry the shop's offset; the sandbox shop runs on UTC. */
export const restTime = (unix: number): string =>
  new Date(unix * 1000).toISOString().replace('.000Z', '+00:00');

export const orderName = (order: StoredOrder): string => `#${order.number}`;

export const subtotal = (order: StoredOrder): number =>
  order.lineItems.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);

/** The sandbox charges neither tax nor shipping, so the total is the subtotal. */
export const total = subtotal;

export function displayName(customer: StoredCustomer): string {
  const name = [customer.firstName, customer.lastName].filter((p) => p !== null && p !== '').join(' ');
  return name !== '' ? name : (customer.email ?? customer.phone ?? '');
}

/** Statuses whose money the shop keeps (what `amountSpent` sums). */
export const SPENT_STATUSES: ReadonlySet<FinancialStatus> = new Set([
  'PAID',
  'PARTIALLY_PAID',
  'PARTIALLY_REFUNDED',
]);

const moneySet = (cents: number, currency: string) => ({
  shop_money: { amount: restMoney(cents), currency_code: currency },
  presentment_money: { amount: restMoney(cents), currency_code: currency },
});

/** The REST Customer resource, as customers/* webhooks carry it. */
export function restCustomer(customer: StoredCustomer): Record<string, unknown> {
  return {
    id: customer.id,
    email: customer.email,
    created_at: restTime(customer.createdAt),
    updated_at: restTime(customer.updatedAt),
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.state.toLowerCase(),
    note: null,
    verified_email: customer.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone,
    email_marketing_consent:
      customer.email === null
        ? null
        : { state: 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null },
    sms_marketing_consent: null,
    tags: customer.tags.join(', '),
    currency: SHOP_CURRENCY,
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: null,
  };
}

/** The REST Order resource, as orders/* webhooks carry it. */
export function restOrder(order: StoredOrder, customer: StoredCustomer | undefined): Record<string, unknown> {
  const amount = total(order);
  const sub = subtotal(order);
  const zero = moneySet(0, order.currency);
  return {
    id: order.id,
    admin_graphql_api_id: gid('Order', order.id),
    app_id: 580111,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: null,
    checkout_id: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: order.confirmationNumber,
    confirmed: true,
    contact_email: order.email,
    created_at: restTime(order.createdAt),
    currency: order.currency,
    current_subtotal_price: restMoney(sub),
    current_subtotal_price_set: moneySet(sub, order.currency),
    current_total_discounts: '0.00',
    current_total_price: restMoney(amount),
    current_total_price_set: moneySet(amount, order.currency),
    current_total_tax: '0.00',
    customer_locale: 'en',
    email: order.email ?? '',
    estimated_taxes: false,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: null,
    name: orderName(order),
    note: order.note ?? null,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    payment_gateway_names: ['shopify_payments'],
    presentment_currency: order.currency,
    processed_at: restTime(order.processedAt),
    source_name: 'web',
    subtotal_price: restMoney(sub),
    subtotal_price_set: moneySet(sub, order.currency),
    tags: (order.tags ?? []).join(', '),
    tax_lines: [],
    taxes_included: false,
    test: false,
    total_discounts: '0.00',
    total_discounts_set: zero,
    total_line_items_price: restMoney(sub),
    total_line_items_price_set: moneySet(sub, order.currency),
    total_price: restMoney(amount),
    total_price_set: moneySet(amount, order.currency),
    total_tax: '0.00',
    total_tax_set: zero,
    total_weight: 0,
    updated_at: restTime(order.updatedAt),
    user_id: null,
    customer: customer === undefined ? null : restCustomer(customer),
    discount_applications: [],
    discount_codes: [],
    fulfillments: [],
    line_items: order.lineItems.map((line) => ({
      id: line.id,
      admin_graphql_api_id: gid('LineItem', line.id),
      current_quantity: line.quantity,
      fulfillable_quantity: line.quantity,
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: false,
      grams: 0,
      name: line.title,
      price: restMoney(line.unitPrice),
      price_set: moneySet(line.unitPrice, order.currency),
      product_exists: true,
      product_id: line.productId,
      properties: [],
      quantity: line.quantity,
      requires_shipping: !line.sku.startsWith('SKU-SEATS') && line.unitPrice < 20_000,
      sku: line.sku,
      taxable: true,
      title: line.title,
      total_discount: '0.00',
      total_discount_set: zero,
      variant_id: line.variantId,
      variant_inventory_management: 'shopify',
      variant_title: null,
      vendor: SHOP_NAME,
      tax_lines: [],
      duties: [],
      discount_allocations: [],
    })),
    refunds: [],
    shipping_lines: [],
  };
}
