import type { GatewayEvent, IncomingEvent } from './event.ts';
import { SubscriberLaggingError } from './log.ts';

/**
 * Local fan-out of a log's live events to its subscriptions, shared by every
 * back-end: each subscription gets a replay (a snapshot, or pages read on
 * demand), then a bounded queue of live events, each event exactly once and in
 * log order. The back-end decides what a position is (a sequence number, a
 * stream id); the fan-out only compares them.
 */

/** One stored event and its position in the log. */
export interface FanoutEntry<P> {
  readonly position: P;
  readonly event: GatewayEvent;
}

/** A position together with the cursor that names it to clients. */
export interface FanoutMark<P> {
  readonly position: P;
  readonly cursor: string;
}

/** One page of a replay read from the log. */
export interface ReplayPage<P> {
  /** Events after the position asked for that match the subscription's filter, in log order. */
  readonly entries: readonly FanoutEntry<P>[];
  /** Position of the last event the page read, matching or not; `null` when it read none. */
  readonly last: P | null;
  /** Whether the page reached the end of the log as it was when read. */
  readonly end: boolean;
}

/** Reads the page of a replay that follows `after`. */
export type ReplayReader<P> = (after: P) => Promise<ReplayPage<P>>;

/** Options of {@link Fanout}. */
export interface FanoutOptions<P> {
  /** Orders positions: negative when `a` comes first, positive when `b` does, 0 when equal. */
  compare: (a: P, b: P) => number;
  /**
   * Most undelivered live events a subscription may queue before it ends with
   * {@link SubscriberLaggingError}. Replayed events do not count, nor does a
   * batch published while the consumer was waiting for its next event: a
   * consumer that had taken everything is keeping up, and takes a burst as
   * fast as it is offered; it lags only if it is still more than this behind
   * when a later batch comes.
   */
  queueLimit: number;
  /** Delay before a failed replay page is read again, doubling up to 16 times this. Default 100 ms. */
  replayRetryMs?: number;
  /** Told each batch of live events as it is handed to the subscriptions (metrics). Default: nobody. */
  onLive?: ((events: readonly GatewayEvent[]) => void) | undefined;
}

/** What a subscription starts from. */
export interface FanoutSubscribeOptions<P> {
  matches: (event: IncomingEvent) => boolean;
  /**
   * Nothing at or before this mark is delivered; it is the resume cursor until
   * an event is. `null` (only before {@link Fanout.begin}): from the first published event.
   */
  after: FanoutMark<P> | null;
  /** Entries after `after` already read, delivered first. */
  backlog?: readonly FanoutEntry<P>[];
  /**
   * Reads the events after `after` (and after `backlog`) page by page, on
   * demand, while live events are queued; the replay ends when a page reaches
   * the end of the log or the first live event. Without it the subscription
   * is live at once.
   */
  replay?: ReplayReader<P> | undefined;
  signal?: AbortSignal | null | undefined;
}

/** The set of live subscriptions of one log, and where its live tail is. */
export class Fanout<P> {
  readonly #compare: (a: P, b: P) => number;
  readonly #queueLimit: number;
  readonly #replayRetryMs: number;
  readonly #onLive: FanoutOptions<P>['onLive'];
  readonly #subscriptions = new Set<FanoutSubscription<P>>();
  #head: FanoutMark<P> | null = null;
  #closed = false;

  constructor(options: FanoutOptions<P>) {
    this.#compare = options.compare;
    this.#queueLimit = options.queueLimit;
    this.#replayRetryMs = options.replayRetryMs ?? 100;
    this.#onLive = options.onLive;
  }

