import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RateLimit } from './rate-limit.ts';
import { createLocalRateWindow } from './rate-window.ts';
import type { RateWindow } from './rate-window.ts';

/**
 * Atomically: refuse while the pause key lives; drop starts older than the
 * window; record this start when fewer than the limit remain. Returns 0 when
 * recorded, else the ms until a slot frees. Uses Redis's clock, so instances
 * with skewed clocks still share one window.
 * KEYS[1] starts (sorted set), KEYS[2] pause; ARGV limit, windowMs, member.
 */
const TRY_START = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], used - limit, used - limit, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

/** Options of {@link createRedisRateWindow}. */
export interface RedisRateWindowOptions {
  /** A client of its own, standalone or cluster (`enableOfflineQueue: false` so an outage fails fast). */
  redis: Pick<Redis, 'eval' | 'pttl' | 'set'>;
  /** Key prefix, e.g. `{switchyard}:rate:stripe:<credential hash>`. */
  key: string;
  source: string;
  log?: Logger | undefined;
  /** Longest wait for Redis before counting locally, in ms. Default 1000. */
  timeoutMs?: number;
}

/**
 * A sliding-window log of call starts in Redis, shared by every instance
 * using the same key (one per source and credential). When Redis fails or is
 * slow, the call is counted in this process instead (a warning is logged once
 * per outage) so queries keep working; the shared count resumes when Redis answers.
 */
export function createRedisRateWindow(options: RedisRateWindowOptions): RateWindow {
  const { redis, source } = options;
  const timeoutMs = options.timeoutMs ?? 1000;
  const startsKey = `${options.key}:starts`;
  const pauseKey = `${options.key}:pause`;
  const local = createLocalRateWindow();
  let counter = 0;
  let degraded = false;
  const member = (): string =>
    `${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}:${++counter}`;

  async function shared<T>(run: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`no answer within ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
      if (degraded) {
        degraded = false;
        options.log?.info({ source }, `Redis answers again: the rate budget of ${source} is shared again`);
      }
      return result;
    } catch (error) {
      if (!degraded) {
        degraded = true;
        options.log?.warn(
          { source, err: error },
          `Redis is unreachable: the rate budget of ${source} counts calls in this instance only until it is back`,
        );
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async tryStart(rate: RateLimit) {
      const wait = await shared(() =>
        redis.eval(TRY_START, 2, startsKey, pauseKey, rate.limit, rate.windowMs, member()),
      );
      if (wait === undefined) return local.tryStart(rate);
      // Kept locally too, so that a Redis outage starts from a realistic count.
      if (wait === 0) await local.tryStart({ limit: Number.MAX_SAFE_INTEGER, windowMs: rate.windowMs });
      return Number(wait);
    },
    async pause(until) {
      await local.pause(until);
      const ms = Math.max(1, Math.round(until - Date.now()));
      // NX-free GT semantics by hand: only lengthen an existing pause.
      await shared(async () => {
        const left = await redis.pttl(pauseKey);
        if (left < ms) await redis.set(pauseKey, '1', 'PX', ms);
      });
    },
    used(windowMs) {
      return local.used(windowMs);
    },
  };
}
