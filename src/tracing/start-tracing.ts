import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { Sampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SamplerName, TracingSettings } from './tracing-config.ts';
import { tracesEndpoint } from './tracing-config.ts';

/** Longest a shutdown waits for the last spans to reach the receiver, in ms. */
const SHUTDOWN_FLUSH_MS = 5_000;

/** Tracing as the gateway runs it: on, with a tracer; off, there is no `Tracing` at all. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Where spans go (`http://collector:4318/v1/traces`). */
  readonly endpoint: string;
  /** Exports the spans still buffered, then stops; bounded so a dead receiver cannot hold up a shutdown. */
  shutdown(): Promise<void>;
}

function samplerOf(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/**
 * Starts the OpenTelemetry SDK when the settings name an endpoint, else returns
 * null and nothing is installed: the hot path then never touches OpenTelemetry.
 * Spans are batched (BatchSpanProcessor) and POSTed as OTLP/HTTP JSON. The
 * provider is registered globally (AsyncLocalStorage context, W3C trace-context
 * propagator); in a process where that was done already, the first registration stays,
 * which is equivalent.
 */
export function startTracing(settings: TracingSettings, serviceVersion: string): Tracing | null {
  const endpoint = tracesEndpoint(settings);
  if (endpoint === undefined) return null;
  const exporter = new OTLPTraceExporter({
    url: endpoint,
    headers: { ...settings.OTEL_EXPORTER_OTLP_HEADERS },
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.OTEL_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: serviceVersion,
    }),
    sampler: samplerOf(
      settings.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
      settings.OTEL_TRACES_SAMPLER_ARG ?? 1,
    ),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  let closed: Promise<void> | null = null;
  return {
    tracer: provider.getTracer('switchyard', serviceVersion),
    endpoint,
    shutdown() {
      closed ??= Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref()),
      ]);
      return closed;
    },
  };
}
