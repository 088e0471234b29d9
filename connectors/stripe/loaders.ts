import DataLoader from 'dataloader';
import { keyedLoader, memoLoader } from '../../src/loaders.ts';
import type { CallOptions } from '../../src/upstream/types.ts';
import { SEARCH_MAX_CLAUSES } from './client.ts';
import type { ListInvoicesParams, ListSubscriptionsParams, Page, StripeClient } from './client.ts';
import type { StripeCustomer, StripeInvoice, StripeSubscription } from './models.ts';

/** Upstream retrieves in flight at once per request: Stripe has no multi-get, and test mode allows 25 ops/s. */
export const RETRIEVE_CONCURRENCY = 8;

/** The Stripe DataLoaders of one GraphQL request. */
export interface StripeLoaders {
  customer: DataLoader<string, StripeCustomer | null>;
  /** By lower-cased email: the oldest customer with exactly that email (one Stripe search per 10 emails). */
  customerByEmail: DataLoader<string, StripeCustomer | null>;
  invoice: DataLoader<string, StripeInvoice | null>;
  subscription: DataLoader<string, StripeSubscription | null>;
  invoices: DataLoader<ListInvoicesParams, Page<StripeInvoice>, string>;
  subscriptions: DataLoader<ListSubscriptionsParams, Page<StripeSubscription>, string>;
}

/**
 * Stripe has no multi-id retrieve, so "batching" here is de-duplication within
 * the request plus bounded concurrency; objects seen in list pages are primed,
 * so a later lookup of the same id costs no call.
 */
export function createStripeLoaders(client: StripeClient, call: CallOptions): StripeLoaders {
  const concurrency = RETRIEVE_CONCURRENCY;
  const customer = keyedLoader<string, StripeCustomer>({
    load: (id) => client.retrieveCustomer(id, call),
    concurrency,
  });
  const customerByEmail = new DataLoader<string, StripeCustomer | null>(
    async (emails) => {
      const found = await client.searchCustomersByEmails(emails, call);
      // Search is case-insensitive but may match loosely; keep exact matches, oldest first, as the primary record.
      const oldest = new Map<string, StripeCustomer>();
      for (const c of [...found].sort((a, b) => a.created - b.created)) {
        const email = c.email?.toLowerCase();
        if (email !== undefined && !oldest.has(email)) oldest.set(email, c);
      }
      return emails.map((email) => {
        const first = oldest.get(email) ?? null;
        if (first) customer.prime(first.id, first);
        return first;
      });
    },
    { maxBatchSize: SEARCH_MAX_CLAUSES },
  );
  const invoice = keyedLoader<string, StripeInvoice>({
    load: (id) => client.retrieveInvoice(id, call),
    concurrency,
  });
  const subscription = keyedLoader<string, StripeSubscription>({
    load: (id) => client.retrieveSubscription(id, call),
    concurrency,
  });
  const invoices = memoLoader(async (params: ListInvoicesParams) => {
    const page = await client.listInvoices(params, call);
    for (const item of page.data) invoice.prime(item.id, item);
    return page;
  });
  const subscriptions = memoLoader(async (params: ListSubscriptionsParams) => {
    const page = await client.listSubscriptions(params, call);
    for (const item of page.data) subscription.prime(item.id, item);
    return page;
  });
  return { customer, customerByEmail, invoice, subscription, invoices, subscriptions };
}
