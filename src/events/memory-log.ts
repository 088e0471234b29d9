import { compileFilter } from './event.ts';
import type { GatewayEvent, IncomingEvent } from './event.ts';
import { Fanout, type FanoutEntry, type FanoutSubscription } from './fanout.ts';
import { lastIsoTime } from './iso-time.ts';
import { RecentKeys } from './recent-keys.ts';
import {
  EventLogUnavailableError,
  InvalidCursorError,
  type AppendOptions,
  type AppendResult,
  type EventLog,
  type ReadOptions,
  type SubscribeOptions,
} from './log.ts';

/** Options of {@link createMemoryEventLog}. */
export interface MemoryEventLogOptions {
  /** Most events retained; the oldest are evicted first. Default `10_000`. */
  maxEvents?: number;
  /** Events older than this are evicted. Default 24 hours. */
  maxAgeMs?: number;
  /** How long a `(source, id)` pair is remembered to drop re-deliveries; `0` disables de-duplication. Default 7 days. */
  dedupeWindowMs?: number;
  /** Most `(source, id)` pairs remembered; the oldest are forgotten first. Default `100_000`. */
  dedupeMaxKeys?: number;
  /**
   * Most undelivered live events a subscription may queue before it ends with
   * {@link SubscriberLaggingError}. Default `1_000`.
   */
  subscriberQueueLimit?: number;
  /** The clock, in epoch milliseconds. Default `() => Date.now()`. */
  now?: () => number;
  /** Told each batch of events as it goes live to subscriptions (tail-lag metrics). Default: nobody. */
  onLive?: ((events: readonly GatewayEvent[]) => void) | undefined;
  /** Told the source of every event stored (the response cache's invalidation). Default: nobody. */
  onSources?: ((sources: readonly string[]) => void) | undefined;
}

/** The in-process event log, with an extra probe for tests. */
export interface MemoryEventLog extends EventLog {
  readonly kind: 'memory';
  /** How many subscriptions are currently registered for live events. */
  subscriberCount(): number;
}

/** A stored event; its position is its sequence number. */
interface Entry extends FanoutEntry<number> {
  /** The clock reading when stored, for age eviction. */
  readonly at: number;
}

const HOUR_MS = 60 * 60 * 1000;
/** Cursors are the decimal sequence number, without sign or leading zeros; `0` means "before the first event". */
const CURSOR_PATTERN = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * Creates the in-process {@link EventLog}: a bounded, time-limited ring of
 * events served to subscribers from memory. Nothing survives a restart, so it
 * suits a single instance and tests; cursors are decimal sequence numbers,
 * and a cursor beyond the newest event (e.g. from before a restart) is invalid.
 */
