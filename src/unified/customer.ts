import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import type { CustomerDomain, CustomerPart, SourceScope } from '../connector.ts';
import type { GatewayContext } from '../context.ts';
import { ErrorCode, GatewayError, badUserInput } from '../errors.ts';
import type { GatewayEvent } from '../events/event.ts';
import { eventSubscription } from '../events/resolvers.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { toGlobalId } from '../node-id.ts';
import { decodeCursor, encodeCursor, pageSize } from '../pagination.ts';
import type { Source } from '../sources.ts';

/** What a `Customer` resolves from: the join key, and the name when the directory gave it. */
export interface CustomerModel {
  email: string;
  name?: string | null;
}

/** What a `CustomerEvent` resolves from. */
export interface CustomerEventModel {
  event: GatewayEvent;
  email: string;
}

/** Domains in the order their records are asked for the person's name. */
const NAME_ORDER: readonly CustomerDomain[] = ['app', 'crm', 'billing', 'commerce', 'support'];
/** Domains in the order a customer directory is picked when none is configured. */
const DIRECTORY_ORDER: readonly CustomerDomain[] = ['crm', 'billing', 'commerce', 'app', 'support'];
const FIELD_TYPES: Readonly<Record<CustomerDomain, string>> = {
  billing: 'BillingCustomer',
  crm: 'CrmContact',
  support: 'SupportUser',
  commerce: 'CommerceCustomer',
  app: 'AppUser',
};

interface PartSource {
  source: Source;
  part: CustomerPart<unknown, unknown>;
}

/** Longest address SMTP can carry (RFC 5321's 256-octet path less its angle brackets). */
const MAX_EMAIL_LENGTH = 254;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The join key of a person: the email trimmed and lower-cased. Refuses, before any upstream
 * call, what cannot be an address: too long, control or invisible format characters, no `@`.
 */
export function normalizeEmail(email: string): string {
  const refuse = (why: string) =>
    badUserInput(`Argument "email" must be an email address: ${why}.`, { argument: 'email' });
  if (email.length > MAX_EMAIL_LENGTH)
    throw refuse(`at most ${MAX_EMAIL_LENGTH} characters, got ${email.length}`);
  if (UNPRINTABLE.test(email)) throw refuse('it contains a control or invisible format character');
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized)) throw refuse(`got ${JSON.stringify(email)}`);
  return normalized;
}

/**
 * Resolvers of the unified `Customer`, joined by email across the sources that
 * fill each domain. The gateway knows domains, never which SaaS fills them.
 *
 * @param directory the source name that lists customers, or undefined to pick
 *   the first available in the order crm, billing, commerce, app, support.
 */
