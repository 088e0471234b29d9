/** What an event is about, so subscribers can filter by subject and caches can invalidate it. */
export interface EventSubject {
  /** The kind of entity, in the source's own vocabulary: `customer`, `invoice`, `subscription`... */
  kind: string;
  /** The entity's id in its source. */
  id: string;
  /** The email of the person the entity belongs to, when the payload names one. */
  email?: string | null | undefined;
}

/**
 * A normalized event as a connector produces it from one verified webhook
 * delivery, before the event log has stored it.
 */
export interface IncomingEvent {
  /** Stable id, unique within the source: the provider's own event id (Stripe `evt_...`). */
  id: string;
  /** The connector name (`stripe`). */
  source: string;
  /** The provider's own type name (`customer.updated`). */
  type: string;
  /** When the provider says it happened (ISO-8601). */
  occurredAt: string;
  subject: EventSubject | null;
  /** The verified payload, as the provider sent it. */
  data: unknown;
}

/** An event once stored in the event log. */
export interface GatewayEvent extends IncomingEvent {
  /** Position in the event log; pass it as `after` to resume right after this event. */
  cursor: string;
  /** When the gateway stored it (ISO-8601). */
  receivedAt: string;
}

/** Which events a reader or subscriber wants. An absent or empty list matches everything. */
export interface EventFilter {
  sources?: readonly string[] | null | undefined;
  /** Exact type names, or prefixes ending in `*` (`customer.*`). */
  types?: readonly string[] | null | undefined;
  /**
   * Who the event is about: an event matches when its `subject.email` is one of
   * `emails` (case-insensitive) or its source and `subject.id` are one of
   * `subjects`. Absent or both empty: any subject.
   */
  emails?: readonly string[] | null | undefined;
  subjects?: readonly { source: string; id: string }[] | null | undefined;
}

/** Compiles a filter into a predicate once, so the hot fan-out path does no parsing. */
export function compileFilter(filter: EventFilter | null | undefined): (event: IncomingEvent) => boolean {
  const sources = filter?.sources?.length ? new Set(filter.sources) : null;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const t of filter?.types ?? []) {
    if (t.endsWith('*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  const anyType = exact.size === 0 && prefixes.length === 0;
  const emails = new Set((filter?.emails ?? []).map((e) => e.trim().toLowerCase()));
  const subjects = new Set((filter?.subjects ?? []).map((s) => `${s.source}\u0000${s.id}`));
  const anySubject = emails.size === 0 && subjects.size === 0;
  const subjectMatches = (event: IncomingEvent): boolean => {
    const subject = event.subject;
    if (subject === null) return false;
    if (typeof subject.email === 'string' && emails.has(subject.email.toLowerCase())) return true;
    return subjects.has(`${event.source}\u0000${subject.id}`);
  };
  return (event) =>
    (sources === null || sources.has(event.source)) &&
    (anyType || exact.has(event.type) || prefixes.some((p) => event.type.startsWith(p))) &&
    (anySubject || subjectMatches(event));
}
