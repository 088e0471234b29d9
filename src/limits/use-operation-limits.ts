import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CheckOperation } from './operation-limits.ts';

/**
 * Runs {@link CheckOperation} on every operation as it is about to execute or
 * subscribe, once its variables are known (HTTP, SSE and graphql-ws alike): a
 * refused operation answers its error with HTTP 400 and nothing runs.
 */
export function useOperationLimits(check: CheckOperation): Plugin {
  const refuse = (
    args: Parameters<CheckOperation>[0],
    stop: (result: { errors: readonly GraphQLError[] }) => void,
  ) => {
    const error = check(args);
    if (error === null) return;
    stop({
      errors: [
        new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } }),
      ],
    });
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
  };
}
