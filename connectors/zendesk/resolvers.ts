import type { SourceScope } from '../../src/connector.ts';
import type { GatewayContext } from '../../src/context.ts';
import { badUserInput } from '../../src/errors.ts';
import type { Resolvers } from '../../src/generated/resolvers.ts';
import type { Connection } from '../../src/pagination.ts';
import { decodeCursor, encodeCursor, pageSize } from '../../src/pagination.ts';
import { MAX_PAGE_SIZE } from './client.ts';
import type { ZendeskClient } from './client.ts';
import type { TicketListArgs, ZendeskLoaders } from './loaders.ts';
import type { TicketStatus, ZendeskTicket } from './models.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { eventSubscription } from '../../src/events/resolvers.ts';
import { zendeskMutations } from './writes.ts';

const zendeskOf = (ctx: GatewayContext): SourceScope<ZendeskClient, ZendeskLoaders> =>
  ctx.source<ZendeskClient, ZendeskLoaders>('zendesk');

/**
 * Where a Relay cursor resumes: Zendesk's own page cursor (empty for the first
 * page) and how many tickets of that page were already seen. Zendesk cursors
 * mark page boundaries only, so an edge in the middle of a page resumes by
 * asking the same page again and skipping what came before it.
 */
interface Position {
  after: string | undefined;
  skip: number;
}

function encodePosition(namespace: string, position: Position): string {
  return encodeCursor(namespace, `${position.skip}.${position.after ?? ''}`);
}

function decodePosition(namespace: string, cursor: string): Position {
  const value = decodeCursor(namespace, cursor);
  const match = /^(\d{1,3})\.(.*)$/s.exec(value);
  const skip = Number(match?.[1]);
  if (match === null || skip >= MAX_PAGE_SIZE) {
    throw badUserInput(
      'Argument "after" is not a cursor of this list: pass an endCursor or edge cursor this field returned.',
      { argument: 'after' },
    );
  }
  const after = match[2] ?? '';
  return { after: after === '' ? undefined : after, skip };
}

/**
 * One Relay page of tickets: `first` tickets after `after`, from one Zendesk
 * list call of at most 100. Each list (and each status or requester filter)
 * has its own cursor namespace, so a cursor cannot page the wrong list.
 */
async function ticketConnection(
  ctx: GatewayContext,
  namespace: string,
  args: { first?: number | null; after?: string | null },
  filter: Pick<TicketListArgs, 'status' | 'requesterId'>,
): Promise<Connection<ZendeskTicket>> {
  const first = pageSize(args.first, MAX_PAGE_SIZE);
  const start: Position = args.after ? decodePosition(namespace, args.after) : { after: undefined, skip: 0 };
  const size = Math.min(MAX_PAGE_SIZE, start.skip + first);
  const { loaders } = zendeskOf(ctx);
  // A user's first page is batched with other users' (a page of customers); its edges resume by
  // position (`skip`), which stays below MAX_PAGE_SIZE since size does.
  const batched =
    filter.requesterId !== undefined && args.after == null && size < MAX_PAGE_SIZE
      ? { requesterId: filter.requesterId, status: filter.status, size }
      : undefined;
  const page = await (batched
    ? loaders.requesterTickets.load(batched)
    : loaders.tickets.load({ size, after: start.after, ...filter }));
  const nodes = page.items.slice(start.skip, start.skip + first);
  const edges = nodes.map((node, i) => {
    const seen = start.skip + i + 1;
    const position: Position =
      seen === page.items.length && page.afterCursor !== null
        ? { after: page.afterCursor, skip: 0 }
        : { after: start.after, skip: seen };
    return { cursor: encodePosition(namespace, position), node };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: page.items.length > start.skip + first || page.hasMore,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const statusKey = (status: TicketStatus | null | undefined): string => status ?? 'any';

/** The agent-workspace link of a ticket, on the host of its API URL. */
export function agentUrl(ticket: ZendeskTicket): string {
  let origin: string;
  try {
    origin = new URL(ticket.url).origin;
  } catch {
    origin = '';
  }
  return `${origin}/agent/tickets/${ticket.id}`;
}

export const zendeskResolvers: Resolvers = {
  TicketStatus: {
    NEW: 'new',
    OPEN: 'open',
    PENDING: 'pending',
    HOLD: 'hold',
    SOLVED: 'solved',
    CLOSED: 'closed',
  },
  TicketPriority: { LOW: 'low', NORMAL: 'normal', HIGH: 'high', URGENT: 'urgent' },
  TicketType: { PROBLEM: 'problem', INCIDENT: 'incident', QUESTION: 'question', TASK: 'task' },
  SupportUserRole: { END_USER: 'end-user', AGENT: 'agent', ADMIN: 'admin' },
  Subscription: {
    ticketUpdated: eventSubscription(
      () => ({ sources: ['zendesk'], types: ['ticket.*'] }),
      (event) => event,
    ),
  },
  TicketEvent: {
    event: (event) => event,
    ticket: (event, _args, ctx) =>
      event.subject?.kind === 'ticket' ? zendeskOf(ctx).loaders.ticket.load(event.subject.id) : null,
  },
  Mutation: zendeskMutations,
  Query: {
    tickets: (_parent, args, ctx) =>
      ticketConnection(ctx, `zendesk-tickets:${statusKey(args.status)}`, args, {
        status: args.status ?? undefined,
      }),
    ticket: (_parent, args, ctx) => zendeskOf(ctx).loaders.ticket.load(sourceIdOf('SupportTicket', args.id)),
    supportUser: (_parent, args, ctx) => zendeskOf(ctx).loaders.user.load(sourceIdOf('SupportUser', args.id)),
    supportUserByEmail: (_parent, args, ctx) => zendeskOf(ctx).loaders.userByEmail.load(args.email),
  },
  SupportTicket: {
    createdAt: (t) => t.created_at,
    updatedAt: (t) => t.updated_at,
    dueAt: (t) => t.due_at,
    url: (t) => agentUrl(t),
    requester(t, _args, ctx) {
      return t.requester_id === null ? null : zendeskOf(ctx).loaders.user.load(String(t.requester_id));
    },
    assignee(t, _args, ctx) {
      return t.assignee_id === null ? null : zendeskOf(ctx).loaders.user.load(String(t.assignee_id));
    },
  },
  SupportUser: {
    createdAt: (u) => u.created_at,
    tickets: (u, args, ctx) =>
      ticketConnection(ctx, `zendesk-user-tickets:${u.id}:${statusKey(args.status)}`, args, {
        status: args.status ?? undefined,
        requesterId: String(u.id),
      }),
  },
};
