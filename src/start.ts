import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { Config } from './config.ts';
import { bannerLines } from './banner.ts';
import { createGateway } from './gateway.ts';
import { createLogger, logDestination, logFormat } from './logger.ts';
import { collectSecrets, Redactor } from './redact.ts';
import { webhooksOffWarning } from './events/webhooks-off.ts';
import { applyHeapPolicy, heapPolicy } from './heap/heap-policy.ts';
import { nodeFlags } from './heap/node-flags.ts';

/** Starts the gateway from the environment, as `src/main.ts` (`npm start`) runs it; exits on a bad configuration. */
export async function start(): Promise<void> {
  // One redactor for start-up errors, logs, errors and the banner; the gateway adds its sources' credentials to it.
  const redactor = new Redactor(collectSecrets(process.env));
  let config: Config;
  try {
    config = loadConfig(process.env, connectors);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${redactor.redact(error.message)}\n`);
      process.exit(1);
    }
    throw error;
  }
  const heap = heapPolicy(config.core, nodeFlags(process.execArgv, process.env['NODE_OPTIONS']));
  applyHeapPolicy(heap);
  const format = logFormat(config.core.LOG_FORMAT, config.core.NODE_ENV);
  const log = createLogger(config.core.LOG_LEVEL, logDestination(format), redactor);
  const gateway = await createGateway({ config, connectors, log, env: process.env, redactor });
  const url = await gateway.listen(config.core.PORT, config.core.HOST);
  const core = config.core;
  process.stdout.write(bannerLines(gateway, core, url, redactor).join('\n') + '\n');
  log.info({ heap }, 'heap policy');
  log.info({ url, sources: gateway.sources.map((s) => ({ name: s.name, mode: s.mode })) }, 'listening');
  const webhookWarning = webhooksOffWarning(gateway.sources, core.NODE_ENV === 'production');
  if (webhookWarning !== null) log.warn(webhookWarning);

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
