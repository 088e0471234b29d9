import { z } from 'zod';
import { rateLimitSetting } from '../../src/upstream/rate-limit.ts';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** The Stripe connector's part of the environment. */
export const StripeConfig = z.object({
  /** Secret or restricted key (`sk_live_...`, `sk_test_...`, `rk_...`). Unset: the connector is off (or sandboxed). */
  STRIPE_API_KEY: optional.refine((v) => v === undefined || /^(sk|rk)_(live|test)_\S+$/.test(v), {
    message: 'must be a Stripe secret key (sk_live_..., sk_test_... or rk_...)',
  }),
  /** Default https://api.stripe.com. */
  STRIPE_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.stripe.com'),
  /** Signing secret of the webhook endpoint (`whsec_...`). Unset: /webhooks/stripe answers 404. */
  STRIPE_WEBHOOK_SECRET: optional.refine((v) => v === undefined || v.startsWith('whsec_'), {
    message: 'must be a webhook signing secret starting with whsec_',
  }),
  /** Pins the Stripe API version (`Stripe-Version` header); unset uses the account's default. */
  STRIPE_API_VERSION: optional,
  /**
   * Calls per window the gateway lets through to stripe (`25/s`, `700/min`, `190/10s`), or `off`.
   * Default: the API's published limit (README, "Rate budget"); live rate-limit headers may lower it.
   */
  STRIPE_RATE_LIMIT: rateLimitSetting,
});
export type StripeConfig = z.infer<typeof StripeConfig>;
