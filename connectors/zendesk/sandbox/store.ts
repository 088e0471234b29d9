/**
 * The emulator's data and Zendesk's read semantics over it: objects as the
 * API serves them, cursor and offset pagination, `show_many`, and the subset
 * of the search language the connector (and a curious developer) uses.
 */

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketType = 'problem' | 'incident' | 'question' | 'task';
export type UserRole = 'end-user' | 'agent' | 'admin';

/** A ticket as stored; `url` is added when served, from the emulator's base URL. */
export interface StoredTicket {
  id: number;
  external_id: string | null;
  via: { channel: string; source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: null } };
  created_at: string;
  updated_at: string;
  generated_timestamp: number;
  type: TicketType | null;
  subject: string;
  raw_subject: string;
  description: string;
  priority: TicketPriority | null;
  status: TicketStatus;
  recipient: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  forum_topic_id: null;
  problem_id: null;
  has_incidents: boolean;
  is_public: boolean;
  due_at: string | null;
  tags: string[];
  custom_fields: unknown[];
  satisfaction_rating: null;
  sharing_agreement_ids: number[];
  custom_status_id: number;
  fields: unknown[];
  followup_ids: number[];
  ticket_form_id: number;
  brand_id: number;
  allow_channelback: boolean;
  allow_attachments: boolean;
  from_messaging_channel: boolean;
}

/** A user as stored; `url` is added when served. */
export interface StoredUser {
  id: number;
  name: string;
  email: string;
  created_at: string;
  updated_at: string;
  time_zone: string;
  iana_time_zone: string;
  phone: string | null;
  shared_phone_number: boolean | null;
  photo: null;
  locale_id: number;
  locale: string;
  organization_id: number | null;
  role: UserRole;
  verified: boolean;
  external_id: string | null;
  tags: string[];
  alias: string;
  active: boolean;
  shared: boolean;
  shared_agent: boolean;
  last_login_at: string | null;
  two_factor_auth_enabled: boolean;
  signature: string;
  details: string;
  notes: string;
  role_type: number | null;
  custom_role_id: number | null;
  moderator: boolean;
  ticket_restriction: 'requested' | null;
  only_private_comments: boolean;
  restricted_agent: boolean;
  suspended: boolean;
  default_group_id: number | null;
  report_csv: boolean;
  user_fields: Record<string, unknown>;
}

/** A Zendesk API error; the routes render `body` with `status` (a string body is sent as text/plain). */
export class ZendeskApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
    this.status = status;
    this.body = body;
  }
}

/** 404 `RecordNotFound`, Zendesk's body for an unknown id. */
export function recordNotFound(): ZendeskApiError {
  return new ZendeskApiError(404, { error: 'RecordNotFound', description: 'Not found' });
}

/** 400 for a parameter Zendesk refuses, in the `{ error: { title, message } }` shape of parameter errors. */
export function invalidParameter(message: string): ZendeskApiError {
  return new ZendeskApiError(400, { error: { title: 'Invalid attribute', message } });
}

/** 400 for a cursor Zendesk cannot read, in the `{ errors: [...] }` shape of cursor pagination. */
export function invalidCursor(param: string): ZendeskApiError {
  return new ZendeskApiError(400, {
    errors: [
      {
        code: 'InvalidPaginationParameter',
        title: 'Invalid Pagination Parameter',
        detail: `${param} is not a valid cursor.`,
      },
    ],
  });
}

/** Zendesk's timestamps: ISO-8601 in UTC, to the second. */
export function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An opaque cursor in the style of Zendesk's: base64 of `{"o":<order>,"v":<base64 key>}`.
 * Its content is the emulator's business; clients must only echo it back.
 */
export function encodeZendeskCursor(order: string, id: number): string {
  const v = Buffer.from(`i${id}`, 'utf8').toString('base64');
  return Buffer.from(JSON.stringify({ o: order, v }), 'utf8').toString('base64');
}

function decodeZendeskCursor(cursor: string, order: string, param: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { o?: unknown; v?: unknown };
    const key = typeof parsed.v === 'string' ? Buffer.from(parsed.v, 'base64').toString('utf8') : '';
    const match = /^i(\d+)$/.exec(key);
    if (parsed.o === order && match !== null) return Number(match[1]);
  } catch {
    // Falls through to the error: a cursor that is not ours.
  }
  throw invalidCursor(param);
}

/** A page of a cursor-paginated list, before the route names its items (`tickets`, `users`, `results`). */
export interface CursorPageBody<T> {
  items: T[];
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { prev: string | null; next: string | null };
}

/** Reads `page[size]` (1 to `max`). */
export function parsePageSize(query: URLSearchParams, max: number): number {
  const raw = query.get('page[size]') ?? '';
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw invalidParameter(`page[size] must be a positive integer, got ${JSON.stringify(raw)}.`);
  }
  const size = Number(raw);
  if (size > max) throw invalidParameter(`page[size] must be less than or equal to ${max}.`);
  return size;
}

