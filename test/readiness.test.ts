import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver } from './helpers/alert-receiver.ts';
import type { Receiver } from './helpers/alert-receiver.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const API_KEY = 'app_live_readiness_0123456789';

interface SourceReport {
  name: string;
  mode: string;
  credentials: { status: string; detail: string; checkedAt?: string };
}

/** A product API that answers what `status` says, with an empty page when it is 200. */
function productApi(status: { code: number }): Server {
  return createServer((_req, res) => {
    res.writeHead(status.code, { 'content-type': 'application/json' });
    res.end(
      status.code === 200
        ? JSON.stringify({ data: [], has_more: false, next_cursor: null })
        : JSON.stringify({ error: { code: 'unauthorized', message: 'bad key' } }),
    );
  });
}

describe('/readyz reports each source’s credentials, never the credentials', () => {
  const status = { code: 401 };
  const api = productApi(status);
  let t: TestGateway;
  let alerts: Receiver;
  beforeAll(async () => {
    alerts = await startAlertReceiver();
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const { port } = api.address() as AddressInfo;
    t = await startTestGateway({
      APP_BASE_URL: `http://127.0.0.1:${port}`,
      APP_API_KEY: API_KEY,
      ALERT_WEBHOOK_URL: alerts.url,
      ALERT_COOLDOWN_S: '0',
    });
  });
  afterAll(async () => {
    await t.close();
    await alerts.close();
    await new Promise((resolve) => api.close(resolve));
  });

  async function report(name: string): Promise<SourceReport> {
    const response = await fetch(`${t.url}/readyz`);
    const text = await response.text();
    expect(text).not.toContain(API_KEY);
    const body = JSON.parse(text) as { sources: SourceReport[] };
    const found = body.sources.find((s) => s.name === name);
    if (!found) throw new Error(`no ${name} in /readyz`);
    return found;
  }

  it('says a real source’s credentials are set but unused, then what the source made of them', async () => {
    expect(await report('app')).toEqual({
      name: 'app',
      mode: 'real',
      webhooks: false,
      breaker: 'closed',
      credentials: { status: 'configured', detail: 'Set; App API has not been called yet.' },
    });

    await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    const rejected = await report('app');
    expect(rejected.credentials).toEqual({
      status: 'rejected',
      detail: 'App API refused them with HTTP 401 (users.list): check APP_BASE_URL and APP_API_KEY.',
      checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });

    await expect.poll(() => alerts.alerts.length).toBe(1);
    expect(alerts.alerts[0]).toMatchObject({
      key: 'credentials:app',
      state: 'firing',
      severity: 'critical',
      source: 'app',
      message:
        "app refuses the gateway's credentials (HTTP 401 on users.list): its fields fail until the credentials are fixed (APP_BASE_URL and APP_API_KEY).",
    });
    // One alert per outage: a second refusal sends nothing more.
    await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');

    status.code = 200;
    const answered = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(answered.errors).toBeUndefined();
    expect((await report('app')).credentials).toMatchObject({
      status: 'accepted',
      detail: 'App API accepted them (users.list).',
    });
    await expect.poll(() => alerts.alerts.length).toBe(2);
    expect(alerts.alerts[1]).toMatchObject({ key: 'credentials:app', state: 'resolved' });
    expect(JSON.stringify(alerts.alerts)).not.toContain(API_KEY);
  });

  it('says which sources run on their emulator', async () => {
    expect((await report('hubspot')).credentials).toEqual({
      status: 'sandbox',
      detail: 'The built-in HubSpot emulator’s, generated for this process.',
    });
  });
});
