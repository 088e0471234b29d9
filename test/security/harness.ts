import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { connectors } from '../../connectors/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { GatewayEvent } from '../../src/events/event.ts';
import { createGateway } from '../../src/gateway.ts';
import type { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_EPOCH } from '../helpers/gateway.ts';

/**
 * The bad-input suite's harness: a gateway on a real socket, with known secrets
 * configured so that any of them showing up in a response or a log line is
 * caught, and one live subscription to its event log counting what is published.
 */

/** What a hostile input got back. */
export interface Observation {
  /** HTTP status, or the status line of a refused WebSocket upgrade. */
  status?: number;
  /** WebSocket close code when the server closed the socket; 0 when it was still open at the end. */
  close?: number;
  /** Every `extensions.code` of a GraphQL error body, `error.code` of a webhook body, or graphql-ws error payload. */
  codes: string[];
  /** Everything the server sent back (headers and body, close reasons, messages), for the leak check. */
  text: string;
}

/** What a case expects. `status` or `close` must be given; `code` must be one of the codes received. */
export interface Expectation {
  status?: number | readonly number[];
  close?: number | readonly number[];
  code?: string | readonly string[] | undefined;
  /** What must not be in the response (a header granting another site access, say). */
  absent?: RegExp;
  /** What must be in the response (a `Retry-After` header, say). */
  present?: RegExp;
  /** Events this input may publish: 0 unless said (a legitimate first delivery before a replay is done in `prepare`). */
  published?: number;
}

export interface HostileCase {
  /** The area of the suite (`graphql-http`, `webhook:stripe`, `websocket`...). */
  area: string;
  name: string;
  /** Which running gateway it is thrown at. Default `production`. */
  setup?: SetupName;
  /** Work done before the input, not counted as its outcome (a first legitimate delivery). */
  prepare?: (target: Target) => Promise<void>;
  run: (target: Target) => Promise<Observation>;
  expect: Expectation;
}

export type SetupName = 'production' | 'development' | 'rate-limited';

/** A running gateway the cases are thrown at. */
export interface Target {
  readonly name: SetupName;
  readonly gateway: Gateway;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  /** Every secret of this gateway: none may appear in a response or a log line. */
  readonly secrets: readonly string[];
  /** Events published since start. */
  published(): number;
  /** Log lines written since start. */
  readonly logLines: readonly string[];
  close(): Promise<void>;
}

/** Starts a gateway with `env` on a free port, its logs captured, its event log watched. */
export async function startTarget(name: SetupName, env: Record<string, string>): Promise<Target> {
  const fullEnv = { LOG_LEVEL: 'info', DEMO_EVENTS: '0', SANDBOX: '1', ...env };
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig(fullEnv, connectors);
  const gateway = await createGateway({
    config,
    connectors,
    log: createLogger(config.core.LOG_LEVEL, sink),
    env: fullEnv,
    demoEpoch: TEST_EPOCH,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  const watch = new AbortController();
  let published = 0;
  const watching = (async () => {
    const live: AsyncIterable<GatewayEvent> = gateway.events.subscribe({ signal: watch.signal });
    try {
      for await (const _event of live) published++;
    } catch {
      // Ends with the gateway.
    }
  })();
  const secrets = [
    ...Object.entries(fullEnv)
      .filter(([key]) => /KEY|SECRET|TOKEN|PASSWORD/.test(key))
      .flatMap(([, value]) => value.split(/[,;]/))
      .map((value) => value.replace(/:.*$/, '').trim()),
    ...gateway.sources.flatMap((s) =>
      Object.entries(s.sandbox?.env ?? {})
        .filter(([key]) => /KEY|SECRET|TOKEN/.test(key))
        .map(([, value]) => value),
    ),
  ].filter((s) => s.length >= 8);
  return {
    name,
    gateway,
    url,
    env: fullEnv,
    secrets: [...new Set(secrets)],
    published: () => published,
    logLines,
    async close() {
      watch.abort();
      await gateway.close();
      await watching;
    },
  };
}

/** Error codes in a JSON body: GraphQL `errors[].extensions.code`, or a webhook's `error.code`. */
export function codesOf(text: string): string[] {
  // Server-sent events: the codes of every `data:` line.
  if (/^(event|data): /m.test(text) && !text.trimStart().startsWith('{')) {
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .flatMap((line) => codesOf(line.slice('data: '.length)));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const codes: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const errors = record['errors'];
    if (Array.isArray(errors)) {
      for (const error of errors) {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
        if (typeof code === 'string') codes.push(code);
      }
    }
    const single = record['error'];
    if (single !== null && typeof single === 'object') {
      const code = (single as { code?: unknown }).code;
      if (typeof code === 'string') codes.push(code);
    }
    const own = (record['extensions'] as { code?: unknown } | undefined)?.code;
    if (typeof record['message'] === 'string' && typeof own === 'string') codes.push(own);
    if ('payload' in record) visit(record['payload']);
  };
  visit(body);
  return codes;
}

export interface HttpInput {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks of this size without a Content-Length. */
  chunked?: number;
}

/** One HTTP request on its own connection; a reset or a hang-up is an observation too. */
export function http(target: Target, input: HttpInput, timeoutMs = 10_000): Promise<Observation> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const headers: Record<string, string> = { ...input.headers };
    const body = input.body === undefined ? undefined : Buffer.from(input.body);
    if (body !== undefined && input.chunked === undefined && !('content-length' in headers)) {
      headers['content-length'] = String(body.length);
    }
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: input.method ?? 'POST',
      path: input.path,
      headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, codes: [], text: 'timed out' });
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const head = Object.entries(res.headers)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n');
        resolve({ status: res.statusCode ?? 0, codes: codesOf(text), text: `${head}\n\n${text}` });
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, codes: [], text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ status: -1, codes: [], text: error.code ?? 'error' });
    });
    if (body === undefined) {
      req.end();
    } else if (input.chunked !== undefined) {
      const size = input.chunked;
      let offset = 0;
      const pump = () => {
        while (offset < body.length) {
          const ok = req.write(body.subarray(offset, offset + size));
          offset += size;
          if (!ok) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      req.on('error', () => undefined);
      pump();
    } else {
      req.end(body);
    }
  });
}

