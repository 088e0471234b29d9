const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;
// All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with a day name;
// requiring one keeps Date.parse from reading junk such as "-5" as a year.
const STARTS_WITH_DAY_NAME = /^[A-Za-z]{3}/;
// asctime carries no zone but means GMT, which Date.parse would not assume.
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Reads a `Retry-After` header value as milliseconds to wait from `now`.
 * Accepts delta-seconds (`120`, leniently `1.5`) and any HTTP-date form
 * (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in the past gives 0.
 *
 * @param now - epoch milliseconds the date form is measured from.
 * @returns the wait in ms, or undefined when the value is missing or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  if (!STARTS_WITH_DAY_NAME.test(trimmed)) return undefined;
  const at = Date.parse(ASCTIME.test(trimmed) ? `${trimmed} GMT` : trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
