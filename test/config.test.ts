import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { sandboxWanted } from '../src/sources.ts';

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
});
