/**
 * Seeds the emulator from the demo world: a customer per billing person, a
 * subscription per paying plan (and some canceled ones from churned people),
 * an invoice per billing cycle, and one-off invoices for purchases.
 */
import { DEMO_CATALOG, pick, randomInt, weighted } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import { PLAN_PRICES } from '../../../src/sandbox/world.ts';
import type { DemoWorld, Person, Plan } from '../../../src/sandbox/world.ts';
import {
  addMonths,
  failInvoicePayment,
  finalizeInvoice,
  markUncollectible,
  newCustomer,
  newInvoice,
  newPrice,
  newProduct,
  newSubscription,
  payInvoice,
  voidInvoice,
} from './objects.ts';
import type {
  BillingReason,
  IdFactory,
  InvoiceStatus,
  StripeCustomer,
  StripeInvoice,
  StripePrice,
  StripeSubscription,
} from './objects.ts';
import type { StripeStore } from './store.ts';

const DAY = 86_400;
const HOUR = 3_600;

/** Prices and products the sandbox account sells: one monthly price per paid plan, one per catalog item. */
export interface Catalog {
  plans: Record<Exclude<Plan, 'free'>, StripePrice>;
  /** One-time price by SKU (made on first use for SKUs the catalog does not list). */
  item(sku: string, title: string, unitAmount: number, at: number): StripePrice;
}

export function createCatalog(store: StripeStore, ids: IdFactory, created: number): Catalog {
  const planPrice = (plan: Exclude<Plan, 'free'>): StripePrice => {
    const productId = ids.short('prod');
    const priceId = ids.long('price');
    const title = plan.charAt(0).toUpperCase() + plan.slice(1);
    store.products.put(newProduct(productId, `Switchyard ${title}`, created, 'service', priceId));
    const price = newPrice({
      id: priceId,
      product: productId,
      created,
      unitAmount: PLAN_PRICES[plan],
      nickname: plan,
      lookupKey: `${plan}_monthly`,
      recurring: true,
    });
    store.prices.put(price);
    return price;
  };
  const plans = { starter: planPrice('starter'), pro: planPrice('pro'), enterprise: planPrice('enterprise') };
  const bySku = new Map<string, StripePrice>();
  const item = (sku: string, title: string, unitAmount: number, at: number): StripePrice => {
    const key = `${sku}:${unitAmount}`;
    const existing = bySku.get(key);
    if (existing !== undefined) return existing;
    const productId = ids.short('prod');
    const priceId = ids.long('price');
    store.products.put(
      newProduct(productId, title, at, sku.startsWith('SKU-SEATS') ? 'service' : 'good', priceId),
    );
    const price = newPrice({
      id: priceId,
      product: productId,
      created: at,
      unitAmount,
      nickname: null,
      lookupKey: sku.toLowerCase(),
      recurring: false,
    });
    store.prices.put(price);
    bySku.set(key, price);
    return price;
  };
  for (const entry of DEMO_CATALOG) item(entry.sku, entry.title, entry.unitAmount, created);
  return { plans, item };
}

/** A customer for a person, stored and mapped. */
export function addCustomer(
  store: StripeStore,
  ids: IdFactory,
  person: Person,
  created: number,
): StripeCustomer {
  const customer = newCustomer({
    id: ids.short('cus'),
    created,
    email: person.email,
    name: `${person.firstName} ${person.lastName}`,
    phone: person.phone,
    invoicePrefix: ids.token(8).toUpperCase(),
    currency: null,
  });
  store.customers.put(customer);
  store.customerOfPerson.set(person.id, customer.id);
  return customer;
}

/** Moves a draft invoice to `status`, with believable timestamps starting at `at`. */
export function settleInvoice(
  invoice: StripeInvoice,
  customer: StripeCustomer,
  ids: IdFactory,
  status: InvoiceStatus,
  at: number,
): void {
  if (status === 'draft') return;
  finalizeInvoice(invoice, customer, ids, at);
  if (status === 'paid') payInvoice(invoice, ids, at + 2);
  else if (status === 'open') {
    if (invoice.collection_method === 'charge_automatically') failInvoicePayment(invoice, at + 2);
  } else if (status === 'void') voidInvoice(invoice, at + 2 * DAY);
  else {
    if (invoice.collection_method === 'charge_automatically') failInvoicePayment(invoice, at + 2);
    markUncollectible(invoice, at + 21 * DAY);
  }
  if (customer.currency === null) customer.currency = invoice.currency;
}

