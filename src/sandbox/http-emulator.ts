/**
 * A small HTTP server for emulating a provider's REST API: routing with path
 * parameters, body parsing, per-endpoint request counters and fault injection.
 * Provider-agnostic: each emulator brings its routes, auth and error shapes.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultControl, FaultPlan } from './types.ts';

/** What a route handler (or `authorize`) answers. */
export interface EmulatorResponse {
  status: number;
  /** Serialized as JSON, unless it is a string (sent as is). */
  body: unknown;
  headers?: Record<string, string>;
}

/** One request, as a route handler sees it. */
export interface EmulatorRequest {
  method: string;
  /** Path without the query string (`/v1/customers/cus_123`). */
  path: string;
  /** Path parameters (`{ id: 'cus_123' }` for `/v1/customers/:id`), URL-decoded. */
  params: Record<string, string>;
  /**
   * The query string. Repeated keys are kept (`getAll`), and bracket keys are
   * left as sent (`expand[]`, `expand[0]`, `created[gte]`): see {@link queryList}.
   */
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body of an `application/x-www-form-urlencoded` request. */
  form: URLSearchParams | undefined;
  /** The parsed body of an `application/json` request. */
  json: unknown;
  rawBody: string;
  /** The route key the request matched (`GET /v1/customers/:id`). */
  endpoint: string;
}

