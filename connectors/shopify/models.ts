import { z } from 'zod';

/**
 * Zod models of the GraphQL Admin API objects the connector reads (only the
 * fields its documents select). Objects are loose, so a newer API version
 * adding fields does not break parsing; nullable fields default to null.
 */

/** A global id of one object type: `gid://shopify/Order/5123456789012`. */
export function gidOf(type: string) {
  return z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `expected a Shopify ${type} gid`);
}

/** `MoneyV2`: a decimal amount as a string (`"25.0"`) and an ISO currency code. */
export const ShopifyMoney = z.looseObject({ amount: z.string(), currencyCode: z.string() });
export type ShopifyMoney = z.infer<typeof ShopifyMoney>;

/** `MoneyBag`: the same amount in the shop's and the buyer's currency; the connector reads the shop's. */
const MoneyBag = z.looseObject({ shopMoney: ShopifyMoney });

/** `UnsignedInt64` is serialized as a string (`"3"`). */
const unsignedInt64 = z.union([
  z
    .string()
    .regex(/^\d+$/)
    .transform((v) => Number(v)),
  z.number().int().nonnegative(),
]);

export const ShopifyCustomer = z.looseObject({
  id: gidOf('Customer'),
  email: z.string().nullable().default(null),
  firstName: z.string().nullable().default(null),
  lastName: z.string().nullable().default(null),
  displayName: z.string().nullable().default(null),
  numberOfOrders: unsignedInt64.nullable().default(null),
  amountSpent: ShopifyMoney.nullable().default(null),
});
export type ShopifyCustomer = z.infer<typeof ShopifyCustomer>;

export const ShopifyLineItem = z.looseObject({
  id: gidOf('LineItem'),
  title: z.string(),
  quantity: z.number().int(),
  sku: z.string().nullable().default(null),
  originalUnitPriceSet: MoneyBag.nullable().default(null),
});
export type ShopifyLineItem = z.infer<typeof ShopifyLineItem>;

export const ShopifyOrder = z.looseObject({
  id: gidOf('Order'),
  name: z.string(),
  email: z.string().nullable().default(null),
  createdAt: z.string(),
  displayFinancialStatus: z.string().nullable().default(null),
  note: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  totalPriceSet: MoneyBag,
  customer: ShopifyCustomer.nullable().default(null),
});
export type ShopifyOrder = z.infer<typeof ShopifyOrder>;

/** `PageInfo` as the connector selects it. */
export const ShopifyPageInfo = z.looseObject({
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean().default(false),
  endCursor: z.string().nullable().default(null),
});

/** A connection read through `edges { cursor node }`, for Relay cursors. */
export function edgesConnection<T extends z.ZodType>(node: T) {
  return z.looseObject({
    edges: z.array(z.looseObject({ cursor: z.string(), node })),
    pageInfo: ShopifyPageInfo,
  });
}

/** A connection read through `nodes`, when only the items and the next cursor matter. */
export function nodesConnection<T extends z.ZodType>(node: T) {
  return z.looseObject({ nodes: z.array(node), pageInfo: ShopifyPageInfo });
}

/** One GraphQL error as Shopify reports it; `extensions.code` is Shopify's own (`THROTTLED`, `ACCESS_DENIED`). */
export const ShopifyGraphQLError = z.looseObject({
  message: z.string(),
  extensions: z.looseObject({ code: z.string().optional() }).optional(),
});

/** A 200 response carrying GraphQL errors. */
export const ShopifyErrorsEnvelope = z.looseObject({
  errors: z.array(ShopifyGraphQLError).min(1),
});

/** `extensions.cost` of a GraphQL Admin response; `actualQueryCost` is null when throttled. */
export const ShopifyCost = z.looseObject({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable().optional(),
  throttleStatus: z.looseObject({
    maximumAvailable: z.number(),
    currentlyAvailable: z.number(),
    restoreRate: z.number(),
  }),
});
export type ShopifyCost = z.infer<typeof ShopifyCost>;

/**
 * Error bodies of non-200 answers: `{"errors":"[API] Invalid API key ..."}` (401),
 * `{"errors":"Not Found"}`, or a list of `{ message }` objects.
 */
export const ShopifyHttpErrorBody = z.looseObject({
  errors: z.union([
    z.string(),
    z.array(z.looseObject({ message: z.string() })),
    z.record(z.string(), z.unknown()),
  ]),
});

/** The numeric id in a gid, or the id itself when it is numeric (`"123"` or `gid://shopify/Order/123` → `123`). */
export function legacyId(id: string): string | null {
  const match = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)$/.exec(id.trim());
  return match?.[1] ?? null;
}

/** The gid of `type` for a gid or a numeric id, or null when `id` is neither (or a gid of another type). */
export function toGid(type: string, id: string): string | null {
  const trimmed = id.trim();
  if (/^\d+$/.test(trimmed)) return `gid://shopify/${type}/${trimmed}`;
  return new RegExp(`^gid://shopify/${type}/\\d+$`).test(trimmed) ? trimmed : null;
}

/** The key the email lookups use: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
