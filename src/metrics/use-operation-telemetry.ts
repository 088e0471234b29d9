import { handleStreamOrSingleExecutionResult } from '@envelop/core';
import type { Plugin } from 'graphql-yoga';
import type { DocumentNode, ExecutionResult, GraphQLError, OperationDefinitionNode } from 'graphql';
import { getOperationAST } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { requestIdOf } from '../request-id.ts';
import type { GatewayMetrics } from './metrics.ts';
import { errorCodeOf } from './labels.ts';
import { runInOperation } from './operation-scope.ts';

function operationOf(document: unknown, name: unknown): OperationDefinitionNode | null | undefined {
  return getOperationAST(document as DocumentNode, typeof name === 'string' ? name : undefined);
}

function codesOf(errors: readonly GraphQLError[] | undefined): string[] {
  return (errors ?? []).map((error) => {
    const code = error.extensions['code'];
    return errorCodeOf(typeof code === 'string' ? code : undefined);
  });
}

/**
 * Per operation: the metrics (operations, errors by code, duration) and one
 * `info` log line `graphql operation` with `operationName`, `operationType`,
 * `principal`, `requestId`, `durationMs`, `upstreamCalls`, `errorCodes` (and
 * `sharedWith`, when it shared another query's execution; `aborted: true` when its client
 * went away before the answer); a
 * subscription logs `graphql subscription` when it starts. Also answers every
 * HTTP request with its `x-request-id`.
 */
export function useOperationTelemetry(metrics: GatewayMetrics): Plugin<GatewayContext> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue;
      const operation = operationOf(args.document, args.operationName);
      const type = operation?.operation ?? 'unknown';
      const scope = { log: context.log, upstreamCalls: 0 };
      const start = performance.now();
      setExecuteFn((executeArgs) => runInOperation(scope, (): unknown => executeFn(executeArgs)) as never);
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }: { result: ExecutionResult }) => {
            const durationMs = Math.round((performance.now() - start) * 10) / 10;
            const errorCodes = codesOf(result.errors);
            // The client left (the request's signal fired): nobody gets this result, and its errors are the abort's.
            const aborted = context.signal?.aborted === true;
            metrics.operation(type, durationMs, errorCodes, aborted);
            context.log.info(
              {
                operationName: operation?.name?.value ?? null,
                operationType: type,
                durationMs,
                upstreamCalls: scope.upstreamCalls,
                errorCodes,
                ...(aborted ? { aborted } : {}),
                ...(context.sharedWith === undefined ? {} : { sharedWith: context.sharedWith }),
              },
              'graphql operation',
            );
          }),
      };
    },
    onSubscribe({ args }) {
      const operation = operationOf(args.document, args.operationName);
      metrics.operation('subscription', undefined, []);
      args.contextValue.log.info(
        { operationName: operation?.name?.value ?? null, operationType: 'subscription' },
        'graphql subscription',
      );
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
