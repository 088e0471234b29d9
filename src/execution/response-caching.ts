import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isAsyncIterable } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { DocumentNode } from 'graphql';
import { getOperationAST, OperationTypeNode } from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';
import { scopeKey } from '../auth/scopes.ts';
import type { GatewayContext } from '../context.ts';
import { bufferedBodyOf } from '../http/body-limit.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import type { ResponseCacheMetrics } from '../metrics/response-cache-metrics.ts';
import { requestIdFrom } from '../request-id.ts';
import type { CachedResponse, ResponseCache } from './response-cache.ts';

/** Options of {@link createResponseCaching}. */
export interface ResponseCachingOptions {
  cache: ResponseCache;
  /** Path of the GraphQL endpoint: only POSTs there are looked up. */
  graphqlPath: string;
  /** Authenticates a request and spends its rate budget ahead of yoga (`ClientAuth.admit`). */
  admit: (req: IncomingMessage) => Promise<Principal | null>;
  metrics: GatewayMetrics;
  cacheMetrics: ResponseCacheMetrics;
  log: Logger;
  /** Tells the other instances which sources a mutation wrote, before it answers. Default: nobody (one instance). */
  broadcast?: ((sources: readonly string[]) => Promise<void>) | undefined;
}

/** The response cache's two halves: the HTTP lookup before yoga, the yoga plugin deciding what is stored. */
export interface ResponseCaching {
  /**
   * Answers a GraphQL request from the cache when it can (resolves true);
   * otherwise (false) yoga must handle it, and its answer is stored if the
   * plugin finds it cacheable.
   */
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  plugin: Plugin<GatewayContext>;
}

/** A cacheable request on its way through yoga. */
interface Ticket {
  key: string;
  /** The cache's mark before it executed: a source changing since makes its answer unfit to store. */
  mark: number;
  /** Set by the plugin once the execution proved cacheable. */
  storable: { operationName: string | null; sources: readonly string[] } | null;
}

/** Headers that belong to one response, not to what it says. */
const PER_RESPONSE = new Set([
  'x-request-id',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-cache',
  'age',
]);
const CACHEABLE_TYPE = /^application\/(?:graphql-response\+)?json\b/i;

/**
 * The response cache at work: a query POSTed as JSON is looked up by what
 * decides its answer (the principal's scopes, `Accept`, `Origin` and the body's
 * bytes) once the client is authenticated and within its rate budget; a hit is
 * replayed without parsing, validating or executing anything, and still gets
 * its own request id, log line and metrics. A miss runs through yoga, and its
 * answer is stored when it was a query with no errors that read only sources
 * (not the event log, not outbound endpoints).
 *
 * `Cache-Control: no-cache` skips the lookup (the fresh answer is stored),
 * `no-store` skips the cache altogether. A mutation evicts every answer that
 * read a source it wrote, before its own answer is sent.
 */
