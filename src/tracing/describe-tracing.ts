import { redactUrl } from '../redact.ts';
import type { TracingSettings } from './tracing-config.ts';
import { tracesEndpoint } from './tracing-config.ts';

/** The banner's account of tracing: where spans go and how they are sampled, or how to turn it on. */
export function describeTracing(settings: TracingSettings): string {
  const endpoint = tracesEndpoint(settings);
  if (endpoint === undefined) {
    if (settings.OTEL_SDK_DISABLED) return 'off (OTEL_SDK_DISABLED=true)';
    if (settings.OTEL_TRACES_EXPORTER === 'none') return 'off (OTEL_TRACES_EXPORTER=none)';
    return 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)';
  }
  const sampler = settings.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on';
  const ratio = sampler.endsWith('traceidratio') ? ` ${settings.OTEL_TRACES_SAMPLER_ARG ?? 1}` : '';
  return `OTLP/HTTP JSON to ${redactUrl(endpoint)} as ${settings.OTEL_SERVICE_NAME}, sampler ${sampler}${ratio}`;
}