/** A subscription invoice for the cycle that starts at `cycleStart`. */
export function subscriptionInvoice(
  ids: IdFactory,
  customer: StripeCustomer,
  subscription: StripeSubscription,
  cycleStart: number,
  previousCycleStart: number | undefined,
  reason: BillingReason,
): StripeInvoice {
  // Stripe's invoice period is the one that just ended (zero-length on creation);
  // the line's period is the one being billed.
  return newInvoice({
    id: ids.long('in'),
    customer,
    created: cycleStart,
    billingReason: reason,
    collectionMethod: subscription.collection_method,
    subscription,
    period: { start: previousCycleStart ?? cycleStart, end: cycleStart },
    lines: [
      {
        kind: 'subscription',
        id: ids.long('il'),
        subscription,
        period: { start: cycleStart, end: addMonths(cycleStart, 1) },
      },
    ],
  });
}

/** A manual invoice of catalog items. */
export function oneOffInvoice(
  ids: IdFactory,
  customer: StripeCustomer,
  created: number,
  items: readonly { price: StripePrice; title: string; quantity: number }[],
): StripeInvoice {
  return newInvoice({
    id: ids.long('in'),
    customer,
    created,
    billingReason: 'manual',
    collectionMethod: 'charge_automatically',
    subscription: null,
    period: { start: created, end: created },
    lines: items.map((item) => ({
      kind: 'invoiceitem' as const,
      id: ids.long('il'),
      invoiceItem: ids.long('ii'),
      price: item.price,
      title: item.title,
      quantity: item.quantity,
    })),
  });
}

function seedSubscription(
  store: StripeStore,
  ids: IdFactory,
  random: Random,
  catalog: Catalog,
  customer: StripeCustomer,
  plan: Exclude<Plan, 'free'>,
  start: number,
  now: number,
  cancelAfterCycles: number | undefined,
): void {
  const cycles: number[] = [];
  for (let k = 0; addMonths(start, k) <= now; k++) {
    if (cancelAfterCycles !== undefined && k >= cancelAfterCycles) break;
    cycles.push(addMonths(start, k));
  }
  const lastCycle = cycles.at(-1) ?? start;
  const subscription = newSubscription({
    id: ids.long('sub'),
    itemId: ids.short('si'),
    customer,
    price: catalog.plans[plan],
    start,
    periodStart: lastCycle,
    collectionMethod: plan === 'enterprise' && random() < 0.6 ? 'send_invoice' : 'charge_automatically',
  });
  store.subscriptions.put(subscription);

  cycles.forEach((cycleStart, k) => {
    const latest = k === cycles.length - 1;
    const invoice = subscriptionInvoice(
      ids,
      customer,
      subscription,
      cycleStart,
      cycles[k - 1],
      k === 0 ? 'subscription_create' : 'subscription_cycle',
    );
    const status: InvoiceStatus =
      latest && cancelAfterCycles === undefined && k > 0
        ? weighted<InvoiceStatus>(random, [
            ['paid', 84],
            ['open', 8],
            ['draft', 4],
            ['uncollectible', 4],
          ])
        : weighted<InvoiceStatus>(random, [
            ['paid', 95],
            ['void', 3],
            ['uncollectible', 2],
          ]);
    // Subscription invoices are finalized about an hour after they are created.
    settleInvoice(
      invoice,
      customer,
      ids,
      status,
      k === 0 ? cycleStart : Math.min(cycleStart + HOUR, now - 60),
    );
    store.invoices.put(invoice);
    subscription.latest_invoice = invoice.id;
    if (latest && status === 'open') {
      subscription.status = 'past_due';
      customer.delinquent = true;
    }
    if (latest && status === 'uncollectible' && cancelAfterCycles === undefined) {
      subscription.status = 'unpaid';
      customer.delinquent = true;
    }
  });

  if (cancelAfterCycles !== undefined) {
    const canceledAt = Math.min(now - HOUR, lastCycle + randomInt(random, 2, 25) * DAY);
    subscription.status = 'canceled';
    subscription.canceled_at = canceledAt;
    subscription.ended_at = canceledAt;
    subscription.cancellation_details = {
      comment: null,
      feedback: pick(random, [null, 'too_expensive', 'switched_service', 'unused', 'missing_features']),
      reason: 'cancellation_requested',
    };
  } else if (subscription.status === 'active' && random() < 0.06) {
    subscription.cancel_at_period_end = true;
    subscription.cancel_at = subscription.current_period_end;
    subscription.canceled_at = now - randomInt(random, 1, 10) * DAY;
    subscription.cancellation_details = { comment: null, feedback: null, reason: 'cancellation_requested' };
  }
}

