import type { z } from 'zod';
import { invalidFields } from './write-errors.ts';

/**
 * Validates a mutation's arguments with zod before any upstream call; a
 * refusal is BAD_USER_INPUT with `extensions.fields` naming each argument path
 * (`input.requesterEmail`) and what is wrong with it.
 */
export function parseWriteInput<T extends z.ZodType>(schema: T, args: unknown): z.infer<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  throw invalidFields(
    'The gateway',
    result.error.issues.slice(0, 10).map((issue) => ({
      field: issue.path.map(String).join('.') || '(input)',
      message: issue.message,
    })),
  );
}
