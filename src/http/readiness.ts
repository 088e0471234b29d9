import type { ErrorMasking } from '../error-masking.ts';
import type { EventLog } from '../events/log.ts';
import type { Source } from '../sources.ts';
import type { CredentialWatch } from '../upstream/credential-watch.ts';

/** What `/readyz` says about one source's credentials: never the credentials themselves. */
export interface CredentialsReport {
  /**
   * `missing`: none configured (the source is off); `sandbox`: its emulator's,
   * generated for this process; `configured`: set, not used yet; `accepted`,
   * `rejected` (HTTP 401) or `forbidden` (HTTP 403): the source's last answer.
   */
  status: 'missing' | 'sandbox' | 'configured' | 'accepted' | 'rejected' | 'forbidden';
  /** One sentence for a human, with the fix when something is wrong. */
  detail: string;
  /** When the source last judged them (ISO 8601). */
  checkedAt?: string;
}

/** The `/readyz` answer: 200 when the event log can store events and the gateway is not shutting down. */
export function readiness(
  sources: readonly Source[],
  events: EventLog,
  errors: ErrorMasking,
  credentials: CredentialWatch,
  draining: boolean,
): { ready: boolean; body: unknown } {
  const eventLog = events.health();
  const ready = !draining && eventLog.ok;
  return {
    ready,
    body: {
      status: ready ? 'ready' : draining ? 'shutting down' : 'not ready',
      eventLog: { ...eventLog, detail: errors.redact(eventLog.detail) },
      sources: sources.map((s) => ({
        name: s.name,
        mode: s.mode,
        webhooks: s.webhookSecret !== undefined,
        ...(s.upstream ? { breaker: s.upstream.breaker.state } : {}),
        credentials: credentialsReport(s, credentials),
        ...(s.mode === 'off' ? { hint: `no credentials: set ${s.connector.provider.credentials}` } : {}),
      })),
    },
  };
}

function credentialsReport(source: Source, watch: CredentialWatch): CredentialsReport {
  const { title, credentials: names } = source.connector.provider;
  if (source.mode === 'off') {
    return { status: 'missing', detail: `No credentials: set ${names} to use ${title}.` };
  }
  if (source.mode === 'sandbox') {
    return { status: 'sandbox', detail: `The built-in ${title} emulator’s, generated for this process.` };
  }
  const last = watch.verdict(source.name);
  if (last === undefined) {
    return { status: 'configured', detail: `Set; ${title} has not been called yet.` };
  }
  const checkedAt = last.at.toISOString();
  switch (last.verdict) {
    case 'accepted':
      return { status: 'accepted', detail: `${title} accepted them (${last.operation}).`, checkedAt };
    case 'rejected':
      return {
        status: 'rejected',
        detail: `${title} refused them with HTTP 401 (${last.operation}): check ${names}.`,
        checkedAt,
      };
    case 'forbidden':
      return {
        status: 'forbidden',
        detail: `${title} answered HTTP 403 (${last.operation}): they lack a permission this call needs; check the scopes of ${names}.`,
        checkedAt,
      };
  }
}
