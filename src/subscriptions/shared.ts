import { Kind } from 'graphql';
import type {
  DocumentNode,
  ExecutionResult,
  GraphQLError,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import { valueDeeperThan } from '../events/json-depth.ts';

/**
 * Shared subscriptions: every client subscribed with the same document,
 * operation name and variables is a member of one group, which runs ONE
 * execution and serializes each of its results ONCE; members only frame that
 * text with their own subscription id and write it to their socket.
 */

/** Where a member's messages go: writes `text` and calls `done` once it is flushed (or failed). */
export interface MemberSink {
  send(text: string, done: (error?: Error) => void): void;
}

/**
 * Starts the group's execution and returns what `subscribe` returned. `signal` is
 * aborted when the last member leaves: the execution should end on it (it is the
 * context's `signal`), so that an idle stream does not wait for its next event to end.
 */
export type StartExecution = (signal: AbortSignal) => Promise<unknown>;

/** Options of one {@link SharedSubscriptions.join}. */
export interface JoinOptions {
  /** Same key → same group. See {@link groupKey}. */
  key: string;
  /** The subscription id, as the client chose it (framed into every `next` message). */
  id: string;
  sink: MemberSink;
  /** Runs the execution; called only by the member that creates the group. */
  start: StartExecution;
  /**
   * Whether a member may still join once the group has delivered an event: true for
   * live feeds (a late joiner sees what a fresh execution would see), false for
   * replays and stateful streams (a late joiner would miss what a fresh execution replays).
   */
  joinableMidStream: boolean;
  /** Response key of the root field, for the `path` of a lagging error. */
  rootField: string | undefined;
  /**
   * Called once when the member ends on its own, after its last message is
   * written: with `null` when the execution completed (or the member was ended
   * as lagging), with the error when the execution failed. Not called when the
   * member left: `return()`, or a write to its socket failed.
   */
  onEnd?: ((error: Error | null) => void) | undefined;
}

export interface SharedSubscriptionsOptions {
  /**
   * Messages a member may have waiting to be written before it counts as
   * lagging, once the oldest of them has waited `maxQueueWaitMs`: a burst of
   * events is queued faster than any socket can take it (the writes complete
   * on later turns of the event loop), so the count alone says nothing about
   * whether a subscriber keeps up; a socket that does not drain does. Default 1024.
   */
  maxQueue?: number;
  /** How long the oldest waiting message may wait while more than `maxQueue` wait, in ms. Default 5000. */
  maxQueueWaitMs?: number;
  /** Messages waiting beyond which a member is ended at once, however recent (a bound on memory). Default 16 × `maxQueue`. */
  hardMaxQueue?: number;
  /** The clock, in ms. Default `performance.now()`. */
  now?: () => number;
  /**
   * Members a group writes one result to before it lets the event loop run
   * other work (webhook acknowledgements, other groups, reads), so a large
   * fan-out never holds everything else up until its last socket. Default 256.
   */
  sliceSize?: number;
}

/** Counters, for tests and metrics. */
export interface SharedSubscriptionsStats {
  /** Groups with a running (or starting) execution. */
  groups: number;
  /** Members of those groups. */
  members: number;
  /** Executions started since the hub was created. */
  executions: number;
}

/** One serialized result, shared by every member of a group. */
interface Delivery {
  /** The `payload` of a graphql-ws `next` message, as JSON text. */
  readonly payload: string;
  /** `cursor` of the root field's value, when it has one: where a lagging member can resume. */
  readonly cursor: string | undefined;
}

/** The JSON text graphql-ws would put in the payload of a `next` message for `result`. */
export function serializeResult(result: ExecutionResult): string {
  const { errors, ...rest } = result;
  try {
    return JSON.stringify(errors ? { ...rest, errors } : rest);
  } catch {
    // A value too deep (or cyclic) to serialize costs this one result, not the group's execution.
    return JSON.stringify({
      data: null,
      errors: [
        {
          message: 'This result could not be serialized, so it was not sent; the subscription goes on.',
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        },
      ],
    });
  }
}

/** Deepest variables that are shared by value; deeper ones (which no input type of the schema has) get a group of their own. */
const MAX_SHARED_VARIABLES_DEPTH = 32;
let unshared = 0;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(value).sort())
      sorted[name] = canonical((value as Record<string, unknown>)[name]);
    return sorted;
  }
  return value;
}

