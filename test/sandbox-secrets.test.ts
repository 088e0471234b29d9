import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { createDemoWorld } from '../src/sandbox/demo-world.ts';
import { startTestGateway, stripeCustomer, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const configured = {
  STRIPE_WEBHOOK_SECRET: 'whsec_configuredStripeSecret0123456789',
  HUBSPOT_WEBHOOK_SECRET: 'configured-hubspot-client-secret',
  ZENDESK_WEBHOOK_SECRET: 'configured-zendesk-secret,older-zendesk-secret',
  SHOPIFY_WEBHOOK_SECRET: 'configured-shopify-secret,older-shopify-secret',
  APP_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
};

describe('sandbox credentials', () => {
  it('are new in every process, whatever the seed', async () => {
    for (const connector of connectors) {
      const world = createDemoWorld({ seed: 42 });
      const a = await connector.sandbox?.start(world);
      const b = await connector.sandbox?.start(createDemoWorld({ seed: 42 }));
      try {
        const secret = `${connector.name.toUpperCase()}_WEBHOOK_SECRET`;
        expect(a?.env[secret]).toBeTruthy();
        expect(a?.env[secret]).not.toBe(b?.env[secret]);
      } finally {
        await a?.close();
        await b?.close();
      }
    }
  });
});

describe('a sandboxed gateway with webhook secrets configured', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(configured);
  });
  afterAll(() => t.close());

  it('keeps every configured secret instead of the emulator’s own', () => {
    for (const source of t.gateway.sources) {
      const name = `${source.name.toUpperCase()}_WEBHOOK_SECRET` as keyof typeof configured;
      expect(source.mode).toBe('sandbox');
      expect(source.webhookSecret).toBe(configured[name]);
      expect(source.sandbox?.env[name]).toBe(configured[name]);
    }
  });

  it('accepts a delivery the user signed with the configured secret, and refuses another secret', async () => {
    const body = stripeCustomerEvent(
      `evt_configured_${Date.now()}`,
      'customer.updated',
      stripeCustomer('cus_Configured0001', 'configured@example.com', 'Configured Secret'),
    );
    const refused = await t.postStripe(body, { secret: 'whsec_someoneElsesSecret0000000000' });
    expect(refused.status).toBe(401);
    const accepted = await t.postStripe(body, { secret: configured.STRIPE_WEBHOOK_SECRET });
    expect(accepted).toMatchObject({ status: 200, body: { received: 1, stored: 1 } });
  });

  it('has the demo clock sign with the configured secrets, so its deliveries are stored', async () => {
    const before = await t.gateway.events.read({ limit: 10_000 });
    for (let i = 0; i < 12; i++) await t.gateway.demo?.tick();
    const after = await t.gateway.events.read({ limit: 10_000 });
    const sources = new Set(after.slice(before.length).map((e) => e.source));
    // Every source the demo world touched in those ticks delivered, each signed with its configured secret.
    expect([...sources].sort()).toEqual(['app', 'hubspot', 'shopify', 'stripe', 'zendesk']);
  });
});
