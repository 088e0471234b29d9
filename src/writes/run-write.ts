import { randomUUID } from 'node:crypto';
import type { SourceScope } from '../connector.ts';
import type { GatewayContext } from '../context.ts';
import { asWriteError, checkIdempotencyKey } from './write-errors.ts';

/** One mutation, as a connector's resolver hands it to {@link runWrite}. */
export interface WriteSpec<Client, Loaders, T> {
  /** The connector's name: its `<domain>:write` scope is required. */
  source: string;
  /** The provider's name, for messages (`Zendesk`). */
  title: string;
  /** The mutation's field name (`createTicket`): keys are scoped to it. */
  mutation: string;
  /** The arguments other than `idempotencyKey`, as validated: a repeat under the same key must match them. */
  input: unknown;
  idempotencyKey: string | null | undefined;
  /**
   * How repeats are de-duplicated. `provider`: the API has its own keys
   * (Stripe); the key, or a random one when the client gave none, goes to it
   * and the gateway keeps nothing. `gateway` (default): the gateway's
   * idempotency store keeps the first result under the client's key.
   */
  keys?: 'provider' | 'gateway';
  /**
   * Whether writing twice leaves the same result (an update that sets
   * values), so a retry after an unknown outcome is safe without the
   * provider's help. Default false (a create).
   */
  setsValues?: boolean;
  /** The upstream call; `key` is the provider's idempotency key (`keys: 'provider'` only). */
  write(scope: SourceScope<Client, Loaders>, key: string | undefined): Promise<T>;
}

/**
 * Runs a mutation through to its source: the key's length, the principal's
 * write scope (`ctx.writer`), then the write, de-duplicated by the provider's
 * keys or by the gateway's store, with failures that leave the outcome unknown
 * reported as such (see `asWriteError`).
 */
export async function runWrite<Client, Loaders, T>(
  ctx: GatewayContext,
  spec: WriteSpec<Client, Loaders, T>,
): Promise<T> {
  const key = checkIdempotencyKey(spec.idempotencyKey);
  const scope = ctx.writer<Client, Loaders>(spec.source);
  const native = spec.keys === 'provider';
  const retrySafe = native || spec.setsValues === true;
  const attempt = async (): Promise<T> => {
    try {
      // Without a client key, a random one still makes the provider's own retries safe (as stripe-node does).
      return await spec.write(scope, native ? (key ?? randomUUID()) : undefined);
    } catch (error) {
      throw asWriteError(error, { title: spec.title, retrySafe });
    }
  };
  if (native || key === undefined) return attempt();
  const { result, replayed } = await ctx.idempotency.run(
    { principal: ctx.principal.id, mutation: spec.mutation, key },
    spec.input,
    attempt,
    ctx.deadline,
  );
  ctx.log.info({ mutation: spec.mutation, source: spec.source, replayed }, 'write');
  return result;
}
