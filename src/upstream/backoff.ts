/**
 * Full-jitter exponential backoff: the wait before retry `attempt` (0 for the
 * first retry) is drawn uniformly from `[0, min(capMs, baseMs * 2^attempt))`,
 * in whole milliseconds.
 *
 * @param random - returns a number in `[0, 1)`, like `Math.random`.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  if (!(ceiling > 0)) return 0;
  // Clamped so that a `random` returning exactly 1 still stays below the ceiling.
  return Math.min(Math.floor(random() * ceiling), Math.ceil(ceiling) - 1);
}
