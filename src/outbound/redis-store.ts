import { randomUUID } from 'node:crypto';
import { connect } from '../events/redis-log.ts';
import type { RedisClusterNode } from '../events/redis-log.ts';
import type { GatewayEvent } from '../events/event.ts';
import type { Delivery, DeliveryAttempt, DeliveryStatus, Endpoint } from './model.ts';
import type { AttemptOutcome, Claim, ListDeliveriesOptions, OutboundStore } from './store.ts';

/** Options of {@link createRedisOutboundStore}. */
export interface RedisOutboundStoreOptions {
  url?: string | undefined;
  clusterNodes?: readonly RedisClusterNode[] | undefined;
  /** The event log's prefix: keys are `{prefix}:outbound:...`, in the log's cluster slot. Default `switchyard`. */
  keyPrefix?: string;
  /** Finished (succeeded or failed) deliveries kept per endpoint, with their attempts; the oldest go first. Default 10000, as in memory. */
  maxFinishedPerEndpoint?: number;
}

/**
 * Creates deliveries for the events between `from` and `to` of one endpoint, only if its position
 * is still `from`. A delivery's due score is its creation time plus its sequence in thousandths, so
 * deliveries created together are first attempted in log order. Then drops the oldest finished
 * deliveries (and their attempts) beyond `max`, at most 200 a call so a call stays short; pending
 * ones (in the due set) are never dropped.
 * ARGV: prefix, endpoint id, from, to, max, then (id, JSON, createdAt) per delivery.
 */
const ADVANCE = `
local p, ep = ARGV[1], ARGV[2]
if redis.call('HGET', p .. 'pos', ep) ~= ARGV[3] then return 0 end
redis.call('HSET', p .. 'pos', ep, ARGV[4])
local list, due = p .. 'list:' .. ep, p .. 'due:' .. ep
local excess = redis.call('ZCARD', list) - redis.call('ZCARD', due) - tonumber(ARGV[5])
if excess > 0 then
  local budget = 200
  for _, id in ipairs(redis.call('ZRANGE', list, 0, math.min(excess, budget) * 2 + 10)) do
    if excess <= 0 or budget <= 0 then break end
    if redis.call('ZSCORE', due, id) == false then
      redis.call('DEL', p .. 'd:' .. id, p .. 'a:' .. id)
      redis.call('ZREM', list, id)
      excess = excess - 1
      budget = budget - 1
    end
  end
end
for i = 6, #ARGV, 3 do
  local id = ARGV[i]
  local key = p .. 'd:' .. id
  if redis.call('EXISTS', key) == 0 then
    local seq = redis.call('INCR', p .. 'seq')
    local created = tonumber(ARGV[i + 2])
    redis.call('HSET', key, 'json', ARGV[i + 1], 'seq', seq, 'status', 'PENDING', 'next', created, 'round', 0)
    redis.call('ZADD', p .. 'list:' .. ep, seq, id)
    redis.call('ZADD', p .. 'due:' .. ep, created + (seq % 1000) / 1000, id)
  end
end
return 1
`;

/** Leases due deliveries: a lease is a key with a token; a claimed delivery's due time moves past the lease, so it comes back if its instance dies. */
const CLAIM = `
local p, ep, now, limit, lease, token = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local due = p .. 'due:' .. ep
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit * 4)
local out = {}
for _, id in ipairs(ids) do
  if #out >= limit then break end
  if redis.call('SET', p .. 'lease:' .. id, token, 'NX', 'PX', lease) then
    redis.call('ZADD', due, now + lease, id)
    out[#out + 1] = id
  end
end
return out
`;

