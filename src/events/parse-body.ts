import type { z } from 'zod';
import { WebhookError } from '../connector.ts';

/** Parses a webhook body as JSON, or throws 400 `INVALID_JSON` saying where it broke. */
export function parseJsonBody(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookError(400, 'INVALID_JSON', `Webhook body is not valid JSON: ${reason}`);
  }
}

/** Zod issues as `{ path, message }` pairs, paths dotted (`data.object.email`). */
export function zodIssues(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
  }));
}

/** 400 `BATCH_TOO_LARGE`: the provider never sends more in one request, so this is not its delivery. */
export function batchTooLarge(source: string, count: number, max: number): WebhookError {
  return new WebhookError(
    400,
    'BATCH_TOO_LARGE',
    `This ${source} delivery carries ${count} events; one delivery carries at most ${max}. Nothing was stored.`,
  );
}
