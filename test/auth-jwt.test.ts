import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.ts';
import { Authenticator } from '../src/auth/authenticator.ts';
import { JwtVerifier } from '../src/auth/jwt.ts';
import { bearer, gql, wsClient } from './helpers/auth.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { configProblems } from './helpers/config.ts';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'switchyard';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const now = () => Math.floor(Date.now() / 1000);

interface Claims {
  iss?: string;
  aud?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
  scope?: unknown;
  [claim: string]: unknown;
}

const base = (): Claims => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'svc-reporting',
  exp: now() + 300,
  scope: 'billing crm',
});

async function hs256(claims: Claims, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

function authenticator(jwt: JwtVerifier): Authenticator {
  return new Authenticator({ keys: new ApiKeyStore([]), jwt, anonymous: false });
}

describe('JWT with a shared secret (HS256)', () => {
  const auth = authenticator(new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET }));
  const check = async (token: string) => auth.authenticate(bearer(token));
  const refused = (message: string) => ({ ok: false, message });

  it('accepts a valid token, with its scopes from the scope claim', async () => {
    const claims = { ...base(), exp: 2_000_000_000 };
    expect(await check(await hs256(claims))).toEqual({
      ok: true,
      principal: {
        id: 'jwt:svc-reporting',
        kind: 'jwt',
        scopes: new Set(['billing', 'crm']),
        // Until exp plus the tolerated skew.
        expiresAt: 2_000_000_005_000,
      },
    });
    // Unknown scopes (an identity provider's own) are ignored; `*` is not a scope in a token.
    const other = await check(await hs256({ ...base(), scope: 'openid billing * admin' }));
    expect(other).toMatchObject({ ok: true, principal: { scopes: new Set(['billing', 'admin']) } });
  });

  it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer and wrong-key tokens, saying which', async () => {
    expect(await check(await hs256({ ...base(), exp: now() - 60 }))).toEqual(
      refused('The token has expired: get a new one from its issuer.'),
    );
    expect(await check(await hs256({ ...base(), nbf: now() + 120 }))).toEqual(
      refused('The token is not valid yet (its nbf is in the future).'),
    );
    expect(await check(await hs256({ ...base(), aud: 'another-api' }))).toEqual(
      refused('The token is not meant for this gateway (aud).'),
    );
    expect(await check(await hs256({ ...base(), iss: 'https://evil.example' }))).toEqual(
      refused('The token was not issued by the issuer this gateway trusts (iss).'),
    );
    expect(await check(await hs256(base(), 'another-secret-of-at-least-32-bytes-long'))).toEqual(
      refused('The token signature does not verify.'),
    );
  });

  it('tolerates a few seconds of clock skew, no more', async () => {
    expect(await check(await hs256({ ...base(), exp: now() - 2 }))).toMatchObject({ ok: true });
    expect(await check(await hs256({ ...base(), nbf: now() + 2 }))).toMatchObject({ ok: true });
    expect(await check(await hs256({ ...base(), exp: now() - 30 }))).toMatchObject({ ok: false });
  });

  it('refuses alg none, malformed tokens, and tokens without exp or sub', async () => {
    const none = new UnsecuredJWT(base()).encode();
    expect(await check(none)).toEqual(refused("The token's signing algorithm is not accepted: use HS256."));
    const malformed = refused('The token is malformed: send a signed JWT (header.payload.signature).');
    // The signature is checked before anything else of the token is believed.
    expect(await check('eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln')).toEqual(
      refused('The token signature does not verify.'),
    );
    expect(await check('abc.def.ghi')).toEqual(malformed);
    expect(await check('e30.e30')).toEqual(
      refused('The API key or token is not valid: check it, or ask for a new one.'),
    );
    const { exp: _exp, ...noExp } = base();
    expect(await check(await hs256(noExp))).toEqual(refused('The token lacks a valid "exp" claim.'));
    const { sub: _sub, ...noSub } = base();
    expect(await check(await hs256(noSub))).toEqual(refused('The token lacks a valid "sub" claim.'));
  });

  it('reads scopes from a configured claim, as a string or an array', async () => {
    const custom = authenticator(
      new JwtVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        secret: SECRET,
        scopesClaim: 'https://sy/scopes',
      }),
    );
    const token = await hs256({
      ...base(),
      scope: 'billing',
      'https://sy/scopes': ['support', 'events', 42],
    });
    expect(await custom.authenticate(bearer(token))).toMatchObject({
      ok: true,
      principal: { scopes: new Set(['support', 'events']) },
    });
  });
});

