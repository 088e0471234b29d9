import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { collectSecrets, Redactor } from '../src/redact.ts';
import { trace } from '@opentelemetry/api';
import { createLogger } from '../src/logger.ts';
import { describeTracing } from '../src/tracing/describe-tracing.ts';
import { createGatewayTracing } from '../src/tracing/gateway-tracing.ts';
import { tracesEndpoint } from '../src/tracing/tracing-config.ts';
import { configProblems } from './helpers/config.ts';

describe('tracing configuration', () => {
  it('is off by default, with the standard defaults', () => {
    const core = loadConfig({}, connectors).core;
    expect(tracesEndpoint(core)).toBeUndefined();
    expect(core.OTEL_SERVICE_NAME).toBe('switchyard');
    expect(core.OTEL_TRACES_SAMPLER).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: ' ' }, connectors).core.OTEL_SERVICE_NAME).toBe('switchyard');
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    const base = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, connectors).core;
    expect(tracesEndpoint(base)).toBe('http://collector:4318/v1/traces');
    const both = loadConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/spans',
      },
      connectors,
    ).core;
    expect(tracesEndpoint(both)).toBe('https://traces.example.com/otlp/spans');
    const disabled = loadConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' },
      connectors,
    ).core;
    expect(tracesEndpoint(disabled)).toBeUndefined();
    const none = loadConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' },
      connectors,
    ).core;
    expect(tracesEndpoint(none)).toBeUndefined();
  });

  it('parses headers, sampler and ratio', () => {
    const core = loadConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Honeycomb-Team=abc%3D%3D123, x-dataset=gateway',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      connectors,
    ).core;
    expect(core.OTEL_EXPORTER_OTLP_HEADERS).toEqual({
      'x-honeycomb-team': 'abc==123',
      'x-dataset': 'gateway',
    });
    expect(core.OTEL_TRACES_SAMPLER_ARG).toBe(0.25);
  });

  it('refuses bad values, each with its fix, never quoting the headers', () => {
    expect(
      configProblems({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key: hunter2-secret-value',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_SDK_DISABLED: 'maybe',
        OTEL_TRACES_EXPORTER: 'zipkin',
      }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT (OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"): must be an http:// or https:// URL of an OTLP/HTTP receiver (a collector listens on port 4318). Fix: correct it or unset it to use the default.',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="ftp://collector/v1/traces"): must be an http:// or https:// URL of an OTLP/HTTP receiver (a collector listens on port 4318). Fix: correct it or unset it to use the default.',
      'OTEL_EXPORTER_OTLP_HEADERS (OTEL_EXPORTER_OTLP_HEADERS="***"): entry 1 is not name=value (a header name, then a percent-encoded value); write name=value,name=value. Fix: correct it or unset it to use the default.',
      'OTEL_EXPORTER_OTLP_PROTOCOL (OTEL_EXPORTER_OTLP_PROTOCOL="grpc"): Switchyard exports traces as OTLP/HTTP JSON only, not "grpc"; set http/json (a collector accepts it on port 4318). Fix: correct it or unset it to use the default.',
      'OTEL_TRACES_SAMPLER (OTEL_TRACES_SAMPLER="sometimes"): Invalid option: expected one of "always_on"|"always_off"|"traceidratio"|"parentbased_always_on"|"parentbased_always_off"|"parentbased_traceidratio". Fix: set it to one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio.',
      'OTEL_TRACES_SAMPLER_ARG (OTEL_TRACES_SAMPLER_ARG="1.5"): must be a ratio from 0 to 1 (0.25 samples a quarter of traces). Fix: correct it or unset it to use the default.',
      'OTEL_SDK_DISABLED (OTEL_SDK_DISABLED="maybe"): OTEL_SDK_DISABLED must be 1 or 0 (or true/false). Fix: correct it or unset it to use the default.',
      'OTEL_TRACES_EXPORTER (OTEL_TRACES_EXPORTER="zipkin"): Switchyard exports traces over OTLP only, not "zipkin"; set otlp, or none to turn tracing off. Fix: correct it or unset it to use the default.',
    ]);
  });

  it('says when a tracing setting would have no effect', () => {
    expect(
      configProblems({
        OTEL_SERVICE_NAME: 'billing-gateway',
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_TRACES_SAMPLER_ARG: '0.5',
        OTEL_TRACES_EXPORTER: 'otlp',
      }),
    ).toEqual([
      'OTEL_TRACES_SAMPLER_ARG (0.5) has no effect with the sampler always_on: only traceidratio and parentbased_traceidratio take a ratio. Fix: set OTEL_TRACES_SAMPLER=parentbased_traceidratio, or unset OTEL_TRACES_SAMPLER_ARG.',
      'OTEL_SERVICE_NAME is set but tracing is off: spans are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. Fix: set one of them (http://collector:4318), or unset OTEL_SERVICE_NAME.',
      'OTEL_TRACES_SAMPLER is set but tracing is off: spans are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. Fix: set one of them (http://collector:4318), or unset OTEL_TRACES_SAMPLER.',
      'OTEL_TRACES_SAMPLER_ARG is set but tracing is off: spans are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. Fix: set one of them (http://collector:4318), or unset OTEL_TRACES_SAMPLER_ARG.',
      'OTEL_TRACES_EXPORTER is set but tracing is off: spans are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. Fix: set one of them (http://collector:4318), or unset OTEL_TRACES_EXPORTER.',
    ]);
    // `none` with no endpoint says the same thing twice: no problem.
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'none' }, connectors).core.OTEL_TRACES_EXPORTER).toBe('none');
  });

  it('treats the exporter headers as secrets: logs and errors mask their values', () => {
    const redactor = new Redactor(
      collectSecrets({ OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=hc%2Fkey%2F0123456789,x-dataset=gw' }),
    );
    expect(redactor.redact('sent hc/key/0123456789 and hc%2Fkey%2F0123456789')).toBe('sent *** and ***');
  });

  it("tells the start-up banner where spans go, without the endpoint's password", () => {
    const described = (env: Record<string, string>) => describeTracing(loadConfig(env, connectors).core);
    expect(described({})).toBe('off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)');
    expect(described({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: '1' })).toBe(
      'off (OTEL_SDK_DISABLED=true)',
    );
    expect(
      described({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:pa55word@traces.example.com/v1/traces',
        OTEL_SERVICE_NAME: 'edge',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }),
    ).toBe(
      'OTLP/HTTP JSON to https://***@traces.example.com/v1/traces as edge, sampler parentbased_traceidratio 0.1',
    );
  });

  it('off, installs nothing: no plugin, no upstream tracer, no webhook wrapper, no SDK', async () => {
    const off = await createGatewayTracing(loadConfig({}, connectors).core, '0.0.0', createLogger('silent'));
    expect(off.plugins).toEqual([]);
    expect(off.upstream).toBeUndefined();
    expect(off.webhookRoute).toBeUndefined();
    // The API's global tracer is still the no-op one: nothing was registered.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});
