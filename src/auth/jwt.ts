import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Principal } from './principal.ts';
import { isScope } from './scopes.ts';
import type { Scope } from './scopes.ts';

/** Options of {@link JwtVerifier}. */
export interface JwtOptions {
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry (one of). */
  audience: string;
  /** Where the issuer publishes its public keys (RS*, PS*, ES*, EdDSA). Exactly one of this and `secret`. */
  jwksUrl?: string | undefined;
  /** A shared secret of at least 32 bytes (HS256). */
  secret?: string | undefined;
  /** The claim carrying the scopes: a space-separated string or an array of strings. Default `scope`. */
  scopesClaim?: string;
}

/** Algorithms accepted with a JWKS: asymmetric only, so a public key can never be used as an HMAC secret. */
export const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];
/** The algorithm accepted with a shared secret. */
export const SECRET_ALGORITHMS = ['HS256'];
/** Clock skew tolerated on `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_S = 5;

/** A token was refused; `message` is safe to show the client. */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

/** Verifies bearer JWTs with `jose` and turns them into principals. */
export class JwtVerifier {
  readonly #options: JwtOptions;
  readonly #key: JWTVerifyGetKey | Uint8Array;
  readonly #algorithms: string[];
  readonly #claim: string;

  constructor(options: JwtOptions) {
    this.#options = options;
    this.#claim = options.scopesClaim ?? 'scope';
    if (options.jwksUrl !== undefined) {
      this.#key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5_000 });
      this.#algorithms = JWKS_ALGORITHMS;
    } else if (options.secret !== undefined) {
      this.#key = new TextEncoder().encode(options.secret);
      this.#algorithms = SECRET_ALGORITHMS;
    } else {
      throw new Error('JwtVerifier needs a jwksUrl or a secret');
    }
  }

  /** The principal of a valid token; throws {@link TokenRejected} saying why it is not valid. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        algorithms: this.#algorithms,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      };
      const key = this.#key;
      ({ payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options));
    } catch (error) {
      throw new TokenRejected(reason(error, this.#algorithms), { cause: error });
    }
    return {
      id: `jwt:${String(payload.sub).slice(0, 200)}`,
      kind: 'jwt',
      scopes: scopesOf(payload[this.#claim]),
      // As tolerant as the check above, so a token accepted within the skew is not cut off at once.
      expiresAt: (Number(payload.exp) + CLOCK_TOLERANCE_S) * 1000,
    };
  }
}

/** The token's known scopes; unknown ones (an identity provider's `openid`, `profile`...) are ignored. */
function scopesOf(claim: unknown): Set<Scope> {
  const names = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  const scopes = new Set<Scope>();
  for (const name of names) if (typeof name === 'string' && isScope(name)) scopes.add(name);
  return scopes;
}

function reason(error: unknown, algorithms: readonly string[]): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired: get a new one from its issuer.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'The token is not valid yet (its nbf is in the future).';
      case 'iss':
        return 'The token was not issued by the issuer this gateway trusts (iss).';
      case 'aud':
        return 'The token is not meant for this gateway (aud).';
      case 'iat':
        return 'The token was issued in the future (iat).';
      default:
        return `The token lacks a valid "${error.claim}" claim.`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `The token's signing algorithm is not accepted: use ${algorithms.join(', ')}.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature does not verify.';
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'No signing key of the issuer matches the token (kid).';
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error instanceof TypeError
  ) {
    return "The token cannot be verified now: the issuer's signing keys are unreachable. Retry later.";
  }
  return 'The token is malformed: send a signed JWT (header.payload.signature).';
}
