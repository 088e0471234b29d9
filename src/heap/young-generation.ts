import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** V8's own factor by which the young generation grows when much of it survives. */
const V8_GROWTH_FACTOR = 2;

let held = false;

/** Bytes V8's young generation (its new space, both semi-spaces) takes now. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

function setGrowthFactor(factor: number): void {
  setFlagsFromString(`--semi-space-growth-factor=${String(factor)}`);
}

/**
 * Keeps the young generation at its initial size (1 MB) while the gateway's modules load: loading them
 * would otherwise grow it to 64 MB, which V8 then keeps for the life of the process (its size can only
 * be fixed at start-up, from node's command line). Must run before anything else is imported.
 * {@link regulateYoungGeneration} or {@link releaseYoungGeneration} ends the hold.
 */
export function holdYoungGeneration(): void {
  held = true;
  setGrowthFactor(1);
}

/** Lets V8 size the young generation its own way again, after {@link holdYoungGeneration}. */
export function releaseYoungGeneration(): void {
  if (held) setGrowthFactor(V8_GROWTH_FACTOR);
  held = false;
}

/**
 * Lets the young generation grow up to `maxBytes` and no further: after every collection the growth
 * factor V8 reads when it expands the young generation is set to V8's own 2 while one more doubling
 * stays within `maxBytes`, else to 1. V8 may also shrink it when the process idles; it then grows back
 * the same way. Returns a function that stops the regulation.
 */
export function regulateYoungGeneration(maxBytes: number): () => void {
  held = false;
  let factor = 0;
  const adjust = (): void => {
    const size = youngGenerationBytes();
    // V8's own step: one expansion at most doubles it, so the doubling that would pass the cap is refused.
    const next = size > 0 && size * V8_GROWTH_FACTOR <= maxBytes ? V8_GROWTH_FACTOR : 1;
    if (next === factor) return;
    factor = next;
    setGrowthFactor(next);
  };
  adjust();
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
