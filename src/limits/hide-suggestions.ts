import { GraphQLError, getOperationAST, getVariableValues } from 'graphql';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

/**
 * Leaves graphql-js's "Did you mean ...?" out of every error: validation (field,
 * argument, type and enum value names) and the coercion of variables. Without
 * it, a client with introspection turned off could still map the schema by
 * guessing names. Uses graphql's own `hideSuggestions` option, so no message is
 * rewritten after the fact.
 */
export function useHideSuggestions(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn(
        (schema, document, rules, options, typeInfo) =>
          validateFn(
            schema,
            document,
            rules,
            { ...options, hideSuggestions: true },
            typeInfo,
          ) as readonly GraphQLError[],
      );
    },
    onExecute({ args, setResultAndStopExecution }) {
      refuseBadVariables(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      refuseBadVariables(args, setResultAndStopExecution);
    },
  };
}

/**
 * Yoga's executor coerces variables with suggestions and has no option to hide
 * them: coerce them first, as graphql-js does, and answer its errors (HTTP 400,
 * as yoga answers them) so the executor never sees variables that do not coerce.
 */
function refuseBadVariables(args: ExecutionArgs, stop: (result: ExecutionResult) => void): void {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation?.variableDefinitions?.length) return;
  const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {}, {
    hideSuggestions: true,
  });
  if (!coerced.errors) return;
  stop({
    errors: coerced.errors.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
        }),
    ),
  });
}
