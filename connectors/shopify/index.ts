import { shopifyMutations } from './writes.ts';
import { defineConnector } from '../../src/connector.ts';
import { fullName } from '../../src/unified/names.ts';
import type { ShopifyCustomer, ShopifyOrder } from './models.ts';
import { createShopifyClient, shopifyRetryHint, MAX_PAGE_SIZE, NODES_BATCH_SIZE } from './client.ts';
import { ShopifyConfig, hasShopifyCredentials } from './config.ts';
import { createShopifyLoaders } from './loaders.ts';
import { shopifyResolvers } from './resolvers.ts';
import { shopifySandbox } from './sandbox/index.ts';
import { shopifyWebhooks } from './webhooks.ts';

/** Shopify commerce: orders and customers through the GraphQL Admin API, and Shopify's signed webhooks. */
export const shopify = defineConnector({
  name: 'shopify',
  provider: {
    title: 'Shopify',
    credentials: 'SHOPIFY_SHOP_DOMAIN (or SHOPIFY_BASE_URL) and SHOPIFY_ACCESS_TOKEN',
    // Every shop has its own host; SHOPIFY_SHOP_DOMAIN fills it in.
    defaultBaseUrl: 'https://{shop}.myshopify.com',
    auth: 'header',
    pagination: 'relay',
    maxPageSize: MAX_PAGE_SIZE,
    maxBatchSize: NODES_BATCH_SIZE,
    webhookSignature: 'shopify-hmac-sha256-base64',
    retryStatuses: [429, 500, 502, 503, 504],
  },
  config: ShopifyConfig,
  hasCredentials: hasShopifyCredentials,
  upstream: (config) => ({
    source: 'shopify',
    baseUrl: config.SHOPIFY_BASE_URL,
    headers: { 'x-shopify-access-token': config.SHOPIFY_ACCESS_TOKEN ?? '' },
    retryStatuses: [429, 500, 502, 503, 504],
    // 429s carry Retry-After (seconds, like "2.0"), which the layer honours; THROTTLED bodies carry cost data.
    retryHint: shopifyRetryHint,
  }),
  client: createShopifyClient,
  loaders: createShopifyLoaders,
  resolvers: { ...shopifyResolvers, Mutation: shopifyMutations },
  webhooks: shopifyWebhooks,
  sandbox: shopifySandbox,
  customer: {
    domain: 'commerce',
    byEmail: (scope, email) => scope.loaders.customerByEmail.load(email),
    nameOf: (customer: ShopifyCustomer) => fullName(customer.firstName, customer.lastName),
    subjectIdOf: (customer: ShopifyCustomer) => customer.id,
  },
  nodes: [
    {
      typeName: 'Order',
      load: (scope, id) => scope.loaders.order.load(id),
      idOf: (o) => (o as ShopifyOrder).id,
    },
    {
      typeName: 'CommerceCustomer',
      load: (scope, id) => scope.loaders.customer.load(id),
      idOf: (o) => (o as ShopifyCustomer).id,
    },
  ],
});
