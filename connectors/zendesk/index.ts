import { chooseRateLimit } from '../../src/upstream/rate-limit.ts';
import { ZENDESK_PUBLISHED_RATE, readZendeskRateLimit } from './rate-limit.ts';
import { defineConnector } from '../../src/connector.ts';
import type { ZendeskTicket, ZendeskUser } from './models.ts';
import { parseRetryAfter } from '../../src/upstream/retry-after.ts';
import type { RetryHint, UpstreamResponse } from '../../src/upstream/types.ts';
import { MAX_PAGE_SIZE, MAX_SHOW_MANY, createZendeskClient } from './client.ts';
import { ZendeskConfig, authorizationHeader, hasZendeskCredentials } from './config.ts';
import { createZendeskLoaders } from './loaders.ts';
import { zendeskResolvers } from './resolvers.ts';
import { zendeskSandbox } from './sandbox/index.ts';
import { zendeskWebhooks } from './webhooks.ts';

/**
 * Zendesk's word on when to come back: `Retry-After` (seconds) on a 429 or a
 * 503, else the `ratelimit-reset` seconds of the endpoint-level limits.
 * Undefined leaves the decision to the shared defaults.
 */
export function zendeskRetryHint(response: UpstreamResponse): RetryHint | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  const now = Date.now();
  const afterMs =
    parseRetryAfter(response.headers['retry-after'], now) ??
    (response.status === 429 ? parseRetryAfter(response.headers['ratelimit-reset'], now) : undefined);
  return afterMs === undefined ? undefined : { retry: true, afterMs };
}

/** Zendesk Support: tickets and users, and Zendesk's signed webhooks (event subscriptions and triggers). */
export const zendesk = defineConnector({
  name: 'zendesk',
  provider: {
    title: 'Zendesk',
    credentials:
      'ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL) with ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN',
    defaultBaseUrl: 'https://{subdomain}.zendesk.com',
    auth: 'basic',
    pagination: 'cursor-token',
    maxPageSize: MAX_PAGE_SIZE,
    maxBatchSize: MAX_SHOW_MANY,
    webhookSignature: 'zendesk-hmac-sha256',
    retryStatuses: [429, 500, 502, 503, 504],
  },
  config: ZendeskConfig,
  hasCredentials: hasZendeskCredentials,
  upstream: (config) => {
    const authorization = authorizationHeader(config);
    return {
      source: 'zendesk',
      // Only used once hasCredentials holds, which needs a base URL; the fallback keeps the type honest.
      baseUrl: config.ZENDESK_BASE_URL ?? 'https://example.zendesk.com',
      headers: { accept: 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      retryStatuses: [429, 500, 502, 503, 504],
      retryHint: zendeskRetryHint,
      rateLimit: chooseRateLimit(config.ZENDESK_RATE_LIMIT, ZENDESK_PUBLISHED_RATE),
      readRateLimit: readZendeskRateLimit,
    };
  },
  client: (upstream) => createZendeskClient(upstream),
  loaders: createZendeskLoaders,
  resolvers: zendeskResolvers,
  webhooks: zendeskWebhooks,
  sandbox: zendeskSandbox,
  customer: {
    domain: 'support',
    byEmail: (scope, email) => scope.loaders.userByEmail.load(email),
    nameOf: (user: ZendeskUser) => user.name,
    subjectIdOf: (user: ZendeskUser) => String(user.id),
  },
  nodes: [
    {
      typeName: 'SupportTicket',
      load: (scope, id) => scope.loaders.ticket.load(id),
      idOf: (o) => String((o as ZendeskTicket).id),
    },
    {
      typeName: 'SupportUser',
      load: (scope, id) => scope.loaders.user.load(id),
      idOf: (o) => String((o as ZendeskUser).id),
    },
  ],
});
