import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { ErrorCode, GatewayError } from './errors.ts';
import type { Redactor } from './redact.ts';

/** The message of every unexpected error a client sees. */
export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

/** Options of {@link createErrorMasking}. */
export interface ErrorMaskingOptions {
  /**
   * Production: a `GatewayError`'s `publicMessage` replaces its message (the
   * provider's text and network details go to the logs only), and unexpected
   * errors show nothing but their code and request id.
   */
  production: boolean;
  /**
   * Development: an unexpected error also shows its message and stack in
   * `extensions.originalError`. Credentials are masked in every mode.
   */
  showDetails: boolean;
  redactor: Redactor;
  /** Where withheld details go, when no request logger is at hand. */
  log: Logger;
}

/** How errors reach clients: masked, redacted, and logged with the request id the client sees. */
export interface ErrorMasking {
  /** Production mode: details withheld from clients. */
  readonly production: boolean;
  /**
   * Envelop plugin masking the errors of every execution, whatever the
   * transport (HTTP, SSE, graphql-ws), with the request's id and logger.
   */
  readonly plugin: Plugin;
  /**
   * Masks one error with a fresh request id: for yoga's `maskedErrors.maskError` (errors
   * outside an execution: context, streams that fail) and for shared graphql-ws subscriptions that fail.
   */
  maskError(error: unknown): GraphQLError;
  /** Whether this error's details were logged already (yoga's own logger can skip it). */
  logged(error: unknown): boolean;
  /** GraphQL-shaped body for an HTTP 500 outside yoga; logs the error with the request id it carries. */
  internalErrorBody(error: unknown, details?: Record<string, unknown>): InternalErrorBody;
  /** The text with every credential masked (`/readyz` details, close reasons). */
  redact(text: string): string;
}

/** `{"errors":[{"message":"Unexpected error.","extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":...}}]}` */
export interface InternalErrorBody {
  errors: { message: string; extensions: { code: ErrorCode; requestId: string } }[];
}

interface RequestScope {
  requestId: string;
  log: Logger;
  /** The request's signal: fired when its client went away. */
  signal?: AbortSignal | undefined;
}

