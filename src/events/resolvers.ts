import { setTimeout as sleep } from 'node:timers/promises';
import { readableEvents } from '../auth/event-access.ts';
import type { GatewayContext } from '../context.ts';
import { ErrorCode, GatewayError, badUserInput } from '../errors.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { pageSize, toConnection } from '../pagination.ts';
import type { EventFilter, GatewayEvent } from './event.ts';
import { EventLogUnavailableError, InvalidCursorError, SubscriberLaggingError } from './log.ts';
import type { EventLog, SubscribeOptions } from './log.ts';

/** Largest page of `Query.events`. */
export const MAX_EVENTS_PAGE = 500;

function asUserError(error: unknown): unknown {
  if (error instanceof InvalidCursorError) return badUserInput(error.message, { argument: 'after' });
  if (error instanceof EventLogUnavailableError) {
    // Redis's reason may name hosts and ports: production leaves it out.
    return new GatewayError(
      ErrorCode.EVENT_LOG_UNAVAILABLE,
      `The event log is unavailable: ${error.message}`,
      {
        publicMessage: 'The event log is unavailable; retry later.',
      },
    );
  }
  return error;
}

/** A subscription ends when its client goes away or the gateway shuts down. */
function untilClosed(ctx: GatewayContext): AbortSignal {
  return ctx.signal ? AbortSignal.any([ctx.signal, ctx.closing]) : ctx.closing;
}

/** What the subscription source yields: an event, or the error that ends the subscription. */
type Delivery = { event: GatewayEvent } | { error: GatewayError };

function endingError(error: unknown): GatewayError | null {
  if (error instanceof SubscriberLaggingError) {
    return new GatewayError(ErrorCode.SUBSCRIPTION_LAGGING, error.message, {
      details: { resumeCursor: error.resumeCursor },
    });
  }
  const user = asUserError(error);
  return user instanceof GatewayError ? user : null;
}

/**
 * Wraps the log's iterator so that a known failure (a bad cursor, a lagging
 * subscriber) reaches the client as a final GraphQL error with its code,
 * rather than as a transport-level failure.
 */
async function* deliveries(log: EventLog, options: SubscribeOptions): AsyncGenerator<Delivery> {
  const iterator = log.subscribe(options);
  try {
    for await (const event of iterator) yield { event };
  } catch (error) {
    const ending = endingError(error);
    if (ending === null) throw error;
    yield { error: ending };
  } finally {
    await iterator.return?.();
  }
}

/**
 * A subscription field fed from the event log: the events matching `filter`
 * (after the `after` argument, when given), each turned into the field's
 * payload with a fresh request scope, so nested fields read current data
 * within their own deadline.
 */
export function eventSubscription<Args extends { after?: string | null }, Payload>(
  filter: (args: Args, ctx: GatewayContext) => EventFilter | Promise<EventFilter>,
  payload: (event: GatewayEvent, args: Args, ctx: GatewayContext) => Payload,
) {
  return {
    subscribe: async (_parent: unknown, args: Args, ctx: GatewayContext) =>
      deliveries(ctx.events, {
        after: args.after,
        filter: readableEvents(ctx, await filter(args, ctx), 'typed'),
        signal: untilClosed(ctx),
      }),
    resolve: (delivery: Delivery, args: Args, ctx: GatewayContext): Payload => {
      if ('error' in delivery) throw delivery.error;
      ctx.renew();
      return payload(delivery.event, args, ctx);
    },
  };
}

export const eventResolvers: Resolvers = {
  Query: {
    async latestEventCursor(_parent, _args, ctx) {
      ctx.reads.readGatewayState();
      try {
        return await ctx.events.head();
      } catch (error) {
        throw asUserError(error);
      }
    },
    async events(_parent, args, ctx) {
      ctx.reads.readGatewayState();
      const first = pageSize(args.first, MAX_EVENTS_PAGE, 50);
      let events: GatewayEvent[];
      try {
        const filter = readableEvents(ctx, args.filter, 'feed');
        events = await ctx.events.read({ after: args.after, limit: first + 1, filter });
      } catch (error) {
        throw asUserError(error);
      }
      const page = events.slice(0, first);
      return toConnection(page, (e) => e.cursor, events.length > first, Boolean(args.after));
    },
  },
  Subscription: {
    events: {
      subscribe: (_parent, args, ctx) =>
        deliveries(ctx.events, {
          after: args.after,
          filter: readableEvents(ctx, args.filter, 'feed'),
          signal: untilClosed(ctx),
        }),
      resolve: (delivery: Delivery) => {
        if ('event' in delivery) return delivery.event;
        throw delivery.error;
      },
    },
    heartbeat: {
      subscribe: (_parent, args, ctx) => heartbeats(args.intervalMs, untilClosed(ctx)),
      resolve: (tick: number) => ({ tick, at: new Date().toISOString() }),
    },
  },
};

async function* heartbeats(intervalMs: number, signal: AbortSignal | undefined): AsyncGenerator<number> {
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) {
    throw badUserInput(`Argument "intervalMs" must be between 100 and 60000; got ${intervalMs}.`);
  }
  for (let tick = 1; !signal?.aborted; tick++) {
    yield tick;
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
