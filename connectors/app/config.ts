import { z } from 'zod';
import { rateLimitSetting } from '../../src/upstream/rate-limit.ts';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Standard Webhooks: a signing key is random, 24 to 64 bytes, shown as `whsec_` + base64. */
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

/** The signing key inside a `whsec_<base64>` secret, or undefined when it is not one. */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  if (!secret.startsWith('whsec_')) return undefined;
  const encoded = secret.slice('whsec_'.length);
  // Strict base64 (Buffer.from is lenient and would accept typos silently).
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length === 0 ? undefined : key;
}

/** The app connector's part of the environment. */
export const AppConfig = z
  .object({
    /** Bearer token of the product's API. Unset: the connector is off (or sandboxed). */
    APP_API_KEY: optional,
    /**
     * Base URL of the product's API (`https://api.example.com`, its path prefix kept).
     * No default: the product is the company's own, so it is required when APP_API_KEY is set.
     */
    APP_BASE_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /** Standard Webhooks signing secret (`whsec_` + base64 of 24 to 64 bytes). Unset: /webhooks/app answers 404. */
    APP_WEBHOOK_SECRET: optional.refine(
      (v) => {
        if (v === undefined) return true;
        const key = decodeWebhookSecret(v);
        return key !== undefined && key.length >= MIN_SECRET_BYTES && key.length <= MAX_SECRET_BYTES;
      },
      {
        message: `must be a Standard Webhooks secret: whsec_ followed by the base64 of a ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} byte key`,
      },
    ),
    /**
     * Calls per window the gateway lets through to app (`25/s`, `700/min`, `190/10s`), or `off`.
     * Default: the API's published limit (README, "Rate budget"); live rate-limit headers may lower it.
     */
    APP_RATE_LIMIT: rateLimitSetting,
  })
  .superRefine((config, ctx) => {
    if (config.APP_API_KEY !== undefined && config.APP_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_BASE_URL'],
        message:
          "is required when APP_API_KEY is set: the product's API has no public default, give its base URL (e.g. https://api.example.com)",
      });
    }
  });
export type AppConfig = z.infer<typeof AppConfig>;