/** Whether the request asks for cursor pagination (Zendesk's rule: `page[size]` is present). */
export function wantsCursor(query: URLSearchParams): boolean {
  return query.has('page[size]');
}

/**
 * Cursor pagination over `items` (already in the list's order, keyed by id):
 * `page[after]` continues after a cursor, `page[before]` returns the page
 * just before one. `url` and `query` build the `links`.
 */
export function cursorPage<T extends { id: number }>(
  items: readonly T[],
  query: URLSearchParams,
  url: string,
  max: number,
  order = 'id',
): CursorPageBody<T> {
  const size = parsePageSize(query, max);
  const after = query.get('page[after]');
  const before = query.get('page[before]');
  if (after !== null && before !== null) {
    throw invalidParameter('page[after] and page[before] cannot be used together.');
  }
  let start = 0;
  let end: number;
  if (after !== null && after !== '') {
    const id = decodeZendeskCursor(after, order, 'page[after]');
    const index = items.findIndex((item) => item.id > id);
    start = index < 0 ? items.length : index;
    end = Math.min(items.length, start + size);
  } else if (before !== null && before !== '') {
    const id = decodeZendeskCursor(before, order, 'page[before]');
    const index = items.findIndex((item) => item.id >= id);
    end = index < 0 ? items.length : index;
    start = Math.max(0, end - size);
  } else {
    end = Math.min(items.length, size);
  }
  const page = items.slice(start, end);
  const first = page[0];
  const last = page.at(-1);
  const hasMore = before !== null && before !== '' ? start > 0 : end < items.length;
  const afterCursor = last === undefined ? null : encodeZendeskCursor(order, last.id);
  const beforeCursor = first === undefined ? null : encodeZendeskCursor(order, first.id);
  const link = (param: string, cursor: string | null): string | null => {
    if (cursor === null) return null;
    const params = new URLSearchParams(query);
    params.delete('page[after]');
    params.delete('page[before]');
    params.set(param, cursor);
    return `${url}?${params.toString()}`;
  };
  return {
    items: page,
    meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
    links: { prev: link('page[before]', beforeCursor), next: link('page[after]', afterCursor) },
  };
}

/** Offset pagination (`page`, `per_page` up to 100): Zendesk's older style, still the default without `page[size]`. */
export function offsetPage<T>(
  items: readonly T[],
  query: URLSearchParams,
  url: string,
): { items: T[]; next_page: string | null; previous_page: string | null; count: number } {
  const perRaw = query.get('per_page') ?? '100';
  const pageRaw = query.get('page') ?? '1';
  if (!/^\d+$/.test(perRaw) || Number(perRaw) < 1) {
    throw invalidParameter('per_page must be a positive integer.');
  }
  if (!/^\d+$/.test(pageRaw) || Number(pageRaw) < 1) {
    throw invalidParameter(
      'You passed an invalid value for the page attribute. Invalid parameter: page must be an integer',
    );
  }
  const perPage = Math.min(100, Number(perRaw));
  const page = Number(pageRaw);
  const start = (page - 1) * perPage;
  const link = (n: number): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(n));
    params.set('per_page', String(perPage));
    return `${url}?${params.toString()}`;
  };
  return {
    items: items.slice(start, start + perPage),
    next_page: start + perPage < items.length ? link(page + 1) : null,
    previous_page: page > 1 ? link(page - 1) : null,
    count: items.length,
  };
}

/** One `key:value` term of a search query, or a bare word (`key` undefined). */
export interface SearchTerm {
  key: string | undefined;
  op: ':' | '<' | '>';
  value: string;
  negate: boolean;
}

/** Splits Zendesk search syntax: `type:ticket status:open requester:"a@b.c" -tags:vip printer`. */
export function parseSearchQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const pattern = /(-?)(?:([a-z_]+)(:|<|>))?(?:"([^"]*)"|(\S+))/gi;
  for (const match of query.matchAll(pattern)) {
    terms.push({
      negate: match[1] === '-',
      key: match[2]?.toLowerCase(),
      op: (match[3] ?? ':') as SearchTerm['op'],
      value: match[4] ?? match[5] ?? '',
    });
  }
  return terms;
}

/**
 * Whether `item` matches a parsed query the way Zendesk combines terms: a
 * property given several values (`requester:1 requester:2`, `email:a email:b`)
 * matches any of them; different properties, bare words and negated terms must
 * all match.
 */
