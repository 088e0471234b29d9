import { z } from 'zod';

/**
 * Zod models of the HubSpot CRM objects and envelopes the connector reads.
 * Only the fields the gateway uses are checked; everything else passes
 * through untouched, so new HubSpot fields never break parsing. Every
 * property value is a string (or null) on the wire, dates and numbers included.
 */

/** A property the gateway reads: absent and empty both become null. */
const prop = z
  .string()
  .nullable()
  .default(null)
  .transform((v) => (v === '' ? null : v));
const timestamp = z.iso.datetime({ offset: true });

function crmObject<P extends z.ZodRawShape>(properties: P) {
  return z.looseObject({
    id: z.string().min(1),
    properties: z.looseObject({ ...properties, hs_merged_object_ids: prop }),
    createdAt: timestamp,
    updatedAt: timestamp,
    archived: z.boolean().default(false),
  });
}

export const HubSpotContact = crmObject({
  email: prop,
  firstname: prop,
  lastname: prop,
  phone: prop,
  jobtitle: prop,
  lifecyclestage: prop,
});
export type HubSpotContact = z.infer<typeof HubSpotContact>;

export const HubSpotCompany = crmObject({
  name: prop,
  domain: prop,
  industry: prop,
});
export type HubSpotCompany = z.infer<typeof HubSpotCompany>;

export const HubSpotDeal = crmObject({
  dealname: prop,
  dealstage: prop,
  amount: prop,
  deal_currency_code: prop,
  closedate: prop,
  pipeline: prop,
});
export type HubSpotDeal = z.infer<typeof HubSpotDeal>;

/** The CRM object types the connector reads, by their v3 path segment. */
export const OBJECT_MODELS = {
  contacts: HubSpotContact,
  companies: HubSpotCompany,
  deals: HubSpotDeal,
} as const;
export type ObjectType = keyof typeof OBJECT_MODELS;
export type HubSpotObject<T extends ObjectType> = z.infer<(typeof OBJECT_MODELS)[T]>;

/** Properties requested per type (HubSpot returns only a few by default). */
export const OBJECT_PROPERTIES: Readonly<Record<ObjectType, readonly string[]>> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'jobtitle',
    'lifecyclestage',
    'createdate',
    'lastmodifieddate',
    'hs_merged_object_ids',
  ],
  companies: ['name', 'domain', 'industry', 'createdate', 'hs_lastmodifieddate', 'hs_merged_object_ids'],
  deals: [
    'dealname',
    'dealstage',
    'amount',
    'deal_currency_code',
    'closedate',
    'pipeline',
    'createdate',
    'hs_lastmodifieddate',
    'hs_merged_object_ids',
  ],
};

/** `GET /crm/v3/objects/{type}`: `{ results, paging?: { next?: { after, link? } } }`. */
export function hubspotList<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    paging: z.looseObject({ next: z.looseObject({ after: z.string().min(1) }).optional() }).optional(),
  });
}

/** `GET /account-info/v3/details`: the account's settings; the connector reads its company currency. */
export const HubSpotAccountDetails = z.looseObject({ companyCurrency: z.string().regex(/^[A-Za-z]{3}$/) });

/** One entry of `errors` in a batch answer (HTTP 207). */
export const BatchError = z.looseObject({
  status: z.string().optional(),
  category: z.string().default('UNKNOWN'),
  subCategory: z.string().optional(),
  message: z.string().default(''),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
export type BatchError = z.infer<typeof BatchError>;

/** `POST /crm/v3/objects/{type}/batch/read`: `{ status, results, numErrors?, errors?, startedAt, completedAt }`. */
export function hubspotBatch<T extends z.ZodType>(item: T) {
  return z.looseObject({
    status: z.string(),
    results: z.array(item),
    errors: z.array(BatchError).default([]),
  });
}

const AssociationType = z.looseObject({
  category: z.string(),
  typeId: z.number().int(),
  label: z.string().nullable().default(null),
});

/** `POST /crm/v4/associations/{from}/{to}/batch/read`. */
export const AssociationBatch = z.looseObject({
  status: z.string(),
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }),
      to: z.array(
        z.looseObject({
          // The spec says string; the API sends numbers. Either way the gateway keeps strings.
          toObjectId: z.union([z.string(), z.number()]).transform(String),
          associationTypes: z.array(AssociationType).default([]),
        }),
      ),
      paging: z.looseObject({ next: z.looseObject({ after: z.string().min(1) }).optional() }).optional(),
    }),
  ),
  errors: z.array(BatchError).default([]),
});

/**
 * HubSpot's error body: `{ status: "error", message, correlationId, category, errors? }`;
 * rate-limit answers carry `errorType` and `policyName` instead of `category`.
 */
/** A note (engagement) as `POST`/`GET /crm/v3/objects/notes` return it, with the contact it is associated with. */
export const HubSpotNoteBody = z.looseObject({
  id: z.string().min(1),
  properties: z.looseObject({ hs_note_body: prop, hs_timestamp: prop }),
  createdAt: timestamp,
  updatedAt: timestamp,
  associations: z
    .looseObject({
      contacts: z.looseObject({ results: z.array(z.looseObject({ id: z.string() })) }).optional(),
    })
    .optional(),
});
export type HubSpotNote = z.infer<typeof HubSpotNoteBody> & {
  /** The contact the note is associated with, when known. */
  contactId: string | null;
};

export const HubSpotErrorBody = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string().optional(),
        code: z.string().optional(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
});