/**
 * The group key of an operation: query text, operation name, variables (in
 * canonical JSON) and `audience`, what decides what the caller may see (the
 * principal's scopes, see `scopeKey`): callers who may see different data never
 * share an execution.
 */
export function groupKey(
  query: string,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  audience = '',
): string {
  // canonical() recurses: variables nested past any input type are not worth a stack overflow to share.
  if (valueDeeperThan(variables, MAX_SHARED_VARIABLES_DEPTH)) return `\u0001unshared\u0001${++unshared}`;
  return `${audience}\u0000${operationName ?? ''}\u0000${JSON.stringify(canonical(variables ?? {}))}\u0000${query}`;
}

/**
 * Whether a late joiner to a running execution of `operation` gets what a fresh
 * execution would give it: true when every root field is an event-log feed
 * (it has an `after` argument) started without a cursor, so from the live head.
 */
export function isLiveFeed(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): boolean {
  const root = schema.getSubscriptionType();
  if (!root) return false;
  return operation.selectionSet.selections.every((selection) => {
    if (selection.kind !== Kind.FIELD) return false;
    const field = root.getFields()[selection.name.value];
    if (!field?.args.some((arg) => arg.name === 'after')) return false;
    const after = selection.arguments?.find((arg) => arg.name.value === 'after')?.value;
    if (after === undefined || after.kind === Kind.NULL) return true;
    if (after.kind !== Kind.VARIABLE) return false;
    const name = after.name.value;
    const definition = operation.variableDefinitions?.find((v) => v.variable.name.value === name);
    const given = variables?.[name];
    if (given !== undefined) return given === null;
    return definition?.defaultValue === undefined || definition.defaultValue.kind === Kind.NULL;
  });
}

/** Response key of the first root field of `operation`. */
export function rootFieldOf(operation: OperationDefinitionNode): string | undefined {
  const first = operation.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? (first.alias ?? first.name).value : undefined;
}

