import type { ListSubscriptionsParams, Page } from './client.ts';
import type { StripeCustomer, StripeSubscription } from './models.ts';

/**
 * Statuses certainly in a customer's expanded `subscriptions`: Stripe lists
 * there the subscriptions that are not canceled. `incomplete_expired` is left
 * out on purpose: whether it counts as current is not documented, so it is
 * always asked for.
 */
const EXPANDED_STATUSES: ReadonlySet<string> = new Set([
  'active',
  'past_due',
  'unpaid',
  'trialing',
  'paused',
  'incomplete',
]);

/**
 * The first page of a customer's subscriptions answered from the list Stripe
 * expanded on the customer, or undefined when that list cannot answer exactly
 * and `GET /v1/subscriptions` must be asked: a later page (`startingAfter`),
 * no status or a status the expansion may not hold (canceled ones never are),
 * or a truncated expansion (`has_more`) with fewer matches than the page needs.
 */
export function subscriptionsFromExpansion(
  customer: StripeCustomer,
  params: ListSubscriptionsParams,
): Page<StripeSubscription> | undefined {
  const expanded = customer.subscriptions;
  if (expanded === undefined || params.startingAfter !== undefined) return undefined;
  const status = params.status;
  if (status === undefined || !EXPANDED_STATUSES.has(status)) return undefined;
  // Stripe lists newest first; sort anyway so the answer never depends on the expansion's order.
  const matching = expanded.data
    .filter((s) => s.status === status && s.customer === customer.id)
    .sort((a, b) => b.created - a.created);
  if (matching.length > params.limit) return { data: matching.slice(0, params.limit), hasMore: true };
  if (expanded.has_more) return undefined;
  return { data: matching, hasMore: false };
}
