import { z } from 'zod';
import { urlSetting } from '../url-setting.ts';

/** The samplers of the OpenTelemetry specification that `OTEL_TRACES_SAMPLER` may name. */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** An OTLP/HTTP endpoint: http:// or https://. */
export const otlpEndpointSetting = urlSetting(
  (url) => (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '',
  'must be an http:// or https:// URL of an OTLP/HTTP receiver (a collector listens on port 4318)',
);

// Header names are RFC 9110 tokens; values are percent-decoded, as the OpenTelemetry specification says.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS`: `name=value,name=value` (values percent-encoded).
 * Problems never quote a value: they are usually API keys of a tracing vendor.
 */
export const otlpHeadersSetting = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const headers: Record<string, string> = {};
    for (const [index, item] of v.split(',').entries()) {
      const eq = item.indexOf('=');
      const name = eq > 0 ? item.slice(0, eq).trim() : '';
      const value = decodeOrNull(item.slice(eq + 1).trim());
      if (!HEADER_NAME.test(name) || value === null || /[\r\n\0]/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not name=value (a header name, then a percent-encoded value); write name=value,name=value`,
        });
        return z.NEVER;
      }
      headers[name.toLowerCase()] = value;
    }
    return headers;
  });

/** An optional setting that takes one of `allowed`; anything else is refused with `refusal(value)`. */
const oneOfSetting = <T extends string>(allowed: readonly T[], refusal: (value: string) => string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!(allowed as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: refusal(v) });
        return z.NEVER;
      }
      return v as T;
    });

/** `OTEL_EXPORTER_OTLP_PROTOCOL`: this gateway's exporter speaks OTLP/HTTP with JSON bodies only. */
export const otlpProtocolSetting = oneOfSetting(
  ['http/json'],
  (v) =>
    `Switchyard exports traces as OTLP/HTTP JSON only, not ${JSON.stringify(v)}; set http/json (a collector accepts it on port 4318)`,
);

/** `OTEL_TRACES_EXPORTER`: `otlp` (the default) or `none`; the SDK's other exporters are not built in. */
export const tracesExporterSetting = oneOfSetting(
  ['otlp', 'none'],
  (v) =>
    `Switchyard exports traces over OTLP only, not ${JSON.stringify(v)}; set otlp, or none to turn tracing off`,
);

/** `OTEL_TRACES_SAMPLER_ARG`: the ratio of a `*traceidratio` sampler, from 0 to 1. */
export const samplerArgSetting = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!/^(0|1|0?\.\d+|1\.0*)$/.test(v) || !(n >= 0 && n <= 1)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a ratio from 0 to 1 (0.25 samples a quarter of traces)',
      });
      return z.NEVER;
    }
    return n;
  });

/** The tracing part of the core configuration, as {@link tracingProblems} and `startTracing` read it. */
export interface TracingSettings {
  OTEL_SDK_DISABLED: boolean;
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none' | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string | undefined;
  OTEL_EXPORTER_OTLP_HEADERS: Readonly<Record<string, string>> | undefined;
  OTEL_EXPORTER_OTLP_PROTOCOL: string | undefined;
  OTEL_SERVICE_NAME: string;
  OTEL_TRACES_SAMPLER?: SamplerName | undefined;
  OTEL_TRACES_SAMPLER_ARG: number | undefined;
}

/**
 * Where spans are sent, or undefined when tracing is off: the traces endpoint as
 * given, else `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` (the specification's rule).
 */
export function tracesEndpoint(settings: TracingSettings): string | undefined {
  if (settings.OTEL_SDK_DISABLED || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined)
    return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Tracing settings that would have no effect say so at start-up: a sampler
 * argument for a sampler that takes none, and any tracing setting while no
 * endpoint turns tracing on.
 */
export function tracingProblems(
  settings: TracingSettings,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const problems: string[] = [];
  const sampler = settings.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on';
  if (settings.OTEL_TRACES_SAMPLER_ARG !== undefined && !sampler.endsWith('traceidratio')) {
    problems.push(
      `OTEL_TRACES_SAMPLER_ARG (${settings.OTEL_TRACES_SAMPLER_ARG}) has no effect with the sampler ${sampler}: only traceidratio and parentbased_traceidratio take a ratio. Fix: set OTEL_TRACES_SAMPLER=parentbased_traceidratio, or unset OTEL_TRACES_SAMPLER_ARG.`,
    );
  }
  const endpointGiven =
    settings.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
    settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  if (!endpointGiven) {
    const dangling = [
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ].filter((name) => (env[name] ?? '').trim() !== '');
    // `none` agrees with no endpoint; `otlp` expects one.
    if (settings.OTEL_TRACES_EXPORTER === 'otlp') dangling.push('OTEL_TRACES_EXPORTER');
    for (const name of dangling) {
      problems.push(
        `${name} is set but tracing is off: spans are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. Fix: set one of them (http://collector:4318), or unset ${name}.`,
      );
    }
  }
  return problems;
}
