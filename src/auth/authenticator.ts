import type { ApiKeyStore } from './api-keys.ts';
import type { JwtVerifier } from './jwt.ts';
import { TokenRejected } from './jwt.ts';
import { ANONYMOUS } from './principal.ts';
import type { Principal } from './principal.ts';

/** The outcome of authenticating a client: its principal, or why it is refused (a message safe to show it). */
export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; message: string };

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  keys: ApiKeyStore;
  jwt: JwtVerifier | null;
  /** Let clients without credentials in, as the anonymous principal (every scope). */
  anonymous: boolean;
}

/** Said to a client that sent no credentials where they are required. */
export const MISSING_CREDENTIALS =
  'Authentication required: send "Authorization: Bearer <API key or JWT>" (over graphql-ws: {"authorization": "Bearer <API key or JWT>"} in the connection_init payload).';

const BEARER = /^Bearer +(\S+) *$/i;
const JWT_SHAPE = /^[\w-]+\.[\w-]*\.[\w-]*$/;

/**
 * Turns the credentials a client presents (an `Authorization` header value, or
 * the `authorization` of a graphql-ws `connection_init`) into a principal.
 * One place for HTTP, SSE and WebSocket, so every transport admits the same.
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  /** Whether a client must present credentials (keys or JWT are configured, anonymous access is off). */
  get required(): boolean {
    return !this.#options.anonymous;
  }

  async authenticate(authorization: string | null | undefined): Promise<AuthOutcome> {
    const { keys, jwt, anonymous } = this.#options;
    // With no way to check credentials configured (the open sandbox), any sent are not looked at.
    if (anonymous && keys.size === 0 && jwt === null) return { ok: true, principal: ANONYMOUS };
    if (authorization === null || authorization === undefined || authorization.trim() === '') {
      return anonymous ? { ok: true, principal: ANONYMOUS } : { ok: false, message: MISSING_CREDENTIALS };
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      return {
        ok: false,
        message: 'The Authorization header must be "Bearer <API key or JWT>" (one token, no other scheme).',
      };
    }
    const principal = keys.find(token);
    if (principal !== null) return { ok: true, principal };
    if (jwt !== null && JWT_SHAPE.test(token)) {
      try {
        return { ok: true, principal: await jwt.verify(token) };
      } catch (error) {
        if (error instanceof TokenRejected) return { ok: false, message: error.message };
        throw error;
      }
    }
    return {
      ok: false,
      message: `The ${jwt === null ? 'API key' : 'API key or token'} is not valid: check it, or ask for a new one.`,
    };
  }
}
