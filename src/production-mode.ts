import { credentialsConfigured, anonymousAllowed } from './auth/auth-config.ts';
import type { CoreConfig } from './config.ts';

/**
 * Defaults that differ in production (`NODE_ENV=production`): what helps a
 * developer explore (GraphiQL, introspection) is off there, and the rate limit
 * is on. A value the user sets always wins.
 */

export function isProduction(core: CoreConfig): boolean {
  return core.NODE_ENV === 'production';
}

/** GraphiQL at /graphql: `GRAPHIQL`, else on outside production. */
export function graphiqlEnabled(core: CoreConfig): boolean {
  return core.GRAPHIQL ?? !isProduction(core);
}

/** Introspection queries: `INTROSPECTION`, else on outside production. */
export function introspectionEnabled(core: CoreConfig): boolean {
  return core.INTROSPECTION ?? !isProduction(core);
}

/** Operations per minute per client: `RATE_LIMIT_PER_MINUTE`, else 600 in production and no limit otherwise. */
export function rateLimitPerMinute(core: CoreConfig): number {
  return core.RATE_LIMIT_PER_MINUTE ?? (isProduction(core) ? 600 : 0);
}

/** GraphiQL's subscription transport: `GRAPHIQL_SUBSCRIPTIONS`, else `sse` when clients must authenticate, `ws` otherwise. */
export function graphiqlSubscriptions(core: CoreConfig): 'ws' | 'sse' {
  return core.GRAPHIQL_SUBSCRIPTIONS ?? (anonymousAllowed(core) ? 'ws' : 'sse');
}

/** Settings that contradict each other, each with its fix. */
export function modeProblems(core: CoreConfig): string[] {
  const problems: string[] = [];
  if (graphiqlEnabled(core) && !introspectionEnabled(core)) {
    problems.push(
      `GraphiQL is on${core.GRAPHIQL === undefined ? ' (the default outside production)' : ''} but introspection is off${core.INTROSPECTION === undefined ? ' (the default in production)' : ''}: GraphiQL needs it to show the schema. Fix: set INTROSPECTION=1, or GRAPHIQL=0.`,
    );
  }
  if (graphiqlEnabled(core) && core.GRAPHIQL_SUBSCRIPTIONS === 'ws' && credentialsConfigured(core)) {
    problems.push(
      'GRAPHIQL_SUBSCRIPTIONS=ws with client authentication: GraphiQL sends its Headers over HTTP only, so its graphql-ws subscriptions would be refused (4401). Fix: set GRAPHIQL_SUBSCRIPTIONS=sse, or unset it (sse is then the default).',
    );
  }
  return problems;
}
