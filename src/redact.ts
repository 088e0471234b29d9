/** What a masked credential is replaced with. */
export const MASK = '***';

/**
 * Shortest configured value treated as a secret to mask in free text: shorter
 * ones would mask ordinary words, and are too short to be worth stealing.
 */
export const MIN_SECRET_LENGTH = 6;

// `scheme://user:password@` up to the `@`; the user info holds no `/`, `?`, `#`, `@` or blank.
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// An HTTP credential: `Bearer abc...`, `Basic dXNlcjpw...` (8 characters at least, so prose stays readable).
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi;
// An Authorization header written out (`authorization: x`, `"authorization":"Token x"`, `authorization=x`):
// its credential, after the scheme if there is one.
const AUTH_HEADER =
  /\b(authorization["']?\s*[:=]\s*["']?)((?:Bearer|Basic|Token|Digest|Bot|ApiKey|OAuth|SSWS)\s+)?[^\s"',;}]+/gi;

/**
 * Whether an environment variable holds a credential (`STRIPE_API_KEY`, `JWT_SECRET`, `GATEWAY_API_KEYS`,
 * `OTEL_EXPORTER_OTLP_HEADERS`, which carries a tracing vendor's key...).
 */
export function isSecretSetting(name: string): boolean {
  return /(^|_)(KEYS?|SECRETS?|TOKENS?|PASSWORDS?|CREDENTIALS?|HEADERS)$/.test(name);
}

/** The URL with its user and password, if any, replaced by `***`: `https://***@host/path`. */
export function redactUrl(url: string): string {
  return url.replace(URL_USER_INFO, `$1${MASK}@`);
}

/**
 * A setting's value as it may appear in a message (start-up errors): URLs
 * without their user and password; credentials as their public prefix only
 * (`sk_live_***`, `whsec_***`, else `***`); anything else as given.
 */
export function maskSetting(name: string, value: string): string {
  if (name.endsWith('_URL')) return redactUrl(value);
  if (!isSecretSetting(name)) return value;
  const prefix = /^[a-z]{2,6}_(?:[a-z]{2,6}_)?/.exec(value)?.[0] ?? '';
  return `${prefix.length < value.length ? prefix : ''}${MASK}`;
}

/**
 * The secrets an environment holds: the values of credential variables (see
 * {@link isSecretSetting}), each entry of a list (`new,old` rotations, the key
 * of `key:scopes;key:scopes`), and the password of every URL variable.
 */
export function collectSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') continue;
    if (isSecretSetting(name)) {
      secrets.push(value.trim());
      for (const entry of value.split(/[;\s]+/)) {
        const colon = entry.indexOf(':');
        // `key:scope,scope`: the key is the secret; scope names are not, and are ordinary words.
        if (colon > 0) secrets.push(entry, entry.slice(0, colon));
        // `name=value,name=value` (OTLP headers): each value alone too, as sent (percent-decoded).
        else
          for (const item of entry.split(','))
            secrets.push(item, decodeURIComponentSafe(item.slice(item.indexOf('=') + 1)));
      }
    } else if (name.endsWith('_URL') && URL.canParse(value.trim())) {
      const url = new URL(value.trim());
      if (url.password !== '') secrets.push(url.password, decodeURIComponentSafe(url.password));
    }
  }
  return secrets;
}

/**
 * Masks credentials in any text bound for a client or a log line: the user and
 * password of URLs, `Bearer`/`Basic` credentials, written-out Authorization
 * headers, and every known secret value (with its JSON-escaped and
 * percent-encoded forms) of at least {@link MIN_SECRET_LENGTH} characters.
 * Secrets are added as the gateway learns them (its environment at start-up,
 * then each source's credentials).
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | null = null;

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  /** Adds secret values to mask from now on; short ones are ignored. */
  add(secrets: Iterable<string>): void {
    const before = this.#secrets.size;
    for (const raw of secrets) {
      const secret = raw.trim();
      if (secret.length < MIN_SECRET_LENGTH) continue;
      this.#secrets.add(secret);
      this.#secrets.add(JSON.stringify(secret).slice(1, -1));
      this.#secrets.add(encodeURIComponent(secret));
    }
    if (this.#secrets.size === before) return;
    // Longest first, so a secret is masked whole rather than around a shorter one inside it.
    const alternatives = [...this.#secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#pattern = new RegExp(alternatives.join('|'), 'g');
  }

  /** The text with every credential it contains replaced by `***`. */
  redact(text: string): string {
    let result = text;
    if (this.#pattern !== null) result = result.replace(this.#pattern, MASK);
    return result
      .replace(URL_USER_INFO, `$1${MASK}@`)
      .replace(AUTH_SCHEME, `$1$2${MASK}`)
      .replace(AUTH_HEADER, `$1$2${MASK}`);
  }

  /** A plain value (an error's `extensions`) with every string in it redacted. */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (depth > 8 || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = this.redactValue(item, depth + 1);
    return result;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