export function createResponseCaching(options: ResponseCachingOptions): ResponseCaching {
  const { cache, cacheMetrics, log } = options;
  const tickets = new WeakMap<IncomingMessage, Ticket>();
  const ticketsByRequest = new WeakMap<Request, Ticket>();

  function replay(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    start: number,
    entry: CachedResponse,
  ) {
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    const headers: OutgoingHttpHeaders = {
      ...entry.headers,
      'content-length': entry.body.length,
      'x-request-id': requestId,
      'x-cache': 'HIT',
      age: String(Math.floor((Date.now() - entry.storedAt) / 1000)),
    };
    res.writeHead(entry.status, headers);
    res.end(entry.body);
    const durationMs = Math.round((performance.now() - start) * 10) / 10;
    options.metrics.operation('query', durationMs, []);
    cacheMetrics.lookup('hit');
    log.info(
      {
        requestId,
        principal: principal.id,
        operationName: entry.operationName,
        operationType: 'query',
        durationMs,
        upstreamCalls: 0,
        errorCodes: [],
        cache: 'hit',
      },
      'graphql operation',
    );
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const start = performance.now();
    if (req.method !== 'POST') return false;
    const contentType = req.headers['content-type'];
    if (contentType === undefined || !/^application\/json\b/i.test(contentType)) return false;
    const body = bufferedBodyOf(req);
    if (body === null) return false;
    const control = req.headers['cache-control'] ?? '';
    if (control.includes('no-store')) return false;
    // Streamed answers (SSE, incremental delivery) are never stored.
    if (/text\/event-stream|multipart\/mixed/i.test(req.headers.accept ?? '')) return false;
    const principal = await options.admit(req);
    if (principal === null) return false;
    const key = `${scopeKey(principal.scopes)}\n${req.headers.accept ?? ''}\n${req.headers.origin ?? ''}\n${body.toString('latin1')}`;
    if (!control.includes('no-cache')) {
      const entry = cache.get(key);
      if (entry !== undefined) {
        replay(req, res, principal, start, entry);
        return true;
      }
    }
    const ticket: Ticket = { key, mark: cache.mark(), storable: null };
    tickets.set(req, ticket);
    capture(res, ticket);
    return false;
  }

  /**
   * Records what yoga sends for a ticket's request, and stores it once sent if
   * the plugin found it cacheable. Whether to keep the bytes is settled when the
   * head is written (the execution is over by then): anything else (an error, a
   * stream, a body larger than the cache) is let through untouched.
   */
  function capture(res: ServerResponse, ticket: Ticket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let headers: Record<string, string | readonly string[]> | null = null;
    let keep = true;
    const writeHead = res.writeHead.bind(res);
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const release = () => {
      keep = false;
      res.write = write as typeof res.write;
      res.end = end as typeof res.end;
      chunks.length = 0;
    };
    const collect = (chunk: unknown, encoding: unknown) => {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            : null;
      if (bytes === null) return;
      size += bytes.length;
      if (size > cache.maxBytes) release();
      else chunks.push(bytes);
    };
    res.writeHead = function (code: number, ...rest: unknown[]) {
      res.writeHead = writeHead;
      cacheMetrics.lookup('miss');
      status = code;
      const given = rest.find((arg) => typeof arg === 'object' && arg !== null);
      headers = Array.isArray(given)
        ? null
        : cacheableHeaders(res.getHeaders(), given as OutgoingHttpHeaders);
      const type = headers?.['content-type'];
      if (ticket.storable !== null && code === 200 && typeof type === 'string' && CACHEABLE_TYPE.test(type)) {
        res.setHeader('x-cache', 'MISS');
      } else {
        release();
      }
      return writeHead(code, ...(rest as []));
    };
    res.write = function (chunk: unknown, ...rest: unknown[]) {
      collect(chunk, rest[0]);
      return write(chunk, ...rest);
    } as typeof res.write;
    res.end = function (...args: unknown[]) {
      if (typeof args[0] !== 'function') collect(args[0], args[1]);
      const result = end(...args);
      const storable = ticket.storable;
      if (keep && storable !== null && headers !== null) {
        const body = Buffer.concat(chunks);
        if (cache.set(ticket.key, { status, headers, body, ...storable }, ticket.mark))
          cacheMetrics.lookup('stored');
      }
      return result;
    } as typeof res.end;
  }

  const plugin: Plugin<GatewayContext> = {
    onRequest({ request, serverContext }) {
      const req = (serverContext as { req?: IncomingMessage }).req;
      const ticket = req === undefined ? undefined : tickets.get(req);
      if (ticket !== undefined) ticketsByRequest.set(request, ticket);
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue;
      const operation = getOperationAST(
        args.document as DocumentNode,
        typeof args.operationName === 'string' ? args.operationName : undefined,
      );
      if (operation?.operation === OperationTypeNode.MUTATION) {
        setExecuteFn(async (executeArgs) => {
          try {
            return (await executeFn(executeArgs)) as never;
          } finally {
            // Whatever the outcome: a write that failed late may still have happened.
            const written = [...context.reads.written];
            if (written.length > 0) {
              cacheMetrics.evicted('mutation', cache.invalidate(written));
              await options.broadcast?.(written);
            }
          }
        });
        return;
      }
      const request = (context as { request?: Request }).request;
      const ticket = request === undefined ? undefined : ticketsByRequest.get(request);
      if (ticket === undefined || operation?.operation !== OperationTypeNode.QUERY) return;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result) || (result.errors?.length ?? 0) > 0 || !context.reads.cacheable) return;
          ticket.storable = {
            operationName: operation.name?.value ?? null,
            sources: [...context.reads.sources],
          };
        },
      };
    },
  };

  return { serve, plugin };
}

function cacheableHeaders(
  set: OutgoingHttpHeaders,
  given: OutgoingHttpHeaders | undefined,
): Record<string, string | readonly string[]> | null {
  const headers: Record<string, string | readonly string[]> = {};
  for (const source of [set, given ?? {}]) {
    for (const [name, value] of Object.entries(source)) {
      const lower = name.toLowerCase();
      if (value === undefined || PER_RESPONSE.has(lower)) continue;
      // Cookies are someone's: a response that sets one is never shared.
      if (lower === 'set-cookie') return null;
      headers[lower] = typeof value === 'number' ? String(value) : value;
    }
  }
  return headers;
}
