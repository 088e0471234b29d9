import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { bannerLines } from '../src/banner.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createErrorMasking } from '../src/error-masking.ts';
import type { EventLog } from '../src/events/log.ts';
import { createMemoryEventLog } from '../src/events/memory-log.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { collectSecrets, maskSetting, Redactor, redactUrl } from '../src/redact.ts';
import { TEST_EPOCH } from './helpers/gateway.ts';

function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('redactUrl', () => {
  it("replaces a URL's user and password, and nothing else", () => {
    expect(redactUrl('https://user:pass@api.example.com/v1?x=1')).toBe('https://***@api.example.com/v1?x=1');
    expect(redactUrl('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://***@10.0.0.5:6379/2');
    expect(redactUrl('rediss://default@cache:6380')).toBe('rediss://***@cache:6380');
    expect(redactUrl('https://api.example.com/users/a@b.c')).toBe('https://api.example.com/users/a@b.c');
    expect(redactUrl('from http://a:b@x and https://c:d@y/')).toBe('from http://***@x and https://***@y/');
  });
});

describe('maskSetting', () => {
  it('shows a credential by its public prefix only, URLs without user info, other values as given', () => {
    expect(maskSetting('STRIPE_API_KEY', 'sk_live_51abcdefSECRET')).toBe('sk_live_***');
    expect(maskSetting('STRIPE_WEBHOOK_SECRET', 'whsec_abcdef')).toBe('whsec_***');
    expect(maskSetting('ZENDESK_API_TOKEN', 'shorty')).toBe('***');
    expect(maskSetting('APP_API_KEY', 'abc_')).toBe('***');
    expect(maskSetting('REDIS_URL', 'redis://u:p4ss@host:6379')).toBe('redis://***@host:6379');
    expect(maskSetting('REDIS_KEY_PREFIX', 'switchyard')).toBe('switchyard');
    expect(maskSetting('PORT', 'eighty')).toBe('eighty');
  });

  it('keeps a URL password out of a start-up error', () => {
    let message = '';
    try {
      loadConfig({ STRIPE_BASE_URL: 'ftp://admin:ftp-Pa55word@stripe' }, connectors);
    } catch (error) {
      if (error instanceof ConfigError) message = error.message;
    }
    expect(message).toContain('STRIPE_BASE_URL (STRIPE_BASE_URL="ftp://***@stripe"): Invalid URL.');
    expect(message).not.toContain('ftp-Pa55word');
  });
});

describe('collectSecrets', () => {
  const env = {
    GATEWAY_API_KEYS: 'key-one-123456:billing,crm;key-two-789012:*',
    JWT_SECRET: 'jwt-secret-value-1',
    SHOPIFY_WEBHOOK_SECRET: 'new-secret-aaa, old-secret-bbb',
    REDIS_URL: 'redis://user:p%40ss-word-9@cache:6379',
    REDIS_KEY_PREFIX: 'switchyard',
    STRIPE_BASE_URL: 'https://api.stripe.com',
    LOG_LEVEL: 'info',
  };

  it('collects credential variables, list entries, client keys without their scopes, and URL passwords', () => {
    const secrets = collectSecrets(env);
    for (const secret of [
      'key-one-123456',
      'key-two-789012',
      'jwt-secret-value-1',
      'new-secret-aaa',
      'old-secret-bbb',
      'p@ss-word-9',
      'p%40ss-word-9',
    ]) {
      expect(secrets).toContain(secret);
    }
    for (const notSecret of ['billing', 'crm', 'switchyard', 'info', 'https://api.stripe.com']) {
      expect(secrets).not.toContain(notSecret);
    }
  });
});

describe('Redactor', () => {
  const redactor = new Redactor(['sk_test_KnownKey123', 'quote"d-secret', 'p@ss-word-9', 'short']);

  it('masks known secrets, also JSON-escaped or percent-encoded', () => {
    expect(redactor.redact('key sk_test_KnownKey123 used')).toBe('key *** used');
    expect(redactor.redact(JSON.stringify({ s: 'quote"d-secret' }))).toBe('{"s":"***"}');
    expect(redactor.redact('pw=p%40ss-word-9')).toBe('pw=***');
  });

  it('ignores secrets shorter than 6 characters, which would mask ordinary words', () => {
    expect(redactor.redact('a short message')).toBe('a short message');
  });

  it('masks Bearer and Basic credentials and written-out Authorization headers it does not know', () => {
    expect(redactor.redact('Authorization: Bearer eyJhbGciOi.abc.def')).toBe('Authorization: Bearer ***');
    expect(redactor.redact('{"authorization":"Basic dXNlcjpwYXNzd29yZA=="}')).toBe(
      '{"authorization":"Basic ***"}',
    );
    expect(redactor.redact('authorization=tok_abcdef123 next')).toBe('authorization=*** next');
    expect(redactor.redact('Authorization: Token tok_abcdef123')).toBe('Authorization: Token ***');
    expect(redactor.redact('{"Authorization":"Bearer short"}')).toBe('{"Authorization":"Bearer ***"}');
    expect(redactor.redact('Bearer tokens are checked')).toBe('Bearer tokens are checked');
  });

  it('redacts every string inside a value', () => {
    expect(redactor.redactValue({ a: ['x sk_test_KnownKey123'], b: 2, c: { d: 'http://u:p@h' } })).toEqual({
      a: ['x ***'],
      b: 2,
      c: { d: 'http://***@h' },
    });
  });
});

describe('logger', () => {
  const secrets = ['sk_test_LoggedKey42', 'redis-Pa55word', 'zendesk-token-777'];

  it('writes no secret, however it arrives: messages, causes, headers, Redis URLs, config errors', () => {
    const { lines, destination } = capture();
    const log = createLogger('debug', destination, new Redactor(secrets));
    const cause = new Error('upstream said: invalid key sk_test_LoggedKey42');
    log.error({ err: new Error('call failed', { cause }) }, 'upstream call failed');
    log.warn(
      { request: { headers: { authorization: 'Bearer zendesk-token-777', 'x-other': 'zendesk-token-777' } } },
      'request',
    );
    log.error(
      { err: new Error('connect ECONNREFUSED redis://default:redis-Pa55word@10.0.0.5:6379') },
      'redis event log: connection lost',
    );
    log.info({ options: { path: '/x', headers: ['authorization', 'Basic em9vOmJhcg=='] } }, 'undici request');
    try {
      loadConfig({ REDIS_URL: 'http://user:redis-Pa55word@cache' }, connectors);
    } catch (error) {
      log.fatal({ err: error }, 'cannot start');
    }

    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(secrets.filter((secret) => line.includes(secret))).toEqual([]);
      expect(line).not.toContain('em9vOmJhcg==');
    }
    expect(lines[0]).toContain('invalid key ***');
  });

  it('masks URL passwords and Bearer credentials even without known secrets', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).info({ url: 'https://u:hunter2hunter2@h/x' }, 'Bearer abcdefgh12345');
    expect(lines[0]).toContain('"url":"https://***@h/x"');
    expect(lines[0]).toContain('Bearer ***');
    expect(lines[0]).not.toContain('hunter2hunter2');
  });
});

