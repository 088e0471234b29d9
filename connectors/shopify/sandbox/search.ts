/**
 * Shopify's search syntax, as the `query:` argument of connections takes it:
 * terms (`name`, `field:value`, `field:>value`, quoted values with backslash
 * escapes, `*` prefix matches), `-` / `NOT`, `AND` (also implied by whitespace),
 * `OR`, and parentheses. Unknown fields are ignored with a warning, as Shopify does.
 */

export type Comparator = ':' | ':<' | ':>' | ':<=' | ':>=';

export type SearchNode =
  | { kind: 'and'; items: SearchNode[] }
  | { kind: 'or'; items: SearchNode[] }
  | { kind: 'not'; item: SearchNode }
  | { kind: 'term'; field: string | null; comparator: Comparator; value: string };

/** A warning Shopify returns in `extensions.search` for a term it could not apply. */
export interface SearchWarning {
  field: string;
  message: string;
  code: string;
}

type Token =
  | { kind: 'open' | 'close' | 'and' | 'or' | 'not' }
  | { kind: 'term'; field: string | null; comparator: Comparator; value: string; negated: boolean };

function readValue(input: string, start: number): { value: string; end: number } {
  const quote = input[start];
  if (quote === '"' || quote === "'") {
    let value = '';
    let i = start + 1;
    while (i < input.length && input[i] !== quote) {
      if (input[i] === '\\' && i + 1 < input.length) i++;
      value += input[i] ?? '';
      i++;
    }
    return { value, end: Math.min(i + 1, input.length) };
  }
  let value = '';
  let i = start;
  while (i < input.length && !/[\s()]/.test(input[i] ?? '')) {
    if (input[i] === '\\' && i + 1 < input.length) i++;
    value += input[i] ?? '';
    i++;
  }
  return { value, end: i };
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      tokens.push({ kind: 'open' });
      i++;
      continue;
    }
    if (c === ')') {
      tokens.push({ kind: 'close' });
      i++;
      continue;
    }
    const word = /^(AND|OR|NOT)(?=[\s()]|$)/.exec(input.slice(i));
    if (word !== null) {
      tokens.push({ kind: word[1] === 'AND' ? 'and' : word[1] === 'OR' ? 'or' : 'not' });
      i += word[0].length;
      continue;
    }
    let negated = false;
    if (c === '-' && i + 1 < input.length && !/\s/.test(input[i + 1] ?? '')) {
      negated = true;
      i++;
    }
    const field = /^([A-Za-z_][A-Za-z0-9_.]*):(<=|>=|<|>)?/.exec(input.slice(i));
    if (field !== null) {
      i += field[0].length;
      const { value, end } = readValue(input, i);
      i = end;
      const comparator = `:${field[2] ?? ''}` as Comparator;
      tokens.push({ kind: 'term', field: (field[1] ?? '').toLowerCase(), comparator, value, negated });
      continue;
    }
    const { value, end } = readValue(input, i);
    i = Math.max(end, i + 1);
    tokens.push({ kind: 'term', field: null, comparator: ':', value, negated });
  }
  return tokens;
}

/** Parses a search string. Dangling connectives and parentheses are forgiven, as Shopify forgives them. */
export function parseSearch(input: string): SearchNode {
  const tokens = tokenize(input);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];

  function unary(): SearchNode | undefined {
    const token = peek();
    if (token === undefined) return undefined;
    if (token.kind === 'not') {
      position++;
      const item = unary();
      return item === undefined ? undefined : { kind: 'not', item };
    }
    if (token.kind === 'open') {
      position++;
      const inner = or();
      if (peek()?.kind === 'close') position++;
      return inner;
    }
    if (token.kind === 'term') {
      position++;
      const term: SearchNode = {
        kind: 'term',
        field: token.field,
        comparator: token.comparator,
        value: token.value,
      };
      return token.negated ? { kind: 'not', item: term } : term;
    }
    return undefined;
  }

  function and(): SearchNode {
    const items: SearchNode[] = [];
    for (;;) {
      const token = peek();
      if (token === undefined || token.kind === 'or' || token.kind === 'close') break;
      if (token.kind === 'and') {
        position++;
        continue;
      }
      const item = unary();
      if (item !== undefined) items.push(item);
    }
    return items.length === 1 && items[0] !== undefined ? items[0] : { kind: 'and', items };
  }

  function or(): SearchNode {
    const items = [and()];
    while (peek()?.kind === 'or') {
      position++;
      items.push(and());
    }
    return items.length === 1 && items[0] !== undefined ? items[0] : { kind: 'or', items };
  }

  const result = or();
  // Stray closing parentheses: skip them and keep what follows, ANDed.
  const rest: SearchNode[] = [result];
  while (position < tokens.length) {
    position++;
    rest.push(or());
  }
  return rest.length === 1 ? result : { kind: 'and', items: rest };
}

