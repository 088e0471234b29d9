import { z } from 'zod';

/** At most `limit` calls may start in any `windowMs` stretch of time. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * What one response says about the source's limit, as a connector's
 * `readRateLimit` hook reads it from the headers or body. Every field is optional.
 */
export interface RateLimitReading {
  /**
   * Calls left in the current window; 0 pauses the source until `resetMs` has
   * passed (else the response's `Retry-After`, else a whole window).
   */
  remaining?: number | undefined;
  /** Milliseconds until the window resets (the whole window when unknown). */
  resetMs?: number | undefined;
  /** The live limit and its window: a lower rate than the configured one lowers the budget. */
  limit?: RateLimit | undefined;
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/**
 * Reads a rate-limit setting: `25/s`, `700/min`, `190/10s`, `40000/h`, or `off`.
 * @returns the limit, `'off'`, or undefined when the text is not one.
 */
export function parseRateLimit(text: string): RateLimit | 'off' | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off') return 'off';
  const match = /^(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/.exec(value);
  if (!match) return undefined;
  const unit = UNITS[match[3] ?? ''];
  const limit = Number(match[1]);
  const count = match[2] === '' ? 1 : Number(match[2]);
  if (unit === undefined || limit < 1 || limit > 1_000_000 || count < 1) return undefined;
  const windowMs = unit * count;
  if (windowMs < 100 || windowMs > 86_400_000) return undefined;
  return { limit, windowMs };
}

/**
 * The zod setting of a source's `<SOURCE>_RATE_LIMIT`: unset (undefined: the
 * connector's published limit applies), `off`, or a limit such as `25/s`.
 */
export const rateLimitSetting = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const parsed = parseRateLimit(v);
    if (parsed === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be calls per window such as 25/s, 700/min, 190/10s or 40000/h (window from 100 ms to a day), or off',
      });
      return z.NEVER;
    }
    return parsed;
  });

/** `25/s`, `700/min`, `190/10s`: a limit as a user writes it. */
export function formatRateLimit(rate: RateLimit): string {
  if (rate.windowMs % 60_000 === 0) {
    const minutes = rate.windowMs / 60_000;
    return `${rate.limit}/${minutes === 1 ? '' : minutes}min`;
  }
  const seconds = rate.windowMs / 1000;
  return `${rate.limit}/${seconds === 1 ? '' : seconds}s`;
}

/** The lower of two rates (calls per ms), or the first when the second is missing. */
export function lowerRate(a: RateLimit, b: RateLimit | undefined): RateLimit {
  if (b === undefined) return a;
  return b.limit / b.windowMs < a.limit / a.windowMs ? b : a;
}

/** A number header, or undefined when missing or not a number. */
export function numberHeader(headers: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * The limit in force for a source: the user's `<SOURCE>_RATE_LIMIT` when set
 * (`off`: none), else the connector's published one. Never the other way round.
 */
export function chooseRateLimit(
  setting: RateLimit | 'off' | undefined,
  published: RateLimit | undefined,
): RateLimit | undefined {
  if (setting === 'off') return undefined;
  return setting ?? published;
}

/**
 * Reads the IETF `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (delta seconds) headers. `windowMs` is the API's window, when it publishes
 * one, so that the limit header can lower the budget.
 */
export function readIetfRateLimit(
  headers: Readonly<Record<string, string>>,
  windowMs?: number,
): RateLimitReading | undefined {
  const remaining = numberHeader(headers, 'ratelimit-remaining');
  const limit = numberHeader(headers, 'ratelimit-limit');
  const reset = numberHeader(headers, 'ratelimit-reset');
  if (remaining === undefined && limit === undefined) return undefined;
  return {
    remaining,
    resetMs: reset === undefined ? undefined : reset * 1000,
    limit: limit !== undefined && limit > 0 && windowMs !== undefined ? { limit, windowMs } : undefined,
  };
}
