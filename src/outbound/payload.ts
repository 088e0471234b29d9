import { createHash } from 'node:crypto';
import type { GatewayEvent } from '../events/event.ts';

/** The delivery body: the event as GraphQL's `Event` type serializes it, as JSON. */
export function payloadOf(event: GatewayEvent): string {
  const subject = event.subject;
  return JSON.stringify({
    id: event.id,
    cursor: event.cursor,
    source: event.source,
    type: event.type,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    subject: subject === null ? null : { kind: subject.kind, id: subject.id, email: subject.email ?? null },
    data: event.data,
  });
}

/**
 * The id of the delivery of one event to one endpoint, also its `webhook-id`:
 * derived from both, so every instance that reads the same event for the same
 * endpoint names the same delivery (and creating it twice is a no-op).
 */
export function deliveryIdOf(endpointId: string, cursor: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\u0000${cursor}`).digest('base64url').slice(0, 27)}`;
}
