import { anonymousAllowed, jwtOptions } from './auth/auth-config.ts';
import type { CoreConfig } from './config.ts';
import { graphiqlEnabled, rateLimitPerMinute } from './production-mode.ts';
import type { EventLog } from './events/log.ts';
import type { Gateway } from './gateway.ts';
import { GRAPHQL_PATH } from './gateway.ts';
import { redactUrl } from './redact.ts';
import type { Redactor } from './redact.ts';
import type { Source } from './sources.ts';
import { describeMetricsAccess, metricsAccess } from './metrics/metrics-route.ts';
import { webhookSecretVariable, webhooksOffWarning } from './events/webhooks-off.ts';
import { describeTracing } from './tracing/describe-tracing.ts';

export function describeSource(source: Source): string {
  const name = source.name.padEnd(10);
  const webhooksOff =
    source.connector.webhooks && !source.webhookSecret
      ? `  (webhooks off: set ${webhookSecretVariable(source.name)})`
      : '';
  switch (source.mode) {
    case 'real':
      return `${name} real     ${redactUrl(source.upstream?.baseUrl ?? '')}${webhooksOff}`;
    case 'sandbox':
      return `${name} sandbox  built-in emulator at ${redactUrl(source.upstream?.baseUrl ?? '')}  (set ${source.connector.provider.credentials} for the real API)${webhooksOff}`;
    case 'off':
      return `${name} off      no credentials: set ${source.connector.provider.credentials}, or SANDBOX=1 for the emulator`;
  }
}

export function describeEventLog(events: EventLog, core: CoreConfig): string {
  if (events.kind === 'memory') {
    return `memory (last ${core.EVENT_LOG_MAX_EVENTS} events, ${core.EVENT_LOG_MAX_AGE_S} s; set REDIS_URL to share it across instances)`;
  }
  const where =
    'description' in events && typeof events.description === 'string' ? ` ${events.description}` : '';
  const health = events.health();
  const age = core.REDIS_STREAM_MAX_AGE_S > 0 ? `, ${core.REDIS_STREAM_MAX_AGE_S} s` : '';
  return `redis${where} (last ~${core.REDIS_STREAM_MAXLEN} events${age})${health.ok ? '' : `  NOT READY: ${health.detail}`}`;
}

/** How clients get in: keys, JWT or open, and the rate limit. */
export function describeClientAuth(core: CoreConfig): string {
  const jwt = jwtOptions(core);
  const ways = [
    ...(core.GATEWAY_API_KEYS.length > 0
      ? [`${core.GATEWAY_API_KEYS.length} API key${core.GATEWAY_API_KEYS.length === 1 ? '' : 's'}`]
      : []),
    ...(jwt === null ? [] : [`JWT from ${jwt.issuer}`]),
  ];
  const access = anonymousAllowed(core)
    ? 'open: no credentials needed, every scope (set GATEWAY_API_KEYS to require them)'
    : `authenticate with ${ways.join(' or ')}`;
  const limit = rateLimitPerMinute(core);
  return `${access}; rate limit ${limit > 0 ? `${limit} operations/min per client` : 'off'}`;
}

/**
 * The start-up banner: where the gateway listens, each source's mode and base
 * URL, the event log and the demo clock. No line holds a URL's user or password,
 * nor any secret `redactor` knows.
 */
export function bannerLines(gateway: Gateway, core: CoreConfig, url: string, redactor: Redactor): string[] {
  const webhookWarning = webhooksOffWarning(gateway.sources, core.NODE_ENV === 'production');
  const lines = [
    '',
    `Switchyard is up: ${url}${GRAPHQL_PATH}${graphiqlEnabled(core) ? '  (open it in a browser for GraphiQL)' : ''}`,
    `  clients: ${describeClientAuth(core)}`,
    `  subscriptions: graphql-ws (ws://…${GRAPHQL_PATH}) and SSE; webhooks at ${url}/webhooks/<source>`,
    `  health ${url}/healthz   readiness ${url}/readyz`,
    `  metrics ${url}/metrics: ${describeMetricsAccess(metricsAccess(core))}`,
    `  tracing: ${describeTracing(core)}`,
    `  response cache: ${
      core.RESPONSE_CACHE_TTL_S === 0
        ? 'off (RESPONSE_CACHE_TTL_S=0)'
        : `answers kept up to ${String(core.RESPONSE_CACHE_TTL_S)} s, evicted at once by webhooks and mutations (RESPONSE_CACHE_TTL_S=0 turns it off)`
    }`,
    '  sources:',
    ...gateway.sources.map((s) => `    ${describeSource(s)}`),
    ...(webhookWarning === null ? [] : [`  WARNING: ${webhookWarning}`]),
    `  event log: ${describeEventLog(gateway.events, core)}`,
    ...(core.NODE_ENV === 'production' && gateway.sources.some((s) => s.mode === 'sandbox')
      ? ['  WARNING: NODE_ENV=production with SANDBOX=1: the sources marked sandbox serve demo data']
      : []),
    gateway.demo
      ? `  demo: the world changes every ${core.DEMO_INTERVAL_MS} ms and sends signed webhooks (DEMO_EVENTS=0 turns it off)`
      : '  demo: off',
    '',
  ];
  return lines.map((line) => redactor.redact(line));
}
