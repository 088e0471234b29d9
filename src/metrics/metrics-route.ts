import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { sendJson } from '../http/send-json.ts';
import type { GatewayMetrics } from './metrics.ts';

/** Who may read `/metrics`. */
export type MetricsAccess = { kind: 'token'; token: string } | { kind: 'open' } | { kind: 'closed' };

/**
 * `METRICS_TOKEN` set: a Bearer token, in every mode. Otherwise open outside
 * production; in production closed unless `METRICS_PUBLIC=1` says it is meant
 * to be (the port is only reachable by the scraper).
 */
export function metricsAccess(core: {
  NODE_ENV: string;
  METRICS_TOKEN?: string | undefined;
  METRICS_PUBLIC?: boolean | undefined;
}): MetricsAccess {
  if (core.METRICS_TOKEN !== undefined) return { kind: 'token', token: core.METRICS_TOKEN };
  if (core.NODE_ENV !== 'production' || core.METRICS_PUBLIC === true) return { kind: 'open' };
  return { kind: 'closed' };
}

/** The banner's line about `/metrics`. */
export function describeMetricsAccess(access: MetricsAccess): string {
  switch (access.kind) {
    case 'token':
      return 'needs METRICS_TOKEN as a Bearer token';
    case 'open':
      return 'open to anyone who reaches this port (set METRICS_TOKEN to require a token)';
    case 'closed':
      return 'refused: production without METRICS_TOKEN (set it, or METRICS_PUBLIC=1)';
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** `GET /metrics`: the Prometheus text exposition, behind `access`. */
export function createMetricsRoute(
  metrics: GatewayMetrics,
  access: MetricsAccess,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = access.kind === 'token' ? digest(access.token) : undefined;
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { errors: [{ message: 'Metrics are read with GET.', extensions: { code: ErrorCode.BAD_REQUEST } }] },
        { allow: 'GET, HEAD' },
      );
      return;
    }
    if (access.kind === 'closed') {
      sendJson(res, 403, {
        errors: [
          {
            message:
              '/metrics is off in production until it is protected: set METRICS_TOKEN (then send Authorization: Bearer <token>), or METRICS_PUBLIC=1 if only your scraper can reach this port.',
            extensions: { code: ErrorCode.FORBIDDEN },
          },
        ],
      });
      return;
    }
    if (expected !== undefined) {
      const given = bearer(req);
      // Compared as digests: equal lengths, constant time, whatever the client sends.
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        sendJson(
          res,
          401,
          {
            errors: [
              {
                message: '/metrics needs the metrics token: send Authorization: Bearer <METRICS_TOKEN>.',
                extensions: { code: ErrorCode.UNAUTHENTICATED },
              },
            ],
          },
          { 'www-authenticate': 'Bearer realm="metrics"' },
        );
        return;
      }
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}
