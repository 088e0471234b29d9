import type { CustomerDomain } from '../connector.ts';

/** The domains a principal may read; each names the `Customer` part its sources fill, and `events` the raw event feed. */
export const READ_SCOPES = ['billing', 'crm', 'support', 'commerce', 'app', 'events'] as const;
/** Write scopes, one per domain: a mutation of a domain's source needs its `<domain>:write`. */
export const WRITE_SCOPES = [
  'billing:write',
  'crm:write',
  'support:write',
  'commerce:write',
  'app:write',
] as const;
/** Every scope there is. `*` in a key's scopes stands for all of them. */
export const ALL_SCOPES = [...READ_SCOPES, ...WRITE_SCOPES, 'admin'] as const;

export type ReadScope = (typeof READ_SCOPES)[number];
export type Scope = (typeof ALL_SCOPES)[number];

const known = new Set<string>(ALL_SCOPES);

export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** The read scope a source's domain needs (a customer domain is its own scope). */
export function readScopeOf(domain: CustomerDomain): ReadScope {
  return domain;
}

export type WriteScope = (typeof WRITE_SCOPES)[number];

/** The write scope a source's domain needs (`support:write`). */
export function writeScopeOf(domain: CustomerDomain): WriteScope {
  return `${domain}:write`;
}

/** Whether `scopes` allow reading anything at all (a principal without it is refused at the WebSocket's door). */
export function hasAnyReadScope(scopes: ReadonlySet<Scope>): boolean {
  return READ_SCOPES.some((scope) => scopes.has(scope));
}

/**
 * A canonical text of a set of scopes: two principals whose scopes have the same
 * key see exactly the same data, so they may share a subscription's execution.
 */
export function scopeKey(scopes: ReadonlySet<Scope>): string {
  // Asked on every cached or shared query: a principal's scope set is built once, so its key is kept with it.
  let key = scopeKeys.get(scopes);
  if (key === undefined)
    scopeKeys.set(scopes, (key = ALL_SCOPES.filter((scope) => scopes.has(scope)).join(',')));
  return key;
}

const scopeKeys = new WeakMap<ReadonlySet<Scope>, string>();
