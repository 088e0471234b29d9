import { z } from 'zod';
import type { GatewayContext } from '../../src/context.ts';
import { ErrorCode, GatewayError } from '../../src/errors.ts';
import type { MutationResolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { runWrite } from '../../src/writes/run-write.ts';
import { parseWriteInput } from '../../src/writes/write-input.ts';
import type { ZendeskClient } from './client.ts';
import type { ZendeskLoaders } from './loaders.ts';
import type { ZendeskTicket } from './models.ts';

const priority = z.enum(['low', 'normal', 'high', 'urgent']);
const status = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);
const body = z.string().trim().min(1, 'must not be empty').max(65_535, 'must be at most 65535 characters');

const CreateTicketArgs = z.object({
  input: z.object({
    requesterEmail: z.string().trim().pipe(z.email('must be an email address').max(254)),
    requesterName: z.string().trim().min(1, 'must not be empty').max(255).nullish(),
    subject: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    comment: body,
    priority: priority.nullish(),
  }),
});

const UpdateTicketArgs = z.object({
  id: z.string(),
  input: z
    .object({
      status: status.nullish(),
      priority: priority.nullish(),
      comment: z.object({ body, public: z.boolean().nullish() }).nullish(),
    })
    .refine((i) => Boolean(i.status ?? i.priority ?? i.comment), {
      message: 'give at least one of status, priority or comment',
    }),
});

/** The ticket a write returned, primed in this request's loader, so fields below read it and not an older copy. */
function fresh(ctx: GatewayContext, ticket: ZendeskTicket): ZendeskTicket {
  const loaders = ctx.source<ZendeskClient, ZendeskLoaders>('zendesk').loaders;
  loaders.ticket.clear(String(ticket.id)).prime(String(ticket.id), ticket);
  return ticket;
}

function primeIfReadable(ctx: GatewayContext, ticket: ZendeskTicket): ZendeskTicket {
  return ctx.mayRead('zendesk') ? fresh(ctx, ticket) : ticket;
}

/** `createTicket` and `updateTicket`: Zendesk has no idempotency keys the gateway relies on, so its store keeps them. */
export const zendeskMutations: MutationResolvers = {
  async createTicket(_parent, args, ctx) {
    const { input } = parseWriteInput(CreateTicketArgs, { input: args.input });
    const ticket = await runWrite<ZendeskClient, ZendeskLoaders, ZendeskTicket>(ctx, {
      source: 'zendesk',
      title: 'Zendesk',
      mutation: 'createTicket',
      input: { input },
      idempotencyKey: args.idempotencyKey,
      write: (scope) =>
        scope.client.createTicket(
          {
            subject: input.subject,
            comment: { body: input.comment, public: true },
            requester: { email: input.requesterEmail, name: input.requesterName ?? undefined },
            priority: input.priority ?? undefined,
          },
          scope.call,
        ),
    });
    return primeIfReadable(ctx, ticket);
  },
  async updateTicket(_parent, args, ctx) {
    const { input } = parseWriteInput(UpdateTicketArgs, { id: args.id, input: args.input });
    const id = sourceIdOf('SupportTicket', args.id);
    const ticket = await runWrite<ZendeskClient, ZendeskLoaders, ZendeskTicket>(ctx, {
      source: 'zendesk',
      title: 'Zendesk',
      mutation: 'updateTicket',
      input: { id, input },
      idempotencyKey: args.idempotencyKey,
      setsValues: !input.comment,
      async write(scope) {
        const updated = await scope.client.updateTicket(
          id,
          {
            status: input.status ?? undefined,
            priority: input.priority ?? undefined,
            comment: input.comment
              ? { body: input.comment.body, public: input.comment.public ?? true }
              : undefined,
          },
          scope.call,
        );
        if (updated === null) {
          throw new GatewayError(
            ErrorCode.UPSTREAM_NOT_FOUND,
            `Zendesk has no ticket ${JSON.stringify(args.id)}.`,
            {
              source: 'zendesk',
            },
          );
        }
        return updated;
      },
    });
    return primeIfReadable(ctx, ticket);
  },
};
