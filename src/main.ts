import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { Config, CoreConfig } from './config.ts';
import { anonymousAllowed, jwtOptions } from './auth/auth-config.ts';
import type { EventLog } from './events/log.ts';
import { graphiqlEnabled, rateLimitPerMinute } from './production-mode.ts';
import { createGateway, GRAPHQL_PATH } from './gateway.ts';
import { createLogger } from './logger.ts';
import type { Source } from './sources.ts';

function describeSource(source: Source): string {
  const name = source.name.padEnd(10);
  const prefix = source.name.toUpperCase();
  switch (source.mode) {
    case 'real':
      return `${name} real     ${source.upstream?.baseUrl ?? ''}${source.webhookSecret ? '' : `  (webhooks off: set ${prefix}_WEBHOOK_SECRET)`}`;
    case 'sandbox':
      return `${name} sandbox  built-in emulator at ${source.upstream?.baseUrl ?? ''}  (set ${source.connector.provider.credentials} for the real API)`;
    case 'off':
      return `${name} off      no credentials: set ${source.connector.provider.credentials}, or SANDBOX=1 for the emulator`;
  }
}

function describeEventLog(events: EventLog, core: CoreConfig): string {
  if (events.kind === 'memory') {
    return `memory (last ${core.EVENT_LOG_MAX_EVENTS} events, ${core.EVENT_LOG_MAX_AGE_S} s; set REDIS_URL to share it across instances)`;
  }
  const where =
    'description' in events && typeof events.description === 'string' ? ` ${events.description}` : '';
  const health = events.health();
  const age = core.REDIS_STREAM_MAX_AGE_S > 0 ? `, ${core.REDIS_STREAM_MAX_AGE_S} s` : '';
  return `redis${where} (last ~${core.REDIS_STREAM_MAXLEN} events${age})${health.ok ? '' : `  NOT READY: ${health.detail}`}`;
}

function describeClientAuth(core: CoreConfig): string {
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

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, connectors);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.core.LOG_LEVEL);
  const gateway = await createGateway({ config, connectors, log, env: process.env });
  const url = await gateway.listen(config.core.PORT, config.core.HOST);
  const core = config.core;
  const lines = [
    '',
    `Switchyard is up: ${url}${GRAPHQL_PATH}${graphiqlEnabled(core) ? '  (open it in a browser for GraphiQL)' : ''}`,
    `  clients: ${describeClientAuth(core)}`,
    `  subscriptions: graphql-ws (ws://…${GRAPHQL_PATH}) and SSE; webhooks at ${url}/webhooks/<source>`,
    `  health ${url}/healthz   readiness ${url}/readyz`,
    '  sources:',
    ...gateway.sources.map((s) => `    ${describeSource(s)}`),
    `  event log: ${describeEventLog(gateway.events, core)}`,
    gateway.demo
      ? `  demo: the world changes every ${core.DEMO_INTERVAL_MS} ms and sends signed webhooks (DEMO_EVENTS=0 turns it off)`
      : '  demo: off',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  log.info({ url, sources: gateway.sources.map((s) => ({ name: s.name, mode: s.mode })) }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