/** How one field of a resource is searched. */
export type FieldMatcher<T> = (item: T, comparator: Comparator, value: string) => boolean;

/** Compares a value the way Shopify's text fields do: case-insensitive, `*` as a trailing prefix wildcard. */
export function textMatches(actual: string | null | undefined, value: string): boolean {
  if (actual === null || actual === undefined) return false;
  const a = actual.toLowerCase();
  const v = value.toLowerCase();
  return v.endsWith('*') ? a.startsWith(v.slice(0, -1)) : a === v;
}

export function compare(actual: number, comparator: Comparator, wanted: number): boolean {
  switch (comparator) {
    case ':':
      return actual === wanted;
    case ':<':
      return actual < wanted;
    case ':>':
      return actual > wanted;
    case ':<=':
      return actual <= wanted;
    case ':>=':
      return actual >= wanted;
  }
}

/** A numeric field (`id`, `customer_id`): a numeric id, or a gid's number. */
export function numberField<T>(get: (item: T) => number | null): FieldMatcher<T> {
  return (item, comparator, value) => {
    const wanted = Number(/(\d+)$/.exec(value)?.[1] ?? Number.NaN);
    const actual = get(item);
    return actual !== null && !Number.isNaN(wanted) && compare(actual, comparator, wanted);
  };
}

/** A time field (`created_at`, `updated_at`), unix seconds; values are ISO dates or times. */
export function timeField<T>(get: (item: T) => number): FieldMatcher<T> {
  return (item, comparator, value) => {
    const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    return !Number.isNaN(at) && compare(get(item) * 1000, comparator, at);
  };
}

/** A text field: equality (case-insensitive) or prefix with `*`. */
export function textField<T>(get: (item: T) => string | null | readonly string[]): FieldMatcher<T> {
  return (item, _comparator, value) => {
    const actual = get(item);
    return typeof actual === 'string' || actual === null
      ? textMatches(actual, value)
      : actual.some((a) => textMatches(a, value));
  };
}

/**
 * Compiles a search into a predicate over `T`. Terms with a field the resource
 * does not know match everything and add a warning; free text matches when
 * any of `freeText(item)` contains it.
 */
export function compileSearch<T>(
  query: string,
  fields: Readonly<Record<string, FieldMatcher<T>>>,
  freeText: (item: T) => readonly (string | null)[],
): { test: (item: T) => boolean; warnings: SearchWarning[] } {
  const warnings: SearchWarning[] = [];
  const build = (node: SearchNode): ((item: T) => boolean) => {
    switch (node.kind) {
      case 'and': {
        const parts = node.items.map(build);
        return (item) => parts.every((p) => p(item));
      }
      case 'or': {
        const parts = node.items.map(build);
        return (item) => parts.some((p) => p(item));
      }
      case 'not': {
        const inner = build(node.item);
        return (item) => !inner(item);
      }
      case 'term': {
        const { field, comparator, value } = node;
        if (field === null) {
          const needle = value.toLowerCase().replace(/\*$/, '');
          return (item) => freeText(item).some((text) => text?.toLowerCase().includes(needle) === true);
        }
        const matcher = fields[field];
        if (matcher === undefined) {
          warnings.push({ field, message: 'Invalid search field for this query.', code: 'invalid_field' });
          return () => true;
        }
        return (item) => matcher(item, comparator, value);
      }
    }
  };
  const trimmed = query.trim();
  return { test: trimmed === '' ? () => true : build(parseSearch(trimmed)), warnings };
}
