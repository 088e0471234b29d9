import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import {
  graphiqlEnabled,
  graphiqlSubscriptions,
  introspectionEnabled,
  rateLimitPerMinute,
} from '../src/production-mode.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, gql, wsClient } from './helpers/auth.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { configProblems } from './helpers/config.ts';

/** Production with the emulators asked for on purpose, so only the rules under test speak. */
const SANDBOXED = { SANDBOX: '1' };

const problems = (env: Record<string, string>) => configProblems({ ...SANDBOXED, ...env });
const core = (env: Record<string, string>) => loadConfig({ ...SANDBOXED, ...env }, connectors).core;
const INTROSPECT = '{ __schema { queryType { name } } }';
const disabled = {
  message: 'Introspection is disabled on this gateway ("__schema"): set INTROSPECTION=1 to enable it.',
  extensions: { code: 'BAD_USER_INPUT' },
};

describe('production mode start-up', () => {
  it('refuses to run with no client authentication unless ALLOW_ANONYMOUS=1 says so', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'NODE_ENV=production with no client authentication: anyone who reaches the port would read every source. Fix: set GATEWAY_API_KEYS (e.g. GATEWAY_API_KEYS="$(openssl rand -hex 32):billing,crm") or JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL; or set ALLOW_ANONYMOUS=1 to run open on purpose.',
    ]);
    expect(problems({ NODE_ENV: 'production', ALLOW_ANONYMOUS: '1' })).toEqual([]);
    expect(problems({ NODE_ENV: 'production', GATEWAY_API_KEYS })).toEqual([]);
  });

  it('says so when ALLOW_ANONYMOUS contradicts the credentials', () => {
    expect(problems({ ALLOW_ANONYMOUS: '1', GATEWAY_API_KEYS })).toEqual([
      'ALLOW_ANONYMOUS=1 conflicts with GATEWAY_API_KEYS / JWT_*: with credentials configured every client must authenticate. Fix: unset ALLOW_ANONYMOUS, or unset the keys and JWT settings to run open.',
    ]);
    expect(problems({ ALLOW_ANONYMOUS: '0' })).toEqual([
      'ALLOW_ANONYMOUS=0 but no GATEWAY_API_KEYS and no JWT are configured: no client could get in. Fix: set GATEWAY_API_KEYS (or JWT_*), or unset ALLOW_ANONYMOUS.',
    ]);
  });

  it('turns GraphiQL and introspection off and the rate limit on in production; an explicit value wins', () => {
    const dev = core({});
    expect([
      graphiqlEnabled(dev),
      introspectionEnabled(dev),
      rateLimitPerMinute(dev),
      graphiqlSubscriptions(dev),
    ]).toEqual([true, true, 0, 'ws']);
    const prod = core({ NODE_ENV: 'production', GATEWAY_API_KEYS });
    expect([graphiqlEnabled(prod), introspectionEnabled(prod), rateLimitPerMinute(prod)]).toEqual([
      false,
      false,
      600,
    ]);
    const chosen = core({
      NODE_ENV: 'production',
      GATEWAY_API_KEYS,
      GRAPHIQL: '1',
      INTROSPECTION: '1',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    expect([graphiqlEnabled(chosen), introspectionEnabled(chosen), rateLimitPerMinute(chosen)]).toEqual([
      true,
      true,
      0,
    ]);
    expect(graphiqlSubscriptions(chosen)).toBe('sse');
    const devOff = core({ GRAPHIQL: '0', INTROSPECTION: '0', RATE_LIMIT_PER_MINUTE: '120' });
    expect([graphiqlEnabled(devOff), introspectionEnabled(devOff), rateLimitPerMinute(devOff)]).toEqual([
      false,
      false,
      120,
    ]);
  });

  it('refuses GraphiQL without introspection, and GraphiQL over graphql-ws with client authentication', () => {
    expect(problems({ NODE_ENV: 'production', GATEWAY_API_KEYS, GRAPHIQL: '1' })).toEqual([
      'GraphiQL is on but introspection is off (the default in production): GraphiQL needs it to show the schema. Fix: set INTROSPECTION=1, or GRAPHIQL=0.',
    ]);
    expect(problems({ INTROSPECTION: '0' })).toEqual([
      'GraphiQL is on (the default outside production) but introspection is off: GraphiQL needs it to show the schema. Fix: set INTROSPECTION=1, or GRAPHIQL=0.',
    ]);
    expect(problems({ GATEWAY_API_KEYS, GRAPHIQL_SUBSCRIPTIONS: 'ws' })).toEqual([
      'GRAPHIQL_SUBSCRIPTIONS=ws with client authentication: GraphiQL sends its Headers over HTTP only, so its graphql-ws subscriptions would be refused (4401). Fix: set GRAPHIQL_SUBSCRIPTIONS=sse, or unset it (sse is then the default).',
    ]);
    expect(problems({ RATE_LIMIT_PER_MINUTE: '-1' })).toEqual([
      'RATE_LIMIT_PER_MINUTE (RATE_LIMIT_PER_MINUTE="-1"): must be a whole number from 0 to 1000000. Fix: correct it or unset it to use the default.',
    ]);
  });
});

describe('a production gateway with keys', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ NODE_ENV: 'production', GATEWAY_API_KEYS });
  });
  afterAll(() => t.close());

  it('serves no GraphiQL page', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    const withKey = await fetch(`${t.url}/graphql`, {
      headers: { accept: 'text/html', authorization: bearer(KEYS.reads) },
    });
    // A plain browser GET carries no preflight header, so CSRF prevention refuses it: there is no page to show.
    expect(withKey.status).toBe(400);
    expect(await withKey.text()).not.toContain('graphiql');
  });

  it('refuses introspection over HTTP and graphql-ws with a clear validation error; __typename still works', async () => {
    const http = await gql(fetch, t.url, INTROSPECT, { authorization: bearer(KEYS.all) });
    expect(http.status).toBe(400);
    expect(http.body).toEqual({ errors: [{ ...disabled, locations: [{ line: 1, column: 3 }] }] });
    const type = await gql(fetch, t.url, '{ __type(name: "Query") { name } }', {
      authorization: bearer(KEYS.all),
    });
    expect(type.body.errors?.[0]?.message).toBe(
      'Introspection is disabled on this gateway ("__type"): set INTROSPECTION=1 to enable it.',
    );
    const typename = await gql(fetch, t.url, '{ __typename }', { authorization: bearer(KEYS.reads) });
    expect(typename.body).toEqual({ data: { __typename: 'Query' } });

    const socket = wsClient(t.url, { authorization: bearer(KEYS.all) });
    await socket.acked;
    const result = await new Promise((resolve) => {
      socket.client.subscribe(
        { query: INTROSPECT },
        { next: resolve, error: (error) => resolve({ error }), complete: () => {} },
      );
    });
    expect(result).toMatchObject({ error: [{ ...disabled, locations: [{ line: 1, column: 3 }] }] });
    await socket.client.dispose();
  });

  it('requires credentials', async () => {
    expect((await gql(fetch, t.url, '{ __typename }')).status).toBe(401);
  });
});

describe('a production gateway open on purpose, with GraphiQL and introspection asked for', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      NODE_ENV: 'production',
      ALLOW_ANONYMOUS: '1',
      GRAPHIQL: '1',
      INTROSPECTION: '1',
    });
  });
  afterAll(() => t.close());

  it('serves anyone, GraphiQL and introspection', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('"subscriptionsProtocol":"WS"');
    expect((await gql(fetch, t.url, INTROSPECT)).body).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
  });
});
