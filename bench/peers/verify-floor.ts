/**
 * The verify-only floor of the ingest measurement: the cheapest server that
 * still verifies what it is sent, to show side by side with the peer what any
 * verifying webhook receiver pays in this harness. A plain Node `http` server
 * (no framework, no GraphQL) with one route, `POST /webhook`, that:
 *
 * - reads the raw body;
 * - verifies `Stripe-Signature` as Stripe specifies (`t=<unix s>,v1=<hex>[,v1=<hex>...]`,
 *   other schemes ignored): HMAC-SHA256 keyed with the whole `whsec_...` secret over
 *   `${t}.${rawBody}`, compared in constant time with every `v1` value (any match
 *   passes), and signed at most 300 s ago (stripe-node's default tolerance);
 * - `JSON.parse`s the body and checks that `id` and `type` are strings;
 * - keeps the parsed event in a bounded in-memory ring (the 10,000 newest);
 * - answers 200 with a small JSON receipt `{ received, id, cursor }`, or 400
 *   with `{ error }` on a missing or wrong signature, a stale timestamp, a body
 *   that is not JSON or an event without a string `id` and `type`.
 *
 * It does NOT de-duplicate re-deliveries, validate the payload beyond `id` and
 * `type`, assign durable cursors (its cursor is a per-process counter), replay
 * history, serve GraphQL or push to any subscriber, and any other method or path
 * gets a bare 404. It is a measuring stick, not a product.
 *
 * Env: PORT (default 0 = any free port), HOST (default 127.0.0.1), WEBHOOK_SECRET
 * (default `whsec_bench_secret`, the secret bench/lib/common.ts signs with).
 * Prints `verify-floor is up: http://<host>:<port>/webhook` once listening.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_SECRET } from '../lib/common.ts';

const secret = process.env['WEBHOOK_SECRET'] ?? WEBHOOK_SECRET;
const TOLERANCE_SECONDS = 300;
const RING_SIZE = 10_000;

const ring: unknown[] = new Array<unknown>(RING_SIZE);
let seq = 0;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Whether `header` signs `raw` with the secret, at most {@link TOLERANCE_SECONDS} ago. */
function verified(header: string | undefined, raw: Buffer): boolean {
  if (header === undefined) return false;
  let timestamp = '';
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1') candidates.push(value);
  }
  if (!/^\d+$/.test(timestamp) || candidates.length === 0) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(raw).digest();
  const matches = candidates.some(
    (candidate) => HEX_SHA256.test(candidate) && timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  return matches && Math.floor(Date.now() / 1000) - Number(timestamp) <= TOLERANCE_SECONDS;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

function webhook(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    if (!verified(req.headers['stripe-signature'] as string | undefined, raw)) {
      send(res, 400, '{"error":"no valid Stripe-Signature for this body"}');
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      send(res, 400, '{"error":"invalid JSON"}');
      return;
    }
    const { id, type } = (event ?? {}) as { id?: unknown; type?: unknown };
    if (typeof id !== 'string' || typeof type !== 'string') {
      send(res, 400, '{"error":"an event needs a string id and type"}');
      return;
    }
    ring[seq % RING_SIZE] = event;
    seq++;
    send(res, 200, JSON.stringify({ received: 1, id, cursor: String(seq) }));
  });
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && (req.url ?? '/').split('?')[0] === '/webhook') {
    webhook(req, res);
  } else {
    res.writeHead(404);
    res.end();
  }
});

const port = Number(process.env['PORT'] ?? '0');
const host = process.env['HOST'] ?? '127.0.0.1';
server.listen(port, host, () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`verify-floor is up: http://${host}:${String(address.port)}/webhook\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