/** A GraphQL request over HTTP with JSON, as a well-behaved client would send it, plus `headers`. */
export function graphql(
  target: Target,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Observation> {
  return http(target, {
    path: '/graphql',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...authHeader(target),
      ...headers,
    },
    body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
  });
}

/** The credentials a legitimate client of `target` sends, if it has any configured. */
export function authHeader(target: Target): Record<string, string> {
  const key = target.env['GATEWAY_API_KEYS']?.split(';')[0]?.replace(/:.*$/, '');
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}

/** Raw bytes on a TCP connection; resolves with what came back before the server closed or `waitMs` passed. */
export function raw(
  target: Target,
  chunks: readonly (string | Buffer)[],
  waitMs = 2_000,
): Promise<Observation> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      resolve({ status: status === undefined ? 0 : Number(status), codes: codesOf(body), text });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

export type WsFrame = string | Buffer | Record<string, unknown>;

export interface WsScript {
  /** Headers of the upgrade request (`origin`, `authorization`...). */
  headers?: Record<string, string>;
  protocol?: string | null;
  /** Frames to send once open, in order; a Buffer goes as a binary frame. */
  send: readonly WsFrame[];
  /** Frames to send once the server acknowledged the connection (`connection_ack`). */
  afterAck?: readonly WsFrame[];
  /** How long to wait for the server to close after the last frame. Default 1500 ms. */
  waitMs?: number;
}

/** A WebSocket conversation: what the server answered, and how (or whether) it closed. */
export function ws(target: Target, script: WsScript): Promise<Observation> {
  return new Promise((resolve) => {
    const protocol = script.protocol === undefined ? 'graphql-transport-ws' : script.protocol;
    const socket = new WebSocket(
      `${target.url.replace('http', 'ws')}/graphql`,
      protocol === null ? [] : [protocol],
      { headers: script.headers ?? {}, maxPayload: 64 * 1024 * 1024 },
    );
    const messages: string[] = [];
    let settled = false;
    const done = (observation: Omit<Observation, 'codes' | 'text'>, extra = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      const text = [...messages, extra].join('\n');
      resolve({ ...observation, codes: messages.flatMap(codesOf), text });
    };
    const timer = setTimeout(() => done({}), (script.waitMs ?? 1_500) + 3_000);
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        messages.push(body);
        done({ status: res.statusCode ?? 0 });
      });
    });
    socket.on('error', (error) => done({ status: -1 }, error.message));
    const send = (frames: readonly WsFrame[]) => {
      for (const frame of frames) {
        if (Buffer.isBuffer(frame)) socket.send(frame, { binary: true });
        else socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      }
    };
    socket.on('message', (data: Buffer) => {
      const text = String(data);
      messages.push(text);
      if (text.includes('"connection_ack"')) send(script.afterAck ?? []);
    });
    socket.on('close', (code, reason) => done({ status: 101, close: code }, String(reason)));
    socket.on('open', () => {
      send(script.send);
      // Still open when the wait is over: `close` 0 says the server kept the socket.
      setTimeout(() => done({ status: 101, close: 0 }), script.waitMs ?? 1_500).unref();
    });
  });
}

const STACK = /\n\s+at [^\n]*(\(|\s)[^\n]*:\d+:\d+/;
const PATHS = /(\/work\/|\/home\/|\/usr\/|node_modules|[\w-]+\.ts:\d+|file:\/\/)/;

/** What in `text` must never reach a client: a secret, a stack trace, a file path, an internal address. */
export function leaksIn(target: Target, text: string): string[] {
  const found: string[] = [];
  for (const secret of target.secrets) if (text.includes(secret)) found.push(`secret ${secret.slice(0, 6)}…`);
  if (STACK.test(text)) found.push('stack trace');
  const path = PATHS.exec(text);
  if (path) found.push(`file path ${path[0]}`);
  if (/ECONNREFUSED|ECONNRESET/.test(text)) found.push('network error detail');
  return found;
}

/** What in the logs must never be there: a secret. */
export function logLeaks(target: Target): string[] {
  return target.secrets.flatMap((secret) =>
    target.logLines.some((line) => line.includes(secret))
      ? [`secret ${secret.slice(0, 6)}… in a log line`]
      : [],
  );
}
