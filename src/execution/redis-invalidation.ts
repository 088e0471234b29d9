import type { Logger } from 'pino';
import { connectRedis } from '../redis-client.ts';
import type { ResponseCacheMetrics } from '../metrics/response-cache-metrics.ts';
import type { ResponseCache } from './response-cache.ts';

/** Options of {@link createInvalidationChannel}. */
export interface InvalidationChannelOptions {
  url?: string | undefined;
  /** Seed nodes of a Redis Cluster. Default: none. */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
  /** The deployment's key prefix (`REDIS_KEY_PREFIX`): the channel is `{<prefix>}:cache-invalidate`. */
  keyPrefix: string;
  cache: ResponseCache;
  metrics: ResponseCacheMetrics;
  log: Logger;
  /** Longest a mutation waits for Redis to take its invalidation. Default 500 ms. */
  publishTimeoutMs?: number;
}

/** Tells every instance sharing Redis which sources a mutation wrote. */
export interface InvalidationChannel {
  /** Publishes `sources`; never throws (other instances then learn it from the source's webhook or the TTL). */
  publish(sources: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Mutations evict cached answers on every instance, not only the one that ran
 * them: a load balancer may send the very next query elsewhere. Each instance
 * publishes the sources its mutations wrote on a Redis channel before the
 * mutation answers (Redis hands a message to subscribers before it replies to
 * the publisher), and evicts what others publish. A subscriber that lost its
 * connection may have missed messages, so it empties the cache when it is
 * back.
 */
export function createInvalidationChannel(options: InvalidationChannelOptions): InvalidationChannel {
  const { cache, metrics, log } = options;
  const channel = `{${options.keyPrefix}}:cache-invalidate`;
  const where = { url: options.url, clusterNodes: options.clusterNodes };
  const publisher = connectRedis({ ...where, connectionName: 'switchyard-cache-publish' });
  const subscriber = connectRedis({ ...where, connectionName: 'switchyard-cache-subscribe' });
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) cache.clear();
    connectedBefore = true;
    subscriber.subscribe(channel).catch((error: unknown) => {
      log.warn({ err: error }, 'response cache: cannot subscribe to invalidations; emptying the cache');
      cache.clear();
    });
  });
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const sources = parseSources(text);
    if (sources === null) {
      log.warn({ channel }, 'response cache: ignored an invalidation that is not a list of source names');
      return;
    }
    metrics.evicted('mutation', cache.invalidate(sources));
  });
  // Errors are retried by ioredis and reported by the event log's health; here they must not crash.
  subscriber.on('error', () => undefined);
  publisher.on('error', () => undefined);
  const timeoutMs = options.publishTimeoutMs ?? 500;

  return {
    async publish(sources) {
      if (sources.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          publisher.publish(channel, JSON.stringify(sources)),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (error) {
        log.warn(
          { err: error, sources },
          'response cache: could not tell other instances about a write; they see it with its webhook or after RESPONSE_CACHE_TTL_S',
        );
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.all(
        [publisher, subscriber].map((client) => client.quit().catch(() => client.disconnect())),
      );
    },
  };
}

function parseSources(text: string): string[] | null {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  } catch {
    return null;
  }
}
