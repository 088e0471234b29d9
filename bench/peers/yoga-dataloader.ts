/** Workload-1 peer: graphql-yoga + DataLoader (bench/peers/invoices.ts), as a team would write it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import { invoicesServer, peerSettings, typeDefs } from './invoices.ts';

const { port, upstream } = peerSettings();
const server = invoicesServer(upstream);
const yoga = createYoga({
  schema: makeExecutableSchema({ typeDefs, resolvers: server.resolvers }),
  context: () => server.context(),
  logging: false,
  graphiql: false,
});
// yoga is a request listener that returns a promise; node ignores it, as yoga's docs do.
const http = createServer((req, res) => void yoga(req, res));
http.keepAliveTimeout = 120_000;
http.listen(port, '127.0.0.1', () => {
  const { port: bound } = http.address() as AddressInfo;
  process.stdout.write(`yoga-dataloader peer is up: http://127.0.0.1:${String(bound)}/graphql\n`);
});