/** Records an attempt only while the lease is still this token's. */
const COMPLETE = `
local p, id, token, ep = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', p .. 'lease:' .. id) ~= token then return 0 end
if redis.call('EXISTS', p .. 'd:' .. id) == 0 then return 0 end
redis.call('RPUSH', p .. 'a:' .. id, ARGV[5])
redis.call('HSET', p .. 'd:' .. id, 'status', ARGV[6], 'next', ARGV[7], 'round', ARGV[8])
if ARGV[6] == 'PENDING' then redis.call('ZADD', p .. 'due:' .. ep, ARGV[7], id)
else redis.call('ZREM', p .. 'due:' .. ep, id) end
redis.call('DEL', p .. 'lease:' .. id)
return 1
`;

const REQUEUE = `
local p, id, ep, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', p .. 'd:' .. id) == 0 then return 0 end
redis.call('HSET', p .. 'd:' .. id, 'status', 'PENDING', 'next', at, 'round', 0)
redis.call('ZADD', p .. 'due:' .. ep, at, id)
return 1
`;

const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

/** The immutable part of a delivery, stored once. */
interface DeliveryHead {
  id: string;
  endpointId: string;
  event: GatewayEvent;
  createdAt: number;
}

/**
 * The {@link OutboundStore} in Redis, shared by every instance on the same Redis and prefix:
 * endpoints, positions, deliveries with their attempts, a sorted set of due attempts per
 * endpoint, and leases with tokens. Lua scripts keep each step atomic.
 */
