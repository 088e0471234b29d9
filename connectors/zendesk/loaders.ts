import DataLoader from 'dataloader';
import { memoLoader } from '../../src/loaders.ts';
import type { CallOptions } from '../../src/upstream/types.ts';
import { EMAIL_TERMS_PER_SEARCH, MAX_SHOW_MANY, isZendeskId } from './client.ts';
import { requesterTicketsLoader } from './requester-tickets.ts';
import type { RequesterTicketsArgs } from './requester-tickets.ts';
import type { CursorPage, ZendeskClient } from './client.ts';
import type { TicketStatus, ZendeskTicket, ZendeskUser } from './models.ts';

/** Which tickets one list call asks for; the loader picks the endpoint. */
export interface TicketListArgs {
  /** `page[size]`, 1 to 100. */
  size: number;
  /** A Zendesk `after_cursor`. */
  after?: string | undefined;
  status?: TicketStatus | undefined;
  /** Only the tickets this user requested. */
  requesterId?: string | undefined;
}

/** The Zendesk DataLoaders of one GraphQL request. */
export interface ZendeskLoaders {
  /** Tickets by id, through `show_many` (100 ids a call); unknown ids give null. */
  ticket: DataLoader<string, ZendeskTicket | null>;
  /** Users by id, through `show_many` (100 ids a call); unknown ids give null. */
  user: DataLoader<string, ZendeskUser | null>;
  /**
   * The Zendesk user whose primary email is this one (case-insensitive), or null:
   * the support-side person record for joins by email. One search per distinct email.
   */
  userByEmail: DataLoader<string, ZendeskUser | null, string>;
  /** Ticket list pages; the same page asked twice in one request is fetched once. */
  tickets: DataLoader<TicketListArgs, CursorPage<ZendeskTicket>, string>;
  /**
   * The first page of a user's requested tickets (by id, oldest first), for many
   * users at once: see {@link requesterTicketsLoader}. Its pages carry no Zendesk cursor.
   */
  requesterTickets: DataLoader<RequesterTicketsArgs, CursorPage<ZendeskTicket>, string>;
}

/** The key emails are compared and cached under. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** A loader over a `show_many` endpoint: results mapped back by id, never by position. */
function showManyLoader<V extends { id: number }>(
  fetch: (ids: readonly string[]) => Promise<V[]>,
): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(
    async (keys) => {
      const found = await fetch(keys.filter(isZendeskId));
      const byId = new Map(found.map((item) => [String(item.id), item]));
      return keys.map((key) => byId.get(key) ?? null);
    },
    { maxBatchSize: MAX_SHOW_MANY },
  );
}

/**
 * The loaders of one request. `show_many` batches ids across the whole
 * request; lists and email lookups prime the by-id loaders, so an object
 * seen once is never fetched again within the request.
 */
export function createZendeskLoaders(client: ZendeskClient, call: CallOptions): ZendeskLoaders {
  const ticket = showManyLoader((ids) => client.showManyTickets(ids, call));
  const user = showManyLoader((ids) => client.showManyUsers(ids, call));

  const userByEmail = new DataLoader<string, ZendeskUser | null, string>(
    async (keys) => {
      const emails = keys.map(emailKey);
      const found = await client.searchUsersByEmails(emails, call);
      for (const u of found) user.prime(String(u.id), u);
      // Search also matches secondary identities and prefixes; the person record is the exact primary email.
      const exact = new Map<string, ZendeskUser>();
      for (const u of [...found].sort((a, b) => a.id - b.id)) {
        const key = u.email === null ? '' : emailKey(u.email);
        if (key !== '' && !exact.has(key)) exact.set(key, u);
      }
      return emails.map((email) => exact.get(email) ?? null);
    },
    { cacheKeyFn: emailKey, maxBatchSize: EMAIL_TERMS_PER_SEARCH },
  );

  const tickets = memoLoader(async (args: TicketListArgs) => {
    const page = { size: args.size, after: args.after };
    const result =
      args.status !== undefined
        ? await client.searchTickets({ ...page, status: args.status, requesterId: args.requesterId }, call)
        : args.requesterId !== undefined
          ? await client.listRequestedTickets(args.requesterId, page, call)
          : await client.listTickets(page, call);
    for (const item of result.items) ticket.prime(String(item.id), item);
    return result;
  });

  const requesterTickets = requesterTicketsLoader(client, call, tickets, (t) =>
    ticket.prime(String(t.id), t),
  );
  return { ticket, user, userByEmail, tickets, requesterTickets };
}
