import { defineConnector } from '../../src/connector.ts';
import type { HubSpotCompany, HubSpotContact, HubSpotDeal, HubSpotNote } from './models.ts';
import { fullName, tokenPagedDirectory } from '../../src/unified/names.ts';
import type { RetryHint, UpstreamResponse } from '../../src/upstream/types.ts';
import { MAX_OBJECT_BATCH, MAX_PAGE_SIZE, createHubSpotClient } from './client.ts';
import { HubSpotConfig, hasHubSpotCredentials } from './config.ts';
import { createHubSpotLoaders } from './loaders.ts';
import { HubSpotErrorBody } from './models.ts';
import { hubspotResolvers } from './resolvers.ts';
import { hubspotSandbox } from './sandbox/index.ts';
import { hubspotWebhooks } from './webhooks.ts';

const RETRY_STATUSES = [429, 500, 502, 503, 504] as const;

/**
 * HubSpot's 429 names the limit it hit: `TEN_SECONDLY_ROLLING` (or `SECONDLY`)
 * frees up within seconds and is worth retrying; `DAILY` lasts until midnight
 * in the account's time zone, so retrying only burns the request's deadline.
 */
export function hubspotRetryHint(response: UpstreamResponse): RetryHint | undefined {
  if (response.status !== 429) return undefined;
  const body = HubSpotErrorBody.safeParse(response.json);
  const policy = body.success ? body.data.policyName : undefined;
  if (policy === 'DAILY' || response.headers['x-hubspot-ratelimit-daily-remaining'] === '0') {
    return { retry: false };
  }
  return { retry: true };
}

/** HubSpot CRM: contacts, companies, deals and their associations, and HubSpot's signed webhooks. */
export const hubspot = defineConnector({
  name: 'hubspot',
  provider: {
    title: 'HubSpot',
    credentials: 'HUBSPOT_ACCESS_TOKEN',
    defaultBaseUrl: 'https://api.hubapi.com',
    auth: 'bearer',
    pagination: 'cursor-token',
    maxPageSize: MAX_PAGE_SIZE,
    maxBatchSize: MAX_OBJECT_BATCH,
    webhookSignature: 'hubspot-v3',
    retryStatuses: RETRY_STATUSES,
  },
  config: HubSpotConfig,
  hasCredentials: hasHubSpotCredentials,
  upstream: (config) => ({
    source: 'hubspot',
    baseUrl: config.HUBSPOT_BASE_URL,
    headers: { authorization: `Bearer ${config.HUBSPOT_ACCESS_TOKEN ?? ''}`, accept: 'application/json' },
    retryStatuses: RETRY_STATUSES,
    retryHint: hubspotRetryHint,
  }),
  client: (upstream) => createHubSpotClient(upstream),
  loaders: createHubSpotLoaders,
  resolvers: hubspotResolvers,
  webhooks: hubspotWebhooks,
  sandbox: hubspotSandbox,
  customer: {
    domain: 'crm',
    byEmail: (scope, email) => scope.loaders.contactByEmail.load(email),
    nameOf: (contact: HubSpotContact) => fullName(contact.properties.firstname, contact.properties.lastname),
    subjectIdOf: (contact: HubSpotContact) => contact.id,
    directory: (scope, page) =>
      tokenPagedDirectory(
        page,
        async (limit, after) => {
          const result = await scope.loaders.contacts.load({ limit, after });
          return { records: result.results, next: result.nextAfter };
        },
        (contact) => {
          const email = contact.properties.email?.toLowerCase();
          if (!email) return null;
          scope.loaders.contactByEmail.prime(email, contact);
          return { email, name: fullName(contact.properties.firstname, contact.properties.lastname) };
        },
      ),
  },
  nodes: [
    {
      typeName: 'CrmContact',
      load: (scope, id) => scope.loaders.contact.load(id),
      idOf: (o) => (o as HubSpotContact).id,
    },
    {
      typeName: 'CrmCompany',
      load: (scope, id) => scope.loaders.company.load(id),
      idOf: (o) => (o as HubSpotCompany).id,
    },
    {
      typeName: 'CrmNote',
      load: (scope, id) => scope.client.getNote(id, scope.call),
      idOf: (o) => (o as HubSpotNote).id,
    },
    {
      typeName: 'CrmDeal',
      load: (scope, id) => scope.loaders.deal.load(id),
      idOf: (o) => (o as HubSpotDeal).id,
    },
  ],
});
