import type DataLoader from 'dataloader';
import type { SourceScope } from '../../src/connector.ts';
import type { GatewayContext } from '../../src/context.ts';
import { badUserInput } from '../../src/errors.ts';
import { moneyFromDecimal, upstreamMoney } from '../../src/money.ts';
import type { Resolvers } from '../../src/generated/resolvers.ts';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../../src/pagination.ts';
import type { Connection } from '../../src/pagination.ts';
import { MAX_PAGE_SIZE } from './client.ts';
import { hubspotMutations, noteContact } from './writes.ts';
import type { Associated, HubSpotClient, Page } from './client.ts';
import type { HubSpotLoaders, ListArgs } from './loaders.ts';
import type { ObjectType } from './models.ts';
import { sourceIdOf } from '../../src/node-id.ts';

const hubspotOf = (ctx: GatewayContext): SourceScope<HubSpotClient, HubSpotLoaders> =>
  ctx.source<HubSpotClient, HubSpotLoaders>('hubspot');

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Normalizes HubSpot's ISO timestamps (or epoch milliseconds) to `...Z`; null for anything else. */
function isoOrNull(value: string | null): string | null {
  if (value === null) return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
const iso = (value: string): string => isoOrNull(value) ?? value;

/**
 * Where a Relay cursor of a top-level list resumes. HubSpot's `after` tokens
 * are opaque and only mark page boundaries, so an edge inside a page is
 * `o:<skip>:<token of its page>` (fetch that page again, skip what was
 * seen) and the last edge of a page with more is HubSpot's own `n:<paging.next.after>`.
 */
function listPosition(namespace: string, after: string | null | undefined): { after?: string; skip: number } {
  if (!after) return { skip: 0 };
  const value = decodeCursor(namespace, after);
  if (value.startsWith('n:')) return { after: value.slice(2), skip: 0 };
  const match = /^o:(\d{1,3}):(.*)$/s.exec(value);
  if (match === null) {
    throw badUserInput(
      'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
      { argument: 'after' },
    );
  }
  const token = match[2] ?? '';
  return { ...(token === '' ? {} : { after: token }), skip: Number(match[1]) };
}

/** A top-level list as a Relay connection over HubSpot's `limit`/`after` paging. */
async function listConnection<T extends { id: string }>(
  namespace: string,
  loader: DataLoader<ListArgs, Page<T>, string>,
  args: PageArgs,
): Promise<Connection<T>> {
  const first = pageSize(args.first, MAX_PAGE_SIZE);
  const position = listPosition(namespace, args.after);
  const page = await loader.load({
    limit: Math.min(MAX_PAGE_SIZE, position.skip + first),
    after: position.after,
  });
  const nodes = page.results.slice(position.skip, position.skip + first);
  const lastOfPage = position.skip + nodes.length === page.results.length;
  const entries = nodes.map((node, i) => ({
    node,
    cursor:
      i === nodes.length - 1 && lastOfPage && page.nextAfter !== null
        ? `n:${page.nextAfter}`
        : `o:${position.skip + i + 1}:${position.after ?? ''}`,
  }));
  const connection = toConnection(
    entries,
    (entry) => encodeCursor(namespace, entry.cursor),
    page.nextAfter !== null,
    Boolean(args.after),
  );
  return unwrap(connection);
}

/** A connection of `{ node }` entries as a connection of the nodes. */
function unwrap<T>(connection: Connection<{ node: T }>): Connection<T> {
  return {
    edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: edge.node.node })),
    pageInfo: connection.pageInfo,
  };
}

/**
 * The records associated with a parent, as a Relay connection: the v4
 * associations read gives the whole list of ids (every page followed), the
 * page is cut here and only its records are batch-read. Associations to
 * records deleted since are left out.
 */
async function associatedConnection<T>(
  namespace: string,
  readAssociations: () => Promise<Associated[]>,
  loader: DataLoader<string, T | null>,
  args: PageArgs,
): Promise<Connection<T>> {
  // A page size out of range is refused before the associations are read.
  const first = pageSize(args.first, MAX_PAGE_SIZE);
  const associated = await readAssociations();
  let start = 0;
  if (args.after) {
    const id = decodeCursor(namespace, args.after);
    const index = associated.findIndex((a) => a.id === id);
    if (index < 0) {
      throw badUserInput(
        'Argument "after" names a record that is no longer in this list: start again without "after".',
        { argument: 'after' },
      );
    }
    start = index + 1;
  }
  const slice = associated.slice(start, start + first);
  const loaded = await Promise.all(slice.map((a) => loader.load(a.id).then((node) => ({ id: a.id, node }))));
  const present = loaded.filter((entry): entry is { id: string; node: T } => entry.node !== null);
  return unwrap(
    toConnection(
      present,
      (entry) => encodeCursor(namespace, entry.id),
      start + first < associated.length,
      start > 0,
    ),
  );
}

/** The primary association (HubSpot's `Primary` label), else the first one. */
function primaryOf(associated: Associated[]): Associated | undefined {
  return associated.find((a) => a.primary) ?? associated[0];
}

function associations(ctx: GatewayContext, from: ObjectType, to: ObjectType, id: string) {
  return hubspotOf(ctx).loaders.associations(from, to).load(id);
}

