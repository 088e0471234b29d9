/**
 * The peer baseline of the bench: the typical hand-rolled "webhooks to
 * GraphQL subscriptions" server. graphql-yoga with its in-process
 * `createPubSub`, graphql-ws on the same HTTP server (yoga's documented
 * recipe), and a POST /webhook route that parses the JSON body and publishes
 * it. It does NOT verify signatures, de-duplicate re-deliveries, validate the
 * payload's shape beyond "has an id and a type", store events, assign durable
 * cursors, replay history or bound a slow subscriber's queue.
 *
 * With REDIS_URL set it is the Redis peer instead: the same server with
 * yoga's documented `@graphql-yoga/redis-event-target` under its pubsub, so
 * several instances on one Redis act as one (a webhook posted to any reaches
 * subscribers on all). Its dependencies need ioredis 5 and live apart from the
 * project's, in bench/peers/redis (`npm run bench` installs them).
 *
 * Env: PORT (default 0 = any free port), HOST (default 127.0.0.1), REDIS_URL (default: none, in-process).
 * Prints `yoga-pubsub peer is up: http://<host>:<port>/graphql` once listening.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DocumentNode, ExecutionArgs, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';

interface PeerEvent {
  id: string;
  cursor: string;
  type: string;
  data: unknown;
}

/** What the peer needs of ioredis 5 and of `createRedisEventTarget`, resolved from bench/peers/redis. */
type RedisClient = object;
interface RedisPeerModules {
  Redis: new (url: string) => RedisClient;
  createRedisEventTarget: (args: { publishClient: RedisClient; subscribeClient: RedisClient }) => unknown;
}

async function redisEventTarget(url: string): Promise<unknown> {
  const require = createRequire(new URL('./redis/package.json', import.meta.url));
  const load = async <T>(name: string): Promise<T> => {
    let path: string;
    try {
      path = require.resolve(name);
    } catch {
      throw new Error(`${name} is not installed: run \`npm ci --prefix bench/peers/redis\``);
    }
    return (await import(path)) as T;
  };
  const { Redis } = await load<Pick<RedisPeerModules, 'Redis'>>('ioredis');
  const { createRedisEventTarget } = await load<Pick<RedisPeerModules, 'createRedisEventTarget'>>(
    '@graphql-yoga/redis-event-target',
  );
  return createRedisEventTarget({ publishClient: new Redis(url), subscribeClient: new Redis(url) });
}

const redisUrl = process.env['REDIS_URL'];
const pubSub = createPubSub<{ events: [PeerEvent] }>(
  redisUrl === undefined || redisUrl === ''
    ? undefined
    : { eventTarget: (await redisEventTarget(redisUrl)) as never },
);
let lastSeq = 0;

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      latestEventCursor: String!
    }
    type Event {
      id: ID!
      cursor: String!
      type: String!
    }
    type Subscription {
      events: Event!
    }
  `,
  resolvers: {
    Query: { latestEventCursor: () => String(lastSeq) },
    Subscription: {
      events: {
        subscribe: () => pubSub.subscribe('events'),
        resolve: (event: PeerEvent) => event,
      },
    },
  },
});

const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', graphiql: false, landingPage: false });

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    send(res, 400, { error: 'invalid JSON' });
    return;
  }
  const { id, type } = (body ?? {}) as { id?: unknown; type?: unknown };
  if (typeof id !== 'string' || typeof type !== 'string') {
    send(res, 400, { error: 'an event needs a string id and type' });
    return;
  }
  pubSub.publish('events', { id, cursor: String(++lastSeq), type, data: body });
  send(res, 200, { received: 1 });
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/webhook' && req.method === 'POST') {
    webhook(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal' });
      else res.destroy();
    });
  } else {
    void yoga.handle(req, res);
  }
});

// yoga's documented graphql-ws integration: the envelop pipeline runs per subscription.
interface RootValue {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}
const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
useServer(
  {
    execute: (args) => (args.rootValue as RootValue).execute(args) as never,
    subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
    onSubscribe: async (ctx, _id, params) => {
      const enveloped = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
      });
      const args = {
        schema: enveloped.schema as GraphQLSchema,
        operationName: params.operationName ?? null,
        document: enveloped.parse(params.query) as DocumentNode,
        variableValues: params.variables ?? null,
        contextValue: await enveloped.contextFactory(),
        rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
      } as ExecutionArgs;
      const errors = enveloped.validate(args.schema, args.document) as readonly Error[];
      return errors.length > 0 ? (errors as never) : args;
    },
  },
  wsServer,
);

const port = Number(process.env['PORT'] ?? '0');
const host = process.env['HOST'] ?? '127.0.0.1';
server.listen(port, host, () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`yoga-pubsub peer is up: http://${host}:${String(address.port)}/graphql\n`);
});

const stop = () => {
  for (const client of wsServer.clients) client.terminate();
  wsServer.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
