import { createHash } from 'node:crypto';

/**
 * The input of a write in one canonical text: object keys sorted, `undefined`
 * left out, so the same request always has the same fingerprint whatever order
 * its client wrote the fields in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value) ?? null);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}

/** SHA-256 (hex) of the canonical text of `input`: what a repeat under the same key must match. */
export function fingerprint(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/**
 * Where two inputs differ, as dotted paths (`input.subject`), at most `limit`
 * of them, so a refused repeat can say which field it changed.
 */
export function differingPaths(first: unknown, second: unknown, limit = 5, prefix = ''): string[] {
  if (canonicalJson(first) === canonicalJson(second)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(first) || !isObject(second)) return [prefix === '' ? '(input)' : prefix];
  const paths: string[] = [];
  const keys = [...new Set([...Object.keys(first), ...Object.keys(second)])].sort();
  for (const key of keys) {
    if (paths.length >= limit) break;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    paths.push(...differingPaths(first[key], second[key], limit - paths.length, path));
  }
  return paths;
}
