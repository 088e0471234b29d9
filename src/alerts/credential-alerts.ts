import type { Source } from '../sources.ts';
import type { CredentialWatch } from '../upstream/credential-watch.ts';
import type { Alerts } from './alert.ts';

/**
 * One alert while a source refuses the gateway's credentials: raised when it
 * answers 401 (critical: a rotated or revoked key) or 403 (a permission the
 * key lacks), resolved by the next answer that is neither.
 */
export function watchCredentials(sources: readonly Source[], watch: CredentialWatch, alerts: Alerts): void {
  const names = new Map(sources.map((s) => [s.name, s.connector.provider.credentials]));
  watch.onChange((source, { verdict, operation }) => {
    const key = `credentials:${source}`;
    const variables = names.get(source) ?? 'its credentials';
    if (verdict === 'accepted') {
      alerts.resolve(key, `${source} accepts the gateway's credentials again.`);
      return;
    }
    alerts.raise(key, {
      source,
      severity: verdict === 'rejected' ? 'critical' : 'warning',
      message:
        verdict === 'rejected'
          ? `${source} refuses the gateway's credentials (HTTP 401 on ${operation}): its fields fail until the credentials are fixed (${variables}).`
          : `${source} answered HTTP 403 on ${operation}: the credentials lack a permission; check the scopes of ${variables}.`,
      details: { verdict, operation },
    });
  });
}
