import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import Stripe from 'stripe';
import WebSocket from 'ws';
import { connectors } from '../../connectors/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createGateway } from '../../src/gateway.ts';
import type { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';
import type { RunningSandbox } from '../../src/sandbox/types.ts';

/** The demo world's fixed start in tests, so seeded data is the same on every run. */
/**
 * For tests of the upstream path itself (faults injected into an emulator,
 * calls counted): every query must reach the source, not the response cache.
 */
export const NO_RESPONSE_CACHE = { RESPONSE_CACHE_TTL_S: '0' } as const;

export const TEST_EPOCH = 1_767_225_600;

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestGateway {
  gateway: Gateway;
  /** `http://127.0.0.1:<port>` */
  url: string;
  stripe: RunningSandbox;
  /** POSTs a GraphQL operation over real HTTP. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client on this gateway; closed with the gateway. */
  ws(): Client;
  /** Signs `body` as Stripe would with the sandbox's webhook secret and POSTs it to /webhooks/stripe. */
  postStripe(
    body: string,
    options?: { timestamp?: number; secret?: string },
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Options of {@link startTestGateway}. */
export interface TestGatewayOptions {
  /** Unix seconds the demo world starts at; `null`: as `npm start` does (the start of the current UTC day). Default: {@link TEST_EPOCH}. */
  demoEpoch?: number | null;
  /** Where the gateway's JSON log lines go. Default: stdout. */
  logTo?: NodeJS.WritableStream;
}

/** The running emulator of each sandboxed source of `gateway`, by source name. */
export function sandboxesOf(gateway: Gateway): Record<string, RunningSandbox> {
  return Object.fromEntries(
    gateway.sources.flatMap((s) => (s.sandbox ? [[s.name, s.sandbox] as const] : [])),
  );
}

/** Starts a sandboxed gateway on a free port, with a demo clock that only ticks when told. */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const fullEnv = { LOG_LEVEL: 'silent', DEMO_INTERVAL_MS: '3600000', SANDBOX: '1', ...env };
  const config = loadConfig(fullEnv, connectors);
  const gateway = await createGateway({
    config,
    connectors,
    log: createLogger(config.core.LOG_LEVEL, options.logTo),
    env: fullEnv,
    demoEpoch: options.demoEpoch === null ? undefined : (options.demoEpoch ?? TEST_EPOCH),
  });
  const url = await gateway.listen(0, '127.0.0.1');
  const stripe = gateway.sources.find((s) => s.name === 'stripe')?.sandbox;
  if (!stripe) throw new Error('the stripe sandbox did not start');
  const clients: Client[] = [];
  const signer = new Stripe('sk_test_unused');

  return {
    gateway,
    url,
    stripe,
    async graphql<T>(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<T>;
    },
    ws() {
      const client = createClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async postStripe(body, options = {}) {
      const secret = options.secret ?? stripe.env['STRIPE_WEBHOOK_SECRET'] ?? '';
      const header = signer.webhooks.generateTestHeaderString({
        payload: body,
        secret,
        timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
      });
      const response = await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body,
      });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await gateway.close();
    },
  };
}

/** Collects the next `count` results of a graphql-ws subscription. */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  timeoutMs = 10_000,
): { done: Promise<T[]>; cancel: () => void } {
  const results: T[] = [];
  let cancel = () => {};
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`timed out with ${results.length} of ${count} results: ${JSON.stringify(results)}`)),
      timeoutMs,
    );
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(value.errors)));
            return;
          }
          results.push(value.data as T);
          if (results.length === count) {
            clearTimeout(timer);
            cancel();
            resolve(results);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          clearTimeout(timer);
          if (results.length < count) reject(new Error(`completed after ${results.length} of ${count}`));
        },
      },
    );
  });
  return { done, cancel: () => cancel() };
}

/** A Stripe customer object as the API returns it, with the given id, email and name. */
export function stripeCustomer(id: string, email: string, name: string): Record<string, unknown> {
  return {
    id,
    object: 'customer',
    email,
    name,
    phone: null,
    currency: 'usd',
    balance: 0,
    delinquent: false,
    created: 1_767_225_600,
    livemode: false,
    metadata: {},
  };
}

/** A Stripe event body, as Stripe sends it, for a customer. */
export function stripeCustomerEvent(id: string, type: string, customer: Record<string, unknown>): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor(Date.now() / 1000),
    data: { object: customer },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}
