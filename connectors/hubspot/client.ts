import type { z } from 'zod';
import { ErrorCode, GatewayError } from '../../src/errors.ts';
import { parseUpstream, upstreamError } from '../../src/upstream/http-errors.ts';
import type { CallOptions, Upstream, UpstreamResponse } from '../../src/upstream/types.ts';
import {
  AssociationBatch,
  HubSpotAccountDetails,
  HubSpotErrorBody,
  HubSpotNoteBody,
  OBJECT_MODELS,
  OBJECT_PROPERTIES,
  hubspotBatch,
  hubspotList,
} from './models.ts';
import type { BatchError, HubSpotContact, HubSpotNote, HubSpotObject, ObjectType } from './models.ts';
import { invalidFields } from '../../src/writes/write-errors.ts';

/** HubSpot's association type id of a note to a contact. */
export const NOTE_TO_CONTACT = 202;

const source = 'hubspot';
const title = 'HubSpot';

/** Largest `limit` of a CRM list page. */
export const MAX_PAGE_SIZE = 100;
/** Largest `inputs` of `POST /crm/v3/objects/{type}/batch/read`. */
export const MAX_OBJECT_BATCH = 100;
/** Largest `inputs` of `POST /crm/v4/associations/{from}/{to}/batch/read` (since February 2025). */
export const MAX_ASSOCIATION_BATCH = 1000;

/** One page of a CRM list. */
export interface Page<T> {
  results: T[];
  /** `paging.next.after`: the token of the next page, or null on the last one. */
  nextAfter: string | null;
}

/** What a batch read found, by key; keys in neither `found` nor `failed` do not exist. */
export interface BatchRead<T> {
  /** The objects HubSpot returned, in its (arbitrary) order. */
  results: T[];
  /** Keys HubSpot reported as failing for another reason than "not found", with its message. */
  failed: Map<string, string>;
}

/** An association of one record to another. */
export interface Associated {
  /** The associated record's id. */
  id: string;
  /** Whether one of the association's labels is HubSpot's `Primary`. */
  primary: boolean;
}

/** What an associations batch read found for each requested record. */
export interface AssociationRead {
  /** From-record id → its associations on this page, and the token of the next page. */
  found: Map<string, { to: Associated[]; after: string | null }>;
  /** From-record ids HubSpot reported as failing for another reason than "none found". */
  failed: Map<string, string>;
}

/** Typed operations of the HubSpot CRM API, one per upstream call; every body is zod-parsed. */
export interface HubSpotClient {
  /** `GET /crm/v3/objects/{type}?limit&after&properties`. */
  listObjects<T extends ObjectType>(
    type: T,
    page: { limit: number; after?: string | undefined },
    call: CallOptions,
  ): Promise<Page<HubSpotObject<T>>>;
  /** `GET /crm/v3/objects/{type}/{id}`; resolves null for an unknown id (404). */
  getObject<T extends ObjectType>(type: T, id: string, call: CallOptions): Promise<HubSpotObject<T> | null>;
  /**
   * `POST /crm/v3/objects/{type}/batch/read` for at most {@link MAX_OBJECT_BATCH}
   * ids, or contact emails with `idProperty: "email"`. Missing keys are not an error.
   */
  batchReadObjects<T extends ObjectType>(
    type: T,
    keys: readonly string[],
    options: { idProperty?: 'email' | undefined },
    call: CallOptions,
  ): Promise<BatchRead<HubSpotObject<T>>>;
  /**
   * `POST /crm/v4/associations/{from}/{to}/batch/read` for at most
   * {@link MAX_ASSOCIATION_BATCH} records; `after` continues a record's list.
   */
  batchReadAssociations(
    from: ObjectType,
    to: ObjectType,
    inputs: readonly { id: string; after?: string | undefined }[],
    call: CallOptions,
  ): Promise<AssociationRead>;
  /** `GET /account-info/v3/details`: the account's company currency, upper case (`USD`). */
  companyCurrency(call: CallOptions): Promise<string>;
  /**
   * `PATCH /crm/v3/objects/contacts/{id}` with `{ properties }` (retried like a
   * PUT: it only sets values), then the contact read back with every property
   * the gateway shows (the PATCH answer carries only some). Null for an unknown id.
   */
  updateContact(
    id: string,
    properties: Readonly<Record<string, string>>,
    call: CallOptions,
  ): Promise<HubSpotContact | null>;
  /**
   * `POST /crm/v3/objects/notes` associated with the contact (type 202): never
   * retried, HubSpot has no idempotency keys and would create it twice.
   */
  createNote(contactId: string, body: string, at: Date, call: CallOptions): Promise<HubSpotNote>;
  /** `GET /crm/v3/objects/notes/{id}?associations=contacts`; null for an unknown id. */
  getNote(id: string, call: CallOptions): Promise<HubSpotNote | null>;
}

