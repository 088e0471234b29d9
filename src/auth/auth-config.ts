import { z } from 'zod';
import type { CoreConfig } from '../config.ts';
import { urlSetting } from '../url-setting.ts';
import type { JwtOptions } from './jwt.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A free-text setting (`JWT_ISSUER`, `JWT_AUDIENCE`); empty means unset, as for every variable. */
export const textSetting = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** `JWT_SCOPES_CLAIM`: a claim name, such as `scope`, `scp` or `https://example.com/scopes`. */
export const claimSetting = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (!/^[\w:./-]{1,200}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'must be a claim name (letters, digits, _ : . / -)' });
      return z.NEVER;
    }
    return v;
  });

/** `JWT_JWKS_URL`: https, or http on a loopback address (a local issuer, tests). */
export const jwksUrlSetting = urlSetting(
  (url) => url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)),
  'must be an https:// URL (http:// only on localhost)',
);

/** `JWT_SECRET`: an HS256 key must be at least as long as the hash, 32 bytes. */
export const jwtSecretSetting = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (Buffer.byteLength(v) < 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be at least 32 bytes (generate one with `openssl rand -base64 48`)',
      });
      return z.NEVER;
    }
    return v;
  });

/** The JWT verifier's options, or null when JWT is not configured. */
export function jwtOptions(core: CoreConfig): JwtOptions | null {
  if (core.JWT_ISSUER === undefined || core.JWT_AUDIENCE === undefined) return null;
  if (core.JWT_JWKS_URL === undefined && core.JWT_SECRET === undefined) return null;
  return {
    issuer: core.JWT_ISSUER,
    audience: core.JWT_AUDIENCE,
    jwksUrl: core.JWT_JWKS_URL,
    secret: core.JWT_SECRET,
    scopesClaim: core.JWT_SCOPES_CLAIM ?? 'scope',
  };
}

/** Whether clients can authenticate at all: API keys or JWT are configured. */
export function credentialsConfigured(core: CoreConfig): boolean {
  return core.GATEWAY_API_KEYS.length > 0 || jwtOptions(core) !== null;
}

/** Whether clients without credentials get in (as the anonymous principal, every scope). */
export function anonymousAllowed(core: CoreConfig): boolean {
  return core.ALLOW_ANONYMOUS ?? !credentialsConfigured(core);
}

/** Conflicting or incomplete authentication settings, each with its fix. */
export function authProblems(core: CoreConfig): string[] {
  const problems: string[] = [];
  const jwtSet = (['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL', 'JWT_SECRET'] as const).filter(
    (name) => core[name] !== undefined,
  );
  if (core.JWT_JWKS_URL !== undefined && core.JWT_SECRET !== undefined) {
    problems.push(
      'JWT_JWKS_URL and JWT_SECRET are both set: a JWT is verified with one of them. Fix: keep JWT_JWKS_URL (asymmetric keys of your issuer) or JWT_SECRET (HS256), unset the other.',
    );
  } else if (jwtSet.length > 0 && jwtOptions(core) === null) {
    const missing = ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL or JWT_SECRET'].filter(
      (name) => !name.split(' or ').some((n) => jwtSet.includes(n as (typeof jwtSet)[number])),
    );
    problems.push(
      `JWT is half configured (${jwtSet.join(', ')} set): tokens need an issuer, an audience and a key. Fix: set ${missing.join(' and ')}, or unset ${jwtSet.join(', ')}.`,
    );
  }
  if (core.JWT_SCOPES_CLAIM !== undefined && jwtSet.length === 0) {
    problems.push(
      'JWT_SCOPES_CLAIM is set but JWT is not configured. Fix: set JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL or JWT_SECRET, or unset JWT_SCOPES_CLAIM.',
    );
  }
  const credentials = core.GATEWAY_API_KEYS.length > 0 || jwtSet.length > 0;
  if (core.ALLOW_ANONYMOUS === true && credentials) {
    problems.push(
      'ALLOW_ANONYMOUS=1 conflicts with GATEWAY_API_KEYS / JWT_*: with credentials configured every client must authenticate. Fix: unset ALLOW_ANONYMOUS, or unset the keys and JWT settings to run open.',
    );
  }
  if (core.ALLOW_ANONYMOUS === false && !credentials) {
    problems.push(
      'ALLOW_ANONYMOUS=0 but no GATEWAY_API_KEYS and no JWT are configured: no client could get in. Fix: set GATEWAY_API_KEYS (or JWT_*), or unset ALLOW_ANONYMOUS.',
    );
  }
  if (core.NODE_ENV === 'production' && !credentials && core.ALLOW_ANONYMOUS === undefined) {
    problems.push(
      'NODE_ENV=production with no client authentication: anyone who reaches the port would read every source. Fix: set GATEWAY_API_KEYS (e.g. GATEWAY_API_KEYS="$(openssl rand -hex 32):billing,crm") or JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL; or set ALLOW_ANONYMOUS=1 to run open on purpose.',
    );
  }
  return problems;
}
