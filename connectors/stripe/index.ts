import { defineConnector } from '../../src/connector.ts';
import type { RetryHint } from '../../src/upstream/types.ts';
import { createStripeClient } from './client.ts';
import { StripeConfig } from './config.ts';
import { chooseRateLimit } from '../../src/upstream/rate-limit.ts';
import { stripePublishedRate } from './rate-limit.ts';
import { createStripeLoaders } from './loaders.ts';
import type { StripeCustomer, StripeInvoice, StripeSubscription } from './models.ts';
import { stripeResolvers } from './resolvers.ts';
import { stripeSandbox } from './sandbox/index.ts';
import { stripeWebhooks } from './webhooks.ts';

/** Stripe billing: customers, subscriptions and invoices, and Stripe's signed webhooks. */
export const stripe = defineConnector({
  name: 'stripe',
  provider: {
    title: 'Stripe',
    credentials: 'STRIPE_API_KEY',
    defaultBaseUrl: 'https://api.stripe.com',
    auth: 'bearer',
    pagination: 'cursor-id',
    maxPageSize: 100,
    maxBatchSize: 1,
    webhookSignature: 'stripe-v1',
    retryStatuses: [429, 500, 502, 503, 504],
  },
  config: StripeConfig,
  hasCredentials: (config) => config.STRIPE_API_KEY !== undefined,
  upstream: (config) => ({
    source: 'stripe',
    baseUrl: config.STRIPE_BASE_URL,
    headers: {
      authorization: `Bearer ${config.STRIPE_API_KEY ?? ''}`,
      ...(config.STRIPE_API_VERSION ? { 'stripe-version': config.STRIPE_API_VERSION } : {}),
    },
    retryStatuses: [429, 500, 502, 503, 504],
    // Stripe sends no rate-limit headers: the published limit of the key's mode is all there is to follow.
    rateLimit: chooseRateLimit(config.STRIPE_RATE_LIMIT, stripePublishedRate(config.STRIPE_API_KEY)),
    // Stripe tells whether a retry can succeed; its word beats our status heuristics (it may also allow a 409).
    retryHint: (response): RetryHint | undefined => {
      const hint = response.headers['stripe-should-retry'];
      if (hint === 'true') return { retry: true };
      if (hint === 'false') return { retry: false };
      return undefined;
    },
  }),
  client: (upstream) => createStripeClient(upstream),
  loaders: createStripeLoaders,
  resolvers: stripeResolvers,
  webhooks: stripeWebhooks,
  sandbox: stripeSandbox,
  customer: {
    domain: 'billing',
    byEmail: (scope, email) => scope.loaders.customerByEmail.load(email),
    nameOf: (customer: StripeCustomer) => customer.name,
    subjectIdOf: (customer: StripeCustomer) => customer.id,
    async directory(scope, page) {
      const result = await scope.client.listCustomers(
        // The customer page shows their subscriptions: the expansion saves a call per customer.
        { limit: page.first, startingAfter: page.after, email: page.search, expandSubscriptions: true },
        scope.call,
      );
      const people = result.data.flatMap((customer) => {
        scope.loaders.customer.prime(customer.id, customer);
        if (!customer.email) return [];
        const email = customer.email.toLowerCase();
        scope.loaders.customerByEmail.prime(email, customer);
        return [{ email, name: customer.name, record: customer, cursor: customer.id }];
      });
      return { people, hasNextPage: result.hasMore, endCursor: result.data.at(-1)?.id ?? null };
    },
  },
  nodes: [
    {
      typeName: 'BillingCustomer',
      load: (scope, id) => scope.loaders.customer.load(id),
      idOf: (o) => (o as StripeCustomer).id,
    },
    {
      typeName: 'Invoice',
      load: (scope, id) => scope.loaders.invoice.load(id),
      idOf: (o) => (o as StripeInvoice).id,
    },
    {
      typeName: 'BillingSubscription',
      load: (scope, id) => scope.loaders.subscription.load(id),
      idOf: (o) => (o as StripeSubscription).id,
    },
  ],
});
