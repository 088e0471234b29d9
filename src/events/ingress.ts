import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ZodError } from 'zod';
import { WebhookError } from '../connector.ts';
import type { ConnectorWebhooks, SignedMaterial, WebhookRequest } from '../connector.ts';
import type { IncomingEvent } from './event.ts';
import { identifierIssues } from './event-identifiers.ts';
import { rawJsonDeeperThan } from './json-depth.ts';
import { batchTooLarge } from './parse-body.ts';
import { webhookSecretVariable } from './webhooks-off.ts';
import { EventLogUnavailableError } from './log.ts';
import type { EventLog } from './log.ts';

/** What the HTTP adapter sends back to the provider: a status and a JSON body. */
export interface WebhookResponse {
  status: number;
  body: unknown;
}

/** The body of a successful delivery. */
export interface WebhookReceipt {
  /** Events the delivery contained. */
  received: number;
  /** Events newly stored. */
  stored: number;
  /** Events already stored by an earlier delivery (or earlier in this one). */
  duplicates: number;
  events: { id: string; cursor: string | null; duplicate: boolean }[];
}

/** Default of `WEBHOOK_MAX_DEPTH`: deepest nesting of objects and arrays a webhook body may have. */
export const DEFAULT_WEBHOOK_MAX_DEPTH = 64;

/** Input of {@link handleWebhook}. */
export interface HandleWebhookInput {
  /** The connector name, as in the route `/webhooks/<source>`. */
  source: string;
  /** The connector's webhook support; `verify`, `parse` and `maxEventsPerDelivery` are used. */
  webhooks: Pick<ConnectorWebhooks<unknown>, 'verify' | 'parse' | 'maxEventsPerDelivery'>;
  /** The signing secret, or undefined when webhooks are not configured for the source. */
  secret: string | undefined;
  request: WebhookRequest;
  log: EventLog;
  /** The time signatures are checked against. Default: the current time. */
  now?: Date;
  /** Deepest nesting of objects and arrays the body may have. Default {@link DEFAULT_WEBHOOK_MAX_DEPTH}. */
  maxDepth?: number;
  /** Told how long the append to the log took and whether it succeeded. Default: none. */
  onAppend?: ((durationMs: number, ok: boolean) => void) | undefined;
}

/**
 * Reads a request body into memory, refusing more than `maxBytes`.
 *
 * Rejects with {@link WebhookError} 413 `PAYLOAD_TOO_LARGE` as soon as the
 * declared Content-Length or the bytes received exceed the cap, without
 * reading further; the request is left paused, so the caller should answer
 * with `Connection: close`. Rejects with the stream's error if the client
 * goes away first.
 */