export function matchesTerms<T>(
  item: T,
  terms: readonly SearchTerm[],
  matches: (item: T, term: SearchTerm) => boolean,
): boolean {
  const anyOf = new Map<string, SearchTerm[]>();
  for (const term of terms) {
    if (term.negate || term.key === undefined || term.op !== ':') {
      if (!matches(item, term)) return false;
      continue;
    }
    anyOf.set(term.key, [...(anyOf.get(term.key) ?? []), term]);
  }
  for (const group of anyOf.values()) if (!group.some((term) => matches(item, term))) return false;
  return true;
}

/** Everything the emulator knows. */
export class ZendeskStore {
  readonly tickets = new Map<number, StoredTicket>();
  readonly users = new Map<number, StoredUser>();
  /** World person id to Zendesk user id. */
  readonly userOfPerson = new Map<string, number>();
  /** World ticket id (`tkt_000001`) to Zendesk ticket id. */
  readonly ticketOfWorld = new Map<string, number>();
  /** Company id (`co_001`) to Zendesk organization id. */
  readonly organizationOfCompany = new Map<string, number>();
  readonly agents: number[] = [];
  private sortedTickets: StoredTicket[] | undefined;
  private sortedUsers: StoredUser[] | undefined;

  putTicket(ticket: StoredTicket): void {
    if (!this.tickets.has(ticket.id)) this.sortedTickets = undefined;
    this.tickets.set(ticket.id, ticket);
  }

  putUser(user: StoredUser): void {
    if (!this.users.has(user.id)) this.sortedUsers = undefined;
    this.users.set(user.id, user);
  }

  /** Every ticket, by id ascending (Zendesk's list order). */
  allTickets(): readonly StoredTicket[] {
    this.sortedTickets ??= [...this.tickets.values()].sort((a, b) => a.id - b.id);
    return this.sortedTickets;
  }

  /** Every user, by id ascending. */
  allUsers(): readonly StoredUser[] {
    this.sortedUsers ??= [...this.users.values()].sort((a, b) => a.id - b.id);
    return this.sortedUsers;
  }

  /** The user a search value names: an id, an email (case-insensitive), or `none`. */
  resolveUser(value: string): number | null | undefined {
    if (value === 'none') return null;
    if (/^\d+$/.test(value)) return Number(value);
    const lower = value.toLowerCase();
    return this.allUsers().find((u) => u.email.toLowerCase() === lower)?.id;
  }

  /** Tickets matching a search query (`type:ticket` implied), by id ascending. */
  searchTickets(query: string): StoredTicket[] {
    const terms = parseSearchQuery(query);
    return this.allTickets().filter((ticket) =>
      matchesTerms(ticket, terms, (t, term) => this.ticketMatches(t, term)),
    );
  }

  private ticketMatches(ticket: StoredTicket, term: SearchTerm): boolean {
    const value = term.value.toLowerCase();
    let result: boolean;
    switch (term.key) {
      case undefined:
        result = `${ticket.subject} ${ticket.description}`.toLowerCase().includes(value);
        break;
      case 'type':
        // `type:ticket` names the record type; the ticket type is `ticket_type:`.
        result = value === 'ticket';
        break;
      case 'ticket_type':
        result = ticket.type === value;
        break;
      case 'status': {
        const order: TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
        const at = order.indexOf(ticket.status);
        const wanted = order.indexOf(value as TicketStatus);
        result =
          term.op === '<'
            ? at < wanted
            : term.op === '>'
              ? wanted >= 0 && at > wanted
              : ticket.status === value;
        break;
      }
      case 'priority':
        result = ticket.priority === value;
        break;
      case 'requester':
        result = ticket.requester_id === this.resolveUser(term.value);
        break;
      case 'assignee':
        result = ticket.assignee_id === this.resolveUser(term.value);
        break;
      case 'tags':
      case 'tag':
        result = ticket.tags.includes(value);
        break;
      default:
        result = false;
    }
    return term.negate ? !result : result;
  }

  /** Users matching a search query: `email:` exact, `role:`, `name:` or bare words by word prefix. */
  searchUsers(query: string): StoredUser[] {
    const terms = parseSearchQuery(query).filter((t) => !(t.key === 'type' && t.value === 'user'));
    return this.allUsers().filter((candidate) =>
      matchesTerms(candidate, terms, (user, term) => {
        const value = term.value.toLowerCase();
        const words = `${user.name} ${user.email}`.toLowerCase().split(/[\s@.]+/);
        let result: boolean;
        switch (term.key) {
          case 'email':
            result = user.email.toLowerCase() === value;
            break;
          case 'role':
            result = user.role === value;
            break;
          case 'phone':
            result = user.phone === term.value;
            break;
          case 'name':
          case undefined:
            result =
              user.email.toLowerCase() === value ||
              value.split(/\s+/).every((part) => words.some((word) => word.startsWith(part)));
            break;
          default:
            result = false;
        }
        return term.negate ? !result : result;
      }),
    );
  }
}
