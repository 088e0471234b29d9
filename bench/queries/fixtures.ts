/**
 * The static upstream of the query workloads: Stripe-shaped JSON files, built
 * with the Stripe emulator's own object builders so every field the Stripe
 * connector validates is there, for nginx to serve as `GET /v1/invoices` and
 * `GET /v1/customers/<id>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createIdFactory,
  finalizeInvoice,
  newCustomer,
  newInvoice,
  newPrice,
  newProduct,
} from '../../connectors/stripe/sandbox/objects.ts';
import type { StripeCustomer, StripeInvoice } from '../../connectors/stripe/sandbox/objects.ts';
import { mulberry32 } from '../../src/sandbox/demo-world.ts';

/** What the files hold, for checking every server's answer. */
export interface Fixtures {
  invoices: StripeInvoice[];
  customers: Map<string, StripeCustomer>;
}

/**
 * Writes `invoices.json` (one page of `invoiceCount` invoices, as `GET
 * /v1/invoices?limit=100` answers) and `customers/<id>.json` for
 * `customerCount` customers the invoices cycle through, into `dir`.
 */
export function writeFixtures(dir: string, invoiceCount = 100, customerCount = 10): Fixtures {
  const ids = createIdFactory(mulberry32(20_260_101));
  const created = 1_767_225_600;
  const priceId = ids.short('price');
  const product = newProduct(ids.short('prod'), 'Onboarding', created, 'service', priceId);
  const price = newPrice({
    id: priceId,
    product: product.id,
    created,
    unitAmount: 4_900,
    nickname: null,
    lookupKey: null,
    recurring: false,
  });
  const customers = new Map<string, StripeCustomer>();
  const list: StripeCustomer[] = [];
  for (let i = 0; i < customerCount; i += 1) {
    const customer = newCustomer({
      id: ids.short('cus'),
      created: created + i,
      email: `buyer${String(i)}@example.com`,
      name: `Buyer ${String(i)}`,
      phone: null,
      invoicePrefix: `BENCH${String(i).padStart(3, '0')}`,
      currency: 'usd',
    });
    customers.set(customer.id, customer);
    list.push(customer);
  }
  const invoices: StripeInvoice[] = [];
  for (let i = 0; i < invoiceCount; i += 1) {
    const customer = list[i % list.length];
    if (customer === undefined) throw new Error('no customers');
    const at = created + 3600 * (invoiceCount - i);
    const invoice = newInvoice({
      id: ids.long('in'),
      customer,
      created: at,
      billingReason: 'manual',
      collectionMethod: 'send_invoice',
      subscription: null,
      period: { start: at, end: at },
      lines: [
        {
          kind: 'invoiceitem',
          id: ids.long('il'),
          invoiceItem: ids.long('ii'),
          price,
          title: 'Onboarding',
          quantity: 1 + (i % 3),
        },
      ],
    });
    finalizeInvoice(invoice, customer, ids, at);
    invoices.push(invoice);
  }
  mkdirSync(join(dir, 'customers'), { recursive: true });
  writeFileSync(
    join(dir, 'invoices.json'),
    JSON.stringify({ object: 'list', data: invoices, has_more: false, url: '/v1/invoices' }),
  );
  for (const customer of list)
    writeFileSync(join(dir, 'customers', `${customer.id}.json`), JSON.stringify(customer));
  return { invoices, customers };
}

/** The answer every server must give to {@link WORKLOAD_1_QUERY}, from the fixtures. */
export function expectedAnswer(fixtures: Fixtures): unknown {
  return {
    data: {
      invoices: {
        edges: fixtures.invoices.map((invoice) => {
          const customer = fixtures.customers.get(invoice.customer);
          return {
            node: {
              sourceId: invoice.id,
              status: invoice.status.toUpperCase(),
              amountDue: {
                amount: (invoice.amount_due / 100).toFixed(2),
                currencyCode: invoice.currency.toUpperCase(),
              },
              customer: customer
                ? { sourceId: customer.id, name: customer.name, email: customer.email }
                : null,
            },
          };
        }),
      },
    },
  };
}

/**
 * Workload 1, Tailcall's posts+users benchmark in Stripe's shape: one list call
 * and a customer per invoice, 10 distinct customers among 100 invoices.
 */
export const WORKLOAD_1_QUERY =
  '{ invoices(first: 100) { edges { node { sourceId status amountDue { amount currencyCode } customer { sourceId name email } } } } }';
