import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { connectRedis } from '../redis-client.ts';
import type { Logger } from 'pino';
import { createRateBudget } from './rate-budget.ts';
import type { RateBudget } from './rate-budget.ts';
import { createRedisRateWindow } from './redis-rate-window.ts';
import type { UpstreamOptions } from './types.ts';

/** Options of {@link createRateBudgets}. */
export interface RateBudgetsOptions {
  /** `REDIS_URL`: when set, every source's budget is shared through it by all instances. */
  redisUrl?: string | undefined;
  /** `REDIS_CLUSTER_NODES`: the budgets then use the cluster (user, password and TLS from `redisUrl`). */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
  /** `REDIS_KEY_PREFIX`, the keys' hash tag. */
  keyPrefix: string;
  log: Logger;
  /** Observes how long each admitted call queued, in ms. */
  onQueued?: (source: string, waitedMs: number) => void;
  /** Observes each call refused because it could not start before its deadline. */
  onRefused?: (source: string) => void;
}

/** Builds each source's rate budget, locally or shared through Redis. */
export interface RateBudgets {
  /** The budget of a source whose upstream options declare a `rateLimit`; undefined without one (`off`). */
  forSource(options: UpstreamOptions): RateBudget | undefined;
  close(): Promise<void>;
}

/**
 * Creates the rate budgets of this gateway. With `redisUrl` (or
 * `clusterNodes`), one Redis client
 * (its own connection, failing fast while Redis is down) keeps a window per
 * source and credential (`{prefix}:rate:<source>:<hash of the auth headers>`),
 * so instances using the same credentials share the upstream's limit; other
 * credentials have limits of their own upstream, so they get windows of their own.
 */
export function createRateBudgets(options: RateBudgetsOptions): RateBudgets {
  const redis = connect(options);
  // ioredis reports connection errors here; the window logs the outage once.
  redis?.on('error', () => undefined);
  return {
    forSource(upstream) {
      if (upstream.rateLimit === undefined) return undefined;
      const credential = createHash('sha256')
        .update(JSON.stringify(Object.entries(upstream.headers ?? {}).sort()))
        .digest('hex')
        .slice(0, 16);
      const window =
        redis === undefined
          ? undefined
          : createRedisRateWindow({
              redis,
              key: `{${options.keyPrefix}}:rate:${upstream.source}:${credential}`,
              source: upstream.source,
              log: options.log,
            });
      return createRateBudget({
        source: upstream.source,
        rate: upstream.rateLimit,
        read: upstream.readRateLimit,
        window,
        onQueued: options.onQueued,
        onRefused: options.onRefused,
      });
    },
    async close() {
      redis?.disconnect();
      return Promise.resolve();
    },
  };
}

/** One client of the budgets' own, failing fast while Redis is down; undefined without Redis. */
function connect(options: RateBudgetsOptions): Redis | Cluster | undefined {
  if (options.redisUrl === undefined && (options.clusterNodes ?? []).length === 0) return undefined;
  return connectRedis({
    url: options.redisUrl,
    clusterNodes: options.clusterNodes,
    connectionName: 'switchyard-rate-budget',
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
}
