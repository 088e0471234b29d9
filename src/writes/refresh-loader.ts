import type DataLoader from 'dataloader';
import type { GatewayContext } from '../context.ts';

/**
 * After a write, replaces this request's cached copy of the object with the
 * one the write returned, so a read later in the same operation shows the
 * change. Nothing happens when the principal may not read the source (it has
 * no loaders to refresh). Returns `value`.
 */
// Loaders names the connector's loader type for `ctx.source` inside; it is inferred from `pick`.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function refreshLoader<Loaders, K, V>(
  ctx: GatewayContext,
  source: string,
  pick: (loaders: Loaders) => DataLoader<K, V | null>,
  key: K,
  value: V,
): V {
  if (ctx.mayRead(source)) {
    pick(ctx.source<unknown, Loaders>(source).loaders).clear(key).prime(key, value);
  }
  return value;
}
