import type { IncomingMessage } from 'node:http';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && !ok(); waited += 10) await sleep(10);
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

/** An acknowledged graphql-transport-ws connection on a real socket. */
async function connection(url: string) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL);
  const messages: Message[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(String(data)) as Message));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until('connection_ack', () => messages.some((m) => m.type === 'connection_ack'));
  messages.length = 0;
  return {
    socket,
    messages,
    subscribe: (id: string, query: string) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } })),
    complete: (id: string) => socket.send(JSON.stringify({ id, type: 'complete' })),
    async error(id: string): Promise<Message> {
      await until(`an error for ${id}`, () => messages.some((m) => m.id === id && m.type === 'error'));
      return messages.find((m) => m.id === id && m.type === 'error') as Message;
    },
  };
}

function operationCapError(max: number) {
  return [
    {
      message: `This connection already runs ${max} operations, the most WS_MAX_SUBSCRIPTIONS_PER_CONNECTION allows: complete one before starting another, or open another connection.`,
      extensions: { code: 'RATE_LIMITED', limit: max },
    },
  ];
}

describe('WebSocket limits per connection', () => {
  let t: TestGateway;
  const hub = () => t.gateway.http.subscriptions.stats();

  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('refuses the 101st operation on one connection with an `error` message, and keeps the connection', async () => {
    const client = await connection(t.url);
    for (let i = 1; i <= 100; i++) client.subscribe(`s${i}`, 'subscription { events { id } }');
    await until('100 members', () => hub().members === 100);

    client.subscribe('s101', 'subscription { events { id } }');
    expect(await client.error('s101')).toEqual({
      id: 's101',
      type: 'error',
      payload: operationCapError(100),
    });
    // A query counts too, and so does a `subscribe` graphql-ws reads itself (an escaped "type").
    client.subscribe('q', '{ latestEventCursor }');
    expect((await client.error('q')).payload).toEqual(operationCapError(100));
    client.socket.send(
      '{"id":"esc","type":"\\u0073ubscribe","payload":{"query":"subscription { events { id } }"}}',
    );
    expect((await client.error('esc')).payload).toEqual(operationCapError(100));
    expect(hub().members).toBe(100);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);

    // Completing one frees a place.
    client.complete('s1');
    await until('99 members', () => hub().members === 99);
    client.subscribe('again', 'subscription { events { id } }');
    await until('100 members again', () => hub().members === 100);
    expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(3);
    client.socket.close();
    await until('no member', () => hub().members === 0);
  });

  it('bounds what heartbeats cost one connection: 100 heartbeat(intervalMs: 100) send about 10 messages a second', async () => {
    const client = await connection(t.url);
    // Distinct aliases, so that each would be its own execution.
    for (let i = 0; i < 100; i++)
      client.subscribe(`h${i}`, `subscription { b${i}: heartbeat(intervalMs: 100) { tick } }`);
    await sleep(200);
    const started = client.messages.filter((m) => m.type === 'next').length;
    await sleep(2000);
    const perSecond = (client.messages.filter((m) => m.type === 'next').length - started) / 2;
    // Still running (timers may lag on a busy machine), and never above the budget.
    expect(perSecond).toBeGreaterThanOrEqual(5);
    expect(perSecond).toBeLessThanOrEqual(11);
    // The first is running; each of the 99 others got one error.
    const errors = client.messages.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(99);
    expect(errors[0]).toEqual({
      id: 'h1',
      type: 'error',
      payload: [
        {
          message:
            "This connection's heartbeats would send 20 messages a second, more than the 10 WS_MAX_HEARTBEATS_PER_SECOND allows: use a longer intervalMs, or fewer heartbeat subscriptions.",
          extensions: { code: 'RATE_LIMITED', limit: 10 },
        },
      ],
    });
    expect(new Set(client.messages.filter((m) => m.type === 'next').map((m) => m.id))).toEqual(
      new Set(['h0']),
    );
    client.socket.close();
    await until('no member', () => hub().members === 0);
  });

  it('counts heartbeats behind fragments and variables, and frees the budget when one completes', async () => {
    const client = await connection(t.url);
    for (let i = 0; i < 10; i++) client.subscribe(`slow${i}`, `subscription { s${i}: heartbeat { tick } }`);
    await until('10 members', () => hub().members === 10);
    client.subscribe(
      'frag',
      'subscription { ...F } fragment F on Subscription { heartbeat(intervalMs: 60000) { tick } }',
    );
    client.subscribe(
      'inline',
      'subscription { ... on Subscription { heartbeat(intervalMs: 60000) { tick } } }',
    );
    client.socket.send(
      JSON.stringify({
        id: 'var',
        type: 'subscribe',
        payload: {
          query: 'subscription ($ms: Int!) { heartbeat(intervalMs: $ms) { tick } }',
          variables: { ms: 60000 },
        },
      }),
    );
    for (const id of ['frag', 'inline', 'var']) {
      expect((await client.error(id)).payload).toEqual([
        expect.objectContaining({ extensions: { code: 'RATE_LIMITED', limit: 10 } }),
      ]);
    }
    // Nor does spelling the message type with escapes take a heartbeat around the budget.
    client.socket.send(
      '{"id":"esc","type":"\\u0073ubscribe","payload":{"query":"subscription { heartbeat(intervalMs: 100) { tick } }"}}',
    );
    expect((await client.error('esc')).payload).toEqual([
      expect.objectContaining({ extensions: { code: 'RATE_LIMITED', limit: 10 } }),
    ]);
    // Other subscriptions are not heartbeats: they still fit.
    client.subscribe('events', 'subscription { events { id } }');
    await until('11 members', () => hub().members === 11);
    client.complete('slow0');
    await until('10 members', () => hub().members === 10);
    client.subscribe(
      'frag2',
      'subscription { ...F } fragment F on Subscription { heartbeat(intervalMs: 1000) { tick } }',
    );
    await until('11 members again', () => hub().members === 11);
    expect(client.messages.filter((m) => m.type === 'error').map((m) => m.id)).toEqual([
      'frag',
      'inline',
      'var',
      'esc',
    ]);
    client.socket.close();
    await until('no member', () => hub().members === 0);
  });
});

