import type { Context, Span, TextMapGetter } from '@opentelemetry/api';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { getOperationAST } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { codeOfError, markFailed } from './span-errors.ts';
import type { Tracing } from './start-tracing.ts';

/** Attribute names of the operation span (GraphQL ones as the semantic conventions spell them). */
export const OPERATION_ATTRIBUTES = {
  type: 'graphql.operation.type',
  name: 'graphql.operation.name',
  requestId: 'switchyard.request_id',
  principal: 'enduser.id',
  scopes: 'enduser.scope',
} as const;

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * The trace an HTTP request continues: its `traceparent` (and `tracestate`)
 * when they are valid W3C trace context, else none (a new trace starts).
 */
function parentOf(request: { headers?: unknown } | undefined): Context {
  const headers = request?.headers as Headers | undefined;
  // Over graphql-ws there is no HTTP request: the operation starts a trace.
  return typeof headers?.get === 'function'
    ? propagation.extract(ROOT_CONTEXT, headers, headerGetter)
    : ROOT_CONTEXT;
}

function codesOf(result: ExecutionResult): string[] {
  return (result.errors ?? []).map(codeOfError);
}

/**
 * One span per executed query or mutation (kind SERVER, named `query Name`),
 * the child of the request's incoming W3C trace context; active while the
 * operation runs, so field and upstream spans hang below it. Attributes:
 * operation type and name, request id, principal id and scopes; the error codes of
 * the result (status ERROR when there are any). The document and variables are not
 * recorded: they may carry personal data. Subscriptions are not traced.
 */
export function useOperationTracing(tracing: Tracing): Plugin<GatewayContext> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const gatewayContext = args.contextValue;
      const operation = getOperationAST(
        args.document as DocumentNode,
        typeof args.operationName === 'string' ? args.operationName : undefined,
      );
      const type = operation?.operation ?? 'unknown';
      const name = operation?.name?.value;
      const parent = parentOf((gatewayContext as { request?: { headers?: unknown } }).request);
      const span: Span = tracing.tracer.startSpan(
        name === undefined ? type : `${type} ${name}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [OPERATION_ATTRIBUTES.type]: type,
            ...(name === undefined ? {} : { [OPERATION_ATTRIBUTES.name]: name }),
            [OPERATION_ATTRIBUTES.requestId]: gatewayContext.requestId,
            [OPERATION_ATTRIBUTES.principal]: gatewayContext.principal.id,
            [OPERATION_ATTRIBUTES.scopes]: [...gatewayContext.principal.scopes].join(' '),
          },
        },
        parent,
      );
      const active = trace.setSpan(parent, span);
      const codes: string[] = [];
      const finish = (): void => {
        markFailed(span, codes);
        span.end();
      };
      setExecuteFn(async (executeArgs) => {
        try {
          return await otelContext.with(active, (): unknown => executeFn(executeArgs));
        } catch (error) {
          codes.push(codeOfError(error));
          finish();
          throw error;
        }
      });
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            codes.push(...codesOf(result));
            finish();
            return undefined;
          }
          return {
            onNext: ({ result: next }) => {
              codes.push(...codesOf(next));
            },
            onEnd: finish,
          };
        },
      };
    },
  };
}
