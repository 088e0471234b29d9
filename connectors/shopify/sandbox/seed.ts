/**
 * Seeds the shop from the demo world: a customer for every person the world
 * says shops with us (presence.commerce), their past orders from the demo
 * catalog, and a few guest checkouts with no customer.
 */
import { DEMO_CATALOG, pick, randomInt, weighted } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { DemoWorld, Person } from '../../../src/sandbox/world.ts';
import { SHOP_CURRENCY } from './objects.ts';
import type { FinancialStatus, IdFactory, StoredCustomer, StoredLineItem, StoredOrder } from './objects.ts';
import type { ShopifyStore } from './store.ts';

const HOUR = 3_600;
const DAY = 86_400;

/** A new customer record for a person. */
export function customerFor(ids: IdFactory, person: Person, at: number, random: Random): StoredCustomer {
  return {
    id: ids.customer(),
    personId: person.id,
    email: person.email,
    firstName: person.firstName,
    lastName: person.lastName,
    phone: person.phone,
    // Most buyers check out as guests with an email; some made an account.
    state: random() < 0.3 ? 'ENABLED' : 'DISABLED',
    verifiedEmail: true,
    tags: person.company === null ? [] : ['b2b'],
    createdAt: at,
    updatedAt: at,
  };
}

/** Line items for catalog entries, with ids and product ids. */
export function lineItemsFor(
  ids: IdFactory,
  items: readonly { sku: string; title: string; quantity: number; unitAmount: number }[],
): StoredLineItem[] {
  return items.map((item) => ({
    id: ids.lineItem(),
    ...ids.product(item.sku),
    title: item.title,
    sku: item.sku,
    quantity: item.quantity,
    unitPrice: item.unitAmount,
  }));
}

function randomItems(random: Random): { sku: string; title: string; quantity: number; unitAmount: number }[] {
  const count = randomInt(random, 1, 3);
  const chosen = new Set<(typeof DEMO_CATALOG)[number]>();
  while (chosen.size < count) chosen.add(pick(random, DEMO_CATALOG));
  return [...chosen].map((entry) => ({
    sku: entry.sku,
    title: entry.title,
    quantity: entry.unitAmount > 20_000 ? 1 : randomInt(random, 1, 3),
    unitAmount: entry.unitAmount,
  }));
}

interface PlannedOrder {
  createdAt: number;
  customer: StoredCustomer | null;
  email: string;
}

/** Fills `store` from the world's people; deterministic for a given `random`. */
export function seedStore(store: ShopifyStore, ids: IdFactory, random: Random, world: DemoWorld): void {
  const now = world.epoch;
  const shoppers = [...world.people]
    .filter((p) => p.presence.commerce)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));

  const planned: PlannedOrder[] = [];
  const customers = shoppers.map((person) => {
    const latest = Math.max(person.createdAt + 60, now - 2 * HOUR);
    const created = person.createdAt + randomInt(random, 60, Math.min(14 * DAY, latest - person.createdAt));
    return { person, created };
  });
  customers.sort((a, b) => a.created - b.created);
  for (const { person, created } of customers) {
    const customer = customerFor(ids, person, created, random);
    store.addCustomer(customer);
    const count = weighted(random, [
      [0, 2],
      [1, 4],
      [2, 3],
      [3, 2],
      [4, 1],
    ] as const);
    for (let i = 0; i < count; i++) {
      planned.push({
        createdAt: randomInt(random, created, now - HOUR),
        customer,
        email: person.email,
      });
    }
  }
  // Guest checkouts: an email, no customer record.
  for (let i = 0; i < 12; i++) {
    planned.push({
      createdAt: randomInt(random, now - 300 * DAY, now - HOUR),
      customer: null,
      email: `guest${String(randomInt(random, 100, 999))}@example.net`,
    });
  }

  // Shopify numbers orders and hands out ids in the order they are placed.
  planned.sort((a, b) => a.createdAt - b.createdAt);
  for (const plan of planned) {
    const status = weighted<FinancialStatus>(random, [
      ['PAID', 84],
      ['PARTIALLY_REFUNDED', 3],
      ['REFUNDED', 4],
      ['PENDING', 3],
      ['AUTHORIZED', 3],
      ['VOIDED', 2],
      ['EXPIRED', 1],
    ]);
    const processedAt = plan.createdAt;
    const updatedAt = Math.min(now - 60, plan.createdAt + randomInt(random, 5, 3 * DAY));
    const order: Omit<StoredOrder, 'number'> = {
      id: ids.order(),
      email: plan.email,
      customerId: plan.customer?.id ?? null,
      financialStatus: status,
      currency: SHOP_CURRENCY,
      confirmationNumber: ids.confirmation(),
      lineItems: lineItemsFor(ids, randomItems(random)),
      createdAt: plan.createdAt,
      processedAt,
      updatedAt,
    };
    store.addOrder(order);
    if (plan.customer !== null) plan.customer.updatedAt = Math.max(plan.customer.updatedAt, updatedAt);
  }
}
