/** Helpers connectors share when they fill their part of the unified Customer. */

/** "First Last" from the parts a source has, or null when it has neither. */
export function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  const name = [first, last]
    .filter((part) => part !== null && part !== undefined && part.trim() !== '')
    .join(' ');
  return name === '' ? null : name;
}

/**
 * A directory cursor for APIs that page by an opaque per-page token: the page's
 * token and how many of its entries were already seen (`<skip>|<token>`).
 */
export function joinPageCursor(token: string | undefined, skip: number): string {
  return `${skip}|${token ?? ''}`;
}

/** Splits a cursor made by {@link joinPageCursor}; undefined means the first page. */
export function splitPageCursor(cursor: string | undefined): [token: string | undefined, skip: number] {
  if (cursor === undefined) return [undefined, 0];
  const bar = cursor.indexOf('|');
  const skip = Number(cursor.slice(0, bar));
  const token = cursor.slice(bar + 1);
  return [token === '' ? undefined : token, Number.isInteger(skip) && skip >= 0 ? skip : 0];
}
