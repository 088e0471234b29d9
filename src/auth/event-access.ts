import type { GatewayContext } from '../context.ts';
import { ErrorCode, GatewayError } from '../errors.ts';
import type { EventFilter } from '../events/event.ts';

/**
 * Narrows an event filter to the sources the principal may read, so a feed
 * never carries an event of a source outside its scopes.
 *
 * - `feed`: the raw `events` query and subscription, which also need the `events` scope;
 *   `typed`: a typed subscription (`orderCreated`...), whose source scope is enough.
 * - A filter that names a source the principal may not read is refused (FORBIDDEN,
 *   with `extensions.source`) rather than silently emptied; a filter that names
 *   none gets the readable ones.
 */
export function readableEvents(
  ctx: GatewayContext,
  filter: EventFilter | null | undefined,
  kind: 'feed' | 'typed',
): EventFilter {
  if (kind === 'feed' && !ctx.principal.scopes.has('events')) {
    throw new GatewayError(
      ErrorCode.FORBIDDEN,
      'Your credentials may not read the event feed: that needs the "events" scope.',
      { details: { scope: 'events' } },
    );
  }
  const named = filter?.sources ?? [];
  for (const source of named) {
    if (!ctx.mayRead(source)) {
      throw new GatewayError(
        ErrorCode.FORBIDDEN,
        `Your credentials may not read events of source "${source}": leave it out of the filter or use a key with its scope.`,
        { source },
      );
    }
  }
  if (named.length > 0) return { ...filter, sources: named };
  const readable = ctx.readableSources();
  if (readable.length === 0) {
    throw new GatewayError(
      ErrorCode.FORBIDDEN,
      'Your credentials may read no source, so no event: use a key with a domain scope (billing, crm, support, commerce, app).',
    );
  }
  // An empty list would mean "every source" to the log: always pass the readable ones.
  return { ...filter, sources: readable };
}
