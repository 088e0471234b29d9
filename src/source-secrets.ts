import type { Source } from './sources.ts';

// `Authorization`, `X-Shopify-Access-Token`, `Api-Key`...: not `Accept` or a version header.
const CREDENTIAL_HEADER = /auth|token|key|secret|password/i;

/**
 * The credentials each running source holds, as they travel: its upstream's
 * credential header values (an `Authorization` built from an email and a token, an access
 * token header; of `Bearer`/`Basic` the credential alone), the password of its
 * base URL, and its webhook signing secrets. Sandboxed sources included: their emulator's secrets are secrets too.
 */
export function sourceSecrets(sources: readonly Source[]): string[] {
  const secrets: string[] = [];
  for (const source of sources) {
    if (source.webhookSecret !== undefined) secrets.push(...source.webhookSecret.split(','));
    if (source.mode === 'off') continue;
    const baseUrl = source.upstream?.baseUrl;
    if (baseUrl !== undefined && URL.canParse(baseUrl)) secrets.push(new URL(baseUrl).password);
    const headers = source.connector.upstream(source.config).headers ?? {};
    for (const [name, value] of Object.entries(headers)) {
      if (!CREDENTIAL_HEADER.test(name)) continue;
      // The credential alone, so that an echoed header still reads `Bearer ***`.
      secrets.push(/^(?:Bearer|Basic|Token)\s+(\S+)$/i.exec(value)?.[1] ?? value);
    }
  }
  return secrets;
}
