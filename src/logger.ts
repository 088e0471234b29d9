import { pino } from 'pino';
import type { Logger } from 'pino';
import { Redactor } from './redact.ts';

/** Fields whose whole value is a credential, wherever they sit in a log record (replaced by `[Redacted]`). */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-shopify-access-token"]',
  '*.apiKey',
  '*.secret',
  '*.password',
];

/**
 * The gateway's structured logger: JSON lines on stdout (or `destination`).
 * Credential fields are redacted by path, and every finished line is scrubbed
 * by `redactor` (default: one that knows no secret values, only URL passwords
 * and `Bearer`/`Basic` credentials), wherever they hide: an error's message or
 * `cause`, a Redis or undici error, a config problem.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  redactor: Redactor = new Redactor(),
): Logger {
  return pino(
    {
      level,
      base: { service: 'switchyard' },
      redact: REDACTED_PATHS,
      hooks: { streamWrite: (line: string) => redactor.redact(line) },
    },
    destination,
  );
}
