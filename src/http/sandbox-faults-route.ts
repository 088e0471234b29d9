import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.ts';
import { ErrorCode } from '../errors.ts';
import type { FaultPlan } from '../sandbox/types.ts';
import type { Source } from '../sources.ts';
import { graphqlErrorBody } from './error-body.ts';
import { sendJson } from './send-json.ts';
import { decodePathSegment } from './webhook-route.ts';

/** Path prefix of the route: `/admin/sandbox/faults/<source>`. */
export const SANDBOX_FAULTS_PATH = '/admin/sandbox/faults/';

/** Largest fault plan accepted, in bytes. */
const MAX_PLAN_BYTES = 16 * 1024;

/** A fault plan as the route takes it; `times` absent: until `DELETE`. */
const FaultPlanBody = z.strictObject({
  endpoint: z.string().min(1).max(200).optional(),
  times: z.number().int().min(1).max(1_000_000).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  status: z.number().int().min(400).max(599).optional(),
  share: z.number().min(0).max(1).optional(),
  retryAfter: z.number().int().min(0).max(86_400).optional(),
  reset: z.boolean().optional(),
  hang: z.boolean().optional(),
  malformed: z.boolean().optional(),
  wrongContentType: z.boolean().optional(),
  down: z.boolean().optional(),
});

/** Options of {@link createSandboxFaultsRoute}. */
export interface SandboxFaultsRouteOptions {
  sources: readonly Source[];
  authenticator: Authenticator;
  log: Logger;
  /** Told a source's faults changed (the response cache forgets what it read, so the next query shows them). Default: nobody. */
  onChange?: ((source: string) => void) | undefined;
}

function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(graphqlErrorBody(code, message));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PLAN_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `POST /admin/sandbox/faults/<source>` injects a fault plan into that source's emulator, at run
 * time (`{"status":503,"share":0.5}`, `{"status":429,"retryAfter":1,"times":5}`, `{"hang":true}`,
 * `{"down":true}`...); `DELETE` clears its faults and brings it back up. Only sandboxed sources
 * have one: anything else is 404, as if the route did not exist. Needs the `admin` scope.
 */
export function createSandboxFaultsRoute(
  options: SandboxFaultsRouteOptions,
): (req: IncomingMessage, res: ServerResponse, segment: string) => Promise<void> {
  const sandboxes = new Map(
    options.sources.flatMap((s) => (s.mode === 'sandbox' && s.sandbox ? [[s.name, s.sandbox] as const] : [])),
  );
  return async function sandboxFaults(req, res, segment) {
    const name = decodePathSegment(segment);
    const sandbox = name === null ? undefined : sandboxes.get(name);
    if (name === null || sandbox === undefined) {
      const path = `${SANDBOX_FAULTS_PATH}${segment}`;
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${path}.` } });
      return;
    }
    const auth = await options.authenticator.authenticate(req.headers.authorization);
    if (!auth.ok) {
      refuse(res, 401, ErrorCode.UNAUTHENTICATED, auth.message, { 'www-authenticate': 'Bearer' });
      return;
    }
    if (!auth.principal.scopes.has('admin')) {
      refuse(res, 403, ErrorCode.FORBIDDEN, 'Injecting sandbox faults needs the admin scope.');
      return;
    }
    const who = { source: name, principal: auth.principal.id };
    if (req.method === 'DELETE') {
      sandbox.faults.clear();
      sandbox.faults.down = false;
      options.onChange?.(name);
      options.log.info(who, 'sandbox faults cleared');
      sendJson(res, 200, { source: name, cleared: true });
      return;
    }
    if (req.method !== 'POST') {
      refuse(res, 405, ErrorCode.BAD_REQUEST, 'Use POST with a fault plan, or DELETE to clear.', {
        allow: 'POST, DELETE',
      });
      return;
    }
    // A JSON content type cannot be sent cross-origin without a CORS preflight, which this route never grants.
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      refuse(res, 415, ErrorCode.BAD_REQUEST, 'Send the fault plan with Content-Type: application/json.');
      return;
    }
    const text = await readBody(req);
    if (text === null) {
      refuse(res, 413, ErrorCode.PAYLOAD_TOO_LARGE, `A fault plan is at most ${MAX_PLAN_BYTES} bytes.`, {
        connection: 'close',
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      refuse(res, 400, ErrorCode.BAD_USER_INPUT, 'The fault plan is not JSON.');
      return;
    }
    const parsed = FaultPlanBody.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`);
      refuse(res, 400, ErrorCode.BAD_USER_INPUT, `Invalid fault plan: ${issues.join('; ')}.`);
      return;
    }
    const { down, ...rest } = parsed.data;
    if (down !== undefined) sandbox.faults.down = down;
    const plan: FaultPlan = { ...rest, times: rest.times ?? Number.POSITIVE_INFINITY };
    const injects = Object.keys(rest).some((k) => k !== 'endpoint' && k !== 'times');
    if (injects) sandbox.faults.inject(plan);
    options.onChange?.(name);
    options.log.info({ ...who, plan: parsed.data }, 'sandbox fault injected');
    sendJson(res, 200, {
      source: name,
      injected: injects ? { ...rest, times: rest.times ?? null } : null,
      down: sandbox.faults.down,
    });
  };
}