export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new WebhookError(413, 'PAYLOAD_TOO_LARGE', `Webhook body is larger than the ${maxBytes} byte limit.`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      req.pause();
      reject(tooLarge());
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('The webhook request closed before its body was complete.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Handles one webhook delivery for any source: checks the source is
 * configured, verifies the signature, parses the events and appends them to
 * the log, and says what to answer.
 *
 * - no secret: 404 `WEBHOOK_NOT_CONFIGURED` (a 5xx would make the provider retry forever);
 * - a {@link WebhookError} from `verify` or `parse`: its status, `{ error: { code, message, issues? } }`;
 * - any other error from `verify` or `parse`: 400 `INVALID_PAYLOAD`, never a 500 for bad input;
 * - a body nested deeper than `maxDepth`: 400 `PAYLOAD_TOO_DEEP`, checked on the raw bytes before parsing;
 * - more events than the connector's `maxEventsPerDelivery`: 400 `BATCH_TOO_LARGE`;
 * - an event id, type or subject that is not printable text of bounded length: 400 `INVALID_PAYLOAD`;
 * - {@link EventLogUnavailableError} from the log: 503 `EVENT_LOG_UNAVAILABLE`, so the provider retries;
 * - otherwise 200 with a {@link WebhookReceipt}; re-deliveries are reported as duplicates, not stored
 *   again, and so is the same signed material sent again (what `verify` returned) under new ids.
 *
 * Nothing is appended unless every check passed. Other errors
 * from the log are rethrown for the adapter to answer 500 and log.
 */
export async function handleWebhook(input: HandleWebhookInput): Promise<WebhookResponse> {
  const { source, webhooks, secret, request, log } = input;
  if (secret === undefined || secret === '') {
    const variable = webhookSecretVariable(source);
    return errorResponse(
      new WebhookError(
        404,
        'WEBHOOK_NOT_CONFIGURED',
        `Webhooks for source "${source}" are not configured: set ${variable}.`,
      ),
    );
  }
  let signed: SignedMaterial;
  try {
    signed = webhooks.verify(request, secret, input.now ?? new Date());
  } catch (error) {
    return errorResponse(asWebhookError(error, 'The webhook delivery could not be verified.'));
  }
  // Before parsing: JSON.parse copes with any depth, but everything recursive after it would not.
  const maxDepth = input.maxDepth ?? DEFAULT_WEBHOOK_MAX_DEPTH;
  if (rawJsonDeeperThan(request.rawBody, maxDepth)) {
    return errorResponse({
      status: 400,
      code: 'PAYLOAD_TOO_DEEP',
      message: `Webhook body nests objects and arrays more than ${maxDepth} levels deep (WEBHOOK_MAX_DEPTH); nothing was stored.`,
    });
  }
  let events: IncomingEvent[];
  try {
    events = webhooks.parse(request);
  } catch (error) {
    return errorResponse(asWebhookError(error, 'The webhook payload could not be parsed.'));
  }
  const maxEvents = webhooks.maxEventsPerDelivery ?? 1;
  if (events.length > maxEvents) {
    return errorResponse(batchTooLarge(source, events.length, maxEvents));
  }
  const issues = identifierIssues(events);
  if (issues.length > 0) {
    return errorResponse({
      status: 400,
      code: 'INVALID_PAYLOAD',
      message:
        'Some event identifiers (id, type, subject) are not printable text of bounded length; nothing was stored.',
      issues,
    });
  }

  let results;
  try {
    const deliveryKey = signed.length === 0 ? undefined : `${source}:${signedDigest(signed)}`;
    const start = performance.now();
    try {
      results = await log.append(events, { deliveryKey });
    } finally {
      input.onAppend?.(performance.now() - start, results !== undefined);
    }
  } catch (error) {
    if (error instanceof EventLogUnavailableError) {
      // The reason (a Redis host, a timeout) is for operators: /readyz and the logs say it.
      return errorResponse({
        status: 503,
        code: 'EVENT_LOG_UNAVAILABLE',
        message: 'The event log cannot store events right now; nothing was stored. Retry later.',
      });
    }
    throw error;
  }

  const receipt: WebhookReceipt = { received: events.length, stored: 0, duplicates: 0, events: [] };
  for (const result of results) {
    if (result.status === 'stored') {
      receipt.stored++;
      receipt.events.push({ id: result.event.id, cursor: result.event.cursor, duplicate: false });
    } else {
      receipt.duplicates++;
      receipt.events.push({ id: result.id, cursor: null, duplicate: true });
    }
  }
  return { status: 200, body: receipt };
}

/** `sha256:<hex>` of the concatenated signed material. */
function signedDigest(signed: SignedMaterial): string {
  // One-shot hashing of one buffer: a streaming Hash object costs more than the bytes for a webhook-sized body.
  const bytes = Buffer.concat(
    signed.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)),
  );
  return `sha256:${hash('sha256', bytes, 'hex')}`;
}

/** Maps whatever `verify` or `parse` threw to a client error; a bare ZodError keeps its issues. */
function asWebhookError(error: unknown, message: string): WebhookError {
  if (error instanceof WebhookError) return error;
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    return new WebhookError(400, 'INVALID_PAYLOAD', message, issues);
  }
  return new WebhookError(400, 'INVALID_PAYLOAD', message);
}

function errorResponse(error: {
  status: number;
  code: string;
  message: string;
  issues?: readonly { path: string; message: string }[] | undefined;
}): WebhookResponse {
  const { status, code, message, issues } = error;
  return { status, body: { error: { code, message, ...(issues === undefined ? {} : { issues }) } } };
}
