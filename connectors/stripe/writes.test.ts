import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstream } from '../../src/upstream/create-upstream.ts';
import { collect, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import { createStripeClient, formEncode } from './client.ts';
import type { RunningStripeSandbox } from './sandbox/index.ts';

let t: TestGateway;
let stripe: RunningStripeSandbox;
const EMAIL = 'sam.larsen@umbra.example';

beforeAll(async () => {
  t = await startTestGateway({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '300' });
  stripe = t.stripe as RunningStripeSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  stripe.faults.clear();
  stripe.resetCounters();
});

interface Customer {
  id: string;
  sourceId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  metadata: Record<string, string>;
}

const UPDATE = `mutation ($id: ID!, $input: UpdateBillingCustomerInput!, $key: String) {
  updateBillingCustomer(id: $id, input: $input, idempotencyKey: $key) { id sourceId name email phone metadata }
}`;

async function customerOf(email: string): Promise<Customer> {
  const result = await t.graphql<{ billingCustomerByEmail: Customer }>(
    `query ($email: String!) { billingCustomerByEmail(email: $email) { id sourceId name email phone metadata } }`,
    { email },
  );
  if (!result.data?.billingCustomerByEmail) throw new Error(JSON.stringify(result.errors));
  return result.data.billingCustomerByEmail;
}

const updateEvents = (id: string) =>
  stripe.store.events
    .all()
    .filter((e) => e.type === 'customer.updated' && (e.data.object as { id: string }).id === id);

describe('updateBillingCustomer', () => {
  it('encodes nested keys as Stripe forms do', () => {
    expect(formEncode({ name: 'A B', email: undefined, metadata: { plan: 'pro', 'a b': '' } })).toBe(
      'name=A%20B&metadata%5Bplan%5D=pro&metadata%5Ba%20b%5D=',
    );
  });

  it('writes name and metadata through the form-encoded API, and a query right after shows them', async () => {
    const before = await customerOf(EMAIL);
    const result = await t.graphql<{ updateBillingCustomer: Customer }>(UPDATE, {
      id: before.id,
      input: { name: 'Sam Larsen-Ito', metadata: { plan: 'pro', team: 'north' } },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateBillingCustomer).toMatchObject({
      sourceId: before.sourceId,
      name: 'Sam Larsen-Ito',
      metadata: expect.objectContaining({ plan: 'pro', team: 'north' }) as unknown,
    });
    expect(stripe.store.customers.get(before.sourceId)?.metadata['plan']).toBe('pro');
    const after = await customerOf(EMAIL);
    expect(after.name).toBe('Sam Larsen-Ito');
    // null removes a metadata key (Stripe's empty string), by Stripe's own id this time.
    const cleared = await t.graphql<{ updateBillingCustomer: Customer }>(UPDATE, {
      id: before.sourceId,
      input: { metadata: { team: null } },
    });
    expect(cleared.data?.updateBillingCustomer.metadata['team']).toBeUndefined();
  });

  it('the same key twice is one change at Stripe: Stripe replays the first response', async () => {
    const customer = await customerOf(EMAIL);
    const events = updateEvents(customer.sourceId).length;
    const variables = { id: customer.id, input: { phone: '+1 555 0100' }, key: 'stripe-key-1' };
    const first = await t.graphql<{ updateBillingCustomer: Customer }>(UPDATE, variables);
    const second = await t.graphql<{ updateBillingCustomer: Customer }>(UPDATE, variables);
    expect(second.data).toEqual(first.data);
    expect(stripe.counters()['POST /v1/customers/:id']).toBe(2);
    expect(updateEvents(customer.sourceId).length).toBe(events + 1);
    const keyed = updateEvents(customer.sourceId).filter((e) => e.request.idempotency_key === 'stripe-key-1');
    expect(keyed).toHaveLength(1);
  });

  it("a key reused with other input is Stripe's idempotency_error, as BAD_USER_INPUT", async () => {
    const customer = await customerOf(EMAIL);
    await t.graphql(UPDATE, { id: customer.id, input: { phone: '+1 555 0101' }, key: 'stripe-key-2' });
    const again = await t.graphql(UPDATE, {
      id: customer.id,
      input: { phone: '+1 555 0102' },
      key: 'stripe-key-2',
    });
    const message =
      "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'stripe-key-2' if you meant to execute a different request.";
    expect(again.errors?.[0]?.message).toBe(`Stripe refused the input (idempotencyKey: ${message}).`);
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'stripe',
      upstreamCode: 'idempotency_error',
      fields: [{ field: 'idempotencyKey', message }],
    });
  });

  it('with a key, a timed-out write is retried safely: Stripe sees two attempts, the change happens once', async () => {
    const customer = await customerOf(EMAIL);
    const events = updateEvents(customer.sourceId).length;
    stripe.faults.inject({ endpoint: 'POST /v1/customers/:id', hang: true, times: 1 });
    const result = await t.graphql<{ updateBillingCustomer: Customer }>(UPDATE, {
      id: customer.id,
      input: { phone: '+1 555 0199' },
      key: 'stripe-key-3',
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateBillingCustomer.phone).toBe('+1 555 0199');
    expect(stripe.counters()['POST /v1/customers/:id']).toBe(2);
    expect(updateEvents(customer.sourceId).length).toBe(events + 1);
  });

  it('validation: the gateway checks the input first; Stripe param errors map to the argument path', async () => {
    const customer = await customerOf(EMAIL);
    const local = await t.graphql(UPDATE, {
      id: customer.id,
      input: { email: 'nope', metadata: { ['k'.repeat(41)]: 'v' } },
    });
    expect(local.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'input.email', message: 'must be an email address' },
        { field: `input.metadata.${'k'.repeat(41)}`, message: 'keys must be 1 to 40 characters' },
      ],
    });
    expect(stripe.counters()['POST /v1/customers/:id']).toBeUndefined();
    // Stripe's own refusal, straight from the client (which does not validate).
    const upstream = createUpstream({
      source: 'stripe',
      baseUrl: stripe.baseUrl,
      headers: { authorization: `Bearer ${stripe.apiKey}` },
    });
    const client = createStripeClient(upstream);
    await expect(client.updateCustomer(customer.sourceId, { email: 'a@b' }, 'k-4', {})).rejects.toMatchObject(
      {
        message: 'Stripe refused the input (input.email: Invalid email address: a@b).',
        extensions: {
          code: 'BAD_USER_INPUT',
          upstreamCode: 'email_invalid',
          fields: [{ field: 'input.email', message: 'Invalid email address: a@b' }],
        },
      },
    );
    await upstream.close();
  });

  it('the emulator refuses a JSON body, as Stripe reads only forms', async () => {
    const customer = await customerOf(EMAIL);
    const response = await fetch(`${stripe.baseUrl}/v1/customers/${customer.sourceId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stripe.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('a customerChanged subscriber sees the customer.updated its own mutation caused', async () => {
    const customer = await customerOf(EMAIL);
    const feed = collect<{
      customerChanged: {
        event: { source: string; type: string; data: { data: { object: { name: string } } } };
      };
    }>(
      t.ws(),
      'subscription ($email: String!) { customerChanged(email: $email) { event { source type data } } }',
      { email: EMAIL },
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = await t.graphql(UPDATE, { id: customer.id, input: { name: 'Sam Seen-Live' } });
    expect(result.errors).toBeUndefined();
    const [received] = await feed.done;
    expect(received?.customerChanged.event).toMatchObject({ source: 'stripe', type: 'customer.updated' });
    expect(received?.customerChanged.event.data.data.object.name).toBe('Sam Seen-Live');
  });
});

describe('cancelBillingSubscription', () => {
  function activeSubscription(): string {
    const active = stripe.store.subscriptions
      .all()
      .find((s) => s.status === 'active' && !s.cancel_at_period_end);
    if (!active) throw new Error('no active subscription');
    return active.id;
  }
  const CANCEL = `mutation ($id: ID!, $atPeriodEnd: Boolean) {
    cancelBillingSubscription(id: $id, atPeriodEnd: $atPeriodEnd) { id status cancelAtPeriodEnd }
  }`;

  it('cancels at the period end by default, then at once', async () => {
    const id = activeSubscription();
    const later = await t.graphql<{
      cancelBillingSubscription: { status: string; cancelAtPeriodEnd: boolean };
    }>(CANCEL, { id });
    expect(later.data?.cancelBillingSubscription).toMatchObject({
      status: 'ACTIVE',
      cancelAtPeriodEnd: true,
    });
    const now = await t.graphql<{ cancelBillingSubscription: { status: string } }>(CANCEL, {
      id,
      atPeriodEnd: false,
    });
    expect(now.data?.cancelBillingSubscription.status).toBe('CANCELED');
    expect(stripe.counters()['DELETE /v1/subscriptions/:id']).toBe(1);
    const again = await t.graphql(CANCEL, { id, atPeriodEnd: false });
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'stripe',
      upstreamStatus: 400,
    });
  });
});
