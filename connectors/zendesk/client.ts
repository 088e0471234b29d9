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

/** Emails per batched user search: short enough a query for any URL, big enough to matter. */
export const EMAIL_TERMS_PER_SEARCH = 20;
/** Users per batched ticket search. */
export const REQUESTERS_PER_SEARCH = 25;
/** Largest `page[size]` of the search export endpoint. */
export const EXPORT_PAGE_SIZE = 1000;
/** Pages of one batched search read at most: a bound, not a limit a page of customers should meet. */
export const EXPORT_MAX_PAGES = 5;
/** Largest `per_page` of offset-paginated endpoints (user search). */
const OFFSET_PAGE_SIZE = 100;

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
  /**
   * The users Zendesk search matches for any of `emails` (at most
   * {@link EMAIL_TERMS_PER_SEARCH}), in one search `email:a email:b` (a
   * property repeated matches any of its values), every page of it. Emails
   * that cannot be a Zendesk identity (a space or a quote) are not sent.
   */
  searchUsersByEmails(emails: readonly string[], call: CallOptions): Promise<ZendeskUser[]>;
  /**
   * The tickets any of these users requested (at most {@link REQUESTERS_PER_SEARCH}),
   * optionally in one status, through one search export
   * `type:ticket requester:1 requester:2`, every page of it up to
   * {@link EXPORT_MAX_PAGES} pages; `complete` is false when that bound cut it short.
   */
  searchTicketsByRequesters(
    requesterIds: readonly string[],
    status: TicketStatus | undefined,
    call: CallOptions,
  ): Promise<{ tickets: ZendeskTicket[]; complete: boolean }>;
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

/** An email with a space or a quote cannot be a Zendesk identity, and would break the query syntax. */
function isSearchableEmail(email: string): boolean {
  return !/[\s"]/.test(email) && email.includes('@');
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
  /** One page of a ticket search export (`type:ticket` and more terms). */
  const exportTickets = (terms: readonly string[], page: CursorArgs, call: Parameters<typeof get>[4]) =>
    get(
      'search.export',
      '/api/v2/search/export.json',
      TicketSearchExportPage,
      { query: terms.join(' '), 'filter[type]': 'ticket', ...cursor(page) },
      call,
    );

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
      const body = await exportTickets(terms, args, call);
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
    async searchUsersByEmails(emails, call) {
      if (emails.length > EMAIL_TERMS_PER_SEARCH) {
        throw new Error(
          `a batched Zendesk user search takes at most ${String(EMAIL_TERMS_PER_SEARCH)} emails, got ${String(emails.length)}`,
        );
      }
      const terms = emails.filter(isSearchableEmail).map((email) => `email:${email}`);
      if (terms.length === 0) return [];
      const found: ZendeskUser[] = [];
      for (let page = 1; page <= EXPORT_MAX_PAGES; page += 1) {
        const query = { query: terms.join(' '), per_page: OFFSET_PAGE_SIZE, page };
        const body = await get('users.search', '/api/v2/users/search.json', UserSearchPage, query, call);
        found.push(...body.users);
        if (body.next_page === null) break;
      }
      return found;
    },
    async searchTicketsByRequesters(requesterIds, status, call) {
      if (requesterIds.length > REQUESTERS_PER_SEARCH) {
        throw new Error(
          `a batched Zendesk ticket search takes at most ${String(REQUESTERS_PER_SEARCH)} requesters, got ${String(requesterIds.length)}`,
        );
      }
      const terms = ['type:ticket', ...requesterIds.filter(isZendeskId).map((id) => `requester:${id}`)];
      if (terms.length === 1) return { tickets: [], complete: true };
      if (status !== undefined) terms.push(`status:${status}`);
      const tickets: ZendeskTicket[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < EXPORT_MAX_PAGES; pages += 1) {
        const body = await exportTickets(terms, { size: EXPORT_PAGE_SIZE, after }, call);
        tickets.push(...body.results);
        if (!body.meta.has_more || body.meta.after_cursor === null) return { tickets, complete: true };
        after = body.meta.after_cursor;
      }
      return { tickets, complete: false };
    },
  };
}
