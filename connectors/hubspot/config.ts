import { z } from 'zod';
import { rateLimitSetting } from '../../src/upstream/rate-limit.ts';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** The HubSpot connector's part of the environment. */
export const HubSpotConfig = z.object({
  /**
   * Private app access token (`pat-na1-...`) or an OAuth access token, sent as
   * `Authorization: Bearer`. Unset: the connector is off (or sandboxed).
   */
  HUBSPOT_ACCESS_TOKEN: optional.refine((v) => v === undefined || !/\s/.test(v), {
    message: 'must be a HubSpot access token with no spaces (a private app token looks like pat-na1-...)',
  }),
  /** Default https://api.hubapi.com. */
  HUBSPOT_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.hubapi.com'),
  /**
   * The app's client secret, which HubSpot uses to sign webhook deliveries
   * (`X-HubSpot-Signature-v3`). Unset: /webhooks/hubspot answers 404.
   */
  HUBSPOT_WEBHOOK_SECRET: optional,
  /**
   * Calls per window the gateway lets through to hubspot (`25/s`, `700/min`, `190/10s`), or `off`.
   * Default: the API's published limit (README, "Rate budget"); live rate-limit headers may lower it.
   */
  HUBSPOT_RATE_LIMIT: rateLimitSetting,
});
export type HubSpotConfig = z.infer<typeof HubSpotConfig>;

/** Whether the config can talk to the real HubSpot API. */
export function hasHubSpotCredentials(config: HubSpotConfig): boolean {
  return config.HUBSPOT_ACCESS_TOKEN !== undefined;
}
