import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { ApiKeyStore, parseApiKeys } from '../src/auth/api-keys.ts';
import { Authenticator, MISSING_CREDENTIALS } from '../src/auth/authenticator.ts';
import { loadConfig } from '../src/config.ts';
import { GATEWAY_API_KEYS, KEYS, bearer, gql } from './helpers/auth.ts';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { configProblems } from './helpers/config.ts';

const idOf = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

describe('GATEWAY_API_KEYS', () => {
  it('parses keys with scopes, * and the read-only default, keeping only hashes and a stable id', () => {
    const { entries, problems } = parseApiKeys(`${KEYS.billing}:billing,crm; ${KEYS.all}:* ;${KEYS.reads}`);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.id, [...e.scopes]])).toEqual([
      [idOf(KEYS.billing), ['billing', 'crm']],
      [
        idOf(KEYS.all),
        [
          'billing',
          'crm',
          'support',
          'commerce',
          'app',
          'events',
          'billing:write',
          'crm:write',
          'support:write',
          'commerce:write',
          'app:write',
          'admin',
        ],
      ],
      [idOf(KEYS.reads), ['billing', 'crm', 'support', 'commerce', 'app', 'events']],
    ]);
    expect(JSON.stringify(entries)).not.toContain(KEYS.billing);
    const config = loadConfig({ GATEWAY_API_KEYS }, connectors);
    expect(config.core.GATEWAY_API_KEYS).toHaveLength(6);
  });

  it('refuses malformed entries, short keys, unknown scopes and duplicates, never echoing a key', () => {
    const env = {
      GATEWAY_API_KEYS: `short:billing;${KEYS.billing}:billing,bogus;;${KEYS.crm}:crm,crm;${KEYS.crm};${KEYS.all}:*,admin;${KEYS.reads}:;bad key with spaces 0123456789`,
    };
    const problems = configProblems(env);
    expect(problems).toEqual([
      'GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 1: a key must be 16 to 512 characters of A-Z a-z 0-9 - . _ ~ + / = (generate one with `openssl rand -hex 32`). Fix: correct it or unset it to use the default.',
      `GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 2 (${idOf(KEYS.billing)}) has an unknown scope "bogus": use billing, crm, support, commerce, app, events, billing:write, crm:write, support:write, commerce:write, app:write, admin or *. Fix: correct it or unset it to use the default.`,
      'GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 3 is empty: separate keys with a single ";" and leave none at the end. Fix: correct it or unset it to use the default.',
      `GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 4 (${idOf(KEYS.crm)}) lists the scope "crm" twice. Fix: correct it or unset it to use the default.`,
      `GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 5 (${idOf(KEYS.crm)}) repeats an earlier key: list each key once. Fix: correct it or unset it to use the default.`,
      `GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 6 (${idOf(KEYS.all)}) mixes * with other scopes: * alone already grants every scope. Fix: correct it or unset it to use the default.`,
      `GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 7 (${idOf(KEYS.reads)}) has an empty scope: list scopes as key:billing,crm. Fix: correct it or unset it to use the default.`,
      'GATEWAY_API_KEYS (GATEWAY_API_KEYS="***"): entry 8: a key must be 16 to 512 characters of A-Z a-z 0-9 - . _ ~ + / = (generate one with `openssl rand -hex 32`). Fix: correct it or unset it to use the default.',
    ]);
    const text = problems.join('\n');
    for (const key of [KEYS.billing, KEYS.crm, KEYS.all, KEYS.reads, 'short'])
      expect(text).not.toContain(key);
  });

  it('finds a key by its hash: the exact key only, not a prefix, an extension or another case', () => {
    const store = new ApiKeyStore(parseApiKeys(`${KEYS.billing}:billing;${KEYS.crm}:crm`).entries);
    expect(store.find(KEYS.crm)).toEqual({ id: idOf(KEYS.crm), kind: 'key', scopes: new Set(['crm']) });
    expect(store.find(KEYS.billing.slice(0, -1))).toBeNull();
    expect(store.find(`${KEYS.billing}x`)).toBeNull();
    expect(store.find(KEYS.billing.toUpperCase())).toBeNull();
    expect(store.find('')).toBeNull();
  });

  it('reads the Authorization header: Bearer only, one token', async () => {
    const auth = new Authenticator({
      keys: new ApiKeyStore(parseApiKeys(KEYS.reads).entries),
      jwt: null,
      anonymous: false,
    });
    expect(await auth.authenticate(undefined)).toEqual({ ok: false, message: MISSING_CREDENTIALS });
    expect(await auth.authenticate('  ')).toEqual({ ok: false, message: MISSING_CREDENTIALS });
    const scheme = {
      ok: false,
      message: 'The Authorization header must be "Bearer <API key or JWT>" (one token, no other scheme).',
    };
    expect(await auth.authenticate(`Basic ${KEYS.reads}`)).toEqual(scheme);
    expect(await auth.authenticate(KEYS.reads)).toEqual(scheme);
    expect(await auth.authenticate(`Bearer ${KEYS.reads} ${KEYS.reads}`)).toEqual(scheme);
    expect(await auth.authenticate(`bearer ${KEYS.reads}`)).toMatchObject({ ok: true });
    expect(await auth.authenticate(`Bearer ${KEYS.crm}`)).toEqual({
      ok: false,
      message: 'The API key is not valid: check it, or ask for a new one.',
    });
  });
});

