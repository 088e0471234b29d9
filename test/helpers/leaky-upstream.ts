import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Connector } from '../../src/connector.ts';
import { connectors } from '../../connectors/index.ts';
import { loadConfig } from '../../src/config.ts';
import { EventLogUnavailableError } from '../../src/events/log.ts';
import type { EventLog } from '../../src/events/log.ts';
import { createMemoryEventLog } from '../../src/events/memory-log.ts';
import { createGateway } from '../../src/gateway.ts';
import type { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';
import { collectSecrets, Redactor } from '../../src/redact.ts';
import { TEST_EPOCH } from './gateway.ts';

/**
 * Known secrets a leak test configures, each something a careless gateway would
 * pass on: the product API's key (echoed by the fake upstream from the
 * Authorization header), a base URL's password, a Stripe key and webhook
 * secret. (Client keys and a JWT secret are left out: they would make every
 * request need credentials; test/redaction.test.ts covers how they are collected.)
 */
export const SECRETS = {
  appApiKey: 'app_live_K3y-for-leak-tests-9f8e7d',
  appUrlPassword: 'Pa55word-in-url',
  stripeApiKey: 'sk_test_LeakTestKey0123456789',
  stripeUrlPassword: 'StripePass-99xq',
  stripeWebhookSecret: 'whsec_LeakTestWebhookSecret4242',
  /** A credential the upstream mentions that the gateway never knew: only its URL form can be caught. */
  databasePassword: 'db-hunter2-pass',
} as const;

/** Every string no response or log line may contain. */
export const FORBIDDEN: readonly string[] = Object.values(SECRETS);

/**
 * A fake product API that fails every call, echoing what a careless upstream
 * echoes: the Authorization header it got, a database URL with a password and
 * a file path. Lookups by email answer 401, anything else 500.
 */
export async function startLeakyUpstream(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const echoed =
      `auth=${req.headers.authorization ?? ''} ` +
      `db=postgres://admin:${SECRETS.databasePassword}@10.1.2.3:5432/prod at /srv/app/src/db.ts:42`;
    const status = req.method === 'POST' || (req.url ?? '').includes('email=') ? 401 : 500;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_LeakTest42' });
    res.end(JSON.stringify({ error: { code: 'internal_error', message: echoed } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An error whose message carries secrets, a URL password and a file path. */
export function leakyError(): Error {
  return new Error(
    `unexpected: token ${SECRETS.appApiKey} for http://svc:${SECRETS.appUrlPassword}@127.0.0.1/ at /srv/app/src/x.ts:1`,
  );
}

/**
 * An event log that cannot be read, its reason naming a host and port as Redis's
 * does, and whose appends fail unexpectedly with a message full of internals.
 */
function brokenEventLog(): EventLog {
  return {
    ...createMemoryEventLog(),
    read: () =>
      Promise.reject(
        new EventLogUnavailableError('Redis is unreachable: connect ECONNREFUSED 10.1.2.3:6379.'),
      ),
    append: () =>
      Promise.reject(
        new Error(
          `append failed on redis://:${SECRETS.databasePassword}@10.1.2.3:6379 at /srv/app/src/redis.ts:9`,
        ),
      ),
  };
}

/**
 * The app connector with two resolvers broken on purpose: `appUser` throws an
 * unexpected error, and `userCreated` subscriptions fail mid-stream.
 */
function brokenConnectors(): Connector[] {
  return connectors.map((connector) => {
    if (connector.name !== 'app') return connector;
    const resolvers = connector.resolvers as Record<string, Record<string, unknown>>;
    return {
      ...connector,
      resolvers: {
        ...resolvers,
        Query: {
          ...resolvers['Query'],
          appUser: () => {
            throw leakyError();
          },
        },
        Subscription: {
          ...resolvers['Subscription'],
          userCreated: {
            // eslint-disable-next-line require-yield -- fails before its first event, as a broken source would
            subscribe: async function* () {
              await Promise.resolve();
              throw leakyError();
            },
          },
        },
      },
    };
  });
}

export interface LeakTestGateway {
  gateway: Gateway;
  url: string;
  /** Every log line the gateway wrote, as written. */
  logs: string[];
  graphql(query: string): Promise<{ status: number; text: string; body: LeakyResponse }>;
  close(): Promise<void>;
}

export interface LeakyResponse {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * A gateway whose app connector talks to `appBaseUrl` and whose Stripe connector
 * to `stripeBaseUrl`, both with credentials in the URL, every secret of
 * {@link SECRETS} configured, an event log that cannot be read, logging at debug level into `logs`.
 */
export async function startLeakTestGateway(options: {
  nodeEnv: 'production' | 'development';
  appBaseUrl: string;
  stripeBaseUrl: string;
}): Promise<LeakTestGateway> {
  const withPassword = (url: string, user: string, password: string) =>
    url.replace('://', `://${user}:${password}@`);
  const env: Record<string, string> = {
    NODE_ENV: options.nodeEnv,
    LOG_LEVEL: 'debug',
    SANDBOX: '1',
    DEMO_EVENTS: '0',
    ALLOW_ANONYMOUS: '1',
    APP_API_KEY: SECRETS.appApiKey,
    APP_BASE_URL: withPassword(options.appBaseUrl, 'svc', SECRETS.appUrlPassword),
    STRIPE_API_KEY: SECRETS.stripeApiKey,
    STRIPE_BASE_URL: withPassword(options.stripeBaseUrl, 'stripeuser', SECRETS.stripeUrlPassword),
    STRIPE_WEBHOOK_SECRET: SECRETS.stripeWebhookSecret,
    UPSTREAM_ATTEMPT_TIMEOUT_MS: '1000',
  };
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const redactor = new Redactor(collectSecrets(env));
  const list = brokenConnectors();
  const config = loadConfig(env, list);
  const gateway = await createGateway({
    config,
    connectors: list,
    log: createLogger(config.core.LOG_LEVEL, destination, redactor),
    env,
    events: brokenEventLog(),
    demoEpoch: TEST_EPOCH,
    redactor,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    gateway,
    url,
    logs,
    async graphql(query) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as LeakyResponse };
    },
    close: () => gateway.close(),
  };
}

/** What in `text` must never reach a client in production: secrets, hosts, network errors, stacks, paths. */
export function leaksIn(text: string, options: { production: boolean }): string[] {
  const found = FORBIDDEN.filter((secret) => text.includes(secret));
  if (options.production) {
    for (const marker of ['127.0.0.1', '10.1.2.3', 'ECONNREFUSED', '/srv/app', '.ts:', '    at ', 'stack']) {
      if (text.includes(marker)) found.push(marker);
    }
  }
  return found;
}
