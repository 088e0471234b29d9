/**
 * Bench worker holding many idle graphql-ws subscribers, one connection and
 * one `events` subscription each, and timing when each receives an event.
 * Driven by bench/run.ts over IPC; see `handle` for the commands.
 */
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { now, serveCommands, SUBSCRIPTION, withTimeout } from '../lib/common.ts';

interface Subscriber {
  client: Client;
  gotAny: boolean;
  /** Set once disposed, when its close is expected. */
  disposed: boolean;
}

interface Waiter {
  resolve: (times: number[]) => void;
  reject: (error: Error) => void;
}

const subscribers: Subscriber[] = [];
/** Event id → receive times, one per subscriber that got it. */
const receipts = new Map<string, number[]>();
const waiters = new Map<string, Waiter>();
let failures: string[] = [];

function fail(message: string): void {
  failures.push(message);
  for (const waiter of waiters.values()) waiter.reject(new Error(message));
  waiters.clear();
}

function onEvent(subscriber: Subscriber, result: { data?: Record<string, unknown> | null }): void {
  const at = now();
  const event = result.data?.['events'] as { id?: unknown } | undefined;
  if (typeof event?.id !== 'string') {
    fail(`a subscriber got a result without an event: ${JSON.stringify(result).slice(0, 300)}`);
    return;
  }
  subscriber.gotAny = true;
  let times = receipts.get(event.id);
  if (times === undefined) {
    times = [];
    receipts.set(event.id, times);
  }
  times.push(at);
  if (times.length === subscribers.length) {
    const waiter = waiters.get(event.id);
    if (waiter !== undefined) {
      waiters.delete(event.id);
      receipts.delete(event.id);
      waiter.resolve(times);
    }
  }
}

function open(wsUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const subscriber: Subscriber = { client: null as unknown as Client, gotAny: false, disposed: false };
    subscriber.client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      on: {
        connected: () => {
          connected = true;
          resolve();
        },
        closed: (event) => {
          const code = (event as { code?: number } | undefined)?.code;
          const message = `a subscriber's connection closed (code ${String(code)})`;
          if (!connected) reject(new Error(message));
          else if (!subscriber.disposed) fail(message);
        },
      },
    });
    subscribers.push(subscriber);
    subscriber.client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (result) => onEvent(subscriber, result),
        error: (error: unknown) => {
          if (!subscriber.disposed) fail(`a subscription failed: ${JSON.stringify(error).slice(0, 300)}`);
        },
        complete: () => {
          if (!subscriber.disposed) fail('a subscription completed unexpectedly');
        },
      },
    );
  });
}

async function connect(args: { wsUrl: string; count: number; concurrency: number }): Promise<unknown> {
  const started = now();
  let next = 0;
  const runner = async () => {
    while (next < args.count) {
      next++;
      await withTimeout(open(args.wsUrl), 20_000, `a graphql-ws connection to ${args.wsUrl}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, runner));
  return { connected: subscribers.length, ms: now() - started };
}

function status(): unknown {
  return {
    count: subscribers.length,
    gotAny: subscribers.filter((s) => s.gotAny).length,
    failures: failures.slice(0, 5),
    failureCount: failures.length,
  };
}

/** Resolves with every subscriber's receive time of `eventId` (whether it arrived already or not). */
function awaitEvent(args: { eventId: string; timeoutMs: number }): Promise<number[]> {
  if (failures.length > 0) return Promise.reject(new Error(failures[0]));
  const times = receipts.get(args.eventId);
  if (times !== undefined && times.length === subscribers.length) {
    receipts.delete(args.eventId);
    return Promise.resolve(times);
  }
  const arrived = new Promise<number[]>((resolve, reject) => waiters.set(args.eventId, { resolve, reject }));
  return withTimeout(
    arrived,
    args.timeoutMs,
    `all ${String(subscribers.length)} subscribers to receive ${args.eventId} ` +
      `(${String(receipts.get(args.eventId)?.length ?? 0)} did)`,
  ).finally(() => waiters.delete(args.eventId));
}

async function close(): Promise<unknown> {
  const closed = subscribers.splice(0);
  for (const s of closed) s.disposed = true;
  await withTimeout(
    Promise.allSettled(closed.map((s) => Promise.resolve(s.client.dispose()))),
    10_000,
    'closing the subscribers',
  ).catch(() => undefined);
  receipts.clear();
  failures = [];
  return { closed: true };
}

serveCommands(async (cmd, args) => {
  switch (cmd) {
    case 'connect':
      return connect(args as { wsUrl: string; count: number; concurrency: number });
    case 'status':
      return status();
    case 'await':
      return awaitEvent(args as { eventId: string; timeoutMs: number });
    case 'forget':
      // Drops receipts of probe events, so only measured events are kept.
      receipts.clear();
      return { ok: true };
    case 'close':
      return close();
    default:
      throw new Error(`unknown command ${cmd}`);
  }
});
