import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertPayload } from '../../src/alerts/alert.ts';

/** A local alert receiver: answers each POST as `respond` says (a status, or `hang`). */
export interface Receiver {
  url: string;
  alerts: AlertPayload[];
  /** Requests received, answered or not. */
  hits: number;
  close(): Promise<void>;
}

export async function startAlertReceiver(
  respond: (hit: number) => number | 'hang' = () => 200,
): Promise<Receiver> {
  const receiver = { alerts: [] as AlertPayload[], hits: 0 } as Receiver;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.hits++;
      const answer = respond(receiver.hits);
      if (answer === 'hang') return;
      if (answer < 300) receiver.alerts.push(JSON.parse(Buffer.concat(chunks).toString()) as AlertPayload);
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