/** Fills `store` from the world's current people; deterministic for a given `random`. */
export function seedStore(store: StripeStore, ids: IdFactory, random: Random, world: DemoWorld): Catalog {
  const now = world.epoch;
  const catalog = createCatalog(store, ids, now - 2 * 365 * DAY);
  const people = [...world.people]
    .filter((p) => p.presence.billing)
    .sort((a, b) => a.createdAt - b.createdAt);

  for (const person of people) {
    const customer = addCustomer(store, ids, person, person.createdAt);
    const monthsKnown = Math.floor((now - person.createdAt) / (30 * DAY));

    if (person.plan !== 'free') {
      const start = person.createdAt + randomInt(random, 60, 2 * HOUR);
      seedSubscription(store, ids, random, catalog, customer, person.plan, start, now, undefined);
    } else if (monthsKnown >= 2 && random() < 0.35) {
      // A churned customer: subscribed for a few months, then canceled.
      const plan = weighted(random, [
        ['starter', 3],
        ['pro', 1],
      ] as const);
      const start = person.createdAt + randomInt(random, 60, 2 * HOUR);
      const cycles = randomInt(random, 1, Math.min(monthsKnown - 1, 6));
      seedSubscription(store, ids, random, catalog, customer, plan, start, now, cycles);
    }

    if (person.presence.commerce) {
      const purchases = weighted(random, [
        [0, 3],
        [1, 4],
        [2, 2],
        [3, 1],
      ] as const);
      for (let i = 0; i < purchases; i++) {
        const created = randomInt(random, person.createdAt + HOUR, now - HOUR);
        const lineCount = randomInt(random, 1, 3);
        const chosen = new Set<(typeof DEMO_CATALOG)[number]>();
        while (chosen.size < lineCount) chosen.add(pick(random, DEMO_CATALOG));
        const invoice = oneOffInvoice(
          ids,
          customer,
          created,
          [...chosen].map((entry) => ({
            price: catalog.item(entry.sku, entry.title, entry.unitAmount, created),
            title: entry.title,
            quantity: entry.unitAmount > 20_000 ? 1 : randomInt(random, 1, 3),
          })),
        );
        const status = weighted<InvoiceStatus>(random, [
          ['paid', 88],
          ['open', 5],
          ['void', 4],
          ['draft', 3],
        ]);
        settleInvoice(invoice, customer, ids, status, created + randomInt(random, 30, 600));
        store.invoices.put(invoice);
      }
    }
  }

  // A few people once had a second, duplicate customer that was later deleted;
  // only a voided invoice still points at it, as happens in real accounts.
  const duplicates = people.filter(() => random() < 0.02).slice(0, 4);
  for (const person of duplicates) {
    const created = randomInt(random, person.createdAt, now - DAY);
    const duplicate = newCustomer({
      id: ids.short('cus'),
      created,
      email: person.email,
      name: `${person.firstName} ${person.lastName}`,
      phone: person.phone,
      invoicePrefix: ids.token(8).toUpperCase(),
      currency: null,
    });
    const entry = pick(random, DEMO_CATALOG);
    const invoice = oneOffInvoice(ids, duplicate, created + 60, [
      {
        price: catalog.item(entry.sku, entry.title, entry.unitAmount, created),
        title: entry.title,
        quantity: 1,
      },
    ]);
    settleInvoice(invoice, duplicate, ids, 'void', created + 120);
    store.invoices.put(invoice);
    store.deletedCustomers.add(duplicate.id);
  }
  return catalog;
}
