import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectRedis, redisUrl } from '../redis-client.ts';
import { compileFilter } from './event.ts';
import { lastIsoTime } from './iso-time.ts';
import type { GatewayEvent, IncomingEvent } from './event.ts';
import {
  Fanout,
  type FanoutEntry,
  type FanoutMark,
  type FanoutSubscription,
  type ReplayPage,
} from './fanout.ts';
import {
  EventLogUnavailableError,
  InvalidCursorError,
  type AppendOptions,
  type AppendResult,
  type EventLog,
  type ReadOptions,
  type SubscribeOptions,
} from './log.ts';

/** A Redis Cluster node to start from; the client discovers the others. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/** Where the log writes: logs the connection events worth an operator's attention. */
export interface RedisEventLogLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link createRedisEventLog}. */
export interface RedisEventLogOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. With
   * `clusterNodes`, only its user, password and TLS are used, and its host is one more seed.
   */
  url?: string | undefined;
  /** Seed nodes of a Redis Cluster; when given, the log talks to the cluster. Default: none (one server at `url`). */
  clusterNodes?: readonly RedisClusterNode[] | undefined;
  /**
   * Prefix of every key, used as the hash tag so all of one log's keys live in one
   * cluster slot: `{switchyard}:events`, `{switchyard}:dedupe:<source>:<id>`, `{switchyard}:delivery:<key>`. Default `switchyard`.
   */
  keyPrefix?: string;
  /** Events the stream retains, approximately (`XADD MAXLEN ~`); the oldest are trimmed first. Default `100_000`. */
  maxLen?: number;
  /**
   * Events older than this are never read or replayed, and are trimmed from the
   * stream as appends come (`XTRIM MINID ~`, needs Redis 6.2); `0`: no age limit. Default `0`.
   */
  maxAgeMs?: number;
  /** Seconds a `(source, id)` pair is remembered to drop re-deliveries (`SET NX EX`); `0` disables de-duplication. Default 7 days. */
  dedupeWindowS?: number;
  /**
   * Longest wait for Redis to confirm an append (or answer a read) before it
   * fails with {@link EventLogUnavailableError} and the log reports itself unhealthy. Default `1000`.
   */
  appendTimeoutMs?: number;
  /**
   * Most undelivered live events a subscription may queue before it ends with
   * `SubscriberLaggingError`. Default `1_000`.
   */
  subscriberQueueLimit?: number;
  /** Stream entries one replay or read round trip fetches. Default `500`. */
  pageSize?: number;
  /** Stream entries one tail round trip fetches at most. Default `1_000`. */
  tailBatchSize?: number;
  /** How long one `XREAD BLOCK` of the tail waits for new entries, in ms. Default `5_000`. */
  tailBlockMs?: number;
  /** Longest pause between reconnection attempts, in ms; attempts back off exponentially up to it. Default `2_000`. */
  maxReconnectDelayMs?: number;
  /** Where connection losses and recoveries are reported. Default: nowhere. */
  log?: RedisEventLogLogger | undefined;
  /** Told each batch of events the tail hands to subscriptions (tail-lag metrics). Default: nobody. */
  onLive?: ((events: readonly GatewayEvent[]) => void) | undefined;
  /**
   * Told the source of every event the tail reads, whichever instance appended
   * it, subscribers or not, without decoding the events (the response cache's
   * invalidation). Default: nobody.
   */
  onSources?: ((sources: readonly string[]) => void) | undefined;
}

/** The Redis-backed event log, with extra probes for the gateway and tests. */
export interface RedisEventLog extends EventLog {
  readonly kind: 'redis';
  /** The stream key, e.g. `{switchyard}:events`. */
  readonly streamKey: string;
  /** Where the log lives, without credentials: `redis://host:port stream {switchyard}:events`. */
  readonly description: string;
  /** How many subscriptions are currently registered for live events. */
  subscriberCount(): number;
  /**
   * Resolves `true` once both connections are up and the tail knows where the
   * stream ends, or `false` after `timeoutMs`; the log keeps trying either way.
   */
  ready(timeoutMs: number): Promise<boolean>;
}

