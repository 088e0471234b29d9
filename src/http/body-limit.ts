import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookError } from '../connector.ts';
import { ErrorCode } from '../errors.ts';
import { readRawBody } from '../events/ingress.ts';
import { graphqlErrorBody } from './error-body.ts';

/** The message of a GraphQL request refused for its size. */
export function payloadTooLargeMessage(maxBytes: number): string {
  return `The request body is larger than the ${maxBytes} bytes this gateway accepts (GRAPHQL_MAX_BODY_BYTES): send a smaller operation, or pass large inputs in several requests.`;
}

/**
 * A body read in advance, in the shape yoga's Node adapter takes as is from
 * `req.body`: an async iterable with an own key (a Buffer there would have
 * every byte enumerated, about 120 ms of CPU for 1 MiB).
 */
class BufferedBody {
  readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let bytes: Buffer | null = this.bytes;
    return {
      next: () => {
        const value = bytes;
        bytes = null;
        return Promise.resolve(value === null ? { done: true, value: undefined } : { done: false, value });
      },
    };
  }
}

/** The body {@link readGraphQLBody} read in advance, if it did. */
export function bufferedBodyOf(req: IncomingMessage & { body?: unknown }): Buffer | null {
  return req.body instanceof BufferedBody ? req.body.bytes : null;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads a GraphQL request's body, at most `maxBytes`, before yoga sees the
 * request, and leaves it on `req.body`, where yoga's Node adapter takes it
 * instead of reading the stream. A body over the cap (declared by
 * Content-Length, or counted as a chunked body streams in) is answered at
 * once with 413 `PAYLOAD_TOO_LARGE` and `Connection: close`, without reading
 * the rest; resolves to whether the request may go on to yoga.
 */
export async function readGraphQLBody(
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  maxBytes: number,
): Promise<boolean> {
  if (!hasBody(req)) return true;
  try {
    req.body = new BufferedBody(await readRawBody(req, maxBytes));
    return true;
  } catch (error) {
    if (!(error instanceof WebhookError) || error.status !== 413) {
      // The client went away mid-body: nobody to answer.
      if (!req.complete) {
        res.destroy();
        return false;
      }
      throw error;
    }
    const body = graphqlErrorBody(ErrorCode.PAYLOAD_TOO_LARGE, payloadTooLargeMessage(maxBytes));
    res.writeHead(413, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
    return false;
  }
}
