import DataLoader from 'dataloader';
import type { CallOptions } from '../../src/upstream/types.ts';
import { REQUESTERS_PER_SEARCH } from './client.ts';
import type { CursorPage, ZendeskClient } from './client.ts';
import type { TicketListArgs } from './loaders.ts';
import type { TicketStatus, ZendeskTicket } from './models.ts';

/** The first page of one user's requested tickets. */
export interface RequesterTicketsArgs {
  requesterId: string;
  status?: TicketStatus | undefined;
  /** Tickets on the page, 1 to 100. */
  size: number;
}

const keyOf = (args: RequesterTicketsArgs): string =>
  `${args.requesterId}\u0000${args.status ?? ''}\u0000${String(args.size)}`;

/**
 * First pages of many users' requested tickets in few calls: one search export
 * `type:ticket requester:1 requester:2 ...` per {@link REQUESTERS_PER_SEARCH}
 * users (and status), its tickets grouped by `requester_id`, never by
 * position, oldest first as Zendesk lists them. A lone user, and any users a
 * search could not read in full, get the exact per-user list (`lists`), which
 * also sees a ticket Zendesk has not indexed for search yet. Pages made from a
 * search carry no Zendesk cursor: a later page starts over from the list.
 * Every ticket read primes the by-id loader through `prime`.
 */
export function requesterTicketsLoader(
  client: ZendeskClient,
  call: CallOptions,
  lists: DataLoader<TicketListArgs, CursorPage<ZendeskTicket>, string>,
  prime: (ticket: ZendeskTicket) => void,
): DataLoader<RequesterTicketsArgs, CursorPage<ZendeskTicket>, string> {
  const listed = (args: RequesterTicketsArgs) =>
    lists.load({ size: args.size, status: args.status, requesterId: args.requesterId });

  return new DataLoader<RequesterTicketsArgs, CursorPage<ZendeskTicket>, string>(
    async (keys) => {
      if (keys.length === 1) return [await listed(keys[0] as RequesterTicketsArgs)];
      const byStatus = new Map<TicketStatus | undefined, string[]>();
      for (const key of keys) {
        const ids = byStatus.get(key.status) ?? [];
        if (!ids.includes(key.requesterId)) ids.push(key.requesterId);
        byStatus.set(key.status, ids);
      }
      // status → requester → their tickets, for the users whose search came back whole.
      const found = new Map<TicketStatus | undefined, Map<string, ZendeskTicket[]>>();
      await Promise.all(
        [...byStatus].flatMap(([status, ids]) =>
          chunks(ids, REQUESTERS_PER_SEARCH).map(async (chunk) => {
            const result = await client.searchTicketsByRequesters(chunk, status, call);
            if (!result.complete) return;
            const byRequester = found.get(status) ?? new Map<string, ZendeskTicket[]>();
            found.set(status, byRequester);
            for (const id of chunk) byRequester.set(id, []);
            for (const ticket of result.tickets) {
              prime(ticket);
              byRequester.get(String(ticket.requester_id))?.push(ticket);
            }
          }),
        ),
      );
      return Promise.all(
        keys.map(async (key) => {
          const tickets = found.get(key.status)?.get(key.requesterId);
          if (tickets === undefined) return listed(key);
          const sorted = [...tickets].sort((a, b) => a.id - b.id);
          return { items: sorted.slice(0, key.size), hasMore: sorted.length > key.size, afterCursor: null };
        }),
      );
    },
    { cacheKeyFn: keyOf },
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}
