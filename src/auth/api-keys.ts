import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from './principal.ts';
import { ALL_SCOPES, READ_SCOPES, isScope } from './scopes.ts';
import type { Scope } from './scopes.ts';

/** One accepted API key, as the gateway keeps it: never the key itself, only its SHA-256. */
export interface ApiKeyEntry {
  /** `key:` and the first 8 hex digits of the key's SHA-256: safe to log. */
  readonly id: string;
  readonly hash: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

/** Shortest key accepted: 16 characters. */
export const MIN_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 512;
/** The characters of a bearer token (RFC 6750 `b64token`), so a key can be sent as `Authorization: Bearer <key>` as it is. */
const KEY_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Parses `GATEWAY_API_KEYS`: entries separated by `;`, each `key` or
 * `key:scope,scope` (`*` for every scope). A key without scopes gets every read
 * scope (no write scope, no `admin`). Each problem names its entry by position
 * and key id, never by the key's text.
 */
export function parseApiKeys(value: string): { entries: ApiKeyEntry[]; problems: string[] } {
  const problems: string[] = [];
  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  value.split(';').forEach((raw, index) => {
    const where = `entry ${index + 1}`;
    const entry = raw.trim();
    if (entry === '') {
      problems.push(`${where} is empty: separate keys with a single ";" and leave none at the end`);
      return;
    }
    const colon = entry.indexOf(':');
    const key = colon === -1 ? entry : entry.slice(0, colon).trim();
    const list = colon === -1 ? null : entry.slice(colon + 1);
    if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
      problems.push(
        `${where}: a key must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / = (generate one with \`openssl rand -hex 32\`)`,
      );
      return;
    }
    const hash = sha256(key);
    const id = `key:${hash.toString('hex').slice(0, 8)}`;
    if (seen.has(id)) {
      problems.push(`${where} (${id}) repeats an earlier key: list each key once`);
      return;
    }
    seen.add(id);
    const scopes = parseScopes(list, `${where} (${id})`, problems);
    if (scopes) entries.push({ id, hash, scopes });
  });
  return { entries, problems };
}

function parseScopes(list: string | null, where: string, problems: string[]): Set<Scope> | null {
  if (list === null) return new Set(READ_SCOPES);
  const names = list.split(',').map((s) => s.trim());
  if (names.length === 1 && names[0] === '*') return new Set(ALL_SCOPES);
  const scopes = new Set<Scope>();
  for (const name of names) {
    if (name === '') {
      problems.push(`${where} has an empty scope: list scopes as key:billing,crm`);
      return null;
    }
    if (name === '*') {
      problems.push(`${where} mixes * with other scopes: * alone already grants every scope`);
      return null;
    }
    if (!isScope(name)) {
      problems.push(`${where} has an unknown scope "${name}": use ${ALL_SCOPES.join(', ')} or *`);
      return null;
    }
    if (scopes.has(name)) {
      problems.push(`${where} lists the scope "${name}" twice`);
      return null;
    }
    scopes.add(name);
  }
  return scopes;
}

/** `GATEWAY_API_KEYS` as a config field: the parsed entries, or every problem with its fix. Default: no keys. */
export const apiKeysSetting = z
  .string()
  .optional()
  .transform((v, ctx): readonly ApiKeyEntry[] => {
    if (v === undefined || v.trim() === '') return [];
    const { entries, problems } = parseApiKeys(v.trim());
    if (problems.length === 0) return entries;
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

/** Finds the principal of a presented API key, comparing SHA-256 digests in constant time. */
export class ApiKeyStore {
  readonly #entries: readonly ApiKeyEntry[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The principal of `key`, or null when it is not an accepted key. */
  find(key: string): Principal | null {
    const hash = sha256(key);
    let found: ApiKeyEntry | null = null;
    // Every entry is compared, so the time taken does not say which one matched.
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.hash, hash) && found === null) found = entry;
    }
    return found === null ? null : { id: found.id, kind: 'key', scopes: found.scopes };
  }
}
