import { isAsyncIterable } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { getOperationAST, OperationTypeNode } from 'graphql';
import { scopeKey } from '../auth/scopes.ts';
import type { GatewayContext } from '../context.ts';

/** One query execution in flight that identical queries wait for instead of running their own. */
interface SharedRun {
  promise: Promise<unknown>;
  /** The context it runs in: if its client leaves, the result may be cut short. */
  leader: GatewayContext;
}

/**
 * Shares one execution between identical queries in flight: the same parsed
 * document, operation name and variables, asked by principals with the same
 * scopes. The first runs; the others wait for its result and answer it as
 * their own (each still goes through authentication, limits, error masking,
 * logs and metrics of its own; only resolvers and upstream calls are shared).
 *
 * Only queries: a mutation always runs, and a subscription has its own
 * sharing. What a query returns depends on nothing of the principal but its
 * scopes (every source read goes through `ctx.source`, which checks them).
 * When the first query's client goes away before it finishes, its result may
 * be cut short, so the others run again instead of using it. A document is
 * recognised by identity: yoga's parser cache hands the same `DocumentNode`
 * to every request with the same text.
 */
export function useSharedExecution(): Plugin<GatewayContext> {
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const inflight = new Map<string, SharedRun>();

  function keyOf(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: unknown,
    context: GatewayContext,
  ): string | null {
    let variablesText: string;
    try {
      variablesText = JSON.stringify(variables ?? {});
    } catch {
      return null;
    }
    let id = documentIds.get(document);
    if (id === undefined) {
      id = nextDocumentId++;
      documentIds.set(document, id);
    }
    return `${String(id)}\n${operationName ?? ''}\n${scopeKey(context.principal.scopes)}\n${variablesText}`;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const document = args.document as DocumentNode;
      const operationName = typeof args.operationName === 'string' ? args.operationName : undefined;
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return;
      const context = args.contextValue;
      const key = keyOf(document, operationName, args.variableValues, context);
      if (key === null) return;
      setExecuteFn(async (executeArgs) => {
        const running = inflight.get(key);
        if (running !== undefined) {
          const result = await running.promise.catch(() => undefined);
          if (running.leader.signal?.aborted !== true && isSingleResult(result)) {
            context.sharedWith = running.leader.requestId;
            context.reads.adopt(running.leader.reads);
            // A copy: later plugins replace `errors` or `extensions` on the result they get, never on another's.
            return { ...result } as never;
          }
          // Cut short or failed: this query runs on its own.
        }
        const promise = Promise.resolve(executeFn(executeArgs));
        const run: SharedRun = { promise, leader: context };
        inflight.set(key, run);
        try {
          return (await promise) as never;
        } finally {
          if (inflight.get(key) === run) inflight.delete(key);
        }
      });
    },
  };
}

/** A whole result, not a stream (and not the `undefined` a failed run is read as). */
function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !isAsyncIterable(result);
}