/** HubSpot property names as the mutations' argument paths. */
const WRITE_FIELDS: Readonly<Record<string, string>> = {
  email: 'input.email',
  firstname: 'input.firstName',
  lastname: 'input.lastName',
  phone: 'input.phone',
  jobtitle: 'input.jobTitle',
  lifecyclestage: 'input.lifecycleStage',
  hs_note_body: 'body',
};

/** A refused write: each `errors[]` entry with its `context.propertyName`; a 409 (email taken) names the email. */
function failWrite(response: UpstreamResponse): never {
  const parsed = HubSpotErrorBody.safeParse(response.json);
  const body = parsed.success ? parsed.data : undefined;
  if (response.status === 409 && body?.message !== undefined) {
    throw invalidFields(title, [{ field: 'input.email', message: body.message }], {
      source,
      details: { upstreamStatus: 409, upstreamCode: body.category ?? 'CONFLICT' },
    });
  }
  if (response.status === 400 && body?.category === 'VALIDATION_ERROR') {
    const fields = (body.errors ?? []).flatMap((error) =>
      (error.context?.['propertyName'] ?? []).map((name) => ({
        field: WRITE_FIELDS[name] ?? `input.properties.${name}`,
        message: error.message ?? 'is invalid',
      })),
    );
    if (fields.length > 0) {
      throw invalidFields(title, fields, {
        source,
        details: { upstreamStatus: 400, upstreamCode: 'VALIDATION_ERROR' },
      });
    }
  }
  fail(response);
}

const noteOf = (note: z.infer<typeof HubSpotNoteBody>, contactId?: string): HubSpotNote => ({
  ...note,
  contactId: contactId ?? note.associations?.contacts?.results[0]?.id ?? null,
});

function fail(response: UpstreamResponse): never {
  const parsed = HubSpotErrorBody.safeParse(response.json);
  const body = parsed.success ? parsed.data : undefined;
  const detail = body?.errors?.map((e) => e.message).filter((m) => m !== undefined && m !== '') ?? [];
  const message = [body?.message, ...detail].filter((m) => m !== undefined && m !== '').join(' ');
  throw upstreamError({
    source,
    title,
    response,
    message: message === '' ? undefined : message,
    upstreamCode: body?.policyName ?? body?.category ?? body?.errorType,
    credentialsVariable: 'HUBSPOT_ACCESS_TOKEN',
  });
}

/** `errors` entries that only say a key does not exist, or has nothing associated. */
function isNotFound(error: BatchError): boolean {
  return (
    error.category === 'OBJECT_NOT_FOUND' || error.subCategory === 'crm.associations.NO_ASSOCIATIONS_FOUND'
  );
}

/** The keys a batch error names (`context.ids` for objects, `context.fromObjectId` for associations). */
function keysOf(error: BatchError): string[] {
  return [...(error.context?.['ids'] ?? []), ...(error.context?.['fromObjectId'] ?? [])];
}

