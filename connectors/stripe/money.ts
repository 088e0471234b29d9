import { moneyFromMinorUnits, upstreamMoney } from '../../src/money.ts';
import type { Money } from '../../src/money.ts';

/**
 * Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal):
 * an amount of 500 `jpy` is ¥500. MGA is one, though ISO 4217 gives it two decimals.
 */
const STRIPE_ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
/** Stripe's three-decimal currencies: 1500 `kwd` is KWD 1.500. */
const STRIPE_THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * Decimals of Stripe's integer amounts for a currency: 0, 3, else 2. Stripe's
 * special cases ISK, HUF and TWD are two-decimal in the API (amounts end in 00).
 */
export function stripeExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (STRIPE_ZERO_DECIMAL.has(code)) return 0;
  if (STRIPE_THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** Money from a Stripe amount (integer, in Stripe's unit for the currency) and its lower-case currency. */
export function stripeMoney(field: string, amount: number, currency: string): Money {
  return upstreamMoney({ source: 'stripe', title: 'Stripe', field }, () =>
    moneyFromMinorUnits(amount, currency, stripeExponent(currency)),
  );
}
