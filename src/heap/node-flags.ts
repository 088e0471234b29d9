/**
 * The V8 flags node was started with: its own arguments (`node --max-semi-space-size=16 src/main.ts`)
 * and `NODE_OPTIONS`, so that a heap size the user chose there is never overridden by the gateway.
 */
export function nodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((arg) => arg.startsWith('--'));
}

// V8 takes `-` and `_` alike in flag names.
const YOUNG_FLAG = /^--(?:(?:max|min)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)(?:=|$)/;
const GROWTH_FLAG = /^--heap[-_]growing[-_]percent(?:=|$)/;

/** The flag among `flags` that sizes V8's young generation, if any (`--max-semi-space-size=16`). */
export function youngGenerationFlag(flags: readonly string[]): string | undefined {
  return flags.find((flag) => YOUNG_FLAG.test(flag));
}

/** The flag among `flags` that sets how far V8's old generation grows between full collections, if any. */
export function heapGrowthFlag(flags: readonly string[]): string | undefined {
  return flags.find((flag) => GROWTH_FLAG.test(flag));
}
