import { z } from 'zod';
import { rateLimitSetting } from '../../src/upstream/rate-limit.ts';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Zendesk's production host for an account: `https://<subdomain>.zendesk.com`. */
export function zendeskUrl(subdomain: string): string {
  return `https://${subdomain}.zendesk.com`;
}

/** The Zendesk connector's part of the environment, as read (see {@link ZendeskConfig} for the result). */
const ZendeskEnv = z.object({
  /**
   * Base URL of the account (`https://acme.zendesk.com`, or a host-mapped domain). No
   * default: when unset, it is derived from `ZENDESK_SUBDOMAIN`.
   */
  ZENDESK_BASE_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** The account's subdomain (`acme` for acme.zendesk.com); an alternative to `ZENDESK_BASE_URL`. */
  ZENDESK_SUBDOMAIN: optional.refine((v) => v === undefined || /^[a-z0-9][a-z0-9-]{0,62}$/i.test(v), {
    message: 'must be the subdomain alone (acme for https://acme.zendesk.com)',
  }),
  /** Agent email for API-token auth (`Basic base64(email/token:api_token)`); needs `ZENDESK_API_TOKEN`. */
  ZENDESK_EMAIL: optional.pipe(z.email().optional()),
  /** API token for API-token auth; needs `ZENDESK_EMAIL`. */
  ZENDESK_API_TOKEN: optional,
  /** OAuth access token (`Authorization: Bearer ...`); wins over the API token when both are set. */
  ZENDESK_OAUTH_TOKEN: optional,
  /**
   * Signing secret of the webhook. Several secrets separated by commas are all
   * accepted, for the overlap while a secret is rotated. Unset: /webhooks/zendesk answers 404.
   */
  ZENDESK_WEBHOOK_SECRET: optional,
  /**
   * Calls per window the gateway lets through to zendesk (`25/s`, `700/min`, `190/10s`), or `off`.
   * Default: the API's published limit (README, "Rate budget"); live rate-limit headers may lower it.
   */
  ZENDESK_RATE_LIMIT: rateLimitSetting,
});

/**
 * The Zendesk connector's configuration: the environment above, checked as a
 * whole (an API token needs its email, credentials need an account URL), with
 * `ZENDESK_BASE_URL` resolved from `ZENDESK_SUBDOMAIN` when only that is set.
 */
export const ZendeskConfig = ZendeskEnv.superRefine((env, ctx) => {
  if ((env.ZENDESK_EMAIL === undefined) !== (env.ZENDESK_API_TOKEN === undefined)) {
    const missing = env.ZENDESK_EMAIL === undefined ? 'ZENDESK_EMAIL' : 'ZENDESK_API_TOKEN';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: 'API-token auth needs both ZENDESK_EMAIL and ZENDESK_API_TOKEN',
    });
  }
  const credentials = env.ZENDESK_OAUTH_TOKEN !== undefined || env.ZENDESK_API_TOKEN !== undefined;
  if (credentials && env.ZENDESK_BASE_URL === undefined && env.ZENDESK_SUBDOMAIN === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ZENDESK_SUBDOMAIN'],
      message: 'Zendesk credentials need the account: set ZENDESK_SUBDOMAIN or ZENDESK_BASE_URL',
    });
  }
}).transform((env) => ({
  ...env,
  ZENDESK_BASE_URL: (
    env.ZENDESK_BASE_URL ??
    (env.ZENDESK_SUBDOMAIN === undefined ? undefined : zendeskUrl(env.ZENDESK_SUBDOMAIN))
  )?.replace(/\/+$/, ''),
}));
export type ZendeskConfig = z.infer<typeof ZendeskConfig>;

/** Whether the config can talk to a real account: an account URL and either kind of credentials. */
export function hasZendeskCredentials(config: ZendeskConfig): boolean {
  const credentials =
    config.ZENDESK_OAUTH_TOKEN !== undefined ||
    (config.ZENDESK_EMAIL !== undefined && config.ZENDESK_API_TOKEN !== undefined);
  return credentials && config.ZENDESK_BASE_URL !== undefined;
}

/** The `Authorization` header for the configured credentials (OAuth first), or undefined without any. */
export function authorizationHeader(config: ZendeskConfig): string | undefined {
  if (config.ZENDESK_OAUTH_TOKEN !== undefined) return `Bearer ${config.ZENDESK_OAUTH_TOKEN}`;
  if (config.ZENDESK_EMAIL !== undefined && config.ZENDESK_API_TOKEN !== undefined) {
    const pair = `${config.ZENDESK_EMAIL}/token:${config.ZENDESK_API_TOKEN}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return undefined;
}
