import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver got, and whether each of its secrets verified it. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { id: string; type: string; cursor: string; source: string; [key: string]: unknown };
  verifiedWith: string[];
  at: number;
}

/** A webhook receiver on 127.0.0.1:0 that verifies every request with the `standardwebhooks` package. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Secrets to verify with (a request's `verifiedWith` lists the ones that accepted it). */
  secrets: string[];
  /** Decides the answer to the n-th request (0-based): a status, optional headers, optional delay. */
  answer: (
    n: number,
    request: Received,
  ) => { status: number; headers?: Record<string, string>; delayMs?: number };
  /** Resolves once `count` requests came. */
  until(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(secrets: string[] = []): Promise<Receiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    secrets,
    answer: () => ({ status: 200 }),
    async until(count, timeoutMs = 10_000) {
      if (receiver.received.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`receiver got ${receiver.received.length} of ${count} requests`)),
            timeoutMs,
          );
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return receiver.received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verifiedWith = receiver.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const request: Received = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        json: JSON.parse(body) as Received['json'],
        verifiedWith,
        at: Date.now(),
      };
      const n = receiver.received.length;
      receiver.received.push(request);
      const { status, headers: extra, delayMs } = receiver.answer(n, request);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(status, extra);
        res.end();
      };
      if (delayMs === undefined) reply();
      else setTimeout(reply, delayMs);
      for (const waiter of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
