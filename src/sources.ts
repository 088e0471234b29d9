import { sandboxWanted } from './config.ts';
import type { Config } from './config.ts';
import type { Connector } from './connector.ts';
import type { RunningSandbox } from './sandbox/types.ts';
import type { WebhookOutbox } from './sandbox/webhook-outbox.ts';
import type { DemoWorld } from './sandbox/world.ts';
import { createUpstream } from './upstream/create-upstream.ts';
import type { Upstream, UpstreamOptions, UpstreamTracer } from './upstream/types.ts';

/** How a source is served. */
export type SourceMode = 'real' | 'sandbox' | 'off';

/** A connector as this process runs it. */
export interface Source {
  name: string;
  connector: Connector;
  mode: SourceMode;
  /** The connector's config (for a sandboxed source: pointed at its emulator). */
  config: unknown;
  upstream: Upstream | null;
  client: unknown;
  sandbox: RunningSandbox | null;
  /** The webhook signing secret, or undefined when webhooks are not configured. */
  webhookSecret: string | undefined;
}

/**
 * Starts every source: real connectors get an upstream to their API; in
 * sandbox mode, connectors without credentials get their emulator started on
 * the shared demo world and their config re-read with the emulator's env.
 */
export async function startSources(
  config: Config,
  connectors: readonly Connector[],
  world: () => DemoWorld,
  env: Readonly<Record<string, string | undefined>>,
  /** Observes every upstream attempt of every source (metrics, logs). */
  onAttempt?: UpstreamOptions['onAttempt'],
  /** Traces every upstream call. Default: none. */
  tracer?: UpstreamTracer,
  /** Where emulators send the webhooks their writes cause. */
  outbox?: WebhookOutbox,
): Promise<{ sources: Source[]; world: DemoWorld | null }> {
  const sandboxing = sandboxWanted(config, connectors);
  let sharedWorld: DemoWorld | null = null;
  const sources: Source[] = [];
  try {
    for (const connector of connectors) {
      let sourceConfig = config.sources.get(connector.name);
      let mode: SourceMode = connector.hasCredentials(sourceConfig) ? 'real' : 'off';
      let sandbox: RunningSandbox | null = null;
      if (mode === 'off' && sandboxing && connector.sandbox) {
        sharedWorld ??= world();
        // The user's own webhook secret stays in force: the emulator signs with it.
        sandbox = await connector.sandbox.start(sharedWorld, {
          webhookSecret: connector.webhooks?.secret(sourceConfig),
          emit: outbox && ((make) => outbox.send(connector.name, make)),
        });
        sourceConfig = connector.config.parse({ ...env, ...sandbox.env });
        mode = 'sandbox';
      }
      let upstream: Upstream | null = null;
      let client: unknown = null;
      if (mode !== 'off') {
        upstream = createUpstream({
          ...connector.upstream(sourceConfig),
          attemptTimeoutMs: config.core.UPSTREAM_ATTEMPT_TIMEOUT_MS,
          defaultBudgetMs: config.core.REQUEST_TIMEOUT_MS,
          onAttempt,
          breakerFailureThreshold: config.core.BREAKER_FAILURE_THRESHOLD,
          breakerOpenMs: config.core.BREAKER_OPEN_MS,
          retryBudgetPercent: config.core.RETRY_BUDGET_PERCENT,
          tracer,
        });
        client = connector.client(upstream, sourceConfig);
      }
      sources.push({
        name: connector.name,
        connector,
        mode,
        config: sourceConfig,
        upstream,
        client,
        sandbox,
        webhookSecret: connector.webhooks?.secret(sourceConfig),
      });
    }
  } catch (error) {
    await stopSources(sources);
    throw error;
  }
  return { sources, world: sharedWorld };
}

export async function stopSources(sources: readonly Source[]): Promise<void> {
  await Promise.allSettled(
    sources.flatMap((s) => [
      s.upstream?.close() ?? Promise.resolve(),
      s.sandbox?.close() ?? Promise.resolve(),
    ]),
  );
}
