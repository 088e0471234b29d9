import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../../src/upstream/types.ts';
import { app, appRetryHint } from './index.ts';
import { AppConfig } from './config.ts';

const response = (status: number, headers: Record<string, string>): UpstreamResponse => ({
  status,
  headers,
  text: '',
  json: undefined,
  attempts: 1,
});

describe('the app connector', () => {
  it('states the API facts of its contract', () => {
    expect(app.provider).toMatchObject({
      auth: 'bearer',
      pagination: 'cursor-token',
      maxPageSize: 100,
      maxBatchSize: 100,
    });
    expect(app.provider.webhookSignature).toBe('standard-webhooks-v1');
  });

  it('is on with an API key and a base URL, and sends the key as a Bearer token', () => {
    const off = AppConfig.parse({});
    expect(app.hasCredentials(off)).toBe(false);
    const on = AppConfig.parse({
      APP_API_KEY: 'app_live_x',
      APP_BASE_URL: 'https://api.example.com/product',
    });
    expect(app.hasCredentials(on)).toBe(true);
    expect(app.upstream(on)).toMatchObject({
      source: 'app',
      baseUrl: 'https://api.example.com/product',
      headers: { authorization: 'Bearer app_live_x' },
    });
  });

  it('waits for RateLimit-Reset on a 429 without Retry-After, and leaves the rest to the defaults', () => {
    expect(appRetryHint(response(429, { 'ratelimit-reset': '3' }))).toEqual({ retry: true, afterMs: 3000 });
    expect(appRetryHint(response(429, { 'ratelimit-reset': '3', 'retry-after': '1' }))).toBeUndefined();
    expect(appRetryHint(response(429, {}))).toBeUndefined();
    expect(appRetryHint(response(503, { 'ratelimit-reset': '3' }))).toBeUndefined();
  });
});
