import type { DemoWorld, WorldChange } from '../../src/sandbox/world.ts';

/**
 * The world's changes one at a time, as the demo clock makes them: the next
 * tick, stamped with the wall clock, whenever the last tick's changes are used up.
 */
export function changesOf(world: DemoWorld): () => WorldChange {
  const pending: WorldChange[] = [];
  return () => {
    while (pending.length === 0) pending.push(...world.tick(Math.floor(Date.now() / 1000)));
    const change = pending.shift();
    if (change === undefined) throw new Error('a tick without changes');
    return change;
  };
}
