/**
 * Turns demo-world changes into Stripe data changes and the events Stripe
 * would send for them, signed as Stripe signs webhooks.
 */
import { createHmac } from 'node:crypto';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { Person, Plan, WorldChange } from '../../../src/sandbox/world.ts';
import {
  API_VERSION,
  addMonths,
  failInvoicePayment,
  finalizeInvoice,
  newSubscription,
  payInvoice,
  planOf,
} from './objects.ts';
import type { IdFactory, StripeCustomer, StripeEvent, StripeInvoice, StripeSubscription } from './objects.ts';
import { addCustomer, oneOffInvoice, subscriptionInvoice } from './seed.ts';
import type { Catalog } from './seed.ts';
import type { StripeStore } from './store.ts';

/** Headers Stripe sends with every webhook, besides the signature. */
const DELIVERY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  'Cache-Control': 'no-cache',
  Accept: '*/*; q=0.5, application/xml',
} as const;

/**
 * The `Stripe-Signature` header for a body: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`,
 * keyed with the whole `whsec_` secret. Test-mode deliveries also carry a `v0`
 * signature of an older scheme, which verifiers must ignore.
 */
export function signStripePayload(body: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  const v0 = createHmac('sha256', `v0:${secret}`).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1},v0=${v0}`;
}

type RequestKind = 'api' | 'automatic';

/** Turns a world change into signed deliveries; `event` and `sign` serve writes through the API. */
export interface StripeReactor {
  (change: WorldChange): WebhookDelivery[];
  /** Stores and returns an event (`customer.updated`, the object, unix seconds, `api`, previous attributes). */
  event(
    type: string,
    object: unknown,
    at: number,
    request: RequestKind,
    previous?: Record<string, unknown>,
  ): StripeEvent;
  sign(events: readonly StripeEvent[]): WebhookDelivery[];
}

/** Applies world changes to the store and returns the signed deliveries, in the order Stripe sends them. */
export function createReactor(
  store: StripeStore,
  ids: IdFactory,
  catalog: Catalog,
  secret: string,
): StripeReactor {
  function event(
    type: string,
    object: unknown,
    at: number,
    request: RequestKind,
    previous?: Record<string, unknown>,
  ): StripeEvent {
    const stored: StripeEvent = {
      id: ids.long('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: at,
      // A snapshot: the stored object keeps changing, the event must not.
      data:
        previous === undefined
          ? { object: structuredClone(object) }
          : { object: structuredClone(object), previous_attributes: previous },
      livemode: false,
      pending_webhooks: 1,
      request:
        request === 'api'
          ? { id: ids.short('req'), idempotency_key: ids.uuid() }
          : { id: null, idempotency_key: null },
      type,
    };
    store.events.put(stored);
    return stored;
  }

  function ensureCustomer(person: Person, at: number, events: StripeEvent[]): StripeCustomer {
    const existing = store.customers.get(store.customerOfPerson.get(person.id) ?? '');
    if (existing !== undefined) return existing;
    const customer = addCustomer(store, ids, person, at);
    events.push(event('customer.created', customer, at, 'api'));
    return customer;
  }

  function activeSubscription(customer: StripeCustomer): StripeSubscription | undefined {
    return store.subscriptions
      .all()
      .find(
        (s) => s.customer === customer.id && s.status !== 'canceled' && s.status !== 'incomplete_expired',
      );
  }

  /** Creates, finalizes and pays an invoice, with the three events. */
  function chargeInvoice(
    invoice: StripeInvoice,
    customer: StripeCustomer,
    at: number,
    events: StripeEvent[],
  ): void {
    store.invoices.put(invoice);
    events.push(event('invoice.created', invoice, at, 'automatic'));
    finalizeInvoice(invoice, customer, ids, at);
    events.push(event('invoice.finalized', invoice, at, 'automatic'));
    payInvoice(invoice, ids, at);
    events.push(event('invoice.paid', invoice, at, 'automatic'));
  }

  function subscribe(
    customer: StripeCustomer,
    plan: Exclude<Plan, 'free'>,
    at: number,
    events: StripeEvent[],
  ): void {
    const subscription = newSubscription({
      id: ids.long('sub'),
      itemId: ids.short('si'),
      customer,
      price: catalog.plans[plan],
      start: at,
      periodStart: at,
      collectionMethod: 'charge_automatically',
    });
    const invoice = subscriptionInvoice(ids, customer, subscription, at, undefined, 'subscription_create');
    subscription.latest_invoice = invoice.id;
    store.subscriptions.put(subscription);
    events.push(event('customer.subscription.created', subscription, at, 'api'));
    chargeInvoice(invoice, customer, at, events);
  }

  function cancel(customer: StripeCustomer, at: number, events: StripeEvent[]): void {
    const subscription = activeSubscription(customer);
    if (subscription === undefined) return;
    subscription.status = 'canceled';
    subscription.canceled_at = at;
    subscription.ended_at = at;
    subscription.cancel_at_period_end = false;
    subscription.cancel_at = null;
    subscription.cancellation_details = { comment: null, feedback: null, reason: 'cancellation_requested' };
    events.push(event('customer.subscription.deleted', subscription, at, 'api'));
  }

  function changePlan(
    customer: StripeCustomer,
    to: Exclude<Plan, 'free'>,
    at: number,
    events: StripeEvent[],
  ): void {
    const subscription = activeSubscription(customer);
    if (subscription === undefined) {
      subscribe(customer, to, at, events);
      return;
    }
    const item = subscription.items.data[0];
    const price = catalog.plans[to];
    if (item === undefined || item.price.id === price.id) return;
    const previous: Record<string, unknown> = {
      billing_cycle_anchor: subscription.billing_cycle_anchor,
      current_period_end: subscription.current_period_end,
      current_period_start: subscription.current_period_start,
      items: structuredClone(subscription.items),
      latest_invoice: subscription.latest_invoice,
      plan: structuredClone(subscription.plan),
    };
    item.price = price;
    item.plan = planOf(price);
    subscription.plan = item.plan;
    // The change is invoiced at once, for a fresh period starting now.
    subscription.billing_cycle_anchor = at;
    subscription.current_period_start = at;
    subscription.current_period_end = addMonths(at, 1);
    const invoice = subscriptionInvoice(ids, customer, subscription, at, undefined, 'subscription_update');
    subscription.latest_invoice = invoice.id;
    events.push(event('customer.subscription.updated', subscription, at, 'api', previous));
    chargeInvoice(invoice, customer, at, events);
  }

  function updateCustomer(customer: StripeCustomer, person: Person, at: number, events: StripeEvent[]): void {
    const next = { email: person.email, name: `${person.firstName} ${person.lastName}`, phone: person.phone };
    const previous: Record<string, unknown> = {};
    for (const key of ['email', 'name', 'phone'] as const) {
      if (customer[key] !== next[key]) {
        previous[key] = customer[key];
        customer[key] = next[key];
      }
    }
    if (Object.keys(previous).length > 0)
      events.push(event('customer.updated', customer, at, 'api', previous));
  }

  function paymentFailed(customer: StripeCustomer, amount: number, at: number, events: StripeEvent[]): void {
    const subscription = activeSubscription(customer);
    let invoice: StripeInvoice;
    if (subscription !== undefined) {
      invoice = subscriptionInvoice(
        ids,
        customer,
        subscription,
        at,
        subscription.current_period_start,
        'subscription_cycle',
      );
    } else {
      const price = catalog.item('SKU-BALANCE', 'Outstanding balance', amount, at);
      invoice = oneOffInvoice(ids, customer, at, [{ price, title: 'Outstanding balance', quantity: 1 }]);
    }
    store.invoices.put(invoice);
    events.push(event('invoice.created', invoice, at, 'automatic'));
    finalizeInvoice(invoice, customer, ids, at);
    events.push(event('invoice.finalized', invoice, at, 'automatic'));
    failInvoicePayment(invoice, at);
    events.push(event('invoice.payment_failed', invoice, at, 'automatic'));
    if (subscription !== undefined) {
      const previous: Record<string, unknown> = {
        current_period_end: subscription.current_period_end,
        current_period_start: subscription.current_period_start,
        latest_invoice: subscription.latest_invoice,
      };
      subscription.current_period_start = at;
      subscription.current_period_end = addMonths(at, 1);
      subscription.latest_invoice = invoice.id;
      if (subscription.status === 'active') {
        previous['status'] = subscription.status;
        subscription.status = 'past_due';
      }
      events.push(event('customer.subscription.updated', subscription, at, 'automatic', previous));
    }
  }

  function purchase(
    customer: StripeCustomer,
    change: Extract<WorldChange, { kind: 'purchase' }>,
    events: StripeEvent[],
  ): void {
    const invoice = oneOffInvoice(
      ids,
      customer,
      change.at,
      change.items.map((item) => ({
        price: catalog.item(item.sku, item.title, item.unitAmount, change.at),
        title: item.title,
        quantity: item.quantity,
      })),
    );
    chargeInvoice(invoice, customer, change.at, events);
  }

  function apply(change: WorldChange): StripeEvent[] {
    const events: StripeEvent[] = [];
    const { person, at } = change;
    if (!person.presence.billing) return events;
    const customer = ensureCustomer(person, at, events);
    switch (change.kind) {
      case 'person.joined':
        if (person.plan !== 'free') subscribe(customer, person.plan, at, events);
        break;
      case 'person.updated':
        updateCustomer(customer, person, at, events);
        break;
      case 'plan.changed':
        if (change.to === 'free') cancel(customer, at, events);
        else changePlan(customer, change.to, at, events);
        break;
      case 'plan.canceled':
        cancel(customer, at, events);
        break;
      case 'purchase':
        purchase(customer, change, events);
        break;
      case 'payment.failed':
        paymentFailed(customer, change.amount, at, events);
        break;
    }
    return events;
  }

  const sign = (events: readonly StripeEvent[]): WebhookDelivery[] =>
    events.map((stored) => {
      // Stripe pretty-prints event payloads; the signature covers these exact bytes.
      const body = JSON.stringify(stored, null, 2);
      const timestamp = Math.floor(Date.now() / 1000);
      return {
        headers: { ...DELIVERY_HEADERS, 'Stripe-Signature': signStripePayload(body, secret, timestamp) },
        body,
      };
    });
  return Object.assign((change: WorldChange) => sign(apply(change)), { event, sign });
}
