import type { EventFilter, GatewayEvent, IncomingEvent } from './event.ts';

/** The outcome of appending one event. */
export type AppendResult = { status: 'stored'; event: GatewayEvent } | { status: 'duplicate'; id: string };

/** Thrown by `append` when the log cannot confirm it stored the events; ingress answers 503. */
export class EventLogUnavailableError extends Error {
  override readonly name = 'EventLogUnavailableError';
}

/** Thrown for a cursor the log cannot have produced; the API reports it as BAD_USER_INPUT. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly cursor: string;
  constructor(cursor: string) {
    super(`"${cursor}" is not a valid event cursor: pass the cursor of an event this gateway returned.`);
    this.cursor = cursor;
  }
}

/**
 * Ends a subscription whose consumer fell too far behind the live tail: the
 * log drops its queue rather than buffer without bound. Resubscribing with
 * `after: resumeCursor` resumes right after the last event it received.
 */
export class SubscriberLaggingError extends Error {
  override readonly name = 'SubscriberLaggingError';
  /** The cursor of the last event the subscriber received, or the `after` it started from. */
  readonly resumeCursor: string;
  constructor(resumeCursor: string, queueLimit: number) {
    super(
      `The subscription fell too far behind the event log (more than ${queueLimit} undelivered events): ` +
        `resubscribe with after: "${resumeCursor}" to resume right after the last event it received.`,
    );
    this.resumeCursor = resumeCursor;
  }
}

/** Options of {@link EventLog.append}. */
export interface AppendOptions {
  /**
   * Names the delivery by what its signature covers (a source and a digest of
   * the signed bytes). When the same key was appended within the dedupe
   * window, every event is reported duplicate and nothing is stored, whatever
   * their ids: the same signed bytes sent again under a new unsigned delivery
   * id are a replay. Absent: de-duplication by `(source, id)` only.
   */
  deliveryKey?: string | undefined;
}

/** Options of {@link EventLog.read}. */
export interface ReadOptions {
  /** Return only events stored after this cursor; absent: from the oldest retained event. */
  after?: string | null | undefined;
  /** At most this many events. */
  limit: number;
  filter?: EventFilter | null | undefined;
}

/** Options of {@link EventLog.subscribe}. */
export interface SubscribeOptions {
  /** Replay retained events after this cursor, then go live; absent: live events only. */
  after?: string | null | undefined;
  filter?: EventFilter | null | undefined;
  /** Ends the subscription. */
  signal?: AbortSignal | undefined;
}

/**
 * The durable, ordered log of events that every subscription is served from.
 *
 * Contract (one shared test suite checks every back-end):
 * - `append` de-duplicates on `(source, id)` and on the delivery key (see
 *   {@link AppendOptions}) within the dedupe window, stores the rest in order
 *   and resolves only once they are stored; on failure it rejects with
 *   {@link EventLogUnavailableError}, nothing it reported is lost and no key is
 *   remembered, so a retry stores the events.
 * - cursors are opaque, totally ordered and strictly increasing in append order.
 * - `subscribe` with `after` yields every retained event after the cursor, then
 *   every later event, each exactly once, in log order, with no gap between the
 *   replay and the live tail.
 */
export interface EventLog {
  readonly kind: 'memory' | 'redis';
  append(events: readonly IncomingEvent[], options?: AppendOptions): Promise<AppendResult[]>;
  read(options: ReadOptions): Promise<GatewayEvent[]>;
  subscribe(options: SubscribeOptions): AsyncIterableIterator<GatewayEvent>;
  /**
   * The cursor of the newest stored event, or of the log's start when it is
   * empty. Subscribing with it as `after` gets every event from now on, with no
   * race between asking and subscribing.
   */
  head(): Promise<string>;
  /** Whether the log can take appends now, and why not. */
  health(): { ok: boolean; detail: string };
  close(): Promise<void>;
}
