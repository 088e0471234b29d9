import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** What came back on a raw socket: the parsed response (if any), and how the socket ended. */
export interface RawExchange {
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** Bytes of the request body written before the response arrived (or the socket closed). */
  bodyBytesSent: number;
  /** Milliseconds from connecting until the server closed the socket. */
  closedAfterMs: number;
}

function parse(raw: string): Pick<RawExchange, 'status' | 'headers' | 'body'> {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: null, headers: {}, body: '' };
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

/**
 * Sends `head` (request line and headers, CRLF-terminated, blank line included
 * when wanted) on a fresh socket, then body chunks from `body` until the
 * server answers or closes; resolves once the server closes the socket (or
 * after `timeoutMs`, destroying it).
 */
export function rawExchange(
  port: number,
  head: string,
  body?: Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
  timeoutMs = 15_000,
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the server neither answered nor closed within ${timeoutMs} ms; got ${JSON.stringify(received)}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      answered = true;
    });
    // The server may close while we still write: that is the point of these tests.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parse(received), bodyBytesSent: sent, closedAfterMs: Date.now() - started });
    });
    const send = async () => {
      socket.write(head);
      if (body === undefined) return;
      for await (const chunk of body) {
        if (answered || socket.destroyed || socket.writableEnded) return;
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        sent += bytes.length;
        if (!socket.write(bytes)) await new Promise((r) => socket.once('drain', r).once('close', r));
        // Let the server's answer in between chunks.
        await new Promise((r) => setImmediate(r));
      }
    };
    socket.once('connect', () => void send());
  });
}

/** `data` in HTTP/1.1 chunked encoding. */
export function chunk(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}
