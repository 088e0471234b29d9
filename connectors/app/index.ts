import { chooseRateLimit } from '../../src/upstream/rate-limit.ts';
import { APP_PUBLISHED_RATE, readAppRateLimit } from './rate-limit.ts';
import { defineConnector } from '../../src/connector.ts';
import type { AppUser } from './models.ts';
import { fullName, tokenPagedDirectory } from '../../src/unified/names.ts';
import type { RetryHint, UpstreamResponse } from '../../src/upstream/types.ts';
import { MAX_BATCH_SIZE, MAX_PAGE_SIZE, TITLE, createAppClient } from './client.ts';
import { AppConfig } from './config.ts';
import { createAppLoaders } from './loaders.ts';
import { appResolvers } from './resolvers.ts';
import { appSandbox } from './sandbox/index.ts';
import { appWebhooks } from './webhooks.ts';

const RETRY_STATUSES = [429, 500, 502, 503, 504] as const;

/**
 * A 429 without `Retry-After` still says when the window resets
 * (`RateLimit-Reset`, seconds); the layer reads `Retry-After` itself.
 */
export function appRetryHint(response: UpstreamResponse): RetryHint | undefined {
  if (response.status !== 429 || response.headers['retry-after'] !== undefined) return undefined;
  const reset = response.headers['ratelimit-reset'];
  if (reset === undefined || !/^\d+$/.test(reset.trim())) return undefined;
  return { retry: true, afterMs: Number(reset.trim()) * 1000 };
}

/** The company's own product: its users over its REST API, and its Standard Webhooks. */
export const app = defineConnector({
  name: 'app',
  provider: {
    title: TITLE,
    credentials: 'APP_BASE_URL and APP_API_KEY',
    // The product is the company's own: there is no public base URL, APP_BASE_URL is required.
    defaultBaseUrl: '',
    auth: 'bearer',
    pagination: 'cursor-token',
    maxPageSize: MAX_PAGE_SIZE,
    maxBatchSize: MAX_BATCH_SIZE,
    webhookSignature: 'standard-webhooks-v1',
    retryStatuses: RETRY_STATUSES,
  },
  config: AppConfig,
  hasCredentials: (config) => config.APP_API_KEY !== undefined,
  upstream: (config) => {
    if (config.APP_BASE_URL === undefined) {
      throw new Error('APP_BASE_URL is required when the app connector is on: set it to the product API.');
    }
    return {
      source: 'app',
      baseUrl: config.APP_BASE_URL,
      headers: { authorization: `Bearer ${config.APP_API_KEY ?? ''}`, accept: 'application/json' },
      retryStatuses: RETRY_STATUSES,
      retryHint: appRetryHint,
      rateLimit: chooseRateLimit(config.APP_RATE_LIMIT, APP_PUBLISHED_RATE),
      readRateLimit: readAppRateLimit,
    };
  },
  client: (upstream) => createAppClient(upstream),
  loaders: createAppLoaders,
  resolvers: appResolvers,
  webhooks: appWebhooks,
  sandbox: appSandbox,
  customer: {
    domain: 'app',
    byEmail: (scope, email) => scope.loaders.userByEmail.load(email),
    nameOf: (user: AppUser) => fullName(user.first_name, user.last_name),
    subjectIdOf: (user: AppUser) => user.user_id,
    directory: (scope, page) =>
      tokenPagedDirectory(
        page,
        async (limit, cursor) => {
          const result = await scope.loaders.users.load({ limit, cursor, email: page.search });
          return { records: result.data, next: result.next_cursor };
        },
        (user) => {
          const email = user.email.toLowerCase();
          scope.loaders.userByEmail.prime(email, user);
          return { email, name: fullName(user.first_name, user.last_name) };
        },
      ),
  },
  nodes: [
    {
      typeName: 'AppUser',
      load: (scope, id) => scope.loaders.user.load(id),
      idOf: (o) => (o as AppUser).user_id,
    },
  ],
});
