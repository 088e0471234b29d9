import { upstreamError } from '../../src/upstream/http-errors.ts';
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
    async searchUsersByEmail(email, call) {
      // An email with a space or a quote cannot be a Zendesk identity, and would break the query syntax.
      if (/[\s"]/.test(email) || !email.includes('@')) return [];
      const query = { query: `email:${email}` };
      const body = await get('users.search', '/api/v2/users/search.json', UserSearchPage, query, call);
      return body.users;
    },
  };
}
