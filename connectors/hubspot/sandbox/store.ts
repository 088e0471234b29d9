/**
 * The emulator's CRM data and HubSpot's read semantics over it: records with
 * string properties, lists paged by `after`, batch reads (by id or by email)
 * answering 207 for what is missing, and v4 associations with their type ids.
 */
import { randomUUID } from 'node:crypto';

export type CrmType = 'contacts' | 'companies' | 'deals';

/** A CRM record as HubSpot stores it: every property value a string. */
export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
  /** ISO-8601 with milliseconds. */
  createdAt: string;
  updatedAt: string;
}

/** HubSpot's error body: `{ status: "error", message, correlationId, category, ... }`. */
export type HubSpotErrorBody = Record<string, unknown> & {
  status: 'error';
  message: string;
  correlationId: string;
};

/** A HubSpot API error, thrown by the store and rendered by the routes. */
export class HubSpotApiError extends Error {
  readonly status: number;
  /** The body, or an empty string for HubSpot's body-less answers. */
  readonly body: HubSpotErrorBody | '';

  constructor(status: number, body: HubSpotErrorBody | '') {
    super(body === '' ? `HTTP ${status}` : body.message);
    this.status = status;
    this.body = body;
  }
}

/** HubSpot's error body, with a fresh correlation id. */
export function errorBody(
  message: string,
  category: string,
  extra: Record<string, unknown> = {},
): HubSpotErrorBody {
  return { status: 'error', message, correlationId: randomUUID(), ...extra, category };
}

export function validationError(message: string, extra: Record<string, unknown> = {}): HubSpotApiError {
  return new HubSpotApiError(400, errorBody(message, 'VALIDATION_ERROR', extra));
}

/** Singular names, as HubSpot's messages use them (`CONTACT`, `No company is associated with contact 1.`). */
export const SINGULAR: Readonly<Record<CrmType, string>> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
};

const TYPE_ALIASES: Readonly<Record<string, CrmType>> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
};

/** The object type a path names (`contacts`, `contact` or `0-1`), or HubSpot's 400. */
export function objectType(name: string): CrmType {
  const type = TYPE_ALIASES[name.toLowerCase()];
  if (type === undefined) throw validationError(`Unable to infer object type from: ${name}`);
  return type;
}

/** The property HubSpot keeps the last-modified time in (contacts differ from the rest). */
export const MODIFIED_PROPERTY: Readonly<Record<CrmType, string>> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** Properties returned when a request names none. */
const DEFAULT_PROPERTIES: Readonly<Record<CrmType, readonly string[]>> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
};

/** Every property the emulated account defines; requested ones it lacks are ignored, as HubSpot does. */
export const DEFINED_PROPERTIES: Readonly<Record<CrmType, readonly string[]>> = {
  contacts: [
    ...DEFAULT_PROPERTIES.contacts,
    'company',
    'jobtitle',
    'lifecyclestage',
    'phone',
    'hs_merged_object_ids',
  ],
  companies: [...DEFAULT_PROPERTIES.companies, 'industry', 'hs_merged_object_ids'],
  deals: [...DEFAULT_PROPERTIES.deals, 'deal_currency_code', 'hs_merged_object_ids'],
};

/** An association type as v4 reports it. */
export interface AssociationType {
  category: 'HUBSPOT_DEFINED';
  typeId: number;
  label: string | null;
}

/** HubSpot-defined association type ids: unlabeled, and the primary label where the pair has one. */
const ASSOCIATION_TYPE_IDS: Readonly<Record<string, { unlabeled: number; primary?: number }>> = {
  'contacts/companies': { unlabeled: 279, primary: 1 },
  'companies/contacts': { unlabeled: 280, primary: 2 },
  'deals/contacts': { unlabeled: 3 },
  'contacts/deals': { unlabeled: 4 },
  'deals/companies': { unlabeled: 341, primary: 5 },
  'companies/deals': { unlabeled: 342, primary: 6 },
};

function associationTypes(from: CrmType, to: CrmType, primary: boolean): AssociationType[] {
  const ids = ASSOCIATION_TYPE_IDS[`${from}/${to}`];
  if (ids === undefined) return [];
  const types: AssociationType[] = [];
  if (primary && ids.primary !== undefined) {
    types.push({ category: 'HUBSPOT_DEFINED', typeId: ids.primary, label: 'Primary' });
  }
  types.push({ category: 'HUBSPOT_DEFINED', typeId: ids.unlabeled, label: null });
  return types;
}

/** Associations listed per record and page in v4 reads. */
export const ASSOCIATIONS_PAGE_SIZE = 500;

