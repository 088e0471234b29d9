import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers with `body` as JSON, its length declared. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  // Declared, because once writeHead has run Node cannot add it and frames the body in chunks: three more
  // pieces in a vectored write, and more for the client to parse, on every webhook answer.
  const length = String(Buffer.byteLength(text));
  res.writeHead(
    status,
    headers === undefined
      ? { 'content-type': JSON_TYPE, 'content-length': length }
      : { 'content-type': JSON_TYPE, 'content-length': length, ...headers },
  );
  res.end(text);
}

/** The request's headers, names lower-cased, repeated ones joined with `, `. */
export function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = req.headers;
  for (const name in given) {
    const value = given[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
