import DataLoader from 'dataloader';
import { memoLoader } from '../../src/loaders.ts';
import type { CallOptions } from '../../src/upstream/types.ts';
import { MAX_ASSOCIATION_BATCH, MAX_OBJECT_BATCH, keyFailure } from './client.ts';
import type { Associated, BatchRead, HubSpotClient, Page } from './client.ts';
import type { HubSpotCompany, HubSpotContact, HubSpotDeal, ObjectType } from './models.ts';

/** Pages of one association list followed per record before giving up (500 associations a page). */
const MAX_ASSOCIATION_PAGES = 20;

/** Page arguments of a CRM list. */
export interface ListArgs {
  limit: number;
  after?: string | undefined;
}

/** The HubSpot DataLoaders of one GraphQL request. */
export interface HubSpotLoaders {
  /** Contacts by record id, through batch/read (100 a call); unknown ids resolve null. */
  contact: DataLoader<string, HubSpotContact | null>;
  /**
   * Contacts by email, through batch/read with `idProperty: "email"` (100 a
   * call). Keys must be lower-case (HubSpot stores emails lower-cased); unknown emails resolve null.
   */
  contactByEmail: DataLoader<string, HubSpotContact | null>;
  company: DataLoader<string, HubSpotCompany | null>;
  deal: DataLoader<string, HubSpotDeal | null>;
  /**
   * Records associated with a record, in one direction (`contacts` → `companies`),
   * through the v4 associations batch/read (1000 records a call), every page followed.
   */
  associations(from: ObjectType, to: ObjectType): DataLoader<string, Associated[]>;
  contacts: DataLoader<ListArgs, Page<HubSpotContact>, string>;
  companies: DataLoader<ListArgs, Page<HubSpotCompany>, string>;
  deals: DataLoader<ListArgs, Page<HubSpotDeal>, string>;
  /** The account's company currency (`account`, the only key), read once per request and only when needed. */
  companyCurrency: DataLoader<'account', string>;
}

interface CrmRecord {
  id: string;
  properties: { hs_merged_object_ids: string | null };
}

/** The ids a record answers to: its own, and those of records merged into it. */
function idsOf(record: CrmRecord): string[] {
  const merged = (record.properties.hs_merged_object_ids ?? '')
    .split(';')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  return [record.id, ...merged];
}

/**
 * A loader over a batch/read: results come back in any order, so they are
 * mapped back by key (`keysOf`), never by position; keys HubSpot does not
 * return resolve null, keys it reports as failed get their own error.
 */
function batchLoader<V>(
  read: (keys: readonly string[]) => Promise<BatchRead<V>>,
  keysOf: (value: V) => string[],
): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(
    async (keys) => {
      const batch = await read(keys);
      const byKey = new Map<string, V>();
      for (const value of batch.results) {
        for (const key of keysOf(value)) if (!byKey.has(key)) byKey.set(key, value);
      }
      return keys.map((key) => {
        const failure = batch.failed.get(key);
        if (failure !== undefined) return keyFailure(key, failure);
        return byKey.get(key) ?? null;
      });
    },
    { maxBatchSize: MAX_OBJECT_BATCH },
  );
}

/** Builds the HubSpot loaders of one request; objects seen anywhere are primed into their by-id loader. */
export function createHubSpotLoaders(client: HubSpotClient, call: CallOptions): HubSpotLoaders {
  const contactByEmail = batchLoader<HubSpotContact>(
    async (emails) => {
      const batch = await client.batchReadObjects('contacts', emails, { idProperty: 'email' }, call);
      for (const found of batch.results) contact.prime(found.id, found);
      return batch;
    },
    (found) => (found.properties.email === null ? [] : [found.properties.email.toLowerCase()]),
  );
  const contact: DataLoader<string, HubSpotContact | null> = batchLoader<HubSpotContact>(async (ids) => {
    const batch = await client.batchReadObjects('contacts', ids, {}, call);
    for (const found of batch.results) {
      if (found.properties.email !== null) contactByEmail.prime(found.properties.email.toLowerCase(), found);
    }
    return batch;
  }, idsOf);
  const company = batchLoader<HubSpotCompany>(
    (ids) => client.batchReadObjects('companies', ids, {}, call),
    idsOf,
  );
  const deal = batchLoader<HubSpotDeal>((ids) => client.batchReadObjects('deals', ids, {}, call), idsOf);

  const associationLoaders = new Map<string, DataLoader<string, Associated[]>>();
  function associations(from: ObjectType, to: ObjectType): DataLoader<string, Associated[]> {
    const name = `${from}/${to}`;
    let loader = associationLoaders.get(name);
    if (loader === undefined) {
      loader = new DataLoader<string, Associated[]>(
        async (ids) => {
          const all = new Map<string, Associated[]>();
          const failed = new Map<string, string>();
          let pending: { id: string; after?: string }[] = ids.map((id) => ({ id }));
          for (let page = 0; pending.length > 0 && page < MAX_ASSOCIATION_PAGES; page++) {
            const read = await client.batchReadAssociations(from, to, pending, call);
            const next: { id: string; after: string }[] = [];
            for (const input of pending) {
              const failure = read.failed.get(input.id);
              if (failure !== undefined) failed.set(input.id, failure);
              const found = read.found.get(input.id);
              if (found === undefined) continue;
              all.set(input.id, [...(all.get(input.id) ?? []), ...found.to]);
              if (found.after !== null) next.push({ id: input.id, after: found.after });
            }
            pending = next;
          }
          return ids.map((id) => {
            const failure = failed.get(id);
            return failure === undefined ? (all.get(id) ?? []) : keyFailure(id, failure);
          });
        },
        { maxBatchSize: MAX_ASSOCIATION_BATCH },
      );
      associationLoaders.set(name, loader);
    }
    return loader;
  }

  function list<V extends { id: string }>(
    fetch: (args: ListArgs) => Promise<Page<V>>,
    prime: DataLoader<string, V | null>,
  ): DataLoader<ListArgs, Page<V>, string> {
    return memoLoader(async (args: ListArgs) => {
      const page = await fetch(args);
      for (const item of page.results) prime.prime(item.id, item);
      return page;
    });
  }

  return {
    contact,
    contactByEmail,
    company,
    deal,
    associations,
    contacts: list((args) => client.listObjects('contacts', args, call), contact),
    companies: list((args) => client.listObjects('companies', args, call), company),
    deals: list((args) => client.listObjects('deals', args, call), deal),
    companyCurrency: new DataLoader<'account', string>(async (keys) => {
      const currency = await client.companyCurrency(call);
      return keys.map(() => currency);
    }),
  };
}
