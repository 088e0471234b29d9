import { jsonReads } from '../../src/upstream/json-reads.ts';
import { upstreamError, parseUpstream } from '../../src/upstream/http-errors.ts';
import type { CallOptions, Upstream, UpstreamResponse } from '../../src/upstream/types.ts';
import { invalidFields } from '../../src/writes/write-errors.ts';
import {
  DeletedCustomer,
  StripeCustomer,
  StripeErrorBody,
  StripeInvoice,
  StripeSubscription,
  stripeList,
  stripeSearch,
} from './models.ts';

const source = 'stripe';
const title = 'Stripe';

/** Page arguments of Stripe list calls. */
export interface ListPage {
  /** 1 to 100. */
  limit: number;
  startingAfter?: string | undefined;
}

/** One page of a Stripe list. */
export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface ListInvoicesParams extends ListPage {
  customer?: string | undefined;
  subscription?: string | undefined;
  status?: string | undefined;
}

export interface ListSubscriptionsParams extends ListPage {
  customer?: string | undefined;
  status?: string | undefined;
}

const CustomerList = stripeList(StripeCustomer);
const CustomerSearch = stripeSearch(StripeCustomer);
const InvoiceList = stripeList(StripeInvoice);
const SubscriptionList = stripeList(StripeSubscription);

/** Clauses one Stripe search may combine (its query language allows up to 10). */
export const SEARCH_MAX_CLAUSES = 10;
/** Pages of one search read at most (100 customers each): a bound, not a limit anyone should meet. */
const SEARCH_MAX_PAGES = 10;

/** Typed operations of the Stripe API, one per upstream call; every body is zod-parsed. */
export interface StripeClient {
  /** `GET /v1/customers`; with `expandSubscriptions`, each with its current subscriptions (`expand[]=data.subscriptions`). */
  listCustomers(
    params: ListPage & { email?: string | undefined; expandSubscriptions?: boolean | undefined },
    call: CallOptions,
  ): Promise<Page<StripeCustomer>>;
  /** Resolves null for an unknown or deleted customer. */
  retrieveCustomer(id: string, call: CallOptions): Promise<StripeCustomer | null>;
  /**
   * Customers whose email is any of `emails` (at most {@link SEARCH_MAX_CLAUSES}),
   * with one search: `email:'a' OR email:'b'`, every page of it. Each comes with
   * its current subscriptions expanded (`expand[]=data.subscriptions`), so a
   * page of customers needs no subscriptions call per customer.
   */
  searchCustomersByEmails(emails: readonly string[], call: CallOptions): Promise<StripeCustomer[]>;
  listInvoices(params: ListInvoicesParams, call: CallOptions): Promise<Page<StripeInvoice>>;
  retrieveInvoice(id: string, call: CallOptions): Promise<StripeInvoice | null>;
  listSubscriptions(params: ListSubscriptionsParams, call: CallOptions): Promise<Page<StripeSubscription>>;
  retrieveSubscription(id: string, call: CallOptions): Promise<StripeSubscription | null>;
  /**
   * `POST /v1/customers/{id}`, form-encoded, with Stripe's `Idempotency-Key`
   * (so it may be retried). An empty string clears a field or metadata key.
   */
  updateCustomer(id: string, params: CustomerUpdate, key: string, call: CallOptions): Promise<StripeCustomer>;
  /**
   * Cancels a subscription: `POST /v1/subscriptions/{id}` with
   * `cancel_at_period_end=true`, or `DELETE /v1/subscriptions/{id}` at once.
   */
  cancelSubscription(
    id: string,
    atPeriodEnd: boolean,
    key: string,
    call: CallOptions,
  ): Promise<StripeSubscription>;
}

