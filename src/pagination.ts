import { badUserInput } from './errors.ts';

/**
 * Relay cursors are opaque to clients: base64url of `<namespace>:<value>`, so a
 * cursor from one connection is refused by another instead of silently
 * paging the wrong list.
 */
export function encodeCursor(namespace: string, value: string): string {
  return Buffer.from(`${namespace}:${value}`, 'utf8').toString('base64url');
}

/** Decodes a cursor of `namespace`, or throws BAD_USER_INPUT naming the argument. */
export function decodeCursor(namespace: string, cursor: string, argument = 'after'): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const prefix = `${namespace}:`;
  if (!decoded.startsWith(prefix) || decoded.length === prefix.length) {
    throw badUserInput(
      `Argument "${argument}" is not a cursor of this list: pass an endCursor or edge cursor this field returned.`,
      { argument },
    );
  }
  return decoded.slice(prefix.length);
}

/** Checks a Relay `first` argument against the page size the upstream allows. */
export function pageSize(first: number | null | undefined, max: number, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badUserInput(`Argument "first" must be between 1 and ${max}; got ${size}.`, { argument: 'first' });
  }
  return size;
}

/** A Relay connection page. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** Builds a connection from one upstream page. */
export function toConnection<T>(
  nodes: readonly T[],
  cursorOf: (node: T) => string,
  hasNextPage: boolean,
  hasPreviousPage: boolean,
): Connection<T> {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