export function createCustomerResolvers(
  sources: readonly Source[],
  directory?: string,
): { resolvers: Resolvers; find: (ctx: GatewayContext, email: string) => Promise<CustomerModel | null> } {
  const parts = new Map<CustomerDomain, PartSource>();
  for (const source of sources) {
    const part = source.connector.customer;
    if (part && source.mode !== 'off' && !parts.has(part.domain)) parts.set(part.domain, { source, part });
  }
  const listing =
    directory !== undefined
      ? [...parts.values()].find((p) => p.source.name === directory)
      : DIRECTORY_ORDER.map((d) => parts.get(d)).find((p) => p?.part.directory !== undefined);

  const scopeOf = (ctx: GatewayContext, entry: PartSource): SourceScope<unknown, unknown> =>
    ctx.source(entry.source.name);

  /** The domain's record of the person, null when unknown there or when no source fills the domain. */
  async function record(ctx: GatewayContext, domain: CustomerDomain, email: string): Promise<unknown> {
    const entry = parts.get(domain);
    if (!entry) return null;
    return entry.part.byEmail(scopeOf(ctx, entry), email);
  }

  /** Delegates a shortcut field to the same field of the part's own type, so its logic lives once. */
  function delegate(domain: CustomerDomain, field: string) {
    return async (customer: CustomerModel, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => {
      const found = await record(ctx, domain, customer.email);
      if (found === null) return null;
      const type = info.schema.getType(FIELD_TYPES[domain]) as GraphQLObjectType;
      const resolve = type.getFields()[field]?.resolve;
      return resolve ? resolve(found, args, ctx, info) : null;
    };
  }

  /**
   * The customer if any source the principal may read knows the email; a failing
   * source counts as "may know". Sources it may not read are not asked, so
   * whether they know the person is not revealed.
   */
  async function find(ctx: GatewayContext, email: string): Promise<CustomerModel | null> {
    const readable = [...parts].filter(([, entry]) => ctx.mayRead(entry.source.name));
    if (readable.length === 0 && parts.size > 0) {
      throw new GatewayError(
        ErrorCode.FORBIDDEN,
        'Your credentials may read no part of a customer: that needs a domain scope (billing, crm, support, commerce or app).',
      );
    }
    const found = await Promise.allSettled(readable.map(([domain]) => record(ctx, domain, email)));
    // A failing source may know the person: answer with the customer and let that part carry the error.
    const known = found.some((r) => r.status === 'rejected' || r.value !== null);
    return known ? { email } : null;
  }

  const resolvers: Resolvers = {
    Query: {
      customer: (_parent, args, ctx) => find(ctx, normalizeEmail(args.email)),
      async customers(_parent, args, ctx) {
        if (!listing?.part.directory) {
          throw badUserInput(
            'No source that lists customers is on: configure a CRM, billing or commerce source.',
          );
        }
        const namespace = `customers:${listing.source.name}`;
        const page = await listing.part.directory(scopeOf(ctx, listing), {
          first: pageSize(args.first, 100),
          after: args.after ? decodeCursor(namespace, args.after) : undefined,
          search: args.search ?? undefined,
        });
        const edges = page.people.map((person) => ({
          cursor: encodeCursor(namespace, person.cursor),
          node: { email: person.email.toLowerCase(), name: person.name },
        }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: Boolean(args.after),
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    Subscription: {
      customerChanged: eventSubscription(
        async (args: { email: string; after?: string | null }, ctx) => {
          const email = normalizeEmail(args.email);
          // The person's id in each source catches events that carry no email (a CRM property change).
          const known = await Promise.allSettled(
            [...parts.values()].map(async ({ source, part }) => {
              const found = await part.byEmail(scopeOf(ctx, { source, part }), email);
              return found === null ? null : { source: source.name, id: part.subjectIdOf(found) };
            }),
          );
          const subjects = known.flatMap((r) =>
            r.status === 'fulfilled' && r.value !== null ? [r.value] : [],
          );
          return { emails: [email], subjects };
        },
        (event, args) => ({ event, email: normalizeEmail(args.email) }),
      ),
    },
    CustomerEvent: {
      event: (payload) => payload.event,
      customer: (payload) => ({ email: payload.email }),
    },
    Customer: {
      id: (customer) => toGlobalId('Customer', customer.email),
      async name(customer, _args, ctx) {
        if (customer.name) return customer.name;
        for (const domain of NAME_ORDER) {
          const entry = parts.get(domain);
          if (!entry) continue;
          try {
            const found = await record(ctx, domain, customer.email);
            const name = found === null ? null : entry.part.nameOf(found);
            if (name) return name;
          } catch {
            // The name is a convenience: a failing source is reported on its own field.
          }
        }
        return null;
      },
      billing: (customer, _args, ctx) => record(ctx, 'billing', customer.email) as never,
      crm: (customer, _args, ctx) => record(ctx, 'crm', customer.email) as never,
      support: (customer, _args, ctx) => record(ctx, 'support', customer.email) as never,
      commerce: (customer, _args, ctx) => record(ctx, 'commerce', customer.email) as never,
      app: (customer, _args, ctx) => record(ctx, 'app', customer.email) as never,
      subscriptions: delegate('billing', 'subscriptions') as never,
      invoices: delegate('billing', 'invoices') as never,
    },
  };
  return { resolvers, find };
}