function cursorOf(result: ExecutionResult, rootField: string | undefined): string | undefined {
  if (rootField === undefined) return undefined;
  const value = result.data?.[rootField] as { cursor?: unknown } | null | undefined;
  return typeof value?.cursor === 'string' ? value.cursor : undefined;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Resolves after the event loop has run its pending I/O. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One subscriber. Small on purpose (thousands are idle at once): no context, no
 * logger, no signal. Its queue only exists while its socket is behind.
 *
 * The transport tells its client the member ended through `onEnd`. The member
 * is also an async iterator, which yields nothing (the member writes its `next`
 * messages itself) and ends when the member does: its `return()` is how graphql-ws
 * (a client's `complete`, a closed socket) makes it leave.
 */
class Member implements AsyncGenerator<never, undefined> {
  readonly hub: SharedSubscriptions;
  readonly group: Group;
  readonly prefix: string;
  readonly sink: MemberSink;
  readonly onEnd: ((error: Error | null) => void) | undefined;
  queue: Delivery[] | null = null;
  /** When each queued delivery was queued (the hub's clock), in queue order. */
  queuedAt: number[] | null = null;
  writing = false;
  /** No more deliveries are accepted; the member finishes once its queue is written. */
  ended = false;
  /** The client left: nothing more is written. */
  closed = false;
  failure: { error: Error } | null = null;
  settled = false;
  lastCursor: string | undefined = undefined;
  waiter: { resolve: (r: IteratorResult<never, undefined>) => void; reject: (e: unknown) => void } | null =
    null;

  constructor(hub: SharedSubscriptions, group: Group, options: JoinOptions) {
    this.hub = hub;
    this.group = group;
    this.prefix = `{"id":${JSON.stringify(options.id)},"type":"next","payload":`;
    this.sink = options.sink;
    this.onEnd = options.onEnd;
  }

  deliver(delivery: Delivery): void {
    if (this.ended) return;
    if (!this.writing) {
      this.write(delivery);
      return;
    }
    const now = this.hub.now();
    (this.queue ??= []).push(delivery);
    (this.queuedAt ??= []).push(now);
    const waiting = this.queue.length;
    const oldest = this.queuedAt[0] ?? now;
    if (
      waiting > this.hub.hardMaxQueue ||
      (waiting > this.hub.maxQueue && now - oldest >= this.hub.maxQueueWaitMs)
    ) {
      this.lag();
    }
  }

  /** Ends the member with SUBSCRIPTION_LAGGING, after the message being written, without touching the others. */
  lag(): void {
    this.group.leave(this);
    this.ended = true;
    const payload = JSON.stringify({
      data: null,
      errors: [
        {
          message: `This subscriber fell more than ${this.hub.maxQueue} events behind the live stream and did not catch up within ${this.hub.maxQueueWaitMs} ms, so it was ended: resubscribe${this.lastCursor === undefined ? '' : ' with `after` set to extensions.resumeCursor'}.`,
          ...(this.group.rootField === undefined ? {} : { path: [this.group.rootField] }),
          extensions: {
            code: ErrorCode.SUBSCRIPTION_LAGGING,
            ...(this.lastCursor === undefined ? {} : { resumeCursor: this.lastCursor }),
          },
        },
      ],
    });
    this.queue = [{ payload, cursor: undefined }];
    this.queuedAt = null;
  }

  write(delivery: Delivery): void {
    this.writing = true;
    this.lastCursor = delivery.cursor ?? this.lastCursor;
    this.sink.send(this.prefix + delivery.payload + '}', this.written);
  }

  readonly written = (error?: Error): void => {
    this.writing = false;
    if (this.closed) return;
    if (error) {
      this.leaveNow();
      return;
    }
    const next = this.queue?.shift();
    this.queuedAt?.shift();
    if (next) this.write(next);
    else {
      this.queue = null;
      this.queuedAt = null;
      if (this.ended) this.settle();
    }
  };

  /** The execution ended (`error` when it failed): finish once the queue is written. */
  end(failure: { error: Error } | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    if (!this.writing) this.settle();
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (!this.closed) this.onEnd?.(this.failure?.error ?? null);
    const waiter = this.waiter;
    this.waiter = null;
    if (!waiter) return;
    if (this.failure && !this.closed) waiter.reject(this.failure.error);
    else waiter.resolve(DONE);
  }

  leaveNow(): void {
    this.closed = true;
    this.ended = true;
    this.queue = null;
    this.queuedAt = null;
    this.group.leave(this);
    this.settle();
  }

  next(): Promise<IteratorResult<never, undefined>> {
    if (this.settled) {
      if (this.failure && !this.closed) {
        const { error } = this.failure;
        this.failure = null;
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<never, undefined>> {
    this.leaveNow();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<never, undefined>> {
    this.leaveNow();
    return Promise.reject(asError(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/** One shared execution and its members. */
class Group {
  readonly hub: SharedSubscriptions;
  readonly key: string;
  readonly rootField: string | undefined;
  readonly joinableMidStream: boolean;
  readonly members = new Set<Member>();
  iterator: AsyncIterator<ExecutionResult> | null = null;
  readonly abort = new AbortController();
  stopped = false;

  constructor(hub: SharedSubscriptions, options: JoinOptions) {
    this.hub = hub;
    this.key = options.key;
    this.rootField = options.rootField;
    this.joinableMidStream = options.joinableMidStream;
  }

  /** Read through a call: it changes while the group awaits its execution. */
  isStopped(): boolean {
    return this.stopped;
  }

  leave(member: Member): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.stop();
  }

  /** The last member left: end the execution. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hub.detach(this);
    this.hub.running.delete(this);
    this.abort.abort();
    const iterator = this.iterator;
    this.iterator = null;
    iterator?.return?.().catch(() => {});
  }

  /**
   * Writes one result to every member, `sliceSize` members at a time with a
   * turn of the event loop before each slice (none for a group of one slice);
   * resolves once every member has it. Members that join meanwhile start with
   * the next result.
   */
  async broadcast(result: ExecutionResult): Promise<void> {
    const delivery: Delivery = { payload: serializeResult(result), cursor: cursorOf(result, this.rootField) };
    const slice = this.hub.sliceSize;
    if (this.members.size <= slice) {
      for (const member of this.members) member.deliver(delivery);
      return;
    }
    const members = [...this.members];
    for (let start = 0; start < members.length; start += slice) {
      // Also before the first: I/O already waiting (the acknowledgement of the webhook that brought this event) goes first.
      await nextTurn();
      if (this.isStopped()) return;
      const end = Math.min(start + slice, members.length);
      for (let i = start; i < end; i++) members[i]?.deliver(delivery);
    }
  }

  endAll(failure: { error: Error } | null): void {
    this.stopped = true;
    this.hub.detach(this);
    this.hub.running.delete(this);
    const members = [...this.members];
    this.members.clear();
    for (const member of members) member.end(failure);
  }

  async run(start: StartExecution): Promise<void> {
    let result: unknown;
    try {
      result = await start(this.abort.signal);
    } catch (error) {
      this.endAll({ error: asError(error) });
      return;
    }
    if (!isAsyncIterable<ExecutionResult>(result)) {
      // A result instead of a stream (the subscribe resolver failed): sent once, then complete.
      this.hub.detach(this);
      await this.broadcast(result as ExecutionResult);
      this.endAll(null);
      return;
    }
    const iterator = result[Symbol.asyncIterator]();
    if (this.stopped) {
      iterator.return?.().catch(() => {});
      return;
    }
    this.iterator = iterator;
    try {
      for (;;) {
        const step = await iterator.next();
        if (this.isStopped()) return;
        if (step.done === true) break;
        if (!this.joinableMidStream) this.hub.detach(this);
        await this.broadcast(step.value);
        if (this.isStopped()) return;
      }
    } catch (error) {
      if (!this.isStopped()) this.endAll({ error: asError(error) });
      return;
    }
    this.endAll(null);
  }
}

/** The hub of shared subscription executions. */
export class SharedSubscriptions {
  readonly maxQueue: number;
  readonly maxQueueWaitMs: number;
  readonly hardMaxQueue: number;
  readonly now: () => number;
  readonly sliceSize: number;
  /** Groups new members can join, by key. */
  readonly groups = new Map<string, Group>();
  /** Every group whose execution runs, joinable or not. */
  readonly running = new Set<Group>();
  executions = 0;

  constructor(options: SharedSubscriptionsOptions = {}) {
    this.maxQueue = options.maxQueue ?? 1024;
    this.maxQueueWaitMs = options.maxQueueWaitMs ?? 5000;
    this.hardMaxQueue = options.hardMaxQueue ?? 16 * this.maxQueue;
    this.now = options.now ?? (() => performance.now());
    this.sliceSize = options.sliceSize ?? 256;
  }

  /**
   * Adds a subscriber to the group of `options.key`, starting the group's execution
   * when there is none. Returns the subscriber as an iterator: it ends when the
   * subscriber does (as `onEnd` says); its `return()` makes the subscriber leave.
   */
  join(options: JoinOptions): AsyncGenerator<never, undefined> {
    let group = this.groups.get(options.key);
    const creating = group === undefined;
    group ??= new Group(this, options);
    const member = new Member(this, group, options);
    group.members.add(member);
    if (creating) {
      this.groups.set(options.key, group);
      this.running.add(group);
      this.executions++;
      void group.run(options.start);
    }
    return member;
  }

  /** Makes `group` unreachable for new members (it keeps running for its own). */
  detach(group: Group): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  stats(): SharedSubscriptionsStats {
    let members = 0;
    for (const group of this.running) members += group.members.size;
    return { groups: this.running.size, members, executions: this.executions };
  }
}

/** A parsed document and its validation errors, cached by query text. */
export interface CachedDocument {
  readonly schema: GraphQLSchema;
  /** `null` when the query text does not parse; `errors` then says why. */
  readonly document: DocumentNode | null;
  readonly errors: readonly GraphQLError[];
}

/** A bounded LRU of parsed and validated documents, by query text. */
export class DocumentCache {
  readonly max: number;
  readonly entries = new Map<string, CachedDocument>();

  constructor(max = 1000) {
    this.max = max;
  }

  get(query: string): CachedDocument | undefined {
    const entry = this.entries.get(query);
    if (entry) {
      this.entries.delete(query);
      this.entries.set(query, entry);
    }
    return entry;
  }

  set(query: string, entry: CachedDocument): void {
    this.entries.delete(query);
    this.entries.set(query, entry);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}
