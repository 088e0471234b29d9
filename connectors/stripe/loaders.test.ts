import { describe, expect, it } from 'vitest';
import type { StripeClient } from './client.ts';
import { subscriptionsFromExpansion } from './expanded-subscriptions.ts';
import { createStripeLoaders } from './loaders.ts';
import { StripeCustomer } from './models.ts';

const subscription = (id: string, customer: string, status: string, created: number) => ({
  id,
  object: 'subscription',
  customer,
  status,
  currency: 'usd',
  start_date: created,
  created,
  items: { data: [] },
});

const customer = (id: string, email: string, subs: ReturnType<typeof subscription>[], hasMore = false) =>
  StripeCustomer.parse({
    id,
    object: 'customer',
    email,
    created: 1_700_000_000,
    subscriptions: { object: 'list', has_more: hasMore, data: subs },
  });

describe('Stripe customers found by email, with their expanded subscriptions', () => {
  it('gives each email its own customer and subscriptions, whatever order search answers in', async () => {
    const a = customer('cus_a', 'a@example.com', [subscription('sub_a', 'cus_a', 'active', 2)]);
    const b = customer('cus_b', 'b@example.com', [subscription('sub_b', 'cus_b', 'active', 3)]);
    const calls: string[][] = [];
    const client = {
      searchCustomersByEmails: (emails: readonly string[]) => {
        calls.push([...emails]);
        return Promise.resolve([b, a]);
      },
    } as unknown as StripeClient;
    const loaders = createStripeLoaders(client, {});
    const [first, second] = await loaders.customerByEmail.loadMany(['a@example.com', 'b@example.com']);
    expect(calls).toEqual([['a@example.com', 'b@example.com']]);
    expect((first as StripeCustomer).id).toBe('cus_a');
    expect((second as StripeCustomer).id).toBe('cus_b');
    const page = subscriptionsFromExpansion(first as StripeCustomer, { limit: 5, status: 'active' });
    expect(page).toEqual({ data: [expect.objectContaining({ id: 'sub_a' })], hasMore: false });
  });

  it('answers a first page of a current status from the expansion, newest first, and nothing else', () => {
    const subs = [
      subscription('sub_1', 'cus_x', 'active', 1),
      subscription('sub_3', 'cus_x', 'active', 3),
      subscription('sub_2', 'cus_x', 'past_due', 2),
      subscription('sub_9', 'cus_other', 'active', 9),
    ];
    const x = customer('cus_x', 'x@example.com', subs);
    expect(subscriptionsFromExpansion(x, { limit: 5, status: 'active' })?.data.map((s) => s.id)).toEqual([
      'sub_3',
      'sub_1',
    ]);
    expect(subscriptionsFromExpansion(x, { limit: 1, status: 'active' })).toMatchObject({ hasMore: true });
    // Every status, canceled ones, a later page: Stripe must be asked.
    expect(subscriptionsFromExpansion(x, { limit: 5 })).toBeUndefined();
    expect(subscriptionsFromExpansion(x, { limit: 5, status: 'canceled' })).toBeUndefined();
    expect(subscriptionsFromExpansion(x, { limit: 5, status: 'incomplete_expired' })).toBeUndefined();
    expect(
      subscriptionsFromExpansion(x, { limit: 5, status: 'active', startingAfter: 'sub_3' }),
    ).toBeUndefined();
    // A truncated expansion answers only when it holds more matches than the page needs.
    const truncated = customer('cus_x', 'x@example.com', subs, true);
    expect(subscriptionsFromExpansion(truncated, { limit: 5, status: 'active' })).toBeUndefined();
    expect(subscriptionsFromExpansion(truncated, { limit: 1, status: 'active' })?.data).toHaveLength(1);
    // Without expansion (a customer retrieved by id), nothing.
    const plain = StripeCustomer.parse({ id: 'cus_y', object: 'customer', created: 1 });
    expect(subscriptionsFromExpansion(plain, { limit: 5, status: 'active' })).toBeUndefined();
  });
});