/** `limit` of lists: 1 to 100, default 10. */
export function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return 10;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > 100) {
    throw validationError(`limit must be an integer between 1 and 100, got: ${raw}`);
  }
  return limit;
}

/** `properties=a,b` (or repeated `properties=a&properties=b`). */
export function requestedProperties(values: readonly string[]): string[] | undefined {
  const names = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return names.length === 0 ? undefined : names;
}

/** Everything the emulated HubSpot account holds. */
export class CrmStore {
  readonly records: Readonly<Record<CrmType, Map<string, CrmRecord>>> = {
    contacts: new Map(),
    companies: new Map(),
    deals: new Map(),
  };
  /** Lower-case email → contact id (HubSpot stores emails lower-cased and keeps them unique). */
  readonly contactByEmail = new Map<string, string>();
  /** `type:id` → to-type → associated ids with their types, in the order they were made. */
  private readonly links = new Map<string, Map<CrmType, Map<string, AssociationType[]>>>();
  private sortedIds: Partial<Record<CrmType, string[]>> = {};

  put(type: CrmType, record: CrmRecord): void {
    const previous = this.records[type].get(record.id);
    this.records[type].set(record.id, record);
    if (previous === undefined) this.sortedIds[type] = undefined;
    if (type === 'contacts') {
      const oldEmail = previous?.properties['email']?.toLowerCase();
      if (oldEmail !== undefined) this.contactByEmail.delete(oldEmail);
      const email = record.properties['email']?.toLowerCase();
      if (email !== undefined) this.contactByEmail.set(email, record.id);
    }
  }

  get(type: CrmType, id: string): CrmRecord | undefined {
    return this.records[type].get(id);
  }

  /** Sets properties on a record, as a PATCH would; returns the names whose value changed. */
  update(type: CrmType, id: string, changes: Record<string, string | null>, at: string): string[] {
    const record = this.get(type, id);
    if (record === undefined) return [];
    const changed = Object.keys(changes).filter(
      (name) => (record.properties[name] ?? null) !== changes[name],
    );
    if (changed.length === 0) return [];
    const next: CrmRecord = {
      ...record,
      properties: { ...record.properties, ...changes, [MODIFIED_PROPERTY[type]]: at },
      updatedAt: at,
    };
    this.put(type, next);
    return changed;
  }

  /** Ids of a type in HubSpot's list order: ascending record id. */
  ids(type: CrmType): readonly string[] {
    const cached = this.sortedIds[type];
    if (cached !== undefined) return cached;
    const sorted = [...this.records[type].keys()].sort((a, b) => Number(a) - Number(b));
    this.sortedIds[type] = sorted;
    return sorted;
  }

  /** Associates two records both ways; `primary` adds HubSpot's `Primary` label where the pair has one. */
  associate(aType: CrmType, aId: string, bType: CrmType, bId: string, primary = false): void {
    this.link(aType, aId, bType, bId, associationTypes(aType, bType, primary));
    this.link(bType, bId, aType, aId, associationTypes(bType, aType, primary));
  }

  private link(from: CrmType, fromId: string, to: CrmType, toId: string, types: AssociationType[]): void {
    const key = `${from}:${fromId}`;
    let byType = this.links.get(key);
    if (byType === undefined) {
      byType = new Map();
      this.links.set(key, byType);
    }
    let targets = byType.get(to);
    if (targets === undefined) {
      targets = new Map();
      byType.set(to, targets);
    }
    targets.set(toId, types);
  }

  /** The records of type `to` associated with a record, with their association types. */
  associated(from: CrmType, fromId: string, to: CrmType): { id: string; types: AssociationType[] }[] {
    const targets = this.links.get(`${from}:${fromId}`)?.get(to);
    return targets === undefined ? [] : [...targets].map(([id, types]) => ({ id, types }));
  }

  /** A record as the API shows it, with the requested properties (or the defaults) plus the ones always sent. */
  render(
    type: CrmType,
    record: CrmRecord,
    requested: readonly string[] | undefined,
  ): Record<string, unknown> {
    const defined = DEFINED_PROPERTIES[type];
    const names = new Set([
      ...(requested ?? DEFAULT_PROPERTIES[type]).filter((name) => defined.includes(name)),
      'createdate',
      'hs_object_id',
      MODIFIED_PROPERTY[type],
    ]);
    const properties: Record<string, string | null> = {};
    for (const name of [...names].sort()) properties[name] = record.properties[name] ?? null;
    return {
      id: record.id,
      properties,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      archived: false,
    };
  }
}
