import { authHeader, ws } from '../harness.ts';
import type { HostileCase, Target, WsFrame } from '../harness.ts';

/**
 * graphql-ws over WebSocket: protocol violations, forged or repeated
 * `connection_init`, subscribe before ack, bad frames, and hostile operations.
 */

const area = 'websocket';

/** The `connection_init` a legitimate client of `target` sends. */
const init = (t: Target) => {
  const authorization = authHeader(t)['authorization'];
  return { type: 'connection_init', payload: authorization === undefined ? {} : { authorization } };
};

const subscribe = (id: string, query: string, variables?: Record<string, unknown>) => ({
  id,
  type: 'subscribe',
  payload: variables === undefined ? { query } : { query, variables },
});

/** Acknowledged first, as a legitimate client; then `frames`. */
const after = (t: Target, ...frames: WsFrame[]) => ws(t, { send: [init(t)], afterAck: frames });

export const websocketCases: HostileCase[] = [
  {
    area,
    name: 'no connection_init within the timeout',
    run: (t) => ws(t, { send: [], waitMs: 4_500 }),
    expect: { close: 4408 },
  },
  {
    area,
    name: 'subscribe before connection_init',
    run: (t) => ws(t, { send: [subscribe('1', 'subscription { events { id } }')] }),
    expect: { close: 4401 },
  },
  {
    area,
    name: 'connection_init twice',
    run: (t) => ws(t, { send: [init(t), init(t)] }),
    expect: { close: 4429 },
  },
  {
    area,
    name: 'a frame that is not JSON',
    run: (t) => after(t, '{"type":"subscribe",'),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'a binary frame',
    run: (t) => after(t, Buffer.from([0, 1, 2, 3, 255])),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'an unknown message type',
    run: (t) => after(t, { type: 'evil', id: '1' }),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'a subscribe without an id',
    run: (t) => after(t, { type: 'subscribe', payload: { query: '{ gateway { version } }' } }),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'a subscribe whose payload is a string',
    run: (t) => after(t, { type: 'subscribe', id: '1', payload: 'subscription { events { id } }' }),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'a connection_init whose payload is an array',
    run: (t) => ws(t, { send: [{ type: 'connection_init', payload: [1, 2] }] }),
    expect: { close: 4400 },
  },
  {
    area,
    name: 'two subscriptions with the same id',
    run: (t) =>
      after(
        t,
        subscribe('dup', 'subscription { events { id } }'),
        subscribe('dup', 'subscription { events { id } }'),
      ),
    expect: { close: 4409 },
  },
  {
    area,
    name: 'a frame of 2 MiB',
    run: (t) =>
      after(
        t,
        JSON.stringify(subscribe('1', `subscription { events { id } } #${'x'.repeat(2 * 1024 * 1024)}`)),
      ),
    expect: { close: 1009 },
  },
  {
    area,
    name: 'an unknown subprotocol',
    run: (t) => ws(t, { protocol: 'graphql-ws-evil', send: [] }),
    // graphql-ws accepts no other protocol: the upgrade completes without one, which a client must refuse.
    expect: { status: -1 },
  },
  {
    area,
    name: 'a subscription that does not parse',
    run: (t) => after(t, subscribe('1', 'subscription { events { ')),
    expect: { close: 0, code: 'GRAPHQL_PARSE_FAILED' },
  },
  {
    area,
    name: 'a subscription to an unknown field',
    run: (t) => after(t, subscribe('1', 'subscription { evnts { id } }')),
    expect: { close: 0, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    area,
    name: 'a subscription nested beyond the depth limit',
    run: (t) =>
      after(
        t,
        subscribe(
          '1',
          `subscription { orderCreated { order { customer { ${'orders(first: 1) { edges { node { customer { '.repeat(4)}email${' } } } }'.repeat(4)} } } } }`,
        ),
      ),
    expect: { close: 0, code: 'BAD_USER_INPUT' },
  },
  {
    area,
    name: 'a heartbeat every millisecond',
    run: (t) => after(t, subscribe('1', 'subscription { heartbeat(intervalMs: 1) { tick } }')),
    expect: { close: 0, code: 'BAD_USER_INPUT' },
  },
  {
    area,
    name: 'a subscription with 20,000 types in its filter',
    run: (t) =>
      after(
        t,
        subscribe('1', 'subscription ($f: EventFilter) { events(filter: $f) { id } }', {
          f: { types: Array.from({ length: 20_000 }, (_, i) => `t${i}`) },
        }),
      ),
    expect: { close: 0, code: 'BAD_USER_INPUT' },
  },
  {
    area,
    name: 'a subscription with a malformed cursor',
    run: (t) => after(t, subscribe('1', 'subscription { events(after: "not-a-cursor\\u0000") { id } }')),
    expect: { close: 0, code: 'BAD_USER_INPUT' },
  },
  {
    area,
    name: 'a mutation of an unknown field over the socket',
    run: (t) => after(t, subscribe('1', 'mutation { dropEverything }')),
    expect: { close: 0, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    area,
    name: 'an upgrade on another path',
    run: async (t) => {
      const { raw } = await import('../harness.ts');
      return raw(t, [
        'GET /webhooks/stripe HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
      ]);
    },
    expect: { status: 404 },
  },
];
