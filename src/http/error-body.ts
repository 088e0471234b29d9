import type { ErrorCode } from '../errors.ts';

/**
 * The GraphQL-shaped JSON body of a refusal answered outside GraphQL
 * execution (at the HTTP or WebSocket-upgrade level):
 * `{"errors":[{"message":...,"extensions":{"code":...}}]}`.
 */
export function graphqlErrorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