/** Builds the HubSpot client over the shared upstream layer. */
export function createHubSpotClient(upstream: Upstream): HubSpotClient {
  async function post<T extends z.ZodType>(
    operation: string,
    path: string,
    body: unknown,
    schema: T,
    call: CallOptions,
  ): Promise<z.infer<T>> {
    const response = await upstream.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // Batch reads are reads sent as POST: safe to retry like a GET.
      idempotent: true,
      operation,
      ...call,
    });
    // 207 Multi-Status: part of the inputs failed (a missing id is reported this way).
    if (response.status !== 200 && response.status !== 207) fail(response);
    return parseUpstream(schema, response, { source, title, operation });
  }

  return {
    async updateContact(id, properties, call) {
      if (!/^\d{1,20}$/.test(id)) return null;
      const response = await upstream.request({
        method: 'PATCH',
        path: `/crm/v3/objects/contacts/${id}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties }),
        // Setting properties twice leaves them as once: safe to retry.
        idempotent: true,
        operation: 'contacts.update',
        ...call,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) failWrite(response);
      return this.getObject('contacts', id, call);
    },
    async createNote(contactId, body, at, call) {
      const operation = 'notes.create';
      const response = await upstream.request({
        method: 'POST',
        path: '/crm/v3/objects/notes',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          properties: { hs_note_body: body, hs_timestamp: at.toISOString() },
          associations: [
            {
              to: { id: contactId },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_CONTACT }],
            },
          ],
        }),
        operation,
        ...call,
      });
      if (response.status !== 201 && response.status !== 200) failWrite(response);
      return noteOf(parseUpstream(HubSpotNoteBody, response, { source, title, operation }), contactId);
    },
    async getNote(id, call) {
      if (!/^\d{1,20}$/.test(id)) return null;
      const operation = 'notes.get';
      const response = await upstream.request({
        method: 'GET',
        path: `/crm/v3/objects/notes/${id}`,
        query: { properties: 'hs_note_body,hs_timestamp', associations: 'contacts' },
        operation,
        ...call,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) fail(response);
      return noteOf(parseUpstream(HubSpotNoteBody, response, { source, title, operation }));
    },
    async companyCurrency(call) {
      const operation = 'account.details';
      const response = await upstream.request({
        method: 'GET',
        path: '/account-info/v3/details',
        operation,
        ...call,
      });
      if (response.status !== 200) fail(response);
      return parseUpstream(HubSpotAccountDetails, response, {
        source,
        title,
        operation,
      }).companyCurrency.toUpperCase();
    },
    async listObjects(type, page, call) {
      const operation = `${type}.list`;
      const response = await upstream.request({
        method: 'GET',
        path: `/crm/v3/objects/${type}`,
        query: {
          limit: page.limit,
          after: page.after,
          properties: OBJECT_PROPERTIES[type].join(','),
          archived: 'false',
        },
        operation,
        ...call,
      });
      if (response.status !== 200) fail(response);
      const list = parseUpstream(hubspotList(OBJECT_MODELS[type]), response, { source, title, operation });
      return {
        results: list.results as HubSpotObject<typeof type>[],
        nextAfter: list.paging?.next?.after ?? null,
      };
    },

    async getObject(type, id, call) {
      const operation = `${type}.get`;
      const response = await upstream.request({
        method: 'GET',
        path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
        query: { properties: OBJECT_PROPERTIES[type].join(','), archived: 'false' },
        operation,
        ...call,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) fail(response);
      return parseUpstream(OBJECT_MODELS[type], response, { source, title, operation }) as HubSpotObject<
        typeof type
      >;
    },

    async batchReadObjects(type, keys, options, call) {
      if (keys.length > MAX_OBJECT_BATCH) {
        throw new RangeError(
          `HubSpot batch reads take at most ${MAX_OBJECT_BATCH} inputs; got ${keys.length}.`,
        );
      }
      const body = {
        inputs: keys.map((id) => ({ id })),
        properties: OBJECT_PROPERTIES[type],
        propertiesWithHistory: [],
        ...(options.idProperty === undefined ? {} : { idProperty: options.idProperty }),
      };
      const batch = await post(
        `${type}.batchRead`,
        `/crm/v3/objects/${type}/batch/read`,
        body,
        hubspotBatch(OBJECT_MODELS[type]),
        call,
      );
      const failed = new Map<string, string>();
      for (const error of batch.errors) {
        if (isNotFound(error)) continue;
        for (const key of keysOf(error)) failed.set(key, error.message);
      }
      return { results: batch.results as HubSpotObject<typeof type>[], failed };
    },

    async batchReadAssociations(from, to, inputs, call) {
      if (inputs.length > MAX_ASSOCIATION_BATCH) {
        throw new RangeError(
          `HubSpot association batch reads take at most ${MAX_ASSOCIATION_BATCH} inputs; got ${inputs.length}.`,
        );
      }
      const body = {
        inputs: inputs.map((input) => (input.after === undefined ? { id: input.id } : input)),
      };
      const batch = await post(
        `associations.${from}.${to}.batchRead`,
        `/crm/v4/associations/${from}/${to}/batch/read`,
        body,
        AssociationBatch,
        call,
      );
      const found: AssociationRead['found'] = new Map();
      for (const result of batch.results) {
        const to = result.to.map((target) => ({
          id: target.toObjectId,
          primary: target.associationTypes.some((t) => t.label?.toLowerCase() === 'primary'),
        }));
        const previous = found.get(result.from.id);
        found.set(result.from.id, {
          to: [...(previous?.to ?? []), ...to],
          after: result.paging?.next?.after ?? null,
        });
      }
      const failed = new Map<string, string>();
      for (const error of batch.errors) {
        if (isNotFound(error)) continue;
        for (const key of keysOf(error)) failed.set(key, error.message);
      }
      return { found, failed };
    },
  };
}

/** The error a DataLoader key gets when HubSpot reported it as failed inside a 207 answer. */
export function keyFailure(key: string, message: string): GatewayError {
  const said = `${title} could not read ${key}`;
  return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, message === '' ? said : `${said}: ${message}`, {
    source,
    publicMessage: said,
  });
}
