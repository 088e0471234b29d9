import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WebhookError } from '../connector.ts';
import type { WebhookRequest } from '../connector.ts';
import { handleWebhook, readRawBody } from '../events/ingress.ts';
import type { EventLog } from '../events/log.ts';
import { webhookOutcome } from '../metrics/labels.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import type { Source } from '../sources.ts';
import { lowerHeaders, sendJson } from './send-json.ts';

/** A path segment with its percent-escapes decoded, or null when they are malformed (`%ZZ`, a cut-off UTF-8 sequence). */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Options of {@link createWebhookRoute}. */
export interface WebhookRouteOptions {
  sources: readonly Source[];
  events: EventLog;
  log: Logger;
  /** Largest webhook body in bytes (413 beyond it, before it is read). */
  maxBytes: number;
  /** Deepest nesting of a webhook body. Default: {@link handleWebhook}'s. */
  maxDepth?: number | undefined;
  /** Counts deliveries, refusals by code, stored and duplicate events, append latency. Default: none. */
  metrics?: GatewayMetrics | undefined;
  /** Told every verified-or-refused delivery's outcome (alerts watch it). Default: nobody. */
  onOutcome?: ((source: string, status: number, code: string | undefined) => void) | undefined;
}

/**
 * `POST /webhooks/<source>` (`segment` is `<source>` as sent, percent-encoded): reads the raw bytes (size-capped) and hands them to
 * the ingress, which verifies, parses, de-duplicates and stores; answers as it says.
 */
export function createWebhookRoute(
  options: WebhookRouteOptions,
): (req: IncomingMessage, res: ServerResponse, segment: string) => Promise<void> {
  const sourcesByName = new Map(options.sources.map((s) => [s.name, s]));
  const { metrics } = options;
  const onAppend = metrics ? (ms: number, ok: boolean) => metrics.append(ms, ok) : undefined;
  return async function webhook(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const name = decodePathSegment(segment);
    if (name === null) {
      sendJson(res, 404, {
        error: {
          code: 'UNKNOWN_SOURCE',
          message: 'The webhook path is not a valid percent-encoded source name.',
        },
      });
      return;
    }
    const source = sourcesByName.get(name);
    if (!source?.connector.webhooks) {
      sendJson(res, 404, {
        error: { code: 'UNKNOWN_SOURCE', message: `No webhook source is named "${name}".` },
      });
      return;
    }
    if (req.method !== 'POST') {
      options.metrics?.webhook(name, { status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
      sendJson(
        res,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: 'Webhooks are delivered with POST.' } },
        { allow: 'POST' },
      );
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req, options.maxBytes);
    } catch (error) {
      if (error instanceof WebhookError) {
        options.metrics?.webhook(name, { status: error.status, body: { error: { code: error.code } } });
        sendJson(
          res,
          error.status,
          { error: { code: error.code, message: error.message } },
          { connection: 'close' },
        );
        return;
      }
      throw error;
    }
    const request: WebhookRequest = {
      method: 'POST',
      url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers: lowerHeaders(req),
      rawBody,
    };
    const result = await handleWebhook({
      source: name,
      webhooks: source.connector.webhooks,
      secret: source.webhookSecret,
      request,
      log: options.events,
      maxDepth: options.maxDepth,
      onAppend,
    });
    // Answered first: what follows only observes, and the provider (and the latency) need not wait for it.
    sendJson(res, result.status, result.body);
    metrics?.webhook(name, result);
    // Guarded: building the line's fields costs as much as a silent logger's call saves.
    if (options.log.isLevelEnabled('info')) {
      options.log.info(
        { source: name, status: result.status, bytes: rawBody.length, ...webhookOutcome(result) },
        'webhook',
      );
    }
    options.onOutcome?.(name, result.status, errorCode(result.body));
  };
}

/** The `error.code` of a refusal body, if it is one. */
function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}
