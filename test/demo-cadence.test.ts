import { readFileSync } from 'node:fs';
import { Kind, OperationTypeNode, parse, print } from 'graphql';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { createMemoryEventLog } from '../src/events/memory-log.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import type { DemoClock } from '../src/sandbox/demo-clock.ts';
import { TEST_EPOCH } from './helpers/gateway.ts';

/** The README's promise: an event within 10 s of subscribing, at one tick every 3 s. */
const TICKS = 3;
/** How long the events of a tick may take to reach a subscriber once its webhooks are answered. */
const SETTLE_MS = 500;

/** Every subscription the README shows: its GraphQL blocks' operations, and its inline examples. */
function readmeSubscriptions(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const inline = [...readme.matchAll(/`(subscription\s*[{(][^`]*)`/g)].map((m) => m[1] ?? '');
  return [...blocks, ...inline].flatMap((source) =>
    parse(source)
      .definitions.filter(
        (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.SUBSCRIPTION,
      )
      .map((d) => print(d)),
  );
}

let gateway: Gateway;
let demo: DemoClock;
let url: string;
/** Subscriptions the event log has started, so a test knows when its subscribers are listening. */
let started = 0;

beforeAll(async () => {
  const env = { LOG_LEVEL: 'silent', DEMO_INTERVAL_MS: '3600000', SANDBOX: '1' };
  const config = loadConfig(env, connectors);
  const log = createMemoryEventLog();
  const subscribe = log.subscribe.bind(log);
  log.subscribe = (options) => {
    started++;
    return subscribe(options);
  };
  gateway = await createGateway({
    config,
    connectors,
    log: createLogger('silent'),
    env,
    events: log,
    demoEpoch: TEST_EPOCH,
  });
  url = (await gateway.listen(0, '127.0.0.1')).replace('http', 'ws');
  if (gateway.demo === null) throw new Error('the demo clock did not start');
  demo = gateway.demo;
});

afterAll(async () => {
  await gateway.close();
});

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('the demo cadence', () => {
  const examples = readmeSubscriptions();

  it('finds the README’s subscription examples', () => {
    const fields = examples.map((e) => /subscription[^{]*\{\s*(\w+)/.exec(e)?.[1]);
    expect(new Set(fields)).toEqual(
      new Set(['events', 'customerChanged', 'orderCreated', 'ticketUpdated', 'userCreated']),
    );
  });

  // The cadence repeats every six ticks (two spotlight people, three kinds of change in turn):
  // subscribing at each phase covers every moment a reader may start.
  it.each([0, 1, 2, 3, 4, 5])(
    'gives each README example an event within three ticks of subscribing (phase %i)',
    async (phase) => {
      while (demo.ticks % 6 !== phase) await demo.tick();
      const client: Client = createClient({
        url: `${url}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      const firstAt = new Map<string, number>();
      const failures: string[] = [];
      const before = started;
      const from = demo.ticks;
      try {
        for (const query of examples) {
          client.subscribe(
            { query },
            {
              next: (result) => {
                if (result.errors !== undefined || result.data == null)
                  failures.push(`${query}: ${JSON.stringify(result)}`);
                if (!firstAt.has(query)) firstAt.set(query, demo.ticks);
              },
              error: (error) => failures.push(`${query}: ${JSON.stringify(error)}`),
              complete: () => {},
            },
          );
        }
        expect(await until(() => started === before + examples.length, 5000)).toBe(true);
        for (let i = 0; i < TICKS && firstAt.size < examples.length; i++) {
          await demo.tick();
          await until(() => firstAt.size === examples.length, SETTLE_MS);
        }
        expect(failures).toEqual([]);
        const late = examples.filter((e) => (firstAt.get(e) ?? Infinity) > from + TICKS);
        expect(late).toEqual([]);
      } finally {
        await client.dispose();
      }
    },
  );
});
