import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { connectRedis } from '../redis-client.ts';
import { ErrorCode, GatewayError } from '../errors.ts';
import type { IdempotencyScope, IdempotencyStore, StoredKey } from './idempotency-store.ts';
import { IDEMPOTENCY_TTL_MS, pendingEntry, replayOrConflict, stillInProgress } from './idempotency-store.ts';

/** Options of {@link createRedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /** `redis://` or `rediss://` URL (user, password and TLS for a cluster too). */
  url?: string | undefined;
  /** Seed nodes of a Redis Cluster. Default: none. */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
  /** Key prefix, shared with the event log (`REDIS_KEY_PREFIX`). Default `switchyard`. */
  keyPrefix?: string;
  /** Deadline of each Redis command, in ms. Default 1000. */
  commandTimeoutMs?: number;
  /** How long a result is kept, in ms. Default {@link IDEMPOTENCY_TTL_MS} (24 h). */
  ttlMs?: number;
  /** How often a waiting repeat looks whether the first run ended, in ms. Default 50. */
  pollMs?: number;
}

// Replaces (or, with an empty ARGV[2], deletes) the entry only if it is still the one this run claimed.
const SWAP = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 0`;

/** Extra life of a claim past its write's deadline, so a crashed instance frees the key soon after. */
const CLAIM_MARGIN_MS = 10_000;

/**
 * The idempotency store in Redis, shared by every instance on the same Redis
 * and prefix: a key claimed on instance A is waited for (and then replayed) on
 * instance B. A claim is `SET NX PX` of a pending entry with a random token,
 * living until its write's deadline plus 10 s; the result replaces it (for
 * 24 h) only while the claim is still this run's.
 */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
  const pollMs = options.pollMs ?? 50;
  const prefix = `{${options.keyPrefix ?? 'switchyard'}}:idempotency:`;
  const client = connect(options);
  // Connection errors reach the commands that fail on them; the event itself needs no handling.
  client.on('error', () => undefined);

  const unavailable = (error: unknown): GatewayError =>
    new GatewayError(
      ErrorCode.EVENT_LOG_UNAVAILABLE,
      `The idempotency store (Redis) is unavailable, so the gateway did not send the write: ${
        error instanceof Error ? error.message : String(error)
      }. Retry later with the same idempotency key.`,
      {
        cause: error,
        publicMessage:
          'The idempotency store (Redis) is unavailable, so the gateway did not send the write. Retry later with the same idempotency key.',
      },
    );

  async function redis<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw unavailable(error);
    }
  }

  async function run<T>(
    scope: IdempotencyScope,
    input: unknown,
    write: () => Promise<T>,
    deadline: number,
  ): Promise<{ result: T; replayed: boolean }> {
    const digest = createHash('sha256')
      .update(JSON.stringify([scope.principal, scope.mutation, scope.key]))
      .digest('hex');
    const key = prefix + digest;
    for (;;) {
      const claim = JSON.stringify({ ...pendingEntry(input), token: randomUUID() });
      const claimMs = Math.max(1000, deadline - Date.now()) + CLAIM_MARGIN_MS;
      const claimed = await redis(() => client.set(key, claim, 'PX', claimMs, 'NX'));
      if (claimed === 'OK') {
        let result: T;
        try {
          result = await write();
        } catch (error) {
          // The write failed: free the key so it may be used again (best effort: the claim expires anyway).
          await client.eval(SWAP, 1, key, claim, '', '0').catch(() => undefined);
          throw error;
        }
        const done: StoredKey = { ...(JSON.parse(claim) as StoredKey), state: 'done' };
        done.result = JSON.stringify(result);
        // The write happened: a Redis failure now must not turn it into an error (the claim just expires).
        await client.eval(SWAP, 1, key, claim, JSON.stringify(done), String(ttlMs)).catch(() => undefined);
        return { result: JSON.parse(done.result) as T, replayed: false };
      }
      const text = await redis(() => client.get(key));
      if (text === null) continue;
      const replay = replayOrConflict<T>(scope, JSON.parse(text) as StoredKey, input);
      if (replay) return replay;
      if (Date.now() + pollMs >= deadline) throw stillInProgress(scope);
      await sleep(pollMs);
    }
  }

  return {
    run,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function connect(options: RedisIdempotencyStoreOptions): Redis | Cluster {
  return connectRedis({
    url: options.url,
    clusterNodes: options.clusterNodes,
    connectionName: 'switchyard-idempotency',
    commandTimeout: options.commandTimeoutMs ?? 1000,
  });
}