describe('the HTTP 500 fallback body', () => {
  it('is a GraphQL error with INTERNAL_SERVER_ERROR and the request id the log line carries', () => {
    const { lines, destination } = capture();
    const redactor = new Redactor(['sk_test_FallbackKey1']);
    const masking = createErrorMasking({
      production: true,
      showDetails: false,
      redactor,
      log: createLogger('info', destination, redactor),
    });
    const body = masking.internalErrorBody(new Error('boom with sk_test_FallbackKey1'), { path: '/x' });
    expect(body).toEqual({
      errors: [
        {
          message: 'Unexpected error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) as unknown },
        },
      ],
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(body.errors[0]?.extensions.requestId);
    expect(lines[0]).toContain('boom with ***');
  });
});

describe('banner, /readyz and gateway { sources } with credentials in URLs', () => {
  const env = {
    LOG_LEVEL: 'silent',
    SANDBOX: '1',
    DEMO_EVENTS: '0',
    STRIPE_API_KEY: 'sk_test_BannerKey0001',
    STRIPE_BASE_URL: 'https://bill:Banner-Pa55@stripe.internal:8443',
    APP_API_KEY: 'app-banner-key-0002',
    APP_BASE_URL: 'https://svc:App-Pa55@api.internal/v2',
  };
  const forbidden = ['Banner-Pa55', 'App-Pa55', 'sk_test_BannerKey0001', 'app-banner-key-0002', 'redis-Pa55'];
  let gateway: Gateway;
  let url: string;
  let redactor: Redactor;

  beforeAll(async () => {
    redactor = new Redactor(collectSecrets(env));
    const memory = createMemoryEventLog();
    // A Redis log that cannot connect, its error naming a URL with a password (as a careless client library might).
    const events: EventLog = {
      ...memory,
      kind: 'redis',
      health: () => ({ ok: false, detail: 'redis: connect failed to redis://:redis-Pa55@10.0.0.5:6379' }),
    };
    const config = loadConfig(env, connectors);
    gateway = await createGateway({
      config,
      connectors,
      log: createLogger('silent'),
      env,
      events,
      redactor,
      demoEpoch: TEST_EPOCH,
    });
    url = await gateway.listen(0, '127.0.0.1');
  });
  afterAll(() => gateway.close());

  it('the banner shows base URLs without user and password', () => {
    const config = loadConfig(env, connectors);
    const lines = bannerLines(gateway, config.core, url, redactor);
    expect(lines).toContain(
      '    stripe     real     https://***@stripe.internal:8443  (webhooks off: set STRIPE_WEBHOOK_SECRET)',
    );
    expect(lines).toContain(
      '    app        real     https://***@api.internal/v2  (webhooks off: set APP_WEBHOOK_SECRET)',
    );
    expect(lines.find((l) => l.startsWith('  event log:'))).toContain(
      'NOT READY: redis: connect failed to redis://***@10.0.0.5:6379',
    );
    const text = lines.join('\n');
    expect(forbidden.filter((secret) => text.includes(secret))).toEqual([]);
  });

  it('gateway { sources { baseUrl } } shows base URLs without user and password', async () => {
    const response = await gateway.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ gateway { sources { name baseUrl } } }' }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { data: { gateway: { sources: { name: string; baseUrl: string }[] } } };
    const byName = new Map(body.data.gateway.sources.map((s) => [s.name, s.baseUrl]));
    expect(byName.get('stripe')).toBe('https://***@stripe.internal:8443');
    expect(byName.get('app')).toBe('https://***@api.internal/v2');
    expect(forbidden.filter((secret) => text.includes(secret))).toEqual([]);
  });

  it("/readyz shows the event log's detail without the Redis password", async () => {
    const response = await fetch(`${url}/readyz`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({
      eventLog: { ok: false, detail: 'redis: connect failed to redis://***@10.0.0.5:6379' },
    });
    expect(forbidden.filter((secret) => text.includes(secret))).toEqual([]);
  });
});