describe('WebSocket connections per client', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ WS_MAX_CONNECTIONS_PER_CLIENT: '3' });
  });
  afterAll(() => t.close());

  it('refuses a client its 4th WebSocket with 429 at the upgrade, and takes it once one closes', async () => {
    const open = await Promise.all([connection(t.url), connection(t.url), connection(t.url)]);
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL);
      socket.once('open', () => reject(new Error('the 4th connection was accepted')));
      socket.once('error', () => {});
      socket.once('unexpected-response', (_req, res: IncomingMessage) => {
        let body = '';
        res.on('data', (data: Buffer) => (body += String(data)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    expect(refused).toEqual({
      status: 429,
      body: JSON.stringify({
        errors: [
          {
            message:
              'This client already holds 3 WebSocket connections, the most WS_MAX_CONNECTIONS_PER_CLIENT allows: close one, or run several subscriptions over one connection.',
            extensions: { code: 'RATE_LIMITED' },
          },
        ],
      }),
    });
    // Plain HTTP is not affected.
    expect((await t.graphql('{ latestEventCursor }')).errors).toBeUndefined();

    const [first, ...others] = open;
    first.socket.close();
    await new Promise((resolve) => first.socket.once('close', resolve));
    // The server counts the socket out when its side of it closes, a moment after the client's.
    let replacement: Awaited<ReturnType<typeof connection>> | undefined;
    for (let attempt = 0; replacement === undefined; attempt++) {
      replacement = await connection(t.url).catch((error: unknown) => {
        if (attempt >= 50 || !String(error).includes('429')) throw error;
        return sleep(20).then(() => undefined);
      });
    }
    await Promise.all(
      [replacement, ...others].map(async ({ socket }) => {
        socket.close();
        await new Promise((resolve) => socket.once('close', resolve));
      }),
    );
    await sleep(50);
  });
});
