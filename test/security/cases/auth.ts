import { SignJWT } from 'jose';
import { graphql, http, ws } from '../harness.ts';
import type { HostileCase, Target } from '../harness.ts';

/**
 * Client authentication and authorization: missing, malformed, forged,
 * expired and misdirected credentials over HTTP, SSE and graphql-ws; a key
 * reading outside its scopes; cross-origin requests; the per-client rate limit.
 */

const area = 'auth';

/** Credentials the production set-up is configured with (see bad-input.test.ts). */
export const AUTH = {
  adminKey: 'sk_gw_admin_0123456789abcdefghijkl',
  billingKey: 'sk_gw_billing_0123456789abcdefghij',
  jwtSecret: 'a-jwt-signing-secret-of-at-least-32-bytes!!',
  issuer: 'https://auth.example',
  audience: 'switchyard',
};

/** The environment that turns these credentials on. */
export const AUTH_ENV = {
  GATEWAY_API_KEYS: `${AUTH.adminKey}:*;${AUTH.billingKey}:billing`,
  JWT_SECRET: AUTH.jwtSecret,
  JWT_ISSUER: AUTH.issuer,
  JWT_AUDIENCE: AUTH.audience,
};

const now = () => Math.floor(Date.now() / 1000);

async function jwt(
  claims: Record<string, unknown>,
  options: {
    secret?: string;
    expiresAt?: number;
    notBefore?: number;
    audience?: string;
    issuer?: string;
  } = {},
): Promise<string> {
  let token = new SignJWT({ scope: 'billing events', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('client-7')
    .setIssuer(options.issuer ?? AUTH.issuer)
    .setAudience(options.audience ?? AUTH.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? now() + 300);
  if (options.notBefore !== undefined) token = token.setNotBefore(options.notBefore);
  return token.sign(new TextEncoder().encode(options.secret ?? AUTH.jwtSecret));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsigned = () =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: AUTH.issuer, aud: AUTH.audience, exp: now() + 300, scope: '*' })}.`;

const QUERY = '{ gateway { version } }';

const asClient = (t: Target, authorization: string | undefined, query = QUERY) =>
  graphql(t, query, undefined, authorization === undefined ? { authorization: '' } : { authorization });

const unauthenticated = (
  name: string,
  authorization: () => Promise<string | undefined> | string | undefined,
): HostileCase => ({
  area,
  name,
  run: async (t) => {
    const value = await authorization();
    return http(t, {
      path: '/graphql',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(value === undefined ? {} : { authorization: value }),
      },
      body: JSON.stringify({ query: QUERY }),
    });
  },
  expect: { status: 401, code: 'UNAUTHENTICATED' },
});

export const authCases: HostileCase[] = [
  unauthenticated('no Authorization header', () => undefined),
  unauthenticated('an unknown API key', () => 'Bearer sk_gw_unknown_0123456789abcdefghi'),
  unauthenticated('a known key with one character changed', () => `Bearer ${AUTH.adminKey.slice(0, -1)}X`),
  unauthenticated('a prefix of a known key', () => `Bearer ${AUTH.adminKey.slice(0, 12)}`),
  unauthenticated('an empty bearer token', () => 'Bearer '),
  unauthenticated(
    'the key with the Basic scheme',
    () => `Basic ${Buffer.from(`${AUTH.adminKey}:`).toString('base64')}`,
  ),
  unauthenticated('the key without a scheme', () => AUTH.adminKey),
  unauthenticated('a 6 KB token', () => `Bearer ${'k'.repeat(6 * 1024)}`),
  unauthenticated('a JWT with alg none', unsigned),
  unauthenticated('an expired JWT', () => jwt({}, { expiresAt: now() - 600 })),
  unauthenticated('a JWT not valid yet', () => jwt({}, { notBefore: now() + 3600 })),
  unauthenticated('a JWT for another audience', () => jwt({}, { audience: 'another-api' })),
  unauthenticated('a JWT from another issuer', () => jwt({}, { issuer: 'https://evil.example' })),
  unauthenticated('a JWT signed with another key', () =>
    jwt({}, { secret: 'another-secret-that-is-also-32-bytes-long!' }),
  ),
  unauthenticated('a JWT whose signature was cut off', async () => (await jwt({})).replace(/\.[^.]+$/, '.')),
  unauthenticated('a JWT with a forged payload', async () => {
    const [header, , signature] = (await jwt({})).split('.');
    return `Bearer ${header ?? ''}.${b64({ iss: AUTH.issuer, aud: AUTH.audience, exp: now() + 300, scope: '*' })}.${signature ?? ''}`;
  }),
  unauthenticated('three dots of garbage', () => 'Bearer a.b.c'),
  {
    area,
    name: 'SSE with no credentials',
    run: (t) =>
      http(t, {
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { events { id } }' }),
      }),
    expect: { status: 401, code: 'UNAUTHENTICATED' },
  },
  {
    area,
    name: 'a billing key reading CRM data',
    run: (t) =>
      asClient(t, `Bearer ${AUTH.billingKey}`, '{ crmContacts(first: 1) { edges { node { id } } } }'),
    expect: { status: 200, code: 'FORBIDDEN' },
  },
  {
    area,
    name: 'a billing key reading the raw event feed',
    run: (t) => asClient(t, `Bearer ${AUTH.billingKey}`, '{ events(first: 1) { edges { cursor } } }'),
    expect: { status: 200, code: 'FORBIDDEN' },
  },
  {
    area,
    name: 'graphql-ws with no connection_init credentials',
    run: (t) => ws(t, { send: [{ type: 'connection_init', payload: {} }] }),
    expect: { close: 4401 },
  },
  {
    area,
    name: 'graphql-ws with an unknown key',
    run: (t) =>
      ws(t, {
        send: [{ type: 'connection_init', payload: { authorization: 'Bearer nope-nope-nope-nope-nope' } }],
      }),
    expect: { close: 4401 },
  },
  {
    area,
    name: 'graphql-ws with an expired JWT',
    run: async (t) =>
      ws(t, {
        send: [
          {
            type: 'connection_init',
            payload: { authorization: `Bearer ${await jwt({}, { expiresAt: now() - 600 })}` },
          },
        ],
      }),
    expect: { close: 4401 },
  },
  {
    area,
    name: 'graphql-ws with a JWT that grants no scope',
    run: async (t) =>
      ws(t, {
        send: [{ type: 'connection_init', payload: { authorization: `Bearer ${await jwt({ scope: '' })}` } }],
      }),
    expect: { close: 4403 },
  },
  {
    area,
    name: 'graphql-ws with the credentials in a non-string payload field',
    run: (t) =>
      ws(t, { send: [{ type: 'connection_init', payload: { authorization: { bearer: AUTH.adminKey } } }] }),
    expect: { close: [4400, 4401] },
  },
  {
    area,
    name: 'a WebSocket opened from another site',
    run: (t) =>
      ws(t, {
        headers: { origin: 'https://evil.example' },
        send: [{ type: 'connection_init', payload: { authorization: `Bearer ${AUTH.adminKey}` } }],
      }),
    expect: { status: 403 },
  },
  {
    area,
    name: 'a CORS preflight from another site',
    run: (t) =>
      http(t, {
        method: 'OPTIONS',
        path: '/graphql',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      }),
    expect: { status: [204, 403], absent: /access-control-allow-origin: https:\/\/evil\.example/i },
  },
  {
    area,
    name: 'the sixth operation of a client allowed five a minute',
    setup: 'rate-limited',
    prepare: async (t) => {
      for (let i = 0; i < 5; i++) {
        const ok = await graphql(t, QUERY);
        if (ok.status !== 200) throw new Error(`operation ${i + 1} of the budget got ${ok.status}`);
      }
    },
    run: (t) => graphql(t, QUERY),
    expect: { status: 429, code: 'RATE_LIMITED', present: /^retry-after: \d+$/m },
  },
];