export function createRedisOutboundStore(options: RedisOutboundStoreOptions): OutboundStore {
  const p = `{${options.keyPrefix ?? 'switchyard'}}:outbound:`;
  const maxFinished = options.maxFinishedPerEndpoint ?? 10_000;
  const { client } = connect(
    { url: options.url, clusterNodes: options.clusterNodes },
    {
      name: 'switchyard-outbound',
      // Store calls wait out a short reconnection; the dispatcher retries a failed pass.
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: true,
      commandTimeout: 5_000,
      retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
    },
  );
  client.on('error', () => undefined);
  const call = (...args: (string | number)[]) => client.call(String(args[0]), args.slice(1));
  const script = (source: string, args: (string | number)[], keys: string[] = []) =>
    call('EVAL', source, keys.length, ...keys, ...args);

  function decodeEndpoint(fields: string[]): Endpoint | null {
    if (fields.length === 0) return null;
    const raw: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i += 2) raw[fields[i] ?? ''] = JSON.parse(fields[i + 1] ?? 'null');
    return raw as unknown as Endpoint;
  }

  async function endpoint(id: string): Promise<Endpoint | null> {
    return decodeEndpoint((await call('HGETALL', `${p}ep:${id}`)) as string[]);
  }

  async function delivery(id: string): Promise<Delivery | null> {
    const fields = (await call('HMGET', `${p}d:${id}`, 'json', 'seq', 'status', 'next', 'round')) as (
      string | null
    )[];
    const [json, seq, status, next, round] = fields;
    if (json == null) return null;
    const head = JSON.parse(json) as DeliveryHead;
    const attempts = ((await call('LRANGE', `${p}a:${id}`, 0, -1)) as string[]).map(
      (a) => JSON.parse(a) as DeliveryAttempt,
    );
    return {
      ...head,
      seq: Number(seq),
      status: status as DeliveryStatus,
      attempts,
      nextAttemptAt: next == null || next === '' ? null : Number(next),
      roundFailures: Number(round),
    };
  }

  async function deliveries(ids: readonly string[]): Promise<Delivery[]> {
    const found = await Promise.all(ids.map(delivery));
    return found.filter((d): d is Delivery => d !== null);
  }

  function endpointFields(patch: Partial<Endpoint>): string[] {
    return Object.entries(patch as Record<string, unknown>).flatMap(([k, v]) =>
      v === undefined ? [] : [k, JSON.stringify(v)],
    );
  }

  return {
    kind: 'redis',
    async listEndpoints() {
      const ids = ((await call('SMEMBERS', `${p}endpoints`)) as string[]).sort();
      const all = await Promise.all(ids.map(endpoint));
      return all.filter((e): e is Endpoint => e !== null).sort((a, b) => a.createdAt - b.createdAt);
    },
    getEndpoint: endpoint,
    async createEndpoint(created, position) {
      await call('HSET', `${p}ep:${created.id}`, ...endpointFields(created));
      await call('HSET', `${p}pos`, created.id, position);
      await call('SADD', `${p}endpoints`, created.id);
    },
    async updateEndpoint(id, patch) {
      const fields = endpointFields(patch);
      if (fields.length > 0 && (await script(UPDATE, fields, [`${p}ep:${id}`])) === 0) return null;
      return endpoint(id);
    },
    async deleteEndpoint(id) {
      if ((await call('SREM', `${p}endpoints`, id)) === 0) return false;
      const ids = (await call('ZRANGE', `${p}list:${id}`, 0, -1)) as string[];
      for (const d of ids) await call('DEL', `${p}d:${d}`, `${p}a:${d}`, `${p}lease:${d}`);
      await call('DEL', `${p}ep:${id}`, `${p}list:${id}`, `${p}due:${id}`);
      await call('HDEL', `${p}pos`, id);
      return true;
    },
    async position(id) {
      return (await call('HGET', `${p}pos`, id)) as string | null;
    },
    async advance(endpointId, from, to, created) {
      const args = created.flatMap((d) => {
        const head: DeliveryHead = {
          id: d.id,
          endpointId: d.endpointId,
          event: d.event,
          createdAt: d.createdAt,
        };
        return [d.id, JSON.stringify(head), d.createdAt];
      });
      return (await script(ADVANCE, [p, endpointId, from, to, maxFinished, ...args])) === 1;
    },
    async claimDue(endpointId, now, limit, leaseMs) {
      if (limit <= 0) return [];
      const token = randomUUID();
      const ids = (await script(CLAIM, [p, endpointId, now, limit, leaseMs, token])) as string[];
      return (await deliveries(ids)).map((d): Claim => ({ delivery: d, token }));
    },
    async complete(claim, outcome: AttemptOutcome) {
      const d = claim.delivery;
      const result = await script(COMPLETE, [
        p,
        d.id,
        claim.token,
        d.endpointId,
        JSON.stringify(outcome.attempt),
        outcome.status,
        outcome.nextAttemptAt ?? '',
        outcome.roundFailures,
      ]);
      return result === 1;
    },
    getDelivery: delivery,
    async listDeliveries(endpointId, { beforeSeq, limit, status }: ListDeliveriesOptions) {
      const page: Delivery[] = [];
      let max = beforeSeq === undefined ? '+inf' : `(${beforeSeq}`;
      for (;;) {
        const ids = (await call(
          'ZREVRANGEBYSCORE',
          `${p}list:${endpointId}`,
          max,
          '-inf',
          'LIMIT',
          0,
          200,
        )) as string[];
        const batch = await deliveries(ids);
        for (const d of batch)
          if ((status == null || d.status === status) && page.length < limit) page.push(d);
        const last = batch.at(-1);
        if (page.length >= limit || ids.length < 200 || last === undefined) return page;
        max = `(${last.seq}`;
      }
    },
    async requeue(deliveryId, at) {
      const found = await delivery(deliveryId);
      if (found === null) return null;
      await script(REQUEUE, [p, deliveryId, found.endpointId, at]);
      return delivery(deliveryId);
    },
    async failedSince(endpointId, since) {
      const ids = (await call('ZRANGE', `${p}list:${endpointId}`, 0, -1)) as string[];
      return (await deliveries(ids)).filter((d) => d.status === 'FAILED' && d.createdAt >= since);
    },
    async queue(endpointId) {
      const depth = Number(await call('ZCARD', `${p}due:${endpointId}`));
      const first = (await call('ZRANGE', `${p}due:${endpointId}`, 0, 99)) as string[];
      const created = (await deliveries(first)).map((d) => d.createdAt);
      return { depth, oldestCreatedAt: created.length === 0 ? null : Math.min(...created) };
    },
    nextDueAt: () => null,
    async close() {
      client.disconnect(false);
      await Promise.resolve();
    },
  };
}
