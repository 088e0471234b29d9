/** Workload-1 peer: Apollo Server 5 + DataLoader (bench/peers/invoices.ts), as its docs show (standalone server). */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { invoicesServer, peerSettings, typeDefs } from './invoices.ts';
import type { PeerContext } from './invoices.ts';

const { port, upstream } = peerSettings();
const server = invoicesServer(upstream);
const apollo = new ApolloServer<PeerContext>({ typeDefs, resolvers: server.resolvers });
const { url } = await startStandaloneServer(apollo, {
  listen: { port, host: '127.0.0.1' },
  context: () => Promise.resolve(server.context()),
});
process.stdout.write(`apollo-dataloader peer is up: ${url.replace(/\/$/, '')}/graphql\n`);
