import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { webhooksOffWarning } from '../src/events/webhooks-off.ts';
import type { Source } from '../src/sources.ts';

const connector = (name: string) => {
  const found = connectors.find((c) => c.name === name);
  if (!found) throw new Error(`no connector ${name}`);
  return found;
};
const source = (name: string, mode: Source['mode'], webhookSecret?: string): Source => ({
  name,
  connector: connector(name),
  mode,
  config: {},
  upstream: null,
  client: null,
  sandbox: null,
  webhookSecret,
});

describe('webhooksOffWarning', () => {
  const sources = [
    source('stripe', 'real'),
    source('hubspot', 'real', 'secret'),
    source('zendesk', 'sandbox'),
    source('shopify', 'off'),
  ];

  it('names, in production, every real or sandboxed source without a signing secret and what to set', () => {
    expect(webhooksOffWarning(sources, true)).toBe(
      'webhooks are off for stripe, zendesk: no signing secret, so their deliveries are refused ' +
        '(404 WEBHOOK_NOT_CONFIGURED) and their events never reach subscribers. ' +
        'Set STRIPE_WEBHOOK_SECRET, ZENDESK_WEBHOOK_SECRET to receive them.',
    );
  });

  it('says nothing outside production, or when every source that is on has its secret', () => {
    expect(webhooksOffWarning(sources, false)).toBeNull();
    expect(webhooksOffWarning([sources[1] as Source, sources[3] as Source], true)).toBeNull();
  });
});

describe('start-up in production', () => {
  it('warns in the banner and the log which sources have webhooks off, and starts anyway', async () => {
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SANDBOX: '0',
        ALLOW_ANONYMOUS: '1',
        STRIPE_API_KEY: 'sk_test_startup_warning',
        STRIPE_BASE_URL: 'http://127.0.0.1:9',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no warning: ${out}`)), 20_000);
        const check = () => {
          if (/"level":40[^\n]*webhooks are off/.test(out) && out.includes('Switchyard is up')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.once('exit', () => reject(new Error(`exited: ${out}`)));
      });
      expect(out).toMatch(
        /stripe\s+real\s+http:\/\/127\.0\.0\.1:9\s+\(webhooks off: set STRIPE_WEBHOOK_SECRET\)/,
      );
      expect(out).toContain(
        '  WARNING: webhooks are off for stripe: no signing secret, so their deliveries are refused (404 WEBHOOK_NOT_CONFIGURED)',
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
