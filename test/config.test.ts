import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig, sandboxWanted } from '../src/config.ts';

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env, connectors);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has defaults that start a sandboxed gateway on port 4000', () => {
    const config = loadConfig({}, connectors);
    expect(config.core.PORT).toBe(4000);
    expect(config.core.DEMO_EVENTS).toBe(true);
    expect(config.sources.get('stripe')).toMatchObject({ STRIPE_BASE_URL: 'https://api.stripe.com' });
    expect(sandboxWanted(config, connectors)).toBe(true);
  });

  it('reads overrides', () => {
    const config = loadConfig(
      { PORT: '8080', DEMO_EVENTS: '0', STRIPE_API_KEY: 'sk_test_abc123' },
      connectors,
    );
    expect(config.core.PORT).toBe(8080);
    expect(config.core.DEMO_EVENTS).toBe(false);
    expect(sandboxWanted(config, connectors)).toBe(false);
    expect(
      sandboxWanted(loadConfig({ SANDBOX: '1', STRIPE_API_KEY: 'sk_test_abc' }, connectors), connectors),
    ).toBe(true);
  });

  it('lists every problem at once, each with its fix', () => {
    expect(
      problems({
        PORT: 'eighty',
        DEMO_EVENTS: 'maybe',
        LOG_LEVEL: 'loud',
        STRIPE_API_KEY: 'pk_live_publishable',
        STRIPE_BASE_URL: 'ftp://stripe',
        STRIPE_WEBHOOK_SECRET: 'secret',
      }),
    ).toBe(
      [
        'Switchyard cannot start: 6 problems in the environment.',
        '  - PORT (PORT="eighty"): must be a whole number from 0 to 65535. Fix: correct it or unset it to use the default.',
        '  - LOG_LEVEL (LOG_LEVEL="loud"): Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent". Fix: set it to one of fatal, error, warn, info, debug, trace, silent.',
        '  - DEMO_EVENTS (DEMO_EVENTS="maybe"): DEMO_EVENTS must be 1 or 0 (or true/false). Fix: correct it or unset it to use the default.',
        '  - STRIPE_API_KEY (STRIPE_API_KEY="pk_live_***"): must be a Stripe secret key (sk_live_..., sk_test_... or rk_...). Fix: correct it or unset it to use the default.',
        '  - STRIPE_BASE_URL (STRIPE_BASE_URL="ftp://stripe"): Invalid URL. Fix: correct it or unset it to use the default.',
        '  - STRIPE_WEBHOOK_SECRET (STRIPE_WEBHOOK_SECRET="***"): must be a webhook signing secret starting with whsec_. Fix: correct it or unset it to use the default.',
      ].join('\n'),
    );
  });

  it('refuses a customer directory that does not list customers', () => {
    expect(problems({ CUSTOMER_DIRECTORY: 'zendesk' })).toBe(
      [
        'Switchyard cannot start: 1 problem in the environment.',
        '  - CUSTOMER_DIRECTORY (CUSTOMER_DIRECTORY="zendesk"): no source of that name lists customers. Fix: set it to one of stripe, app, hubspot, or unset it.',
      ].join('\n'),
    );
    expect(loadConfig({ CUSTOMER_DIRECTORY: 'Stripe' }, connectors).core.CUSTOMER_DIRECTORY).toBe('stripe');
  });

  it('never falls into sandbox mode in production by accident', () => {
    expect(
      problems({ NODE_ENV: 'production', ALLOW_ANONYMOUS: '1', STRIPE_WEBHOOK_SECRET: 'whsec_abc123' }),
    ).toBe(
      [
        'Switchyard cannot start: 1 problem in the environment.',
        '  - SANDBOX (unset, auto): NODE_ENV=production and no source has credentials, so Switchyard would serve the demo data of its built-in emulators and accept webhooks they sign. Fix: set the credentials of the sources you use (STRIPE_API_KEY; APP_BASE_URL and APP_API_KEY; ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL) with ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN; HUBSPOT_ACCESS_TOKEN; SHOPIFY_SHOP_DOMAIN (or SHOPIFY_BASE_URL) and SHOPIFY_ACCESS_TOKEN), or SANDBOX=1 to run the emulators on purpose.',
      ].join('\n'),
    );
    // Said on purpose, it runs; with credentials, production is real.
    expect(
      sandboxWanted(
        loadConfig({ NODE_ENV: 'production', ALLOW_ANONYMOUS: '1', SANDBOX: '1' }, connectors),
        connectors,
      ),
    ).toBe(true);
    const real = loadConfig(
      { NODE_ENV: 'production', ALLOW_ANONYMOUS: '1', STRIPE_API_KEY: 'sk_live_abc123' },
      connectors,
    );
    expect(sandboxWanted(real, connectors)).toBe(false);
  });

  it('refuses settings a sandboxed source would silently ignore, but honours its webhook secret', () => {
    expect(
      problems({
        STRIPE_BASE_URL: 'https://user:hunter2@stripe.internal',
        STRIPE_WEBHOOK_SECRET: 'whsec_mine',
        HUBSPOT_BASE_URL: 'https://api.hubapi.com',
      }),
    ).toBe(
      [
        'Switchyard cannot start: 2 problems in the environment.',
        '  - STRIPE_BASE_URL (STRIPE_BASE_URL="https://***@stripe.internal"): stripe has no credentials, so it runs on its built-in emulator, which would ignore this setting. Fix: set STRIPE_API_KEY to use the real API, or unset STRIPE_BASE_URL.',
        '  - HUBSPOT_BASE_URL (HUBSPOT_BASE_URL="https://api.hubapi.com"): hubspot has no credentials, so it runs on its built-in emulator, which would ignore this setting. Fix: set HUBSPOT_ACCESS_TOKEN to use the real API, or unset HUBSPOT_BASE_URL.',
      ].join('\n'),
    );
    expect(
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_mine' }, connectors).sources.get('stripe'),
    ).toMatchObject({
      STRIPE_WEBHOOK_SECRET: 'whsec_mine',
    });
    // A source that is off (SANDBOX=0) ignores nothing silently: start-up and /readyz say it is off.
    expect(() =>
      loadConfig({ SANDBOX: '0', STRIPE_BASE_URL: 'https://stripe.internal' }, connectors),
    ).not.toThrow();
  });

  it('bounds WEBHOOK_MAX_DEPTH to 1..1000, default 64', () => {
    expect(loadConfig({}, connectors).core.WEBHOOK_MAX_DEPTH).toBe(64);
    expect(loadConfig({ WEBHOOK_MAX_DEPTH: '200' }, connectors).core.WEBHOOK_MAX_DEPTH).toBe(200);
    expect(problems({ WEBHOOK_MAX_DEPTH: '5000' })).toBe(
      [
        'Switchyard cannot start: 1 problem in the environment.',
        '  - WEBHOOK_MAX_DEPTH (WEBHOOK_MAX_DEPTH="5000"): must be a whole number from 1 to 1000. Fix: correct it or unset it to use the default.',
      ].join('\n'),
    );
  });
});
