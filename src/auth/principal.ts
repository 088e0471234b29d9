import { ALL_SCOPES } from './scopes.ts';
import type { Scope } from './scopes.ts';

/**
 * Who is asking: the identity a request or a WebSocket was authenticated as,
 * and what it may do. Every resolver sees it as `ctx.principal`.
 */
export interface Principal {
  /**
   * A stable, non-secret id for logs, metrics and per-client limits: `key:<8 hex>`
   * (the start of the key's SHA-256), `jwt:<iss>|<sub>`, or `anonymous`.
   */
  readonly id: string;
  readonly kind: 'key' | 'jwt' | 'anonymous';
  readonly scopes: ReadonlySet<Scope>;
  /** When the credentials stop being valid (a JWT's `exp`, epoch ms); absent: they do not expire. */
  readonly expiresAt?: number;
}

/** The principal of an unauthenticated client where the gateway lets one in (development without keys, `ALLOW_ANONYMOUS=1`): every scope. */
export const ANONYMOUS: Principal = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous',
  scopes: new Set<Scope>(ALL_SCOPES),
});

/** What a context gets when no principal was established for it: nothing may be read (fail closed). */
export const NOBODY: Principal = Object.freeze({
  id: 'nobody',
  kind: 'anonymous',
  scopes: new Set<Scope>(),
});