/**
 * De-duplicates and appends the events of one or more appends atomically; for
 * each append in turn: first, with a delivery key, `SET NX EX` it and, when it
 * already exists, report every event of that append a duplicate (a replay of
 * the same signed bytes); then, for each event, `SET NX EX` its dedupe key
 * and, only when that claimed it, `XADD` it. A failure midway (out of memory,
 * a wrong type) undoes what the call wrote, so a dedupe key never exists
 * without its entry: a retry of a failed append stores it.
 *
 * Then, with a maximum age, trims entries older than it (`XTRIM MINID ~`, by
 * Redis's clock); trimming is housekeeping and never fails the append.
 *
 * KEYS[1] the stream, then for each append: its delivery key (the stream again
 * when there is none), then the dedupe key of each of its events.
 * ARGV[1] MAXLEN, ARGV[2] dedupe TTL in seconds (0: no de-duplication),
 * ARGV[3] maximum age in ms (0: none), then for each append: '1' when it has a
 * delivery key, its number of events n, then source, type and JSON body of each event.
 * Returns one string per event, in order: its stream id, or '' for a duplicate.
 */
const APPEND_SCRIPT = `
local stream = KEYS[1]
local maxlen = ARGV[1]
local ttl = tonumber(ARGV[2])
local maxage = tonumber(ARGV[3])
local results, added, claimed = {}, {}, {}
local function undo(err)
  for _, id in ipairs(added) do redis.call('XDEL', stream, id) end
  for _, key in ipairs(claimed) do redis.call('DEL', key) end
  return redis.error_reply(err)
end
local k, a = 2, 4
while a <= #ARGV do
  local n = tonumber(ARGV[a + 1])
  local replayed = false
  if ttl > 0 and ARGV[a] == '1' then
    local set = redis.pcall('SET', KEYS[k], '1', 'NX', 'EX', ttl)
    if type(set) == 'table' and set.err then return undo(set.err) end
    replayed = set == false or set == nil
    if not replayed then claimed[#claimed + 1] = KEYS[k] end
  end
  k, a = k + 1, a + 2
  for i = 0, n - 1 do
    local fresh = not replayed
    if fresh and ttl > 0 then
      local set = redis.pcall('SET', KEYS[k + i], '1', 'NX', 'EX', ttl)
      if type(set) == 'table' and set.err then return undo(set.err) end
      fresh = set ~= false and set ~= nil
      if fresh then claimed[#claimed + 1] = KEYS[k + i] end
    end
    if fresh then
      local b = a + 3 * i
      local id = redis.pcall('XADD', stream, 'MAXLEN', '~', maxlen, '*',
        'source', ARGV[b], 'type', ARGV[b + 1], 'event', ARGV[b + 2])
      if type(id) == 'table' and id.err then return undo(id.err) end
      added[#added + 1] = id
      results[#results + 1] = id
    else
      results[#results + 1] = ''
    end
  end
  k, a = k + n, a + 3 * n
end
if maxage > 0 and #added > 0 then
  local now = redis.call('TIME')
  local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - maxage
  if cutoff > 0 then redis.pcall('XTRIM', stream, 'MINID', '~', string.format('%.0f', cutoff)) end
end
return results
`;
const APPEND_SHA = createHash('sha1').update(APPEND_SCRIPT).digest('hex');

const DAY_S = 24 * 60 * 60;
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
const U64_MAX = 2n ** 64n - 1n;
/** The cursor before the first event of an empty stream. */
const START = '0-0';

