import { z } from 'zod';

/** Delays after each failed attempt, in seconds: the schedule Svix and the Standard Webhooks examples use. */
export const DEFAULT_RETRY_SCHEDULE_S = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
/** Each delay is drawn within ±this share of its nominal value. */
export const RETRY_JITTER = 0.2;
/** The longest single delay accepted, in seconds (a week). */
const MAX_DELAY_S = 7 * 86_400;

/**
 * `OUTBOUND_RETRY_SCHEDULE`: comma-separated seconds (fractions allowed, `0.05,0.1`), 1 to 50 delays.
 * Parsed to milliseconds.
 */
export const retryScheduleSetting = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return DEFAULT_RETRY_SCHEDULE_S.map((s) => s * 1000);
    const items = v.split(',').map((item) => item.trim());
    const delays = items.map(Number);
    const bad = items.filter(
      (item, i) => !/^\d+(\.\d+)?$/.test(item) || !((delays[i] ?? 0) > 0 && (delays[i] ?? 0) <= MAX_DELAY_S),
    );
    if (items.length > 50 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must list 1 to 50 delays in seconds, each above 0 and at most ${MAX_DELAY_S}, like 5,300,1800${bad.length > 0 ? ` (not a delay: ${bad.map((b) => JSON.stringify(b)).join(', ')})` : ''}`,
      });
      return z.NEVER;
    }
    return delays.map((s) => Math.round(s * 1000));
  });

/**
 * The wait before the retry that follows failed attempt number `failures` (1-based) of a
 * round, with ±20% jitter so a receiver's recovery is not met by a synchronized stampede;
 * `null` once the schedule is exhausted (the delivery has failed for good).
 */
export function retryDelayMs(
  scheduleMs: readonly number[],
  failures: number,
  random: () => number = Math.random,
): number | null {
  const nominal = scheduleMs[failures - 1];
  if (nominal === undefined) return null;
  return Math.round(nominal * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}