  /** How many subscriptions are registered for live events. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** The last published position, or the one given to {@link begin}; `null` before either. */
  get head(): FanoutMark<P> | null {
    return this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sets where the live tail starts, once: subscriptions registered before,
   * with no `after`, start from there.
   */
  begin(mark: FanoutMark<P>): void {
    if (this.#head !== null) return;
    this.#head = mark;
    for (const subscription of this.#subscriptions) subscription.startAt(mark);
  }

  /** Moves the head past entries nobody was subscribed to. */
  advance(mark: FanoutMark<P>): void {
    this.#head = mark;
  }

  /** Hands newly stored entries, in log order, to every subscription. */
  publish(entries: readonly FanoutEntry<P>[]): void {
    const last = entries.at(-1);
    if (last === undefined) return;
    this.#head = { position: last.position, cursor: last.event.cursor };
    for (const subscription of this.#subscriptions) subscription.offerBatch(entries);
    if (this.#onLive) this.#onLive(entries.map((entry) => entry.event));
  }

  /** Registers a subscription; after {@link close} or an aborted signal it is born ended. */
  subscribe(options: FanoutSubscribeOptions<P>): FanoutSubscription<P> {
    const subscription = new FanoutSubscription<P>({
      ...options,
      compare: this.#compare,
      queueLimit: this.#queueLimit,
      replayRetryMs: this.#replayRetryMs,
      detach: (s) => this.#subscriptions.delete(s),
      error: null,
    });
    if (this.#closed || options.signal?.aborted === true) {
      subscription.end();
      return subscription;
    }
    this.#subscriptions.add(subscription);
    subscription.start(options.signal ?? undefined);
    return subscription;
  }

  /** A subscription that rejects its first `next()` with `error`, then is done. */
  failed(error: Error): FanoutSubscription<P> {
    return new FanoutSubscription<P>({
      matches: () => false,
      after: null,
      compare: this.#compare,
      queueLimit: this.#queueLimit,
      replayRetryMs: this.#replayRetryMs,
      detach: () => undefined,
      error,
    });
  }

  /** Ends every subscription; later ones are born ended. */
  close(): void {
    this.#closed = true;
    for (const subscription of this.#subscriptions) subscription.end();
  }
}

type Waiter = {
  resolve: (result: IteratorResult<GatewayEvent, undefined>) => void;
  reject: (error: unknown) => void;
};

interface SubscriptionInit<P> extends FanoutSubscribeOptions<P> {
  compare: (a: P, b: P) => number;
  queueLimit: number;
  replayRetryMs: number;
  detach: (subscription: FanoutSubscription<P>) => void;
  error: Error | null;
}

/** One subscription: a replay, then a bounded queue of live events. */
export class FanoutSubscription<P> implements AsyncIterableIterator<GatewayEvent, undefined> {
  readonly #matches: (event: IncomingEvent) => boolean;
  readonly #compare: (a: P, b: P) => number;
  readonly #queueLimit: number;
  readonly #replayRetryMs: number;
  readonly #detach: (subscription: FanoutSubscription<P>) => void;
  #backlog: FanoutEntry<P>[];
  #backlogHead = 0;
  /** Live events not yet delivered; while replaying, some may still turn out to be replayed already. */
  #queue: FanoutEntry<P>[] = [];
  #queueHead = 0;
  /** Highest position taken in (replayed or queued), so nothing is delivered twice; `null`: none yet. */
  #last: P | null;
  /** Reads the next replay page; `null` once the subscription is live. */
  #replay: ReplayReader<P> | null;
  #replayLoading = false;
  #replayFailures = 0;
  #replayTimer: NodeJS.Timeout | undefined;
  /** While replaying: position of the first live event offered, matching or not. */
  #firstLive: P | null = null;
  /** Cursor of the last event delivered, or the starting position. */
  #resumeCursor: string;
  /** An error still to be reported by `next()`. */
  #error: Error | null;
  #done = false;
  /** While offering a batch that arrived with the consumer waiting: the queue limit does not apply to it. */
  #burst = false;
  /** Pending `next()` calls; non-empty only while there is nothing to deliver. */
  #waiters: Waiter[] = [];
  #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.end();

  constructor(init: SubscriptionInit<P>) {
    this.#matches = init.matches;
    this.#compare = init.compare;
    this.#queueLimit = init.queueLimit;
    this.#replayRetryMs = init.replayRetryMs;
    this.#detach = init.detach;
    this.#backlog = [...(init.backlog ?? [])];
    this.#last = init.after?.position ?? null;
    for (const entry of this.#backlog) this.#last = this.#max(this.#last, entry.position);
    this.#replay = init.replay ?? null;
    this.#resumeCursor = init.after?.cursor ?? '';
    this.#error = init.error;
  }

  /** Called once registered: listens for the abort and reads the first replay page ahead. */
  start(signal: AbortSignal | undefined): void {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#pump();
  }

  /** Gives a subscription registered before the tail's start its starting position. */
  startAt(mark: FanoutMark<P>): void {
    if (this.#last !== null || this.#done) return;
    this.#last = mark.position;
    this.#resumeCursor = mark.cursor;
  }

  /** Fan-out entry point: called for every batch of stored events, in log order. */
  offerBatch(entries: readonly FanoutEntry<P>[]): void {
    // Waiting for its next event means it has taken everything so far: the whole batch is its to take.
    this.#burst = this.#replay === null && this.#waiters.length > 0;
    for (const entry of entries) this.offer(entry);
    this.#burst = false;
  }

  /** Offers one stored event, in log order. */
  offer(entry: FanoutEntry<P>): void {
    if (this.#done) return;
    if (this.#replay !== null) {
      this.#firstLive ??= entry.position;
      if (this.#matches(entry.event)) this.#enqueue(entry);
      return;
    }
    if (this.#isTaken(entry.position) || !this.#matches(entry.event)) return;
    this.#last = entry.position;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#resumeCursor = entry.event.cursor;
      waiter.resolve({ done: false, value: entry.event });
      return;
    }
    this.#enqueue(entry);
  }

  next(): Promise<IteratorResult<GatewayEvent, undefined>> {
    const entry = this.#take();
    if (entry !== undefined) {
      this.#resumeCursor = entry.event.cursor;
      return Promise.resolve({ done: false, value: entry.event });
    }
    const error = this.#error;
    if (error !== null) {
      this.#error = null;
      this.#finish(null);
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    const pending = new Promise<IteratorResult<GatewayEvent, undefined>>((resolve, reject) =>
      this.#waiters.push({ resolve, reject }),
    );
    this.#pump();
    return pending;
  }

  return(): Promise<IteratorResult<GatewayEvent, undefined>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the subscription: pending and later `next()` calls resolve done. */
  end(): void {
    this.#error = null;
    this.#finish(null);
  }

  #isTaken(position: P): boolean {
    return this.#last !== null && this.#compare(position, this.#last) <= 0;
  }

  #max(a: P | null, b: P): P {
    return a === null || this.#compare(b, a) > 0 ? b : a;
  }

  #enqueue(entry: FanoutEntry<P>): void {
    this.#queue.push(entry);
    if (!this.#burst && this.#queue.length - this.#queueHead > this.#queueLimit) {
      // Stop buffering right away rather than when the consumer next asks.
      this.#finish(new SubscriberLaggingError(this.#resumeCursor, this.#queueLimit));
    }
  }

  #take(): FanoutEntry<P> | undefined {
    const fromBacklog = this.#backlog[this.#backlogHead];
    if (fromBacklog !== undefined) {
      this.#backlogHead++;
      if (this.#backlogHead === this.#backlog.length) {
        this.#backlog = [];
        this.#backlogHead = 0;
        this.#pump();
      }
      return fromBacklog;
    }
    // While replaying, queued live events wait: the replay comes first.
    if (this.#replay !== null) return undefined;
    const live = this.#queue[this.#queueHead];
    if (live === undefined) return undefined;
    this.#queueHead++;
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
    return live;
  }

  /** Reads the next replay page when the backlog ran dry, unless one is on its way. */
  #pump(): void {
    const replay = this.#replay;
    if (replay === null || this.#done || this.#replayLoading || this.#replayTimer !== undefined) return;
    if (this.#backlogHead < this.#backlog.length) return;
    this.#replayLoading = true;
    // `#last` is where the replay has read up to: pages are asked strictly in order.
    const after = this.#last;
    const read =
      after === null ? Promise.resolve<ReplayPage<P>>({ entries: [], last: null, end: true }) : replay(after);
    read.then(
      (page) => {
        this.#replayLoading = false;
        this.#replayFailures = 0;
        if (!this.#done) this.#onPage(page);
      },
      () => {
        this.#replayLoading = false;
        if (this.#done) return;
        // The log is unreachable for now; live events keep queueing (bounded) meanwhile.
        const delay = this.#replayRetryMs * 2 ** Math.min(this.#replayFailures++, 4);
        this.#replayTimer = setTimeout(() => {
          this.#replayTimer = undefined;
          this.#pump();
        }, delay);
        this.#replayTimer.unref();
      },
    );
  }

  #onPage(page: ReplayPage<P>): void {
    for (const entry of page.entries) {
      if (this.#isTaken(entry.position)) continue;
      this.#backlog.push(entry);
      this.#last = entry.position;
    }
    if (page.last !== null) this.#last = this.#max(this.#last, page.last);
    // Live events cover everything from the first one offered on, so the replay can stop there.
    const caughtUp =
      page.end || (this.#firstLive !== null && this.#last !== null && this.#isTaken(this.#firstLive));
    if (caughtUp) this.#goLive();
    this.#flush();
    if (!caughtUp) this.#pump();
  }

  /** Ends the replay: drops queued live events it already delivered, and takes in the rest. */
  #goLive(): void {
    this.#replay = null;
    this.#firstLive = null;
    const queued = this.#queue.slice(this.#queueHead).filter((entry) => !this.#isTaken(entry.position));
    this.#queue = queued;
    this.#queueHead = 0;
    const last = queued.at(-1);
    if (last !== undefined) this.#last = this.#max(this.#last, last.position);
  }

  /** Hands what became available to waiting `next()` calls. */
  #flush(): void {
    while (this.#waiters.length > 0) {
      const entry = this.#take();
      if (entry === undefined) return;
      this.#resumeCursor = entry.event.cursor;
      this.#waiters.shift()?.resolve({ done: false, value: entry.event });
    }
  }

  /** Unregisters from the log, drops the buffers and settles pending `next()` calls. */
  #finish(error: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    this.#detach(this);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    clearTimeout(this.#replayTimer);
    this.#replayTimer = undefined;
    this.#replay = null;
    this.#backlog = [];
    this.#backlogHead = 0;
    this.#queue = [];
    this.#queueHead = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    const first = error === null ? undefined : waiters.shift();
    if (error !== null) {
      if (first === undefined) this.#error = error;
      else first.reject(error);
    }
    for (const waiter of waiters) waiter.resolve({ done: true, value: undefined });
  }
}
