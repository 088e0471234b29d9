import { pino } from 'pino';
import type { Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
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

/** How log lines look: JSON for collectors, or one coloured line per record for a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * The format `LOG_FORMAT` asks for; unset, `pretty` for a developer at a
 * terminal (NODE_ENV development, stdout a TTY) and `json` everywhere else.
 */
export function logFormat(
  setting: LogFormat | undefined,
  nodeEnv: string,
  stdoutIsTty: boolean = process.stdout.isTTY,
): LogFormat {
  if (setting !== undefined) return setting;
  return nodeEnv === 'development' && stdoutIsTty ? 'pretty' : 'json';
}

/**
 * Where log lines go for `format`: stdout as is for `json`; for `pretty`, an
 * in-process pino-pretty stream (no worker thread, so nothing is lost at exit).
 * It prints what `createLogger` wrote, so redaction has already happened.
 */
export function logDestination(
  format: LogFormat,
  /** Where pretty lines go. Default: stdout. */
  out?: NodeJS.WritableStream,
): pino.DestinationStream | undefined {
  if (format === 'json') return undefined;
  return PinoPretty({
    ...(out ? { destination: out } : {}),
    colorize: out === undefined && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
}