export interface Route {
  method: string;
  /** Literal segments and `:name` parameters; the first route that matches wins. */
  path: string;
  handler(request: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
}

export interface HttpEmulatorOptions {
  /** Provider name, for messages. */
  name: string;
  routes: readonly Route[];
  /** Checks credentials before the handler runs; returns the error response to send, if any. */
  authorize?(request: EmulatorRequest): EmulatorResponse | undefined;
  /** The provider's error body for a status (used for injected faults, unknown routes and handler crashes). */
  errorBody(status: number, message: string): unknown;
  /** Extra headers on error responses the emulator makes itself (faults, 404, crashes), e.g. retry hints. */
  errorHeaders?(status: number): Record<string, string>;
  /** Header that carries a request id on every response (`Request-Id`). */
  requestIdHeader?: string;
  /** Makes a request id (default `req_` and 14 base62 characters). */
  requestId?: () => string;
  /** Headers sent on every response. */
  headers?: Record<string, string>;
  /** Body of a `malformed` fault (default: truncated JSON). */
  malformedBody?: () => string;
  /** Pretty-print JSON bodies with this indent (some providers do). Default: compact. */
  jsonIndent?: number;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** A running emulator server. */
export interface HttpEmulator {
  baseUrl: string;
  /** Requests per route key (`GET /v1/customers/:id`); unmatched requests under `METHOD /raw/path`. */
  counters: () => Record<string, number>;
  resetCounters: () => void;
  faults: FaultControl;
  /** Stops listening and destroys every open socket. */
  close: () => Promise<void>;
}

/**
 * Values of an array parameter in any of the encodings clients use:
 * `name=a&name=b`, `name[]=a` (curl, Stripe docs) and `name[0]=a` (stripe-node), in index order.
 */
export function queryList(query: URLSearchParams, name: string): string[] {
  const indexed: [number, string][] = [];
  const plain: string[] = [];
  for (const [key, value] of query) {
    if (key === name || key === `${name}[]`) plain.push(value);
    else if (key.startsWith(`${name}[`) && key.endsWith(']')) {
      const index = Number(key.slice(name.length + 1, -1));
      if (Number.isInteger(index)) indexed.push([index, value]);
    }
  }
  indexed.sort((a, b) => a[0] - b[0]);
  return [...plain, ...indexed.map(([, value]) => value)];
}

interface CompiledRoute {
  route: Route;
  key: string;
  segments: readonly string[];
}

interface ActiveFault {
  plan: FaultPlan;
  remaining: number;
  /** Accumulates `share` per matching request; the fault applies each time it reaches 1. */
  credit: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function defaultRequestId(): string {
  const bytes = randomBytes(14);
  let id = 'req_';
  for (const byte of bytes) id += BASE62.charAt(byte % 62);
  return id;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchRoute(compiled: CompiledRoute, method: string, segments: readonly string[]) {
  if (compiled.route.method !== method || compiled.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = compiled.segments[i] ?? '';
    const actual = segments[i] ?? '';
    if (pattern.startsWith(':')) {
      try {
        params[pattern.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (pattern !== actual) return undefined;
  }
  return params;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts an emulator on 127.0.0.1 with an ephemeral port. */
export async function startHttpEmulator(options: HttpEmulatorOptions): Promise<HttpEmulator> {
  const compiled: CompiledRoute[] = options.routes.map((route) => ({
    route,
    key: `${route.method} ${route.path}`,
    segments: splitPath(route.path),
  }));
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let activeFaults: ActiveFault[] = [];
  let down = false;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const makeRequestId = options.requestId ?? defaultRequestId;

  const faults: FaultControl = {
    inject(plan: FaultPlan): void {
      activeFaults.push({ plan, remaining: plan.times ?? 1, credit: 0 });
    },
    clear(): void {
      activeFaults = [];
    },
    get down(): boolean {
      return down;
    },
    set down(value: boolean) {
      down = value;
      // Idle keep-alive connections must die too, or pooled clients would not notice the outage.
      if (value) for (const socket of sockets) socket.destroy();
    },
  };

  function takeFault(key: string): FaultPlan | undefined {
    for (const [index, fault] of activeFaults.entries()) {
      if (fault.remaining <= 0 || ![undefined, '*', key].includes(fault.plan.endpoint)) continue;
      // An even spread rather than a coin toss, so a share is reproducible in tests and demos.
      fault.credit += fault.plan.share ?? 1;
      if (fault.credit < 1) continue;
      fault.credit -= 1;
      fault.remaining -= 1;
      if (fault.remaining <= 0) activeFaults.splice(index, 1);
      return fault.plan;
    }
    return undefined;
  }

  function send(response: ServerResponse, requestId: string, result: EmulatorResponse): void {
    const body =
      typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, options.jsonIndent);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...options.headers,
      ...result.headers,
      'Content-Length': String(Buffer.byteLength(body)),
    };
    if (options.requestIdHeader !== undefined) headers[options.requestIdHeader] = requestId;
    response.writeHead(result.status, headers);
    response.end(body);
  }

  function errorResponse(status: number, message: string, extra?: Record<string, string>): EmulatorResponse {
    return {
      status,
      body: options.errorBody(status, message),
      headers: { ...options.errorHeaders?.(status), ...extra },
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const segments = splitPath(url.pathname);
    let matched: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    for (const candidate of compiled) {
      const params = matchRoute(candidate, method, segments);
      if (params !== undefined) {
        matched = { compiled: candidate, params };
        break;
      }
    }
    const key = matched?.compiled.key ?? `${method} ${url.pathname}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);

    if (down) {
      request.socket.destroy();
      return;
    }
    const requestId = makeRequestId();
    const fault = takeFault(key);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault?.reset === true) {
      request.socket.destroy();
      return;
    }
    // Left unanswered on purpose; close() destroys the socket.
    if (fault?.hang === true) return;

    let rawBody: string;
    try {
      rawBody = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        send(response, requestId, errorResponse(413, 'Request body too large.', { Connection: 'close' }));
      } else request.socket.destroy();
      return;
    }

    if (fault?.status !== undefined) {
      const extra: Record<string, string> = {};
      if (fault.retryAfter !== undefined) extra['Retry-After'] = String(fault.retryAfter);
      const message = STATUS_CODES[fault.status] ?? 'Error';
      send(response, requestId, errorResponse(fault.status, message, extra));
      return;
    }
    if (fault?.malformed === true) {
      send(response, requestId, {
        status: 200,
        body: options.malformedBody?.() ?? '{"object":"list","data":[',
      });
      return;
    }
    if (fault?.wrongContentType === true) {
      send(response, requestId, {
        status: 200,
        body: '<!doctype html><html><body><h1>Service temporarily unavailable</h1></body></html>',
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      });
      return;
    }
    if (matched === undefined) {
      send(response, requestId, errorResponse(404, `Unrecognized request URL (${method}: ${url.pathname}).`));
      return;
    }

    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let form: URLSearchParams | undefined;
    let json: unknown;
    if (rawBody !== '' && contentType === 'application/x-www-form-urlencoded')
      form = new URLSearchParams(rawBody);
    if (rawBody !== '' && contentType === 'application/json') {
      try {
        json = JSON.parse(rawBody);
      } catch {
        send(response, requestId, errorResponse(400, 'Invalid JSON body.'));
        return;
      }
    }
    const emulatorRequest: EmulatorRequest = {
      method,
      path: url.pathname,
      params: matched.params,
      query: url.searchParams,
      headers: request.headers,
      form,
      json,
      rawBody,
      endpoint: matched.compiled.key,
    };
    const denied = options.authorize?.(emulatorRequest);
    if (denied !== undefined) {
      send(response, requestId, denied);
      return;
    }
    let result: EmulatorResponse;
    try {
      result = await matched.compiled.route.handler(emulatorRequest);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      result = errorResponse(500, `${options.name} emulator failed: ${detail}`);
    }
    send(response, requestId, result);
  }

  const server = createServer({ keepAlive: true, keepAliveTimeout: 5000 }, (request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  server.on('connection', (socket: Socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counters: () => Object.fromEntries(counts),
    resetCounters: () => counts.clear(),
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
