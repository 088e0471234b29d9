import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createCorsPolicy, parseCorsOrigins } from '../src/http/cors.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';

/** Opens a WebSocket with `origin` (none when undefined): the upgrade's answer. */
function upgrade(
  url: string,
  origin?: string,
): Promise<{ opened: true } | { opened: false; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
      ...(origin === undefined ? {} : { origin }),
    });
    socket.once('open', () => {
      socket.close();
      resolve({ opened: true });
    });
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (data: Buffer) => (body += String(data)));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

function preflight(url: string, origin: string, path = '/graphql'): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
}

describe('CORS_ORIGINS: parsing and start-up validation', () => {
  it('takes exact origins or `*` alone', () => {
    expect(parseCorsOrigins(undefined)).toBeUndefined();
    expect(parseCorsOrigins(' ')).toBeUndefined();
    expect(parseCorsOrigins('*')).toBe('*');
    expect(parseCorsOrigins(`${APP}, http://localhost:3000`)).toEqual([APP, 'http://localhost:3000']);
  });

  it('refuses anything that is not an exact origin, saying how to write it', () => {
    let error: unknown;
    try {
      loadConfig(
        { CORS_ORIGINS: `${APP}/,*,ftp://files.example,app.example.com,https://App.example.com` },
        connectors,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.replace(/^CORS_ORIGINS \([^)]*\): /, ''))).toEqual([
      `"${APP}/" is not an exact origin: write "${APP}" (no path, no trailing slash, lower case). Fix: correct it or unset it to use the default.`,
      '`*` allows every origin and must be the whole value: set CORS_ORIGINS=* or list origins. Fix: correct it or unset it to use the default.',
      '"ftp://files.example" is not an origin: write it as scheme://host[:port], e.g. https://app.example.com. Fix: correct it or unset it to use the default.',
      '"app.example.com" is not an origin: write it as scheme://host[:port], e.g. https://app.example.com. Fix: correct it or unset it to use the default.',
      `"https://App.example.com" is not an exact origin: write "${APP}" (no path, no trailing slash, lower case). Fix: correct it or unset it to use the default.`,
    ]);
  });

  it('defaults to no other origin in production, loopback origins in development; its own origin always', () => {
    const production = createCorsPolicy({ origins: undefined, production: true });
    const development = createCorsPolicy({ origins: undefined, production: false });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080']) {
      expect(production.allows(origin, 'gateway.internal:4000')).toBe(false);
      expect(development.allows(origin, 'gateway.internal:4000')).toBe(true);
    }
    for (const policy of [production, development]) {
      expect(policy.allows(EVIL, 'gateway.internal:4000')).toBe(false);
      expect(policy.allows('http://localhost.evil.example', 'gateway.internal:4000')).toBe(false);
      expect(policy.allows('http://gateway.internal:4000', 'gateway.internal:4000')).toBe(true);
      expect(policy.allows(undefined, 'gateway.internal:4000')).toBe(true);
    }
    // A list replaces the default, loopback included.
    const listed = createCorsPolicy({ origins: [APP], production: false });
    expect(listed.allows(APP, 'gateway.internal:4000')).toBe(true);
    expect(listed.allows('http://localhost:3000', 'gateway.internal:4000')).toBe(false);
  });
});

describe('CORS and WebSocket Origin, with CORS_ORIGINS set', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ CORS_ORIGINS: APP });
  });
  afterAll(() => t.close());

  it('answers the preflight of an allowed origin with that origin', async () => {
    const response = await preflight(t.url, APP);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    const post = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ latestEventCursor }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('gives the preflight of any other origin no CORS headers, so the browser sends nothing', async () => {
    for (const origin of [EVIL, 'http://localhost:3000', 'null']) {
      const response = await preflight(t.url, origin);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('refuses a WebSocket from another site with 403 at the upgrade (cross-site WebSocket hijacking)', async () => {
    expect(await upgrade(t.url, EVIL)).toEqual({
      opened: false,
      status: 403,
      body: JSON.stringify({
        errors: [
          {
            message: `WebSocket connections from pages of ${EVIL} are not allowed: add that origin to CORS_ORIGINS to allow it.`,
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      }),
    });
    expect(t.gateway.http.subscriptions.stats().members).toBe(0);
  });

  it('accepts WebSockets from an allowed origin, from its own origin, and without Origin', async () => {
    expect(await upgrade(t.url, APP)).toEqual({ opened: true });
    expect(await upgrade(t.url, t.url)).toEqual({ opened: true });
    expect(await upgrade(t.url)).toEqual({ opened: true });
  });

  it('knows its own origin behind a proxy that rewrites Host, from X-Forwarded-Host', async () => {
    const viaProxy = (origin: string, forwardedHost: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
          origin,
          headers: { 'x-forwarded-host': forwardedHost },
        });
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_req, res: IncomingMessage) => resolve(res.statusCode ?? 0));
        socket.once('error', () => {});
      });
    expect(await viaProxy('https://gateway.example.com', 'gateway.example.com, internal:8080')).toBe(101);
    expect(await viaProxy(EVIL, 'gateway.example.com')).toBe(403);
  });

  it('adds no CORS headers to webhook routes', async () => {
    const response = await preflight(t.url, APP, '/webhooks/stripe');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS=*', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ CORS_ORIGINS: '*' });
  });
  afterAll(() => t.close());

  it('allows any origin, without credentials', async () => {
    const response = await preflight(t.url, EVIL);
    expect(response.headers.get('access-control-allow-origin')).toBe(EVIL);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await upgrade(t.url, EVIL)).toEqual({ opened: true });
  });
});

describe('CORS by default in development', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('allows a front end on localhost, and refuses other sites', async () => {
    const local = await preflight(t.url, 'http://localhost:3000');
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect((await preflight(t.url, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
    expect(await upgrade(t.url, 'http://localhost:3000')).toEqual({ opened: true });
    expect(await upgrade(t.url, EVIL)).toMatchObject({ opened: false, status: 403 });
  });
});
