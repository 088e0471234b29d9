import { setFlagsFromString } from 'node:v8';
import { heapGrowthFlag, youngGenerationFlag } from './node-flags.ts';
import { regulateYoungGeneration, releaseYoungGeneration } from './young-generation.ts';

/** Young generation size when neither HEAP_YOUNG_GENERATION_MB nor a node flag gives one, in MB. */
export const DEFAULT_YOUNG_GENERATION_MB = 32;
/** Old generation growth between full collections when neither HEAP_GROWTH_PERCENT nor a node flag gives one. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/** The heap part of the core configuration (undefined: not set). */
export interface HeapSettings {
  HEAP_YOUNG_GENERATION_MB: number | undefined;
  HEAP_GROWTH_PERCENT: number | undefined;
}

/** What the gateway asks of V8's heap; null leaves that part to V8 (or to the node flag that set it). */
export interface HeapPolicy {
  youngGenerationMb: number | null;
  growthPercent: number | null;
}

/** The policy `settings` and node's own `flags` (see `nodeFlags`) make: a node flag wins over a default. */
export function heapPolicy(settings: HeapSettings, flags: readonly string[]): HeapPolicy {
  const young =
    settings.HEAP_YOUNG_GENERATION_MB ??
    (youngGenerationFlag(flags) === undefined ? DEFAULT_YOUNG_GENERATION_MB : 0);
  const growth =
    settings.HEAP_GROWTH_PERCENT ?? (heapGrowthFlag(flags) === undefined ? DEFAULT_HEAP_GROWTH_PERCENT : 0);
  return { youngGenerationMb: young === 0 ? null : young, growthPercent: growth === 0 ? null : growth };
}

/** A heap setting given twice, as a variable and as a node flag, each with its fix (0 defers to the flag). */
export function heapProblems(settings: HeapSettings, flags: readonly string[]): string[] {
  const problems: string[] = [];
  const young = youngGenerationFlag(flags);
  if ((settings.HEAP_YOUNG_GENERATION_MB ?? 0) > 0 && young !== undefined)
    problems.push(
      `HEAP_YOUNG_GENERATION_MB (${String(settings.HEAP_YOUNG_GENERATION_MB)}) and node's ${young} both size V8's young generation. Fix: unset HEAP_YOUNG_GENERATION_MB, or remove ${young} from node's arguments or NODE_OPTIONS.`,
    );
  const growth = heapGrowthFlag(flags);
  if ((settings.HEAP_GROWTH_PERCENT ?? 0) > 0 && growth !== undefined)
    problems.push(
      `HEAP_GROWTH_PERCENT (${String(settings.HEAP_GROWTH_PERCENT)}) and node's ${growth} both set how far V8's heap grows between full collections. Fix: unset HEAP_GROWTH_PERCENT, or remove ${growth} from node's arguments or NODE_OPTIONS.`,
    );
  return problems;
}

/**
 * Applies `policy` to this process's V8 heap: caps the young generation (after `holdYoungGeneration`
 * kept it small during start-up) and sets the old generation's growth between full collections.
 * Returns a function that stops the young generation's regulation.
 */
export function applyHeapPolicy(policy: HeapPolicy): () => void {
  if (policy.growthPercent !== null)
    setFlagsFromString(`--heap-growing-percent=${String(policy.growthPercent)}`);
  if (policy.youngGenerationMb === null) {
    releaseYoungGeneration();
    return () => undefined;
  }
  return regulateYoungGeneration(policy.youngGenerationMb * 1024 * 1024);
}
