import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.ts';
import { redactUrl } from '../redact.ts';
import type { UpstreamAttempt, UpstreamTracer } from '../upstream/types.ts';
import type { TracingSettings } from './tracing-config.ts';
import { tracesEndpoint } from './tracing-config.ts';
import { traceResolvers } from './trace-resolvers.ts';
import { createUpstreamTracer, traceAttempt } from './upstream-tracing.ts';
import { useOperationTracing } from './use-operation-tracing.ts';
import { noteWebhookOutcome, traceWebhookRoute } from './webhook-tracing.ts';
import type { WebhookRoute } from './webhook-tracing.ts';

/** What the gateway assembles tracing from; with tracing off, every part does nothing. */
export interface GatewayTracing {
  /** Given to every upstream; undefined when off. */
  readonly upstream: UpstreamTracer | undefined;
  /** Observes upstream attempts (span events); a no-op when off. */
  attempt(info: UpstreamAttempt): void;
  /** The yoga plugins: the operation span; none when off. */
  readonly plugins: Plugin<GatewayContext>[];
  /** Gives the schema's resolvers field spans (in place); unchanged when off. */
  traceSchema(schema: GraphQLSchema): GraphQLSchema;
  /** Wraps the webhook route in a span; undefined when off. */
  readonly webhookRoute: ((route: WebhookRoute) => WebhookRoute) | undefined;
  /** Observes each webhook's outcome (span attributes); a no-op when off. */
  webhookOutcome(source: string, status: number, code: string | undefined): void;
  /** Flushes the spans still buffered (shutdown). */
  shutdown(): Promise<void>;
}

const OFF: GatewayTracing = {
  upstream: undefined,
  attempt: () => undefined,
  plugins: [],
  traceSchema: (schema) => schema,
  webhookRoute: undefined,
  webhookOutcome: () => undefined,
  shutdown: () => Promise.resolve(),
};

/**
 * Tracing as the settings ask: off (the default; nothing of OpenTelemetry is
 * started, and its SDK is not even loaded) unless an OTLP endpoint is configured.
 * Logs where spans go, and (at warn) when the SDK cannot export them.
 */
export async function createGatewayTracing(
  settings: TracingSettings,
  version: string,
  log: Logger,
): Promise<GatewayTracing> {
  if (tracesEndpoint(settings) === undefined) return OFF;
  // Loaded only when on: the SDK and its exporter take a few MB that a gateway without tracing never uses.
  const { startTracing } = await import('./start-tracing.ts');
  const tracing = startTracing(settings, version);
  if (tracing === null) return OFF;
  // The SDK reports failed exports (a receiver down or refusing) through its diagnostic logger.
  const warn = (message: string, ...args: unknown[]): void => {
    log.warn(
      { detail: args.map((arg) => (arg instanceof Error ? arg.message : String(arg))) },
      `tracing: ${message}`,
    );
  };
  const quiet = (): void => undefined;
  diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  log.info(
    { endpoint: redactUrl(tracing.endpoint), serviceName: settings.OTEL_SERVICE_NAME },
    'tracing on: exporting spans over OTLP/HTTP',
  );
  return {
    upstream: createUpstreamTracer(tracing),
    attempt: traceAttempt,
    plugins: [useOperationTracing(tracing)],
    traceSchema: (schema) => traceResolvers(schema, tracing),
    webhookRoute: traceWebhookRoute(tracing),
    webhookOutcome: noteWebhookOutcome,
    shutdown: () => tracing.shutdown(),
  };
}
