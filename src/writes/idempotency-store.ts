import { ErrorCode, GatewayError, badUserInput } from '../errors.ts';
import { canonicalJson, differingPaths, fingerprint } from './canonical-input.ts';

/** How long the gateway remembers a key's result: 24 hours, as Stripe keeps its keys. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Whose key it is: a key is scoped to one principal and one mutation. */
export interface IdempotencyScope {
  /** `ctx.principal.id`. */
  principal: string;
  /** The mutation's field name (`createTicket`). */
  mutation: string;
  /** The client's `idempotencyKey`. */
  key: string;
}

/** A write run under a key, and whether its result is a replay of the first run's. */
export interface IdempotentResult<T> {
  result: T;
  replayed: boolean;
}

/**
 * `(principal, mutation, key) -> result` for {@link IDEMPOTENCY_TTL_MS}, for
 * sources whose API has no idempotency keys of its own.
 *
 * - The first request under a key runs `write`; its result (JSON) is kept.
 * - A repeat with the same input gets that result without calling `write`;
 *   a concurrent repeat waits for the first to finish (until `deadline`).
 * - A repeat with different input (by the SHA-256 of its canonical JSON) is
 *   refused with BAD_USER_INPUT naming the fields that differ.
 * - A write that fails keeps nothing: the key may be used again.
 */
export interface IdempotencyStore {
  run<T>(
    scope: IdempotencyScope,
    input: unknown,
    write: () => Promise<T>,
    deadline: number,
  ): Promise<IdempotentResult<T>>;
  close(): Promise<void>;
}

/** What is kept under a key, in memory or as JSON in Redis. */
export interface StoredKey {
  state: 'pending' | 'done';
  fingerprint: string;
  /** The canonical input, to name the fields a conflicting repeat changed. */
  input: string;
  /** The result as JSON, once done. */
  result?: string;
}

/** The refusal of a key reused with other input, as Stripe refuses it. */
export function keyConflict(scope: IdempotencyScope, stored: StoredKey, input: unknown): GatewayError {
  let first: unknown;
  try {
    first = JSON.parse(stored.input);
  } catch {
    first = undefined;
  }
  const fields = differingPaths(first, JSON.parse(canonicalJson(input)));
  return badUserInput(
    `The idempotency key "${scope.key}" was already used for ${scope.mutation} with different input ` +
      `(${fields.join(', ')} differ): a key stands for one request. Send the same input to get the first ` +
      `result again, or use a new key for a different request.`,
    {
      argument: 'idempotencyKey',
      fields: fields.map((field) => ({ field, message: 'differs from the first request with this key' })),
    },
  );
}

/** A repeat gave up waiting for the first request under its key, which is still running. */
export function stillInProgress(scope: IdempotencyScope): GatewayError {
  return new GatewayError(
    ErrorCode.UPSTREAM_TIMEOUT,
    `The first ${scope.mutation} with idempotency key "${scope.key}" is still in progress, so its outcome is ` +
      'unknown yet. Retry with the same idempotency key to get its result; it will not be written twice.',
    { details: { outcome: 'unknown' } },
  );
}

/** A new entry for `input`, pending. */
export function pendingEntry(input: unknown): StoredKey {
  return { state: 'pending', fingerprint: fingerprint(input), input: canonicalJson(input) };
}

/** The entry's result, or the conflict when `input` is not the one it was made for. */
export function replayOrConflict<T>(
  scope: IdempotencyScope,
  stored: StoredKey,
  input: unknown,
): IdempotentResult<T> | null {
  if (stored.fingerprint !== fingerprint(input)) throw keyConflict(scope, stored, input);
  if (stored.state !== 'done' || stored.result === undefined) return null;
  return { result: JSON.parse(stored.result) as T, replayed: true };
}
