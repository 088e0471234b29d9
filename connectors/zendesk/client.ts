import { parseUpstream, upstreamError } from '../../src/upstream/http-errors.ts';
import { invalidFields } from '../../src/writes/write-errors.ts';
import type { FieldError } from '../../src/writes/write-errors.ts';
import type { CallOptions, Upstream, UpstreamResponse } from '../../src/upstream/types.ts';
import {
  TicketCursorPage,
  TicketEnvelope,
  TicketSearchExportPage,
  TicketShowMany,
  UserEnvelope,
  UserSearchPage,
  UserShowMany,
  describeError,
} from './models.ts';
import type { TicketStatus, ZendeskTicket, ZendeskUser } from './models.ts';
import { jsonReads } from '../../src/upstream/json-reads.ts';

const source = 'zendesk';
const title = 'Zendesk';

/** Largest `page[size]` of the cursor-paginated endpoints used here. */
export const MAX_PAGE_SIZE = 100;
/** Most ids one `show_many` call takes. */
export const MAX_SHOW_MANY = 100;

/** Cursor pagination arguments: `page[size]` (1 to 100) and `page[after]`. */
export interface CursorArgs {
  size: number;
  /** An `after_cursor` Zendesk returned; undefined for the first page. */
  after?: string | undefined;
}

/** One page of a cursor-paginated list. */
export interface CursorPage<T> {
  items: T[];
  hasMore: boolean;
  /** Where the next page starts (`meta.after_cursor`); null on an empty page. */
  afterCursor: string | null;
}

/** Arguments of {@link ZendeskClient.searchTickets}. */
export interface TicketSearchArgs extends CursorArgs {
  status?: TicketStatus | undefined;
  /** Only tickets this user requested. */
  requesterId?: string | undefined;
}

/** Typed operations of the Zendesk Support API, one per upstream call; every body is zod-parsed. */
export interface ZendeskClient {
  /** `GET /api/v2/tickets.json`, cursor-paginated, in Zendesk's default order (by id, oldest first). */
  listTickets(page: CursorArgs, call: CallOptions): Promise<CursorPage<ZendeskTicket>>;
  /** `GET /api/v2/users/{id}/tickets/requested.json`, cursor-paginated. */
  listRequestedTickets(
    userId: string,
    page: CursorArgs,
    call: CallOptions,
  ): Promise<CursorPage<ZendeskTicket>>;
  /** `GET /api/v2/search/export.json?filter[type]=ticket`: tickets by status and requester, cursor-paginated. */
  searchTickets(args: TicketSearchArgs, call: CallOptions): Promise<CursorPage<ZendeskTicket>>;
  /** `GET /api/v2/tickets/show_many.json`: at most {@link MAX_SHOW_MANY} ids; unknown ids are left out. */
  showManyTickets(ids: readonly string[], call: CallOptions): Promise<ZendeskTicket[]>;
  /** `GET /api/v2/users/show_many.json`: at most {@link MAX_SHOW_MANY} ids; unknown ids are left out. */
  showManyUsers(ids: readonly string[], call: CallOptions): Promise<ZendeskUser[]>;
  /** `GET /api/v2/tickets/{id}.json`; null when Zendesk has no such ticket. */
  retrieveTicket(id: string, call: CallOptions): Promise<ZendeskTicket | null>;
  /** `GET /api/v2/users/{id}.json`; null when Zendesk has no such user. */
  retrieveUser(id: string, call: CallOptions): Promise<ZendeskUser | null>;
  /** `GET /api/v2/users/search.json?query=email:...`: the users Zendesk search matches for one email. */
  searchUsersByEmail(email: string, call: CallOptions): Promise<ZendeskUser[]>;
  /**
   * `POST /api/v2/tickets.json`: opens a ticket (never retried: Zendesk would
   * open it twice). A 422 becomes BAD_USER_INPUT with `extensions.fields`.
   */
  createTicket(ticket: TicketWrite, call: CallOptions): Promise<ZendeskTicket>;
  /** `PUT /api/v2/tickets/{id}.json`: null when Zendesk has no such ticket. */
  updateTicket(id: string, ticket: TicketWrite, call: CallOptions): Promise<ZendeskTicket | null>;
}

/** The `ticket` object of a write, in Zendesk's field names. */
export interface TicketWrite {
  subject?: string | undefined;
  comment?: { body: string; public: boolean } | undefined;
  requester?: { email: string; name?: string | undefined } | undefined;
  priority?: string | undefined;
  status?: string | undefined;
}

/** Zendesk's `details` keys, as the mutations' argument paths. */
const WRITE_FIELDS: Readonly<Record<string, string>> = {
  requester: 'input.requesterEmail',
  subject: 'input.subject',
  description: 'input.comment',
  priority: 'input.priority',
  status: 'input.status',
};

/** A refused write: a 422 `RecordInvalid` lists each field; anything else maps as a read's failure. */
function failWrite(response: UpstreamResponse): never {
  const said = describeError(response.json);
  if (response.status === 422 && typeof said.details === 'object' && said.details !== null) {
    const fields: FieldError[] = [];
    for (const [field, problems] of Object.entries(said.details)) {
      if (!Array.isArray(problems)) continue;
      for (const problem of problems as unknown[]) {
        const description = (problem as { description?: unknown } | null)?.description;
        fields.push({
          field: WRITE_FIELDS[field] ?? field,
          message: typeof description === 'string' ? description : 'is invalid',
        });
      }
    }
    if (fields.length > 0) {
      throw invalidFields(title, fields, {
        source,
        details: { upstreamStatus: 422, ...(said.code ? { upstreamCode: said.code } : {}) },
      });
    }
  }
  fail(response);
}

