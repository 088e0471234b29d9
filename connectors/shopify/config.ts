import { z } from 'zod';
import { rateLimitSetting } from '../../src/upstream/rate-limit.ts';

/** The GraphQL Admin API version the connector is written against (a stable quarterly release). */
export const DEFAULT_API_VERSION = '2025-10';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Splits `SHOPIFY_WEBHOOK_SECRET` into the secrets it holds (several during a rotation). */
export function webhookSecrets(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const Raw = z.object({
  /** The shop's permanent domain (`acme.myshopify.com`); gives the base URL when SHOPIFY_BASE_URL is unset. */
  SHOPIFY_SHOP_DOMAIN: optional.refine(
    (v) => v === undefined || /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(v),
    { message: 'must be a shop domain like acme.myshopify.com' },
  ),
  /** Default `https://<SHOPIFY_SHOP_DOMAIN>`; set it to reach a proxy or the emulator. */
  SHOPIFY_BASE_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^\s/]+(\/.*)?$/i.test(v), {
    message: 'must be an http(s) URL such as https://acme.myshopify.com',
  }),
  /** Admin API access token (`shpat_...`), sent as X-Shopify-Access-Token. Unset: the connector is off (or sandboxed). */
  SHOPIFY_ACCESS_TOKEN: optional,
  /** Admin API version in the URL path. Default {@link DEFAULT_API_VERSION}. */
  SHOPIFY_API_VERSION: optional.refine((v) => v === undefined || /^(\d{4}-(01|04|07|10)|unstable)$/.test(v), {
    message: 'must be a Shopify API version such as 2025-10 (or unstable)',
  }),
  /**
   * The app's client secret, which signs webhooks. During a secret rotation give
   * both, comma-separated (`new,old`): Shopify keeps signing with the oldest
   * unrevoked secret. Unset: /webhooks/shopify answers 404.
   */
  SHOPIFY_WEBHOOK_SECRET: optional,
  /**
   * Calls per window the gateway lets through to shopify (`25/s`, `700/min`, `190/10s`), or `off`.
   * Default: the API's published limit (README, "Rate budget"); live rate-limit headers may lower it.
   */
  SHOPIFY_RATE_LIMIT: rateLimitSetting,
});

/** The Shopify connector's part of the environment, with the base URL resolved. */
export const ShopifyConfig = Raw.superRefine((raw, ctx) => {
  if (raw.SHOPIFY_ACCESS_TOKEN !== undefined && !raw.SHOPIFY_BASE_URL && !raw.SHOPIFY_SHOP_DOMAIN) {
    ctx.addIssue({
      code: 'custom',
      path: ['SHOPIFY_SHOP_DOMAIN'],
      message: 'is needed with SHOPIFY_ACCESS_TOKEN (or set SHOPIFY_BASE_URL)',
    });
  }
}).transform((raw) => ({
  ...raw,
  SHOPIFY_BASE_URL: (
    raw.SHOPIFY_BASE_URL ??
    (raw.SHOPIFY_SHOP_DOMAIN ? `https://${raw.SHOPIFY_SHOP_DOMAIN.toLowerCase()}` : '')
  ).replace(/\/+$/, ''),
  SHOPIFY_API_VERSION: raw.SHOPIFY_API_VERSION ?? DEFAULT_API_VERSION,
}));
export type ShopifyConfig = z.infer<typeof ShopifyConfig>;

/** Whether the config can talk to a real shop. */
export function hasShopifyCredentials(config: ShopifyConfig): boolean {
  return config.SHOPIFY_ACCESS_TOKEN !== undefined && config.SHOPIFY_BASE_URL !== '';
}
