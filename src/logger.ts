import { pino } from 'pino';
import type { Logger } from 'pino';

/** The gateway's structured logger: JSON lines on stdout, credentials redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switchyard' },
      redact: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.secret'],
    },
    destination,
  );
}
