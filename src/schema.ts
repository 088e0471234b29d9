import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from './generated/resolvers.ts';

/** Directory of the public SDL contract. */
export const SCHEMA_DIR = join(import.meta.dirname, '..', 'schema');

/** The SDL files of the public contract, in a stable order. */
export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** The executable schema: the SDL contract plus the core's and every connector's resolvers. */
export function buildSchema(resolvers: readonly Resolvers[]): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: [...resolvers] });
}
