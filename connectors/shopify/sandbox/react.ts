/**
 * Turns demo-world changes into shop changes and the webhooks Shopify would
 * send for them: REST-shaped payloads, signed as Shopify signs them.
 */
import { createHmac } from 'node:crypto';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { Person, WorldChange } from '../../../src/sandbox/world.ts';
import { API_VERSION, SHOP_DOMAIN, restCustomer, restOrder } from './objects.ts';
import type { IdFactory, StoredCustomer, StoredOrder } from './objects.ts';
import { customerFor, lineItemsFor } from './seed.ts';
import type { ShopifyStore } from './store.ts';

/** `X-Shopify-Hmac-Sha256`: base64 of HMAC-SHA256 over the raw body, keyed with the app's client secret. */
export function signShopifyBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

/** One webhook before signing. */
interface Pending {
  topic: string;
  payload: unknown;
}

/** Turns a world change into signed deliveries; `orderUpdated` serves writes through the API. */
export interface ShopifyReactor {
  (change: WorldChange): WebhookDelivery[];
  /** The signed `orders/updated` delivery for an order changed through `orderUpdate`. */
  orderUpdated(order: StoredOrder): WebhookDelivery[];
}

/** Applies world changes to the store and returns the signed deliveries, in the order Shopify sends them. */
export function createReactor(
  store: ShopifyStore,
  ids: IdFactory,
  random: Random,
  secret: string,
): ShopifyReactor {
  function ensureCustomer(person: Person, at: number, out: Pending[]): StoredCustomer {
    const existing = store.customers.get(store.customerOfPerson.get(person.id) ?? -1);
    if (existing !== undefined) return existing;
    const customer = customerFor(ids, person, at, random);
    store.addCustomer(customer);
    out.push({ topic: 'customers/create', payload: restCustomer(customer) });
    return customer;
  }

  function update(customer: StoredCustomer, person: Person, at: number, out: Pending[]): void {
    const next = {
      email: person.email,
      firstName: person.firstName,
      lastName: person.lastName,
      phone: person.phone,
    };
    let changed = false;
    for (const key of ['email', 'firstName', 'lastName', 'phone'] as const) {
      if (customer[key] !== next[key]) {
        customer[key] = next[key];
        changed = true;
      }
    }
    if (!changed) return;
    customer.updatedAt = at;
    out.push({ topic: 'customers/update', payload: restCustomer(customer) });
  }

  function purchase(change: Extract<WorldChange, { kind: 'purchase' }>, out: Pending[]): void {
    const customer = ensureCustomer(change.person, change.at, out);
    const order = store.addOrder({
      id: ids.order(),
      email: customer.email,
      customerId: customer.id,
      // Checkout creates the order, then the payment is captured: orders/create, then orders/paid.
      financialStatus: 'PENDING',
      currency: change.currency.toUpperCase(),
      confirmationNumber: ids.confirmation(),
      lineItems: lineItemsFor(ids, change.items),
      createdAt: change.at,
      processedAt: change.at,
      updatedAt: change.at,
    });
    out.push({ topic: 'orders/create', payload: restOrder(order, customer) });
    order.financialStatus = 'PAID';
    // Captured in the same second: a later stamp would be in the future of the delivery.
    order.updatedAt = change.at;
    customer.updatedAt = change.at;
    out.push({ topic: 'orders/paid', payload: restOrder(order, customer) });
  }

  function apply(change: WorldChange): Pending[] {
    const out: Pending[] = [];
    if (!change.person.presence.commerce) return out;
    switch (change.kind) {
      case 'person.joined':
        ensureCustomer(change.person, change.at, out);
        break;
      case 'person.updated': {
        const customer = store.customers.get(store.customerOfPerson.get(change.person.id) ?? -1);
        if (customer !== undefined) update(customer, change.person, change.at, out);
        break;
      }
      case 'purchase':
        purchase(change, out);
        break;
      default:
        break;
    }
    return out;
  }

  const sign = (pending: readonly Pending[]): WebhookDelivery[] =>
    pending.map(({ topic, payload }) => {
      // Shopify sends compact JSON; the signature covers these exact bytes.
      const body = JSON.stringify(payload);
      return {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Shopify-Captain-Hook',
          Accept: '*/*',
          'X-Shopify-Topic': topic,
          'X-Shopify-Hmac-Sha256': signShopifyBody(body, secret),
          'X-Shopify-Shop-Domain': SHOP_DOMAIN,
          'X-Shopify-API-Version': API_VERSION,
          'X-Shopify-Webhook-Id': ids.uuid(),
          'X-Shopify-Event-Id': ids.uuid(),
          'X-Shopify-Triggered-At': new Date().toISOString(),
        },
        body,
      };
    });
  return Object.assign((change: WorldChange) => sign(apply(change)), {
    orderUpdated: (order: StoredOrder): WebhookDelivery[] =>
      sign([
        {
          topic: 'orders/updated',
          payload: restOrder(
            order,
            order.customerId === null ? undefined : store.customers.get(order.customerId),
          ),
        },
      ]),
  });
}
