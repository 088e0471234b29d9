import { defineConnector } from '../../src/connector.ts';
import type { RetryHint } from '../../src/upstream/types.ts';
import { createStripeClient } from './client.ts';
import { StripeConfig } from './config.ts';
import { createStripeLoaders } from './loaders.ts';
import { stripeResolvers } from './resolvers.ts';
import { stripeSandbox } from './sandbox/index.ts';
import { stripeWebhooks } from './webhooks.ts';

/** Stripe billing: customers, subscriptions and invoices, and Stripe's signed webhooks. */
export const stripe = defineConnector({
  name: 'stripe',
  provider: {
    title: 'Stripe',
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
});
