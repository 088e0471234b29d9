import { Cluster, Redis } from 'ioredis';

/** Options of {@link connectRedis}. */
export interface RedisClientOptions {
  /** `redis://` or `rediss://` URL; with `clusterNodes`, only its user, password and TLS are used (and its host as one more seed). */
  url?: string | undefined;
  /** Seed nodes of a Redis Cluster. Default: none (a single Redis at `url`). */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
  /** Shown by `CLIENT LIST`: which part of the gateway a connection belongs to. */
  connectionName: string;
  /** Retries of one command across reconnections. Default 1. */
  maxRetriesPerRequest?: number;
  /** Fails a command that gets no answer within this many ms. Default: none. */
  commandTimeout?: number;
  /** Queue commands while disconnected. Default true (ioredis's). */
  enableOfflineQueue?: boolean;
  /** Send again, after a reconnection, the commands a dropped connection left unanswered. Default true (ioredis's). */
  autoResendUnfulfilledCommands?: boolean;
  /** Delay in ms before reconnection attempt `attempt`. Default: exponential from 50 ms, at most 2 s. */
  retryStrategy?: (attempt: number) => number;
}

/** Reconnect delays: exponential from 50 ms, at most 2 s. */
function retryDelay(attempt: number): number {
  return Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
}

/** A client of its own for one part of the gateway, to a single Redis or a Redis Cluster. */
export function connectRedis(options: RedisClientOptions): Redis | Cluster {
  const retryStrategy = options.retryStrategy ?? retryDelay;
  const common = {
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    connectTimeout: 5_000,
    retryStrategy,
    ...(options.commandTimeout === undefined ? {} : { commandTimeout: options.commandTimeout }),
    ...(options.autoResendUnfulfilledCommands === undefined
      ? {}
      : { autoResendUnfulfilledCommands: options.autoResendUnfulfilledCommands }),
  };
  const offline =
    options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue };
  const url = redisUrl(options.url);
  const seeds = options.clusterNodes ?? [];
  if (seeds.length > 0) {
    const nodes =
      url === null ? [...seeds] : [...seeds, { host: url.hostname, port: Number(url.port || 6379) }];
    return new Cluster(nodes, {
      ...offline,
      clusterRetryStrategy: retryStrategy,
      redisOptions: {
        ...common,
        ...(url?.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url?.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(url?.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    });
  }
  if (url === null) throw new RangeError(`${options.connectionName} needs a Redis url or cluster nodes.`);
  return new Redis(url.href, { ...common, ...offline });
}

/** The parsed `redis://` or `rediss://` URL; null when none is given. */
export function redisUrl(text: string | undefined): URL | null {
  if (text === undefined || text === '') return null;
  const url = new URL(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RangeError(`Redis URL must start with redis:// or rediss://, not ${url.protocol}//.`);
  }
  return url;
}
