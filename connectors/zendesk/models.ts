import { z } from 'zod';

/**
 * Zod models of the Zendesk Support objects the connector reads. Only the
 * fields the gateway uses are required; everything else passes through
 * untouched, so fields Zendesk adds later do not break parsing.
 */

/** Ticket statuses of the Support API (`deleted` and `archived` tickets are not served by the list endpoints). */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_TYPES = ['problem', 'incident', 'question', 'task'] as const;
export const USER_ROLES = ['end-user', 'agent', 'admin'] as const;

const id = z.number().int().nonnegative();

export const ZendeskTicket = z.looseObject({
  id,
  /** The API URL of the ticket (`https://acme.zendesk.com/api/v2/tickets/35436.json`). */
  url: z.string(),
  subject: z.string().nullable().default(null),
  description: z.string().nullable().default(null),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(TICKET_PRIORITIES).nullable().default(null),
  type: z.enum(TICKET_TYPES).nullable().default(null),
  requester_id: id.nullable().default(null),
  submitter_id: id.nullable().default(null),
  assignee_id: id.nullable().default(null),
  organization_id: id.nullable().default(null),
  tags: z.array(z.string()).default([]),
  created_at: z.string(),
  updated_at: z.string(),
  due_at: z.string().nullable().default(null),
});
export type ZendeskTicket = z.infer<typeof ZendeskTicket>;

export const ZendeskUser = z.looseObject({
  id,
  url: z.string(),
  name: z.string(),
  /** The primary email; null for users known only by another identity (phone, social). */
  email: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  role: z.enum(USER_ROLES),
  active: z.boolean().default(true),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ZendeskUser = z.infer<typeof ZendeskUser>;

/** `meta` and `links` of a cursor-paginated response (`page[size]` given). */
const cursorMeta = {
  meta: z.looseObject({
    has_more: z.boolean(),
    after_cursor: z.string().nullable().default(null),
    before_cursor: z.string().nullable().default(null),
  }),
  links: z
    .looseObject({ next: z.string().nullable().default(null), prev: z.string().nullable().default(null) })
    .optional(),
};

/** `GET /api/v2/tickets.json?page[size]=` and `GET /api/v2/users/{id}/tickets/requested.json?page[size]=`. */
export const TicketCursorPage = z.looseObject({ tickets: z.array(ZendeskTicket), ...cursorMeta });

/** `GET /api/v2/search/export.json?filter[type]=ticket`: tickets under `results`. */
export const TicketSearchExportPage = z.looseObject({ results: z.array(ZendeskTicket), ...cursorMeta });

/** `GET /api/v2/tickets/show_many.json?ids=` (unknown ids are left out, in no promised order). */
export const TicketShowMany = z.looseObject({ tickets: z.array(ZendeskTicket) });

/** `GET /api/v2/users/show_many.json?ids=`. */
export const UserShowMany = z.looseObject({ users: z.array(ZendeskUser) });

/** `GET /api/v2/users/search.json?query=`: offset pagination. */
export const UserSearchPage = z.looseObject({
  users: z.array(ZendeskUser),
  next_page: z.string().nullable().default(null),
  count: z.number().int().optional(),
});

export const TicketEnvelope = z.looseObject({ ticket: ZendeskTicket });
export const UserEnvelope = z.looseObject({ user: ZendeskUser });

/**
 * Zendesk's error bodies, which come in three shapes: `{ error, description, details? }`
 * (RecordNotFound, RecordInvalid, Forbidden), `{ error: { title, message } }`
 * (invalid parameters), and `{ errors: [{ code, title, detail }] }` (pagination).
 * 401s carry `{ error: "Couldn't authenticate you" }`, 429s often plain text.
 */
const FlatError = z.looseObject({
  error: z.string(),
  description: z.string().optional(),
  details: z.unknown().optional(),
});
const TitledError = z.looseObject({
  error: z.looseObject({ title: z.string().optional(), message: z.string().optional() }),
});
const ListedErrors = z.looseObject({
  errors: z.array(
    z.looseObject({
      code: z.string().optional(),
      title: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
});
export const ZendeskErrorBody = z.union([FlatError, TitledError, ListedErrors]);

/** The provider's code, message and RecordInvalid `details` of an error body, whatever its shape. */
export function describeError(json: unknown): { code?: string; message?: string; details?: unknown } {
  const flat = FlatError.safeParse(json);
  if (flat.success) {
    return {
      code: flat.data.error,
      message: flat.data.description ?? flat.data.error,
      details: flat.data.details,
    };
  }
  const titled = TitledError.safeParse(json);
  if (titled.success) {
    const { title, message } = titled.data.error;
    return { code: title, message: message ?? title };
  }
  const listed = ListedErrors.safeParse(json);
  if (listed.success) {
    const first = listed.data.errors[0];
    return { code: first?.code, message: first?.detail ?? first?.title };
  }
  return {};
}