function fail(response: UpstreamResponse): never {
  let said = describeError(response.json);
  // A 429 often comes as text/plain; its text is still the best explanation there is.
  if (said.message === undefined && response.json === undefined && response.text.trim() !== '') {
    said = { message: response.text.trim().slice(0, 200) };
  }
  const details = summarizeDetails(said.details);
  throw upstreamError({
    source,
    title,
    response,
    message: details === undefined ? said.message : `${said.message ?? 'invalid'} (${details})`,
    upstreamCode: said.code,
    credentialsVariable: 'ZENDESK_API_TOKEN (with ZENDESK_EMAIL) or ZENDESK_OAUTH_TOKEN',
  });
}

/** RecordInvalid `details`: `{ field: [{ description, error }] }` as `field: description; ...`. */
function summarizeDetails(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const parts: string[] = [];
  for (const [field, problems] of Object.entries(details)) {
    if (!Array.isArray(problems)) continue;
    for (const problem of problems as unknown[]) {
      const description =
        typeof problem === 'object' && problem !== null && 'description' in problem
          ? String(problem.description)
          : undefined;
      if (description !== undefined) parts.push(`${field}: ${description}`);
    }
  }
  return parts.length === 0 ? undefined : parts.slice(0, 5).join('; ');
}

/** Ids Zendesk could have: positive integers. Anything else cannot exist, so it is never sent. */
export function isZendeskId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id);
}

/** Builds the Zendesk client over the shared upstream layer. */
export function createZendeskClient(upstream: Upstream): ZendeskClient {
  const { get, retrieve } = jsonReads(upstream, { source, title, fail });

  const cursor = (page: CursorArgs) => ({ 'page[size]': page.size, 'page[after]': page.after });
  const toPage = <T>(items: T[], meta: { has_more: boolean; after_cursor: string | null }) => ({
    items,
    hasMore: meta.has_more,
    afterCursor: meta.after_cursor,
  });

  return {
    async listTickets(page, call) {
      const body = await get('tickets.list', '/api/v2/tickets.json', TicketCursorPage, cursor(page), call);
      return toPage(body.tickets, body.meta);
    },
    async listRequestedTickets(userId, page, call) {
      const path = `/api/v2/users/${encodeURIComponent(userId)}/tickets/requested.json`;
      const body = await get('tickets.requested', path, TicketCursorPage, cursor(page), call);
      return toPage(body.tickets, body.meta);
    },
    async searchTickets(args, call) {
      const terms = ['type:ticket'];
      if (args.status !== undefined) terms.push(`status:${args.status}`);
      if (args.requesterId !== undefined) terms.push(`requester:${args.requesterId}`);
      const query = { query: terms.join(' '), 'filter[type]': 'ticket', ...cursor(args) };
      const body = await get(
        'search.export',
        '/api/v2/search/export.json',
        TicketSearchExportPage,
        query,
        call,
      );
      return toPage(body.results, body.meta);
    },
    async showManyTickets(ids, call) {
      if (ids.length === 0) return [];
      const query = { ids: ids.join(',') };
      const body = await get(
        'tickets.show_many',
        '/api/v2/tickets/show_many.json',
        TicketShowMany,
        query,
        call,
      );
      return body.tickets;
    },
    async showManyUsers(ids, call) {
      if (ids.length === 0) return [];
      const query = { ids: ids.join(',') };
      const body = await get('users.show_many', '/api/v2/users/show_many.json', UserShowMany, query, call);
      return body.users;
    },
    async retrieveTicket(id, call) {
      if (!isZendeskId(id)) return null;
      const path = `/api/v2/tickets/${id}.json`;
      return (await retrieve('tickets.show', path, TicketEnvelope, call))?.ticket ?? null;
    },
    async retrieveUser(id, call) {
      if (!isZendeskId(id)) return null;
      const path = `/api/v2/users/${id}.json`;
      return (await retrieve('users.show', path, UserEnvelope, call))?.user ?? null;
    },
    async createTicket(ticket, call) {
      const response = await upstream.request({
        method: 'POST',
        path: '/api/v2/tickets.json',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ticket }),
        operation: 'tickets.create',
        ...call,
      });
      if (response.status !== 201 && response.status !== 200) failWrite(response);
      return parseUpstream(TicketEnvelope, response, { source, title, operation: 'tickets.create' }).ticket;
    },
    async updateTicket(id, ticket, call) {
      if (!isZendeskId(id)) return null;
      const response = await upstream.request({
        method: 'PUT',
        path: `/api/v2/tickets/${id}.json`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ticket }),
        // Setting status and priority is idempotent; adding a comment is not: never send it twice.
        idempotent: ticket.comment === undefined,
        operation: 'tickets.update',
        ...call,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) failWrite(response);
      return parseUpstream(TicketEnvelope, response, { source, title, operation: 'tickets.update' }).ticket;
    },
    async searchUsersByEmail(email, call) {
      // An email with a space or a quote cannot be a Zendesk identity, and would break the query syntax.
      if (/[\s"]/.test(email) || !email.includes('@')) return [];
      const query = { query: `email:${email}` };
      const body = await get('users.search', '/api/v2/users/search.json', UserSearchPage, query, call);
      return body.users;
    },
  };
}