/** What the log needs of an ioredis client, standalone or cluster. */
export interface Client {
  readonly status: string;
  call(command: string, args: (string | number)[]): Promise<unknown>;
  /** Like `call`, with every string of the reply left as a Buffer. */
  callBuffer(command: string, args: (string | number)[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(reconnect?: boolean): void;
}

/**
 * Creates the Redis-backed {@link EventLog}: one stream per log, shared by
 * every gateway instance that uses the same Redis and key prefix, so a webhook
 * stored by one instance reaches subscribers on all of them.
 *
 * - `append` de-duplicates and `XADD`s in one Lua script (atomic), and resolves
 *   only with Redis's reply; with Redis unreachable or slower than
 *   `appendTimeoutMs` it rejects with {@link EventLogUnavailableError}.
 * - cursors are stream ids (`1767225600000-0`).
 * - one tail loop per instance (`XREAD BLOCK` on its own connection) feeds every
 *   local subscription, so Redis sees one reader per instance, not one per subscriber.
 * - both connections reconnect with backoff; the tail resumes after the last id
 *   it delivered, so live subscribers miss nothing stored meanwhile.
 */
export function createRedisEventLog(options: RedisEventLogOptions): RedisEventLog {
  const keyPrefix = options.keyPrefix ?? 'switchyard';
  if (keyPrefix === '' || /[{}]/.test(keyPrefix)) {
    throw new RangeError('keyPrefix must be non-empty and contain no braces (it becomes the hash tag).');
  }
  const maxLen = positiveInteger('maxLen', options.maxLen ?? 100_000);
  const maxAgeMs = nonNegativeInteger('maxAgeMs', options.maxAgeMs ?? 0);
  const dedupeWindowS = nonNegativeInteger('dedupeWindowS', options.dedupeWindowS ?? 7 * DAY_S);
  const appendTimeoutMs = positiveInteger('appendTimeoutMs', options.appendTimeoutMs ?? 1_000);
  const queueLimit = positiveInteger('subscriberQueueLimit', options.subscriberQueueLimit ?? 1_000);
  const pageSize = positiveInteger('pageSize', options.pageSize ?? 500);
  const tailBatchSize = positiveInteger('tailBatchSize', options.tailBatchSize ?? 1_000);
  const tailBlockMs = positiveInteger('tailBlockMs', options.tailBlockMs ?? 5_000);
  const maxReconnectDelayMs = positiveInteger('maxReconnectDelayMs', options.maxReconnectDelayMs ?? 2_000);
  const log = options.log;
  const hashTag = `{${keyPrefix}}`;
  const streamKey = `${hashTag}:events`;
  const dedupeKey = (event: IncomingEvent) =>
    `${hashTag}:dedupe:${encodeURIComponent(event.source)}:${event.id}`;
  const deliveryKey = (key: string) => `${hashTag}:delivery:${key}`;

  const backoff = (attempt: number) =>
    Math.min(maxReconnectDelayMs, 50 * 2 ** Math.min(attempt, 16)) + Math.floor(Math.random() * 50);
  const { client: command, target } = connect(options, {
    name: 'switchyard-events',
    // Fail fast instead of queueing: an append must be confirmed within the bound or refused.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: appendTimeoutMs,
    retryStrategy: backoff,
    // No auto-pipelining: the append batcher already makes one write per turn, and ioredis's
    // pipelines would make each batch wait for the previous one's reply.
  });
  const { client: tail } = connect(options, {
    name: 'switchyard-events-tail',
    // The tail loop retries on its own schedule and resumes from its own position.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: undefined,
    retryStrategy: backoff,
  });

  const fanout = new Fanout<string>({ compare: compareIds, queueLimit, onLive: options.onLive });
  const appends = createAppendBatcher({ streamKey, maxLen, dedupeWindowS, maxAgeMs, run: runAppendScript });
  let closed = false;
  let closing: Promise<void> | null = null;
  // A function, so checks after an await are not narrowed away by the loop condition.
  const isClosed = () => closed;
  /** Newest id this instance appended; live subscriptions start after it even if the tail is behind. */
  let appendedUpTo: string | null = null;

  // Health: the append connection's state, and the last failure of a command since the last success.
  let connectionError: string | null = null;
  let failure: string | null = null;
  let probe: NodeJS.Timeout | undefined;
  let up = false;
  let wasUp = false;
  command.on('error', (error: unknown) => {
    connectionError = describeError(error);
  });
  command.on('ready', () => {
    connectionError = null;
    failure = null;
    if (wasUp) log?.info({ target }, 'redis event log: connection restored');
    up = true;
    wasUp = true;
  });
  command.on('close', () => {
    if (!up || closed) return;
    up = false;
    connectionError ??= 'connection lost';
    log?.warn({ target, err: connectionError }, 'redis event log: connection lost, reconnecting');
  });
  tail.on('error', () => undefined);

  /** Records a failed command; a probe clears it as soon as Redis answers in time again. */
  function failed(reason: string): void {
    failure = reason;
    if (probe !== undefined || closed) return;
    probe = setInterval(() => {
      if (command.status !== 'ready') return;
      command.call('PING', []).then(
        () => {
          failure = null;
          clearInterval(probe);
          probe = undefined;
        },
        () => undefined,
      );
    }, 250);
    probe.unref();
  }

  function unavailable(error: unknown, what: string): EventLogUnavailableError {
    if (closed) return new EventLogUnavailableError('The Redis event log is closed.');
    const reason = describeError(error, appendTimeoutMs);
    failed(reason);
    return new EventLogUnavailableError(`Redis could not ${what}: ${reason}.`);
  }

  async function call(args: [string, ...(string | number)[]], what: string): Promise<unknown> {
    if (closed) throw new EventLogUnavailableError('The Redis event log is closed.');
    const [name, ...rest] = args;
    try {
      return await command.call(name, rest);
    } catch (error) {
      throw unavailable(error, what);
    }
  }

  // The tail: one loop per instance, reading the stream after the last id it delivered.
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let tailStarted = false;
  const tailLoop = runTail();

  async function runTail(): Promise<void> {
    let position: string | null = null;
    let failures = 0;
    let interrupted = false;
    while (!closed) {
      try {
        if (position === null) {
          position = await newest(tail);
          fanout.begin({ position, cursor: position });
          tailStarted = true;
          markStarted();
        }
        const reply = await withWatchdog(
          // Buffers: the bodies are turned into strings only when a subscriber needs the events.
          tail.callBuffer('XREAD', [
            'COUNT',
            tailBatchSize,
            'BLOCK',
            tailBlockMs,
            'STREAMS',
            streamKey,
            position,
          ]),
        );
        if (interrupted) log?.info({ target, after: position }, 'redis event log: tail resumed');
        interrupted = false;
        failures = 0;
        const entries = streamEntries(firstStream(reply));
        const last = entries.at(-1);
        if (last === undefined) continue;
        position = last.id;
        options.onSources?.(entries.map((entry) => entry.source));
        if (fanout.size === 0) fanout.advance({ position, cursor: position });
        else fanout.publish(decodeAll(entries));
      } catch (error) {
        if (isClosed()) break;
        // Failing to connect at start-up is reported by health(), not as an interruption.
        if (!interrupted && tailStarted) {
          interrupted = true;
          log?.warn({ target, err: describeError(error) }, 'redis event log: tail interrupted, retrying');
        }
        await sleep(backoff(failures++));
      }
    }
  }

  /** Forces a reconnection when a blocking read outlives its timeout: the connection is dead without knowing it. */
  async function withWatchdog<T>(pending: Promise<T>): Promise<T> {
    const timer = setTimeout(() => tail.disconnect(true), tailBlockMs + Math.max(5_000, appendTimeoutMs));
    try {
      return await pending;
    } finally {
      clearTimeout(timer);
    }
  }

  function decodeAll(entries: readonly StreamEntry[]): FanoutEntry<string>[] {
    const out: FanoutEntry<string>[] = [];
    for (const entry of entries) {
      const event = decode(entry);
      if (event !== null) out.push({ position: entry.id, event });
      else
        log?.warn({ target, id: entry.id }, 'redis event log: skipped a stream entry that is not an event');
    }
    return out;
  }

  /** Reads entries after `after` (exclusive) until `limit` match or the stream ends. */
  async function readAfter(
    after: string,
    limit: number,
    matches: (event: IncomingEvent) => boolean,
  ): Promise<ReplayPage<string>> {
    const entries: FanoutEntry<string>[] = [];
    let from = nextId(after);
    // Entries past the age limit that trimming (approximate, at appends) has not reached yet are skipped.
    if (maxAgeMs > 0 && from !== null) {
      const oldest = `${String(Math.max(0, Date.now() - maxAgeMs))}-0`;
      if (compareIds(from, oldest) < 0) from = oldest;
    }
    let last: string | null = null;
    while (from !== null && entries.length < limit) {
      const count = Math.max(1, Math.min(pageSize, limit - entries.length));
      const page = streamEntries(await call(['XRANGE', streamKey, from, '+', 'COUNT', count], 'read'));
      for (const entry of page) {
        last = entry.id;
        if (!matches(headerOf(entry))) continue;
        const event = decode(entry);
        if (event !== null) entries.push({ position: entry.id, event });
        if (entries.length === limit) return { entries, last, end: false };
      }
      if (page.length < count) return { entries, last, end: true };
      from = nextId(last ?? after);
    }
    return { entries, last, end: from === null };
  }

  async function append(
    events: readonly IncomingEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult[]> {
    if (closed) throw new EventLogUnavailableError('The Redis event log is closed.');
    if (command.status !== 'ready') {
      const reason = connectionError ?? `connection ${command.status}`;
      throw new EventLogUnavailableError(`Redis is unreachable: ${reason}.`);
    }
    if (events.length === 0) return [];
    // A live subscription opened before the tail knew the stream's end must not miss this append.
    if (!tailStarted && !(await within(started, appendTimeoutMs))) {
      throw new EventLogUnavailableError(
        'The Redis event log is still starting: its tail is not connected yet.',
      );
    }
    const delivery = options.deliveryKey === undefined ? null : deliveryKey(options.deliveryKey);
    const keys = events.map(dedupeKey);
    const bodies = events.map(encodeBody);
    let ids: readonly unknown[];
    try {
      ids = await appends.submit({ events, keys, bodies, delivery });
    } catch (error) {
      throw unavailable(error, 'store the events');
    }
    failure = null;
    return events.map((incoming, i): AppendResult => {
      const id = ids[i];
      if (typeof id !== 'string' || id === '') return { status: 'duplicate', id: incoming.id };
      if (appendedUpTo === null || compareIds(id, appendedUpTo) > 0) appendedUpTo = id;
      return { status: 'stored', event: storedEvent(incoming, id) };
    });
  }

  /** Runs the append script with `args` (`numkeys, ...keys, ...argv`), loading it when Redis forgot it. */
  async function runAppendScript(args: (string | number)[]): Promise<unknown> {
    try {
      return await command.call('EVALSHA', [APPEND_SHA, ...args]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return command.call('EVAL', [APPEND_SCRIPT, ...args]);
    }
  }

  async function read(options: ReadOptions): Promise<GatewayEvent[]> {
    const after = options.after == null ? START : parseStreamId(options.after);
    if (options.limit <= 0) return [];
    const page = await readAfter(after, options.limit, compileFilter(options.filter));
    return page.entries.map((entry) => entry.event);
  }

  function subscribe(options: SubscribeOptions): FanoutSubscription<string> {
    const matches = compileFilter(options.filter);
    if (options.after == null) {
      let after: FanoutMark<string> | null = fanout.head;
      if (appendedUpTo !== null && (after === null || compareIds(appendedUpTo, after.position) > 0)) {
        after = { position: appendedUpTo, cursor: appendedUpTo };
      }
      return fanout.subscribe({ matches, after, signal: options.signal });
    }
    let after: string;
    try {
      after = parseStreamId(options.after);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return fanout.failed(error);
    }
    return fanout.subscribe({
      matches,
      after: { position: after, cursor: after },
      replay: (from) => readAfter(from, pageSize, matches),
      signal: options.signal,
    });
  }

  async function newest(client: Client): Promise<string> {
    const reply = streamEntries(await client.call('XREVRANGE', [streamKey, '+', '-', 'COUNT', 1]));
    return reply[0]?.id ?? START;
  }

  return {
    kind: 'redis',
    streamKey,
    description: `${target} stream ${streamKey}`,
    append,
    read,
    subscribe,
    async head() {
      const reply = streamEntries(await call(['XREVRANGE', streamKey, '+', '-', 'COUNT', 1], 'read'));
      return reply[0]?.id ?? START;
    },
    health() {
      if (closed) return { ok: false, detail: 'redis: closed' };
      if (command.status !== 'ready') {
        return { ok: false, detail: `redis: ${connectionError ?? `connection ${command.status}`}` };
      }
      if (failure !== null) return { ok: false, detail: `redis: ${failure}` };
      if (!tailStarted) return { ok: false, detail: 'redis: starting, the tail is not connected yet' };
      return { ok: true, detail: 'redis' };
    },
    subscriberCount: () => fanout.size,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const isReady = () => !closed && command.status === 'ready' && tailStarted;
      while (!isReady() && !closed && Date.now() < deadline) await sleep(20);
      return isReady();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(probe);
        probe = undefined;
        fanout.close();
        command.disconnect();
        tail.disconnect();
        await tailLoop;
      })();
      return closing;
    },
  };
}

/** Most appends one call of the append script carries. */
const MAX_APPENDS_PER_CALL = 64;

/** One `append` call waiting for the script. */
interface PendingAppend {
  events: readonly IncomingEvent[];
  /** The dedupe key and JSON body of each event, built by the caller so a bad event fails only its own append. */
  keys: readonly string[];
  bodies: readonly string[];
  /** The full delivery key, or `null` without one. */
  delivery: string | null;
}

/**
 * Sends the appends made in one turn of the event loop to the append script in
 * one call (one write), just after that turn's I/O callbacks, so under load the
 * gateway builds one command and parses one reply per batch instead of per
 * webhook, and no append waits for another's reply. Each append stays atomic
 * on its own inside the call, and a failed call fails every append it carried,
 * having stored none of them.
 */
function createAppendBatcher(options: {
  streamKey: string;
  maxLen: number;
  dedupeWindowS: number;
  maxAgeMs: number;
  run: (args: (string | number)[]) => Promise<unknown>;
}): { submit(append: PendingAppend): Promise<readonly unknown[]> } {
  type Waiting = PendingAppend & {
    resolve: (ids: readonly unknown[]) => void;
    reject: (error: unknown) => void;
  };
  let queue: Waiting[] = [];

  function commandArgs(batch: readonly Waiting[]): (string | number)[] {
    let keyCount = 1;
    for (const append of batch) keyCount += 1 + append.events.length;
    const args: (string | number)[] = [keyCount, options.streamKey];
    for (const append of batch) {
      args.push(append.delivery ?? options.streamKey);
      for (const key of append.keys) args.push(key);
    }
    args.push(options.maxLen, options.dedupeWindowS, options.maxAgeMs);
    for (const append of batch) {
      args.push(append.delivery === null ? '0' : '1', append.events.length);
      for (const [i, event] of append.events.entries()) {
        args.push(event.source, event.type, append.bodies[i] ?? '');
      }
    }
    return args;
  }

  function settle(batch: readonly Waiting[], reply: unknown): void {
    const expected = batch.reduce((sum, append) => sum + append.events.length, 0);
    if (!Array.isArray(reply) || reply.length !== expected) {
      const error = new Error('unexpected reply to the append script');
      for (const append of batch) append.reject(error);
      return;
    }
    let offset = 0;
    for (const append of batch) {
      append.resolve(reply.slice(offset, offset + append.events.length));
      offset += append.events.length;
    }
  }

  function flush(): void {
    const waiting = queue;
    queue = [];
    // Bounded calls, so one script never holds Redis (single-threaded) for long.
    for (let start = 0; start < waiting.length; start += MAX_APPENDS_PER_CALL) {
      const batch = waiting.slice(start, start + MAX_APPENDS_PER_CALL);
      options.run(commandArgs(batch)).then(
        (reply) => settle(batch, reply),
        (error: unknown) => {
          for (const append of batch) append.reject(error);
        },
      );
    }
  }

  return {
    submit(append) {
      return new Promise((resolve, reject) => {
        if (queue.push({ ...append, resolve, reject }) === 1) setImmediate(flush);
      });
    },
  };
}

/** How one connection of the log (or of the outbound store beside it) behaves; see {@link connectRedis}. */
export interface ConnectionOptions {
  name: string;
  enableOfflineQueue: boolean;
  maxRetriesPerRequest: number;
  autoResendUnfulfilledCommands: boolean;
  commandTimeout: number | undefined;
  retryStrategy: (attempt: number) => number;
}

/** A connection of the log's own (`connectRedis`), and where it goes, for logs. */
export function connect(
  options: RedisEventLogOptions,
  connection: ConnectionOptions,
): { client: Client; target: string } {
  const client = connectRedis({
    url: options.url,
    clusterNodes: options.clusterNodes,
    connectionName: connection.name,
    enableOfflineQueue: connection.enableOfflineQueue,
    maxRetriesPerRequest: connection.maxRetriesPerRequest,
    autoResendUnfulfilledCommands: connection.autoResendUnfulfilledCommands,
    commandTimeout: connection.commandTimeout,
    retryStrategy: connection.retryStrategy,
  }) as unknown as Client;
  const url = redisUrl(options.url);
  const seeds = options.clusterNodes ?? [];
  if (seeds.length > 0) {
    const nodes =
      url === null ? [...seeds] : [...seeds, { host: url.hostname, port: Number(url.port || 6379) }];
    return { client, target: `redis cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}` };
  }
  // connectRedis refused a missing URL already.
  const shown =
    url === null ? '' : `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
  return { client, target: shown };
}

/** One stream entry as the log writes it: `source`, `type`, and the rest of the event as JSON. */
interface StreamEntry {
  id: string;
  source: string;
  type: string;
  /** UTF-8 JSON, still a Buffer when read by the tail. */
  body: string | Buffer;
}

function encodeBody(event: IncomingEvent): string {
  return JSON.stringify({
    id: event.id,
    occurredAt: event.occurredAt,
    subject: event.subject,
    data: event.data,
  });
}

/**
 * The event just appended under stream id `id`, as {@link decode} would read it back, built from
 * the incoming event instead of parsing the body the log just encoded (webhook data is parsed JSON already).
 */
function storedEvent(incoming: IncomingEvent, id: string): GatewayEvent {
  return Object.freeze({
    id: incoming.id,
    source: incoming.source,
    type: incoming.type,
    occurredAt: incoming.occurredAt,
    subject: incoming.subject ?? null,
    data: incoming.data,
    cursor: id,
    receivedAt: receivedAtOf(id),
  });
}

/** Entries come in runs stamped with the same millisecond: each is formatted once. */
const isoTime = lastIsoTime();

/** The stream id starts with Redis's clock reading, so every instance agrees on it. */
function receivedAtOf(id: string): string {
  return isoTime(Number(id.slice(0, id.indexOf('-'))));
}

/** Turns an entry back into the event; `null` for an entry someone else wrote that is not one. */
function decode(entry: StreamEntry): GatewayEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(typeof entry.body === 'string' ? entry.body : entry.body.toString());
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { id, occurredAt, subject, data } = body as Record<string, unknown>;
  if (typeof id !== 'string' || typeof occurredAt !== 'string') return null;
  return Object.freeze({
    id,
    source: entry.source,
    type: entry.type,
    occurredAt,
    subject: (subject ?? null) as GatewayEvent['subject'],
    data,
    cursor: entry.id,
    receivedAt: receivedAtOf(entry.id),
  });
}

/** Just enough of an entry for a filter, which looks only at source and type. */
function headerOf(entry: StreamEntry): IncomingEvent {
  return { id: '', source: entry.source, type: entry.type, occurredAt: '', subject: null, data: null };
}

/**
 * Parses an `XRANGE` / `XREVRANGE` reply (`[[id, [field, value, ...]], ...]`),
 * of strings or, from `callBuffer`, Buffers (the body then stays one).
 */
function streamEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: StreamEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const [rawId, fields] = item as unknown[];
    const id = text(rawId);
    if (id === null || !Array.isArray(fields)) continue;
    const entry: StreamEntry = { id, source: '', type: '', body: '' };
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = text(fields[i]);
      const value: unknown = fields[i + 1];
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) continue;
      if (name === 'source') entry.source = value.toString();
      else if (name === 'type') entry.type = value.toString();
      else if (name === 'event') entry.body = value;
    }
    out.push(entry);
  }
  return out;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString() : null;
}

/**
 * The entries of the one stream an `XREAD` asked for: `[[key, entries]]` under
 * RESP2, `[key, entries]` for a RESP3 map in ioredis's legacy mapping, or an object.
 */
function firstStream(reply: unknown): unknown {
  if (Array.isArray(reply)) {
    const first: unknown = reply[0];
    if (typeof first === 'string' || Buffer.isBuffer(first)) return reply[1];
    return Array.isArray(first) ? first[1] : undefined;
  }
  if (reply instanceof Map) return [...reply.values()][0];
  if (typeof reply === 'object' && reply !== null) return Object.values(reply)[0];
  return undefined;
}

/** Validates a client's cursor and returns it in canonical form (no leading zeros). */
export function parseStreamId(cursor: string): string {
  const match = STREAM_ID.exec(cursor);
  const ms = match?.[1] === undefined ? null : BigInt(match[1]);
  const seq = match?.[2] === undefined ? null : BigInt(match[2]);
  if (ms === null || seq === null || ms > U64_MAX || seq > U64_MAX) throw new InvalidCursorError(cursor);
  return `${ms}-${seq}`;
}

/** Orders canonical stream ids. */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = splitId(a);
  const [bMs, bSeq] = splitId(b);
  return compareDecimal(aMs, bMs) || compareDecimal(aSeq, bSeq);
}

function splitId(id: string): [ms: string, seq: string] {
  const dash = id.indexOf('-');
  return dash < 0 ? [id, ''] : [id.slice(0, dash), id.slice(dash + 1)];
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The smallest id after `id`, for an exclusive range start; `null` when none can follow. */
function nextId(id: string): string | null {
  const [ms = '0', seq = '0'] = id.split('-');
  if (BigInt(seq) < U64_MAX) return `${ms}-${BigInt(seq) + 1n}`;
  return BigInt(ms) < U64_MAX ? `${BigInt(ms) + 1n}-0` : null;
}

function describeError(error: unknown, timeoutMs?: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'Command timed out' && timeoutMs !== undefined) return `no reply within ${timeoutMs} ms`;
  if (message.includes('enableOfflineQueue options is false')) return 'not connected';
  return message;
}

/** Whether `promise` settles within `ms`; a rejection counts as not ready. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer.`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be zero or a positive integer.`);
  return value;
}
