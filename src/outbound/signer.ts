import { createHmac, randomBytes } from 'node:crypto';

/** Prefix of every endpoint secret, as Standard Webhooks writes them. */
export const SECRET_PREFIX = 'whsec_';
/** Fewest random bytes a secret may carry (Standard Webhooks asks for 24 to 64). */
export const MIN_SECRET_BYTES = 24;
/** Most random bytes a secret may carry. */
export const MAX_SECRET_BYTES = 64;
/** How long the previous secret keeps signing after a rotation, in ms. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** A fresh `whsec_` secret of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** Why `secret` is not a usable endpoint secret, or null when it is. */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with "${SECRET_PREFIX}"`;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return `must be "${SECRET_PREFIX}" followed by standard base64`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    return `must encode ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes; it encodes ${bytes}`;
  }
  return null;
}

/** One signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the secret's key. */
export function signatureOf(secret: string, id: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The `webhook-signature` header: one signature per secret still signing,
 * space-separated, so a receiver holding either secret verifies during a rotation.
 */
export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestampS: number,
  body: string,
): string {
  return secrets.map((secret) => signatureOf(secret, id, timestampS, body)).join(' ');
}