export function createMemoryEventLog(options: MemoryEventLogOptions = {}): MemoryEventLog {
  const onSources = options.onSources;
  const maxEvents = positiveInteger('maxEvents', options.maxEvents ?? 10_000);
  const maxAgeMs = positiveNumber('maxAgeMs', options.maxAgeMs ?? 24 * HOUR_MS);
  const dedupeWindowMs = nonNegativeNumber('dedupeWindowMs', options.dedupeWindowMs ?? 7 * 24 * HOUR_MS);
  const dedupeMaxKeys = positiveInteger('dedupeMaxKeys', options.dedupeMaxKeys ?? 100_000);
  const queueLimit = positiveInteger('subscriberQueueLimit', options.subscriberQueueLimit ?? 1_000);
  const now = options.now ?? (() => Date.now());

  // entries[head..] are the retained events in seq order; eviction advances head
  // so it stays O(1), and the array is compacted once the dead prefix dominates.
  let entries: (Entry | undefined)[] = [];
  let head = 0;
  let lastSeq = 0;
  let closed = false;
  /** `${source}:${id}` of the events stored within the dedupe window. */
  const seen = new RecentKeys(dedupeWindowMs, dedupeMaxKeys);
  const fanout = new Fanout<number>({ compare: (a, b) => a - b, queueLimit, onLive: options.onLive });

  /** `at` as ISO-8601, formatted once per millisecond a burst of appends shares. */
  const isoTime = lastIsoTime();

  function evict(at: number): void {
    const retained = entries.length - head;
    let excess = retained > maxEvents ? retained - maxEvents : 0;
    while (head < entries.length) {
      const entry = entries[head];
      if (entry === undefined || (excess <= 0 && at - entry.at <= maxAgeMs)) break;
      entries[head] = undefined;
      head++;
      excess--;
    }
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  }

  /** Whether the key was already seen within the window; records it otherwise. */
  function isDuplicate(key: string, at: number): boolean {
    return dedupeWindowMs !== 0 && seen.seenOrRecord(key, at);
  }

  function parseCursor(cursor: string): number {
    const seq = CURSOR_PATTERN.test(cursor) ? Number(cursor) : Number.NaN;
    if (!Number.isSafeInteger(seq) || seq > lastSeq) throw new InvalidCursorError(cursor);
    return seq;
  }

  /** Index in `entries` of the first retained event with a sequence number above `seq`. */
  function indexAfter(seq: number): number {
    let lo = head;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid]?.position ?? Infinity) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function append(events: readonly IncomingEvent[], options: AppendOptions): AppendResult[] {
    if (closed) throw new EventLogUnavailableError('The memory event log is closed.');
    const at = now();
    // A NUL cannot occur in `${source}:${id}` keys from the ingress (ids are printable), so the namespaces never meet.
    if (options.deliveryKey !== undefined && isDuplicate(`\u0000delivery\u0000${options.deliveryKey}`, at)) {
      return events.map((incoming) => ({ status: 'duplicate', id: incoming.id }));
    }
    const receivedAt = isoTime(at);
    const results: AppendResult[] = [];
    const stored: Entry[] = [];
    for (const incoming of events) {
      if (isDuplicate(`${incoming.source}:${incoming.id}`, at)) {
        results.push({ status: 'duplicate', id: incoming.id });
        continue;
      }
      const seq = ++lastSeq;
      // One literal of fixed shape: spreading into a fresh object cost more than the rest of the append.
      const event: GatewayEvent = Object.freeze({
        id: incoming.id,
        source: incoming.source,
        type: incoming.type,
        occurredAt: incoming.occurredAt,
        subject: incoming.subject,
        data: incoming.data,
        cursor: String(seq),
        receivedAt,
      });
      const entry: Entry = { position: seq, at, event };
      entries.push(entry);
      stored.push(entry);
      results.push({ status: 'stored', event });
    }
    evict(at);
    fanout.publish(stored);
    if (stored.length > 0) onSources?.(stored.map((entry) => entry.event.source));
    return results;
  }

  function read(options: ReadOptions): GatewayEvent[] {
    const after = options.after == null ? 0 : parseCursor(options.after);
    evict(now());
    const matches = compileFilter(options.filter);
    const out: GatewayEvent[] = [];
    for (let i = indexAfter(after); i < entries.length && out.length < options.limit; i++) {
      const entry = entries[i];
      if (entry !== undefined && matches(entry.event)) out.push(entry.event);
    }
    return out;
  }

  function subscribe(options: SubscribeOptions): FanoutSubscription<number> {
    const matches = compileFilter(options.filter);
    let after: number;
    try {
      after = options.after == null ? lastSeq : parseCursor(options.after);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return fanout.failed(error);
    }
    // Snapshotting the backlog and registering for live events in the same
    // synchronous step is what guarantees no gap and no duplicate between them.
    const backlog: Entry[] = [];
    if (options.after != null && !closed) {
      evict(now());
      for (let i = indexAfter(after); i < entries.length; i++) {
        const entry = entries[i];
        if (entry !== undefined && matches(entry.event)) backlog.push(entry);
      }
    }
    return fanout.subscribe({
      matches,
      after: { position: after, cursor: String(after) },
      backlog,
      signal: options.signal,
    });
  }

  return {
    kind: 'memory',
    append: (events, options = {}) => settle(() => append(events, options)),
    read: (options) => settle(() => read(options)),
    subscribe,
    health: () => (closed ? { ok: false, detail: 'memory: closed' } : { ok: true, detail: 'memory' }),
    close() {
      closed = true;
      fanout.close();
      return Promise.resolve();
    },
    subscriberCount: () => fanout.size,
    head: () => Promise.resolve(String(lastSeq)),
  };
}

/** Runs a synchronous operation as a promise, turning a throw into a rejection. */
function settle<T>(operation: () => T): Promise<T> {
  return new Promise((resolve) => resolve(operation()));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer.`);
  return value;
}

function positiveNumber(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number.`);
  return value;
}

function nonNegativeNumber(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`${name} must be zero or more.`);
  return value;
}
