import type { Config } from '../config.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { createMemoryIdempotencyStore } from './memory-idempotency-store.ts';
import { createRedisIdempotencyStore } from './redis-idempotency-store.ts';

/** The idempotency store the config asks for: in Redis (shared by every instance) when it names one, else in memory. */
export function createIdempotencyStore(config: Config): IdempotencyStore {
  const core = config.core;
  if (core.REDIS_URL === undefined && core.REDIS_CLUSTER_NODES === undefined) {
    return createMemoryIdempotencyStore();
  }
  return createRedisIdempotencyStore({
    url: core.REDIS_URL,
    clusterNodes: core.REDIS_CLUSTER_NODES,
    keyPrefix: core.REDIS_KEY_PREFIX,
    commandTimeoutMs: core.REDIS_APPEND_TIMEOUT_MS,
  });
}