function fullName(first: string | null, last: string | null): string | null {
  const name = [first, last].filter((part) => part !== null && part.trim() !== '').join(' ');
  return name === '' ? null : name;
}

export const hubspotResolvers: Resolvers = {
  Mutation: hubspotMutations,
  CrmNote: {
    body: (note) => note.properties.hs_note_body,
    timestamp: (note) => note.properties.hs_timestamp,
    createdAt: (note) => note.createdAt,
    contact: (note, _args, ctx) => noteContact(note, ctx),
  },
  Query: {
    crmContacts: (_parent, args, ctx) =>
      listConnection('crm-contacts', hubspotOf(ctx).loaders.contacts, args),
    async crmContact(_parent, args, ctx) {
      const { client, loaders, call } = hubspotOf(ctx);
      const found = await client.getObject('contacts', sourceIdOf('CrmContact', args.id), call);
      if (found !== null) loaders.contact.prime(found.id, found);
      return found;
    },
    crmContactByEmail(_parent, args, ctx) {
      const email = args.email.trim().toLowerCase();
      return email === '' ? null : hubspotOf(ctx).loaders.contactByEmail.load(email);
    },
    crmCompanies: (_parent, args, ctx) =>
      listConnection('crm-companies', hubspotOf(ctx).loaders.companies, args),
    async crmCompany(_parent, args, ctx) {
      const { client, loaders, call } = hubspotOf(ctx);
      const found = await client.getObject('companies', sourceIdOf('CrmCompany', args.id), call);
      if (found !== null) loaders.company.prime(found.id, found);
      return found;
    },
    crmDeals: (_parent, args, ctx) => listConnection('crm-deals', hubspotOf(ctx).loaders.deals, args),
    async crmDeal(_parent, args, ctx) {
      const { client, loaders, call } = hubspotOf(ctx);
      const found = await client.getObject('deals', sourceIdOf('CrmDeal', args.id), call);
      if (found !== null) loaders.deal.prime(found.id, found);
      return found;
    },
  },
  CrmContact: {
    email: (c) => c.properties.email,
    firstName: (c) => c.properties.firstname,
    lastName: (c) => c.properties.lastname,
    name: (c) => fullName(c.properties.firstname, c.properties.lastname),
    phone: (c) => c.properties.phone,
    jobTitle: (c) => c.properties.jobtitle,
    lifecycleStage: (c) => c.properties.lifecyclestage,
    createdAt: (c) => iso(c.createdAt),
    updatedAt: (c) => iso(c.updatedAt),
    async company(c, _args, ctx) {
      const primary = primaryOf(await associations(ctx, 'contacts', 'companies', c.id));
      return primary === undefined ? null : hubspotOf(ctx).loaders.company.load(primary.id);
    },
    async deals(c, args, ctx) {
      return associatedConnection(
        `crm-contact-${c.id}-deals`,
        () => associations(ctx, 'contacts', 'deals', c.id),
        hubspotOf(ctx).loaders.deal,
        args,
      );
    },
  },
  CrmCompany: {
    name: (c) => c.properties.name,
    domain: (c) => c.properties.domain,
    industry: (c) => c.properties.industry,
    createdAt: (c) => iso(c.createdAt),
    updatedAt: (c) => iso(c.updatedAt),
    async contacts(c, args, ctx) {
      return associatedConnection(
        `crm-company-${c.id}-contacts`,
        () => associations(ctx, 'companies', 'contacts', c.id),
        hubspotOf(ctx).loaders.contact,
        args,
      );
    },
    async deals(c, args, ctx) {
      return associatedConnection(
        `crm-company-${c.id}-deals`,
        () => associations(ctx, 'companies', 'deals', c.id),
        hubspotOf(ctx).loaders.deal,
        args,
      );
    },
  },
  CrmDeal: {
    name: (d) => d.properties.dealname,
    stage: (d) => d.properties.dealstage,
    async amount(d, _args, ctx) {
      const { amount, deal_currency_code: dealCurrency } = d.properties;
      if (amount === null) return null;
      // A deal in a multi-currency account names its currency; otherwise it is in the company currency.
      const currency = dealCurrency ?? (await hubspotOf(ctx).loaders.companyCurrency.load('account'));
      return upstreamMoney({ source: 'hubspot', title: 'HubSpot', field: 'deal amount' }, () =>
        moneyFromDecimal(amount, currency),
      );
    },
    closeDate: (d) => isoOrNull(d.properties.closedate),
    pipeline: (d) => d.properties.pipeline,
    createdAt: (d) => iso(d.createdAt),
    updatedAt: (d) => iso(d.updatedAt),
    async contacts(d, args, ctx) {
      return associatedConnection(
        `crm-deal-${d.id}-contacts`,
        () => associations(ctx, 'deals', 'contacts', d.id),
        hubspotOf(ctx).loaders.contact,
        args,
      );
    },
    async company(d, _args, ctx) {
      const primary = primaryOf(await associations(ctx, 'deals', 'companies', d.id));
      return primary === undefined ? null : hubspotOf(ctx).loaders.company.load(primary.id);
    },
  },
};
