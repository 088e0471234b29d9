import type { IncomingEvent } from './event.ts';

/**
 * The strings of an event that become identifiers downstream (filters, cache
 * keys, log lines, terminals): its id, type and subject. Whatever the
 * provider's conventions, each must be printable text of bounded length:
 * no control characters (NUL, ESC, CR, LF, DEL, C1), no invisible format
 * characters (bidirectional overrides, zero-width), no line separators, and
 * no surrounding whitespace.
 */
export const IDENTIFIER_LIMITS = {
  id: 255,
  type: 200,
  'subject.kind': 100,
  'subject.id': 255,
  'subject.email': 320,
} as const;

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function problem(value: string, max: number): string | null {
  if (value === '') return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters; got ${value.length}`;
  const bad = UNPRINTABLE.exec(value);
  if (bad !== null) {
    const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    return `must be printable text: it contains the control or format character ${code} at position ${bad.index}`;
  }
  if (value.trim() !== value) return 'must not start or end with whitespace';
  return null;
}

/**
 * What is wrong with the identifiers of a delivery's events, as `{ path, message }`
 * issues (path `type`, or `3.type` when the delivery carries several events); empty when nothing is.
 */
export function identifierIssues(events: readonly IncomingEvent[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  events.forEach((event, index) => {
    const fields: [keyof typeof IDENTIFIER_LIMITS, unknown][] = [
      ['id', event.id],
      ['type', event.type],
      ['subject.kind', event.subject?.kind],
      ['subject.id', event.subject?.id],
      ['subject.email', event.subject?.email],
    ];
    for (const [field, value] of fields) {
      if (typeof value !== 'string') continue;
      const message = problem(value, IDENTIFIER_LIMITS[field]);
      if (message === null) continue;
      const path = events.length === 1 ? field : `${index}.${field}`;
      issues.push({ path, message: `Event ${field} ${message}.` });
    }
  });
  return issues;
}
