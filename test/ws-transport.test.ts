import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { serveGraphQLWebSockets } from '../src/subscriptions/ws-transport.ts';
import type { TransportOptions } from '../src/subscriptions/ws-transport.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A bare graphql-transport-ws client on a real socket: what it received, and how it closed. */
function rawClient(url: string, options: { autoPong?: boolean } = {}) {
  const socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL, { autoPong: options.autoPong ?? true });
  const messages: Message[] = [];
  let pings = 0;
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(String(data)) as Message));
  socket.on('ping', () => pings++);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: String(reason) })),
  );
  return {
    socket,
    messages,
    pings: () => pings,
    opened,
    closed,
    send: (message: Message) => socket.send(JSON.stringify(message)),
    subscribe: (id: string, query: string) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } })),
    async next(type: string, timeoutMs = 5000): Promise<Message> {
      for (let waited = 0; waited < timeoutMs; waited += 10) {
        const index = messages.findIndex((m) => m.type === type);
        if (index >= 0) return messages.splice(index, 1)[0] as Message;
        await sleep(10);
      }
      throw new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`);
    },
  };
}

/** GRAPHQL_MAX_BODY_BYTES's default, also the largest graphql-ws message. */
const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && !ok(); waited += 10) await sleep(10);
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('graphql-ws transport, through the gateway', () => {
  let t: TestGateway;
  let wsUrl: string;
  const hub = () => t.gateway.http.subscriptions.stats();
  const EVENTS = 'subscription { events { id } }';

  beforeAll(async () => {
    t = await startTestGateway();
    wsUrl = `${t.url.replace('http', 'ws')}/graphql`;
  });
  afterAll(() => t.close());

  async function acknowledged() {
    const client = rawClient(wsUrl);
    await client.opened;
    client.send({ type: 'connection_init' });
    await client.next('connection_ack');
    return client;
  }

  it('closes with 4401 on a subscribe before connection_init', async () => {
    const client = rawClient(wsUrl);
    await client.opened;
    client.subscribe('1', EVENTS);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('closes with 4409 when a shared subscription id is reused', async () => {
    const client = await acknowledged();
    client.subscribe('same', EVENTS);
    await until('the member', () => hub().members === 1);
    client.subscribe('same', EVENTS);
    expect(await client.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
    await until('the member to leave with its socket', () => hub().members === 0);
  });

  it('lets the client complete a shared subscription: it leaves, nothing is sent back, the socket stays', async () => {
    const client = await acknowledged();
    client.subscribe('a', EVENTS);
    await until('the member', () => hub().members === 1);
    client.send({ id: 'a', type: 'complete' });
    await until('the member to leave', () => hub().members === 0);
    // The id is free again, and the connection still answers.
    client.subscribe('a', '{ latestEventCursor }');
    expect(await client.next('next')).toMatchObject({
      id: 'a',
      payload: { data: { latestEventCursor: expect.any(String) as unknown } },
    });
    expect(await client.next('complete')).toEqual({ id: 'a', type: 'complete' });
    expect(client.messages).toEqual([]);
    client.socket.close();
  });

  it('sends `error` with its code for a shared subscription whose execution fails, and frees its id', async () => {
    const client = await acknowledged();
    client.subscribe('h', 'subscription { heartbeat(intervalMs: 5) { tick } }');
    expect(await client.next('error')).toEqual({
      id: 'h',
      type: 'error',
      payload: [
        {
          message: 'Argument "intervalMs" must be between 100 and 60000; got 5.',
          locations: [{ line: 1, column: 1 }],
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    client.subscribe('h', 'subscription { heartbeat(intervalMs: 100) { tick } }');
    expect(await client.next('next')).toEqual({
      id: 'h',
      type: 'next',
      payload: { data: { heartbeat: { tick: 1 } } },
    });
    client.socket.close();
    await until('no member', () => hub().members === 0);
  });

  it('answers a query that does not parse with an `error` message, subscription or not, and stays up', async () => {
    const client = await acknowledged();
    for (const [id, query] of [
      ['s1', 'subscription {'],
      ['s2', 'subscription {'],
      ['q1', '{ latestEventCursor'],
    ] as const) {
      client.subscribe(id, query);
      expect(await client.next('error')).toEqual({
        id,
        type: 'error',
        payload: [
          expect.objectContaining({
            message: expect.stringMatching(/^Syntax Error: Expected (Name|Name, found <EOF>)/) as unknown,
          }),
        ],
      });
    }
    client.subscribe('ok', EVENTS);
    await until('the member', () => hub().members === 1);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
    await until('no member', () => hub().members === 0);
  });

  it('closes a socket that sends a message over 1 MiB with 1009, before buffering more', async () => {
    const client = await acknowledged();
    client.subscribe('big', `{ latestEventCursor } # ${'x'.repeat(WS_MAX_MESSAGE_BYTES)}`);
    expect(await client.closed).toEqual({ code: 1009, reason: '' });
  });

  it('answers pings with pongs, as graphql-ws does', async () => {
    const client = await acknowledged();
    client.send({ type: 'ping', payload: { n: 1 } });
    expect(await client.next('pong')).toEqual({ type: 'pong', payload: { n: 1 } });
    client.socket.close();
  });
});

