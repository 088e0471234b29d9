/**
 * A formatter of epoch milliseconds as ISO-8601 (`Date#toISOString`) that keeps its last answer: events
 * come in bursts sharing one millisecond (or one second of a provider's clock), and formatting a date
 * costs more than the rest of stamping an event.
 */
export function lastIsoTime(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastIso;
  };
}