describe('API keys over HTTP', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ GATEWAY_API_KEYS });
  });
  afterAll(() => t.close());

  it('answers 401 UNAUTHENTICATED with WWW-Authenticate: Bearer to a request without credentials', async () => {
    const answer = await gql(fetch, t.url, '{ gateway { version } }');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="switchyard"');
    expect(answer.body).toEqual({
      errors: [{ message: MISSING_CREDENTIALS, extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('authenticates every path yoga answers, not only /graphql', async () => {
    for (const path of ['/graphql/', '//graphql', '/graphql/.', '/./graphql', '/graphql?x=1', '/nothing']) {
      const response = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ gateway { version } }' }),
      });
      expect([path, response.status]).toEqual([path, 401]);
    }
  });

  it('answers 401 to a wrong key, saying only that it is not valid', async () => {
    for (const authorization of [
      bearer(`${KEYS.billing}x`),
      bearer(KEYS.billing.slice(0, 20)),
      bearer('nope'),
    ]) {
      const answer = await gql(fetch, t.url, '{ gateway { version } }', { authorization });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="switchyard", error="invalid_token"');
      expect(answer.body).toEqual({
        errors: [
          {
            message: 'The API key is not valid: check it, or ask for a new one.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    const basic = await gql(fetch, t.url, '{ gateway { version } }', {
      authorization: `Basic ${KEYS.billing}`,
    });
    expect(basic.status).toBe(401);
    expect(basic.body.errors?.[0]?.message).toBe(
      'The Authorization header must be "Bearer <API key or JWT>" (one token, no other scheme).',
    );
  });

  it('serves a request with a valid key', async () => {
    const answer = await gql<{ gateway: { version: string } }>(fetch, t.url, '{ gateway { version } }', {
      authorization: bearer(KEYS.billing),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.gateway.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('authenticates SSE subscriptions the same way', async () => {
    const sse = (authorization?: string) =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify({ query: 'subscription { heartbeat(intervalMs: 100) { tick } }' }),
      });
    const refused = await sse();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
    });
    const abort = new AbortController();
    const served = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: bearer(KEYS.crm),
      },
      body: JSON.stringify({ query: 'subscription { heartbeat(intervalMs: 100) { tick } }' }),
    });
    expect(served.status).toBe(200);
    const reader = served.body?.getReader();
    let text = '';
    while (!text.includes('"tick":1')) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    abort.abort();
    expect(text).toContain('"heartbeat":{"tick":1}');
  });

  it('needs no client credentials for /healthz, /readyz and webhooks', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const delivery = await t.postStripe(
      stripeCustomerEvent(
        `evt_auth_${Date.now()}`,
        'customer.updated',
        stripeCustomer('cus_AuthTest0001', 'auth@example.com', 'Auth Test'),
      ),
    );
    expect(delivery.status).toBe(200);
  });

  it('serves the GraphiQL page without credentials, telling the user where to put the key', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Bearer <your API key or JWT>');
    // GraphiQL sends its Headers over HTTP only: its subscriptions go over SSE when keys are required.
    expect(html).toContain('"subscriptionsProtocol":"SSE"');
    for (const key of Object.values(KEYS)) expect(html).not.toContain(key);
  });
});
