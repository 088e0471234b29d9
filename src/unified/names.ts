import type { DirectoryEntry } from '../connector.ts';

/** Helpers connectors share when they fill their part of the unified Customer. */

/** "First Last" from the parts a source has, or null when it has neither. */
export function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  const name = [first, last]
    .filter((part) => part !== null && part !== undefined && part.trim() !== '')
    .join(' ');
  return name === '' ? null : name;
}

/**
 * A customer directory over an API that pages by an opaque token per page: an
 * entry's cursor is its page's token plus how many of that page were already
 * seen (`<skip>|<token>`), so listing can resume after any entry, not only
 * after the last of a page.
 *
 * @param fetch reads one page of at most `limit` records starting at `token`.
 * @param entry the person a record is (email and name, priming the caller's
 *   by-email loader), or null for a record without an email.
 */
export async function tokenPagedDirectory<Record>(
  page: { first: number; after?: string | undefined },
  fetch: (limit: number, token: string | undefined) => Promise<{ records: Record[]; next: string | null }>,
  entry: (record: Record) => { email: string; name: string | null } | null,
): Promise<{ people: DirectoryEntry<Record>[]; hasNextPage: boolean; endCursor: string | null }> {
  const [token, skip] = splitPageCursor(page.after);
  const { records, next } = await fetch(Math.min(100, page.first + skip), token);
  const people = records.slice(skip, skip + page.first).flatMap((record, index) => {
    const person = entry(record);
    if (person === null) return [];
    const seen = skip + index + 1;
    const cursor =
      seen === records.length && next !== null ? joinPageCursor(next, 0) : joinPageCursor(token, seen);
    return [{ ...person, record, cursor }];
  });
  const hasNextPage = skip + page.first < records.length || next !== null;
  return { people, hasNextPage, endCursor: people.at(-1)?.cursor ?? null };
}

function joinPageCursor(token: string | undefined, skip: number): string {
  return `${skip}|${token ?? ''}`;
}

function splitPageCursor(cursor: string | undefined): [token: string | undefined, skip: number] {
  if (cursor === undefined) return [undefined, 0];
  const bar = cursor.indexOf('|');
  const skip = Number(cursor.slice(0, bar));
  const token = cursor.slice(bar + 1);
  return [token === '' ? undefined : token, Number.isInteger(skip) && skip >= 0 ? skip : 0];
}
