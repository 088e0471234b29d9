import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { Tracing } from './start-tracing.ts';
import { UPSTREAM_ATTRIBUTES } from './upstream-tracing.ts';

/** `POST /webhooks/<source>` as the HTTP server runs it. */
export type WebhookRoute = (req: IncomingMessage, res: ServerResponse, segment: string) => Promise<void>;

/** Attribute holding how a delivery ended: `accepted`, or the refusal code (`SIGNATURE_INVALID`...). */
export const ATTR_WEBHOOK_OUTCOME = 'switchyard.webhook.outcome';

const ROUTE = '/webhooks/:source';

/**
 * Wraps the webhook route in a span `webhook` (kind SERVER, the child of a
 * `traceparent` the provider may send) that ends when the answer is sent:
 * method, route, status; source and outcome come from {@link noteWebhookOutcome}.
 * Status ERROR only for a 5xx: a refused delivery is the sender's problem.
 */
export function traceWebhookRoute(tracing: Tracing): (route: WebhookRoute) => WebhookRoute {
  return (route) => (req, res, segment) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracing.tracer.startSpan(
      'webhook',
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method ?? 'GET', [ATTR_HTTP_ROUTE]: ROUTE },
      },
      parent,
    );
    res.once('close', () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(res.statusCode) });
        span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
      }
      span.end();
    });
    return otelContext.with(trace.setSpan(parent, span), () => route(req, res, segment));
  };
}

/** Names the source and outcome of the delivery on its span (the span active where the route reports it). */
export function noteWebhookOutcome(source: string, status: number, code: string | undefined): void {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  span.setAttribute(UPSTREAM_ATTRIBUTES.source, source);
  span.setAttribute(ATTR_WEBHOOK_OUTCOME, code ?? (status < 300 ? 'accepted' : `HTTP_${status}`));
}