describe('graphql-ws transport timers', () => {
  let server: Server;
  let wss: WebSocketServer;
  let url: string;
  let dispose = () => {};
  const errors: unknown[] = [];

  async function start(options: Partial<TransportOptions>): Promise<void> {
    server = createServer();
    wss = new WebSocketServer({ server });
    const transport = serveGraphQLWebSockets(wss, {
      graphqlWs: { schema: buildSchema('type Query { a: Int }'), roots: { query: { a: () => 1 } } },
      log: { error: (details) => errors.push(details) },
      ...options,
    });
    dispose = () => transport.dispose();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    dispose();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => server.close(resolve));
    expect(errors).toEqual([]);
  });

  it('pings every socket once per interval and drops the ones that stop answering', async () => {
    await start({ keepAliveMs: 240 });
    const answering = rawClient(url);
    const silent = rawClient(url, { autoPong: false });
    await Promise.all([answering.opened, silent.opened]);
    for (const client of [answering, silent]) client.send({ type: 'connection_init' });
    // A ping, no pong for a whole interval: terminated (no close frame, so 1006).
    expect((await silent.closed).code).toBe(1006);
    expect(silent.pings()).toBeGreaterThanOrEqual(1);
    await sleep(600);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    expect(answering.pings()).toBeGreaterThanOrEqual(3);
    answering.socket.close();
  });

  it('closes only the socket whose subscribe made `take` throw, with 4500, and logs it', async () => {
    await start({
      keepAliveMs: 0,
      isProd: true,
      take: (_ctx, _id, payload) => {
        if (payload.query.includes('boom')) throw new Error('take failed');
        return null;
      },
    });
    const bad = rawClient(url);
    const good = rawClient(url);
    await Promise.all([bad.opened, good.opened]);
    for (const client of [bad, good]) client.send({ type: 'connection_init' });
    await Promise.all([bad.next('connection_ack'), good.next('connection_ack')]);
    bad.subscribe('1', '{ boom }');
    expect(await bad.closed).toEqual({ code: 4500, reason: 'Internal server error' });
    expect(errors.splice(0)).toEqual([{ err: new Error('take failed') }]);
    good.subscribe('2', '{ a }');
    expect(await good.next('next')).toEqual({ id: '2', type: 'next', payload: { data: { a: 1 } } });
    good.socket.close();
  });

  it('outside production, shows why in the close reason, with credentials masked', async () => {
    await start({
      keepAliveMs: 0,
      isProd: false,
      redact: (text) => text.replace('s3cret-token', '***'),
      take: () => {
        throw new Error('take failed with s3cret-token');
      },
    });
    const client = rawClient(url);
    await client.opened;
    client.send({ type: 'connection_init' });
    await client.next('connection_ack');
    client.subscribe('1', '{ a }');
    expect(await client.closed).toEqual({ code: 4500, reason: 'take failed with ***' });
    expect(errors.splice(0)).toEqual([{ err: new Error('take failed with s3cret-token') }]);
  });

  it('closes a socket with 4408 when connection_init does not come in time, and keeps one that sent it', async () => {
    await start({ connectionInitWaitMs: 100, keepAliveMs: 0 });
    const late = rawClient(url);
    const prompt = rawClient(url);
    await Promise.all([late.opened, prompt.opened]);
    prompt.send({ type: 'connection_init' });
    await prompt.next('connection_ack');
    const started = Date.now();
    expect(await late.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    // Checked once a second: within about a second of the deadline.
    expect(Date.now() - started).toBeLessThan(2_000);
    await sleep(300);
    expect(prompt.socket.readyState).toBe(WebSocket.OPEN);
    prompt.subscribe('q', '{ a }');
    expect(await prompt.next('next')).toEqual({ id: 'q', type: 'next', payload: { data: { a: 1 } } });
    prompt.socket.close();
  });
});
