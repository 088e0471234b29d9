import { WebhookError } from '../connector.ts';

/** Options of {@link assertFresh}. */
export interface FreshnessCheck {
  /** What carries the time, as the provider names it (`Stripe-Signature timestamp`). */
  label: string;
  /** How long ago the delivery was signed or triggered, in `unit`s (negative: in the future). */
  age: number;
  unit: 's' | 'ms';
  /** Oldest accepted age. */
  maxAge: number;
  /** Furthest accepted distance into the future. Default `maxAge`. */
  maxSkew?: number;
  /** Verb of the message (`signed`, `triggered`). Default `signed`. */
  verb?: string;
  /** What the past bound is called (`tolerance`, `window`). Default `tolerance`. */
  bound?: string;
}

/**
 * Refuses a delivery outside its freshness window with 401 `SIGNATURE_STALE`:
 * too old is a replay or a long delay, too far ahead a forged or skewed clock.
 * Call it only after the signature matched, so forged headers learn nothing.
 */
export function assertFresh(check: FreshnessCheck): void {
  const { label, age, unit, maxAge } = check;
  const maxSkew = check.maxSkew ?? maxAge;
  if (age > maxAge) {
    throw new WebhookError(
      401,
      'SIGNATURE_STALE',
      `${label} is stale: ${check.verb ?? 'signed'} ${age} ${unit} ago, beyond the ${maxAge} ${unit} ${check.bound ?? 'tolerance'}.`,
    );
  }
  if (age < -maxSkew) {
    throw new WebhookError(
      401,
      'SIGNATURE_STALE',
      `${label} is ${-age} ${unit} in the future, beyond the ${maxSkew} ${unit} tolerance: check the clock.`,
    );
  }
}
