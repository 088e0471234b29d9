import type { Source } from '../sources.ts';

/** The variable that turns a source's webhooks on (`STRIPE_WEBHOOK_SECRET`). */
export function webhookSecretVariable(source: string): string {
  return `${source.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WEBHOOK_SECRET`;
}

/**
 * Sources that are on (real or sandboxed) and take webhooks, but have no
 * signing secret: every delivery to them is refused with 404
 * `WEBHOOK_NOT_CONFIGURED`, since a delivery is never accepted unverified.
 */
export function sourcesWithWebhooksOff(sources: readonly Source[]): Source[] {
  return sources.filter(
    (s) => s.mode !== 'off' && s.connector.webhooks !== undefined && (s.webhookSecret ?? '') === '',
  );
}

/**
 * The start-up warning for production: which sources have webhooks off and
 * what to set. `null` outside production or when every source has its secret.
 * Start-up goes on: a source may be read-only on purpose.
 */
export function webhooksOffWarning(sources: readonly Source[], production: boolean): string | null {
  const off = sourcesWithWebhooksOff(sources);
  if (!production || off.length === 0) return null;
  return (
    `webhooks are off for ${off.map((s) => s.name).join(', ')}: no signing secret, so their deliveries ` +
    `are refused (404 WEBHOOK_NOT_CONFIGURED) and their events never reach subscribers. ` +
    `Set ${off.map((s) => webhookSecretVariable(s.name)).join(', ')} to receive them.`
  );
}
