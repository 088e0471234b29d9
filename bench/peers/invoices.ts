/**
 * The workload-1 server the peers run, written the way a team would by hand:
 * the same `invoices { customer }` shape as Switchyard's schema, over the same
 * Stripe-shaped REST upstream, with a DataLoader per request (one GET per
 * distinct customer) and a keep-alive undici pool. Only the GraphQL server
 * around it differs between peers.
 */
import DataLoader from 'dataloader';
import { Pool } from 'undici';

export const typeDefs = /* GraphQL */ `
  type Query {
    invoices(first: Int = 20): InvoiceConnection!
  }
  type InvoiceConnection {
    edges: [InvoiceEdge!]!
  }
  type InvoiceEdge {
    node: Invoice!
  }
  enum InvoiceStatus {
    DRAFT
    OPEN
    PAID
    UNCOLLECTIBLE
    VOID
  }
  type Money {
    amount: String!
    currencyCode: String!
  }
  type Invoice {
    sourceId: ID!
    status: InvoiceStatus
    amountDue: Money!
    customer: BillingCustomer
  }
  type BillingCustomer {
    sourceId: ID!
    name: String
    email: String
  }
`;

interface Invoice {
  id: string;
  status: string | null;
  amount_due: number;
  currency: string;
  customer: string | null;
}
interface Customer {
  id: string;
  name: string | null;
  email: string | null;
}

/** Per-request state: the customer loader. */
export interface PeerContext {
  customers: DataLoader<string, Customer | null>;
}

/** The upstream client and resolvers over `upstreamOrigin`. */
export function invoicesServer(upstreamOrigin: string): {
  resolvers: Record<string, Record<string, unknown>>;
  context: () => PeerContext;
  close: () => Promise<void>;
} {
  const pool = new Pool(upstreamOrigin, { connections: 16 });
  const headers = { authorization: 'Bearer sk_test_bench' };
  async function get<T>(path: string): Promise<T | null> {
    const response = await pool.request({ method: 'GET', path, headers });
    const text = await response.body.text();
    if (response.statusCode === 404) return null;
    if (response.statusCode !== 200) throw new Error(`upstream answered ${String(response.statusCode)}`);
    return JSON.parse(text) as T;
  }
  const resolvers = {
    Query: {
      invoices: async (_: unknown, args: { first: number }) => {
        const page = await get<{ data: Invoice[] }>(`/v1/invoices?limit=${String(args.first)}`);
        return { edges: (page?.data ?? []).map((node) => ({ node })) };
      },
    },
    Invoice: {
      sourceId: (invoice: Invoice) => invoice.id,
      status: (invoice: Invoice) => invoice.status?.toUpperCase() ?? null,
      amountDue: (invoice: Invoice) => ({
        amount: (invoice.amount_due / 100).toFixed(2),
        currencyCode: invoice.currency.toUpperCase(),
      }),
      customer: (invoice: Invoice, _: unknown, context: PeerContext) =>
        invoice.customer === null ? null : context.customers.load(invoice.customer),
    },
    BillingCustomer: {
      sourceId: (customer: Customer) => customer.id,
    },
  };
  const context = (): PeerContext => ({
    customers: new DataLoader((ids: readonly string[]) =>
      Promise.all(ids.map((id) => get<Customer>(`/v1/customers/${encodeURIComponent(id)}`))),
    ),
  });
  return { resolvers, context, close: () => pool.close() };
}

/** The port to listen on (`PORT`, default 0) and the upstream (`UPSTREAM_URL`). */
export function peerSettings(): { port: number; upstream: string } {
  const upstream = process.env['UPSTREAM_URL'];
  if (upstream === undefined) throw new Error('UPSTREAM_URL is required');
  return { port: Number(process.env['PORT'] ?? '0'), upstream };
}