describe('JWT with a JWKS', () => {
  let jwks: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  const rs256 = (claims: Claims, key: CryptoKey = privateKey, kid = 'k1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

  it('verifies tokens with the issuer keys it fetches, and refuses others', async () => {
    const auth = authenticator(new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl }));
    expect(await auth.authenticate(bearer(await rs256(base())))).toMatchObject({
      ok: true,
      principal: { id: 'jwt:svc-reporting', kind: 'jwt' },
    });
    expect(fetches).toBeGreaterThan(0);
    expect(await auth.authenticate(bearer(await rs256(base(), otherKey)))).toEqual({
      ok: false,
      message: 'The token signature does not verify.',
    });
    expect(await auth.authenticate(bearer(await rs256(base(), otherKey, 'k2')))).toEqual({
      ok: false,
      message: 'No signing key of the issuer matches the token (kid).',
    });
    // Algorithm confusion: an HMAC token is never checked against a public key.
    expect(await auth.authenticate(bearer(await hs256(base())))).toEqual({
      ok: false,
      message:
        "The token's signing algorithm is not accepted: use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA.",
    });
    expect(await auth.authenticate(bearer(new UnsecuredJWT(base()).encode()))).toMatchObject({ ok: false });
  });

  it('says so when the issuer keys cannot be fetched', async () => {
    const down = authenticator(
      new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:1/jwks.json' }),
    );
    expect(await down.authenticate(bearer(await rs256(base())))).toEqual({
      ok: false,
      message: "The token cannot be verified now: the issuer's signing keys are unreachable. Retry later.",
    });
  });

  describe('on a running gateway', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwksUrl });
    });
    afterAll(() => t.close());

    it('serves HTTP and graphql-ws with a token, and refuses an expired one with 401 and 4401', async () => {
      const token = await rs256({ ...base(), scope: 'crm' });
      const ok = await gql(fetch, t.url, '{ invoices(first: 1) { edges { node { id } } } }', {
        authorization: bearer(token),
      });
      expect(ok.status).toBe(200);
      expect(ok.body.errors?.[0]?.extensions).toEqual({
        code: 'FORBIDDEN',
        source: 'stripe',
        scope: 'billing',
      });
      const expired = await rs256({ ...base(), exp: now() - 60 });
      const refused = await gql(fetch, t.url, '{ gateway { version } }', { authorization: bearer(expired) });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer realm="switchyard", error="invalid_token"',
      );
      expect(refused.body).toEqual({
        errors: [
          {
            message: 'The token has expired: get a new one from its issuer.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      const socket = wsClient(t.url, { authorization: bearer(expired) });
      expect(await socket.closed).toEqual({
        code: 4401,
        reason: 'Unauthorized: The token has expired: get a new one from its issuer.',
      });
      await socket.client.dispose();
      const good = wsClient(t.url, { authorization: bearer(token) });
      await good.acked;
      await good.client.dispose();
    });

    it('ends an SSE subscription when its token expires', async () => {
      const token = await rs256({ ...base(), exp: now() - 4 });
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: bearer(token),
        },
        body: JSON.stringify({ query: 'subscription { heartbeat(intervalMs: 200) { tick } }' }),
      });
      expect(response.status).toBe(200);
      const started = Date.now();
      const text = await response.text();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(text).toContain('"tick":1');
      expect(text).toContain('event: complete');
    });

    it('closes a graphql-ws connection with 4401 when its token expires', async () => {
      // Expired 4 s ago: still within the 5 s of tolerated skew, so accepted, and cut off about a second later.
      const token = await rs256({ ...base(), exp: now() - 4 });
      const socket = wsClient(t.url, { authorization: bearer(token) });
      await socket.acked;
      const started = Date.now();
      expect(await socket.closed).toEqual({
        code: 4401,
        reason: 'Unauthorized: the token has expired; reconnect with a new one',
      });
      expect(Date.now() - started).toBeLessThan(3000);
      await socket.client.dispose();
    });
  });
});

describe('JWT settings', () => {
  it('refuses a short secret, a plain-http JWKS, both keys at once, or half a configuration', () => {
    expect(configProblems({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_SECRET: 'too-short' })).toEqual([
      'JWT_SECRET (JWT_SECRET="***"): must be at least 32 bytes (generate one with `openssl rand -base64 48`). Fix: correct it or unset it to use the default.',
    ]);
    expect(
      configProblems({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: 'http://idp.example/jwks' }),
    ).toEqual([
      'JWT_JWKS_URL (JWT_JWKS_URL="http://idp.example/jwks"): must be an https:// URL (http:// only on localhost). Fix: correct it or unset it to use the default.',
    ]);
    expect(
      configProblems({
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_JWKS_URL: 'https://idp.example/jwks',
        JWT_SECRET: SECRET,
      }),
    ).toEqual([
      'JWT_JWKS_URL and JWT_SECRET are both set: a JWT is verified with one of them. Fix: keep JWT_JWKS_URL (asymmetric keys of your issuer) or JWT_SECRET (HS256), unset the other.',
    ]);
    expect(configProblems({ JWT_SECRET: SECRET })).toEqual([
      'JWT is half configured (JWT_SECRET set): tokens need an issuer, an audience and a key. Fix: set JWT_ISSUER and JWT_AUDIENCE, or unset JWT_SECRET.',
    ]);
    expect(configProblems({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE })).toEqual([
      'JWT is half configured (JWT_ISSUER, JWT_AUDIENCE set): tokens need an issuer, an audience and a key. Fix: set JWT_JWKS_URL or JWT_SECRET, or unset JWT_ISSUER, JWT_AUDIENCE.',
    ]);
    expect(configProblems({ JWT_SCOPES_CLAIM: 'roles' })).toEqual([
      'JWT_SCOPES_CLAIM is set but JWT is not configured. Fix: set JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL or JWT_SECRET, or unset JWT_SCOPES_CLAIM.',
    ]);
    expect(configProblems({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_SECRET: SECRET })).toEqual([]);
  });
});