/** Builds the gateway's error masking, the one place errors are shaped for clients. */
export function createErrorMasking(options: ErrorMaskingOptions): ErrorMasking {
  const { production, showDetails, redactor, log } = options;
  const logged = new WeakSet<object>();

  function remember(error: unknown): void {
    if (typeof error === 'object' && error !== null) logged.add(error);
  }

  function present(error: unknown, scope: RequestScope): GraphQLError {
    if (error instanceof GraphQLError && isOwnGraphQLError(error)) return presentKnown(error, scope);
    return presentUnexpected(error, scope);
  }

  function presentKnown(error: GraphQLError, scope: RequestScope): GraphQLError {
    const withheld = production ? gatewayErrorOf(error)?.publicMessage : undefined;
    let message = error.message;
    let extensions: Record<string, unknown> = { ...error.extensions };
    if (withheld !== undefined) {
      scope.log.warn(
        {
          requestId: scope.requestId,
          code: extensions['code'],
          source: extensions['source'],
          detail: message,
        },
        'error details withheld from the client',
      );
      remember(error);
      message = withheld;
      extensions = { ...extensions, requestId: scope.requestId };
    }
    const redactedMessage = redactor.redact(message);
    const redactedExtensions = redactor.redactValue(extensions) as Record<string, unknown>;
    if (
      withheld === undefined &&
      redactedMessage === error.message &&
      JSON.stringify(redactedExtensions) === JSON.stringify(error.extensions)
    ) {
      return error;
    }
    return copy(error, redactedMessage, redactedExtensions);
  }

  function presentUnexpected(error: unknown, scope: RequestScope): GraphQLError {
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located ? innermost(located) : error;
    // A client that leaves aborts every field still waiting: that is the operation's log line, not an error per field.
    if (!isClientAbort(original, scope.signal)) {
      scope.log.error({ err: original, requestId: scope.requestId, path: located?.path }, 'unexpected error');
    }
    remember(error);
    remember(original);
    const extensions: Record<string, unknown> = {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      requestId: scope.requestId,
      // yoga answers 500 to a result with no data and an unexpected error.
      unexpected: true,
    };
    const http: unknown = located?.extensions['http'];
    if (http !== undefined) extensions['http'] = http;
    if (showDetails && !production) {
      extensions['originalError'] = redactor.redactValue(
        original instanceof Error
          ? { message: original.message, stack: original.stack }
          : { message: String(original) },
      );
    }
    return located
      ? copy(located, UNEXPECTED_ERROR_MESSAGE, extensions)
      : new GraphQLError(UNEXPECTED_ERROR_MESSAGE, { extensions });
  }

  function presentResult(result: ExecutionResult, scope: RequestScope): ExecutionResult {
    if (result.errors === undefined) return result;
    // No data at all: a request error, the operation never ran. graphql-js gives the ones it finds in
    // the variables (a string for an Int, a missing required value) no code: they are the client's input.
    const requestError = result.data === undefined;
    return {
      ...result,
      errors: result.errors.map((error) => present(requestError ? withInputCode(error) : error, scope)),
    };
  }

  const fallbackScope = (): RequestScope => ({ requestId: randomUUID(), log });

  function scopeOf(context: unknown): RequestScope {
    const candidate = context as
      { requestId?: unknown; log?: Logger; signal?: AbortSignal | undefined } | null | undefined;
    return typeof candidate?.requestId === 'string' && candidate.log !== undefined
      ? { requestId: candidate.requestId, log: candidate.log, signal: candidate.signal }
      : fallbackScope();
  }

  const plugin: Plugin = {
    onExecute({ args }) {
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors) setResult(presentResult(result, scopeOf(args.contextValue)));
          }),
      };
    },
    onSubscribe({ args }) {
      return {
        onSubscribeResult: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors) setResult(presentResult(result, scopeOf(args.contextValue)));
          }),
        onSubscribeError: ({ error, setError }) => {
          setError(present(error, scopeOf(args.contextValue)));
        },
      };
    },
  };

  return {
    production,
    plugin,
    maskError: (error) => present(error, fallbackScope()),
    logged: (error) => typeof error === 'object' && error !== null && logged.has(error),
    internalErrorBody(error, details = {}) {
      const requestId = randomUUID();
      log.error({ err: error, requestId, ...details }, 'request failed');
      return {
        errors: [
          {
            message: UNEXPECTED_ERROR_MESSAGE,
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
          },
        ],
      };
    },
    redact: (text) => redactor.redact(text),
  };
}

/** `error` with `extensions.code` BAD_USER_INPUT when it is graphql-js's own and carries no code. */
function withInputCode(error: GraphQLError): GraphQLError {
  if (typeof error.extensions['code'] === 'string' || !isOwnGraphQLError(error)) return error;
  return copy(error, error.message, { ...error.extensions, code: ErrorCode.BAD_USER_INPUT });
}

/** A GraphQL error made by the gateway or by graphql itself, not a wrapped failure of something else. */
function isOwnGraphQLError(error: GraphQLError): boolean {
  const original: unknown = error.originalError;
  if (original === undefined || original === null) return true;
  return original instanceof GraphQLError && isOwnGraphQLError(original);
}

function gatewayErrorOf(error: GraphQLError): GatewayError | undefined {
  let current: unknown = error;
  while (current instanceof GraphQLError) {
    if (current instanceof GatewayError) return current;
    current = current.originalError;
  }
  return undefined;
}

/** Whether `error` is the abort of a request whose client went away (its signal's reason, or an AbortError once it fired). */
function isClientAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted !== true) return false;
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

function innermost(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError != null) current = current.originalError;
  return current;
}

function copy(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions,
  });
}
