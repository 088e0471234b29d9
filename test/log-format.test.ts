import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logDestination, logFormat } from '../src/logger.ts';
import { Redactor } from '../src/redact.ts';

describe('LOG_FORMAT', () => {
  it('is pretty for a developer at a terminal and JSON everywhere else, unless set', () => {
    expect(logFormat(undefined, 'development', true)).toBe('pretty');
    expect(logFormat(undefined, 'development', false)).toBe('json');
    expect(logFormat(undefined, 'production', true)).toBe('json');
    expect(logFormat(undefined, 'test', true)).toBe('json');
    expect(logFormat('json', 'development', true)).toBe('json');
    expect(logFormat('pretty', 'production', false)).toBe('pretty');
  });

  it('prints one readable line per record, still redacted', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const secret = 'sk_test_pretty_0123456789abcdef';
    const log = createLogger('info', logDestination('pretty', out), new Redactor([secret]));
    log.info(
      { source: 'stripe', detail: `key ${secret}`, req: { headers: { authorization: 'Bearer abc' } } },
      'hello',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = chunks.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello/);
    expect(text).toContain('{"source":"stripe",');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('Bearer abc');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('is plain JSON on stdout for json', () => {
    expect(logDestination('json')).toBeUndefined();
  });
});
