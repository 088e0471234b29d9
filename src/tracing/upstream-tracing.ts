import type { Span } from '@opentelemetry/api';
import { context as otelContext, propagation, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { UpstreamAttempt, UpstreamResponse, UpstreamTracer } from '../upstream/types.ts';
import { withPendingField } from './pending-field.ts';
import { errorTypeOf, markFailed } from './span-errors.ts';
import type { Tracing } from './start-tracing.ts';

/** Attribute names of an upstream call span besides the HTTP semantic conventions. */
export const UPSTREAM_ATTRIBUTES = {
  source: 'switchyard.source',
  operation: 'switchyard.upstream.operation',
  /** Callers that shared this call (coalesced identical GETs), the first included. */
  callers: 'switchyard.upstream.callers',
} as const;

/** The event each attempt of a call adds to its span. */
export const ATTEMPT_EVENT = 'upstream.attempt';

/** The only headers sent upstream: a client's `baggage` is its own business, not a SaaS API's. */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

interface Server {
  address: string;
  port: number;
  scheme: string;
}

/**
 * Traces upstream calls: one span per call (kind CLIENT, `GET stripe
 * invoices.retrieve`), the child of the span active where the call was made,
 * with `http.request.method`, `server.address`, `server.port`, `url.scheme`,
 * `url.path` (never the query string, which may carry search terms or
 * tokens), `http.response.status_code`, `http.request.resend_count`, the
 * source and operation; status ERROR with `error.type` (the status, or the
 * gateway's error code when no response came). Never a header or a body. Its
 * W3C `traceparent` and `tracestate` are sent with the call. A coalesced call
 * is its first caller's; each later caller adds a link to its own span.
 */
export function createUpstreamTracer(tracing: Tracing): UpstreamTracer {
  const servers = new Map<string, Server>();
  const shared = new WeakMap<Promise<UpstreamResponse>, { span: Span; callers: number }>();

  function serverOf(baseUrl: string): Server {
    let server = servers.get(baseUrl);
    if (server === undefined) {
      const url = new URL(baseUrl);
      server = {
        address: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port),
        scheme: url.protocol.slice(0, -1),
      };
      servers.set(baseUrl, server);
    }
    return server;
  }

  return {
    call(info, headers, run) {
      const server = serverOf(info.baseUrl);
      const parent = withPendingField(otelContext.active());
      const span = tracing.tracer.startSpan(
        `${info.method} ${info.source} ${info.operation}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: info.method,
            [ATTR_SERVER_ADDRESS]: server.address,
            [ATTR_SERVER_PORT]: server.port,
            [ATTR_URL_SCHEME]: server.scheme,
            [ATTR_URL_PATH]: info.path.split('?')[0] ?? '',
            [UPSTREAM_ATTRIBUTES.source]: info.source,
            [UPSTREAM_ATTRIBUTES.operation]: info.operation,
          },
        },
        parent,
      );
      const active = trace.setSpan(parent, span);
      const carrier: Record<string, string> = {};
      propagation.inject(active, carrier);
      const sent = { ...headers };
      for (const name of TRACE_HEADERS) if (carrier[name] !== undefined) sent[name] = carrier[name];
      const state = { span, callers: 1 };
      const promise = otelContext
        .with(active, () => run(sent))
        .then(
          (response) => {
            span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
            span.setAttribute(ATTR_HTTP_REQUEST_RESEND_COUNT, response.attempts - 1);
            if (response.status >= 400) markFailed(span, [String(response.status)]);
            span.setAttribute(UPSTREAM_ATTRIBUTES.callers, state.callers);
            span.end();
            return response;
          },
          (error: unknown) => {
            markFailed(span, [errorTypeOf(error)]);
            span.setAttribute(UPSTREAM_ATTRIBUTES.callers, state.callers);
            span.end();
            throw error;
          },
        );
      shared.set(promise, state);
      return promise;
    },
    joined(call) {
      const state = shared.get(call);
      if (state === undefined) return;
      state.callers += 1;
      const joiner = trace.getSpan(withPendingField(otelContext.active()));
      if (joiner !== undefined) state.span.addLink({ context: joiner.spanContext() });
    },
  };
}

/**
 * Adds an attempt of an upstream call to the call's span (active while the call
 * runs): event {@link ATTEMPT_EVENT} with the attempt number, the status or
 * error code, its duration and the wait before the next one.
 */
export function traceAttempt(info: UpstreamAttempt): void {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  span.addEvent(ATTEMPT_EVENT, {
    'upstream.attempt': info.attempt,
    'upstream.duration_ms': info.durationMs,
    ...(info.status === undefined ? {} : { [ATTR_HTTP_RESPONSE_STATUS_CODE]: info.status }),
    ...(info.error === undefined ? {} : { 'error.type': errorTypeOf(info.error) }),
    ...(info.retryInMs === undefined ? {} : { 'upstream.retry_in_ms': info.retryInMs }),
  });
}
