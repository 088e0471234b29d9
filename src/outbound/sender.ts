import { Agent, request } from 'undici';
import { parseRetryAfter } from '../upstream/retry-after.ts';
import { ForbiddenDestinationError, checkUrl, guardedLookup } from './address-guard.ts';

/** What one HTTP attempt came to. */
export interface SendResult {
  /** The receiver's HTTP status; null when none came. */
  status: number | null;
  durationMs: number;
  /** Why it is not a success; null for a 2xx. */
  error: string | null;
  /** A 429 or 503's `Retry-After`, in ms. */
  retryAfterMs?: number | undefined;
}

/** Options of {@link createSender}. */
export interface SenderOptions {
  /** A 2xx must come within this, in ms. */
  timeoutMs: number;
  /** Allow loopback and private addresses (OUTBOUND_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/** Sends one signed delivery attempt. */
export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

function describe(error: unknown, timeoutMs: number): string {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    if (cause instanceof ForbiddenDestinationError) return `refused: ${cause.message}`;
    cause = cause.cause;
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/**
 * Outbound HTTP for deliveries: redirects are never followed (a 3xx is a failed
 * attempt), and every connection goes through {@link guardedLookup}, so the
 * address checked is the address connected to; an IP-literal URL, which needs no
 * lookup, is checked here before each attempt.
 */
export function createSender(options: SenderOptions): Sender {
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.allowPrivate) },
    keepAliveTimeout: 10_000,
    connections: 64,
  });
  return {
    async send(url, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        checkUrl(url, options.allowPrivate);
        const response = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Switchyard-Webhooks/1', ...headers },
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const status = response.statusCode;
        const durationMs = elapsed();
        // Read and drop the answer: receivers' bodies are not kept, and the socket is reused.
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (status >= 200 && status < 300) return { status, durationMs, error: null };
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        if (status >= 300 && status < 400) {
          const location = header('location');
          return {
            status,
            durationMs,
            error: `HTTP ${status}: redirects are not followed${location === undefined ? '' : ` (to ${location.slice(0, 200)})`}; give the final URL`,
          };
        }
        const retryAfterMs =
          status === 429 || status === 503 ? parseRetryAfter(header('retry-after'), Date.now()) : undefined;
        return { status, durationMs, error: `HTTP ${status}`, retryAfterMs };
      } catch (error) {
        return { status: null, durationMs: elapsed(), error: describe(error, options.timeoutMs) };
      }
    },
    async close() {
      // Attempts still in flight are cut: the dispatcher no longer records them.
      await agent.destroy();
    },
  };
}