/** The parameters of a customer update, in Stripe's names. */
export interface CustomerUpdate {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * Stripe's form encoding: nested objects as bracketed keys
 * (`metadata[plan]=pro`), undefined values left out.
 */
export function formEncode(params: Readonly<Record<string, unknown>>, prefix = ''): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const key = prefix === '' ? name : `${prefix}[${name}]`;
    if (typeof value === 'object' && value !== null) {
      const nested = formEncode(value as Record<string, unknown>, key);
      if (nested !== '') parts.push(nested);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join('&');
}

/** Stripe's `param` (`email`, `metadata[plan]`) as the mutation's argument path. */
function argumentOf(param: string): string {
  const metadata = /^metadata\[(.*)\]$/.exec(param);
  if (metadata) return `input.metadata.${metadata[1] ?? ''}`;
  if (['name', 'email', 'phone'].includes(param)) return `input.${param}`;
  if (param === 'cancel_at_period_end') return 'atPeriodEnd';
  return param;
}

/** A refused write: `param` names the field, an `idempotency_error` the key; else as a read's failure. */
function failWrite(response: UpstreamResponse): never {
  const parsed = StripeErrorBody.safeParse(response.json);
  const error = parsed.success ? parsed.data.error : undefined;
  if (response.status === 400 && error !== undefined) {
    const field =
      error.type === 'idempotency_error'
        ? 'idempotencyKey'
        : error.param === undefined
          ? undefined
          : argumentOf(error.param);
    if (field !== undefined) {
      throw invalidFields(title, [{ field, message: error.message ?? error.type }], {
        source,
        details: { upstreamStatus: 400, upstreamCode: error.code ?? error.type },
      });
    }
  }
  fail(response);
}

function fail(response: UpstreamResponse): never {
  const parsed = StripeErrorBody.safeParse(response.json);
  const error = parsed.success ? parsed.data.error : undefined;
  throw upstreamError({
    source,
    title,
    response,
    message: error?.message,
    upstreamCode: error?.code ?? error?.type,
    credentialsVariable: 'STRIPE_API_KEY',
  });
}

/** Builds the Stripe client over the shared upstream layer. */
export function createStripeClient(upstream: Upstream): StripeClient {
  const { get, retrieve } = jsonReads(upstream, { source, title, fail });

  const page = <T>(list: { data: T[]; has_more: boolean }): Page<T> => ({
    data: list.data,
    hasMore: list.has_more,
  });
  const paging = (p: ListPage) => ({ limit: p.limit, starting_after: p.startingAfter });

  return {
    async listCustomers(params, call) {
      const query = {
        ...paging(params),
        email: params.email,
        'expand[]': params.expandSubscriptions === true ? 'data.subscriptions' : undefined,
      };
      return page(await get('customers.list', '/v1/customers', CustomerList, query, call));
    },
    async retrieveCustomer(id, call) {
      const path = `/v1/customers/${encodeURIComponent(id)}`;
      const response = await upstream.request({
        method: 'GET',
        path,
        operation: 'customers.retrieve',
        ...call,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) fail(response);
      if (DeletedCustomer.safeParse(response.json).success) return null;
      return parseUpstream(StripeCustomer, response, { source, title, operation: 'customers.retrieve' });
    },
    async searchCustomersByEmails(emails, call) {
      if (emails.length > SEARCH_MAX_CLAUSES) {
        throw new Error(
          `Stripe search takes at most ${String(SEARCH_MAX_CLAUSES)} clauses, got ${String(emails.length)}`,
        );
      }
      // Stripe's search language quotes with single quotes and escapes them with a backslash.
      const quote = (email: string) => email.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
      const search = emails.map((email) => `email:'${quote(email)}'`).join(' OR ');
      const found: StripeCustomer[] = [];
      let page: string | undefined;
      for (let pages = 0; pages < SEARCH_MAX_PAGES; pages += 1) {
        const query = { query: search, limit: 100, page, 'expand[]': 'data.subscriptions' };
        const result = await get('customers.search', '/v1/customers/search', CustomerSearch, query, call);
        found.push(...result.data);
        if (!result.has_more || !result.next_page) break;
        page = result.next_page;
      }
      return found;
    },
    async listInvoices(params, call) {
      const query = {
        ...paging(params),
        customer: params.customer,
        subscription: params.subscription,
        status: params.status,
      };
      return page(await get('invoices.list', '/v1/invoices', InvoiceList, query, call));
    },
    retrieveInvoice(id, call) {
      return retrieve('invoices.retrieve', `/v1/invoices/${encodeURIComponent(id)}`, StripeInvoice, call);
    },
    async listSubscriptions(params, call) {
      const query = { ...paging(params), customer: params.customer, status: params.status ?? 'all' };
      return page(await get('subscriptions.list', '/v1/subscriptions', SubscriptionList, query, call));
    },
    async updateCustomer(id, params, key, call) {
      const response = await upstream.request({
        method: 'POST',
        path: `/v1/customers/${encodeURIComponent(id)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formEncode({ ...params }),
        idempotencyKey: key,
        operation: 'customers.update',
        ...call,
      });
      if (response.status !== 200) failWrite(response);
      return parseUpstream(StripeCustomer, response, { source, title, operation: 'customers.update' });
    },
    async cancelSubscription(id, atPeriodEnd, key, call) {
      const path = `/v1/subscriptions/${encodeURIComponent(id)}`;
      const response = await upstream.request(
        atPeriodEnd
          ? {
              method: 'POST',
              path,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: formEncode({ cancel_at_period_end: true }),
              idempotencyKey: key,
              operation: 'subscriptions.update',
              ...call,
            }
          : { method: 'DELETE', path, operation: 'subscriptions.cancel', ...call },
      );
      if (response.status !== 200) failWrite(response);
      return parseUpstream(StripeSubscription, response, {
        source,
        title,
        operation: 'subscriptions.cancel',
      });
    },
    retrieveSubscription(id, call) {
      return retrieve(
        'subscriptions.retrieve',
        `/v1/subscriptions/${encodeURIComponent(id)}`,
        StripeSubscription,
        call,
      );
    },
  };
}
