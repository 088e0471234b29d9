import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Answers an operation that fails validation (an unknown field, a fragment
 * cycle, an introspection bomb) with HTTP 400 whatever media type the client
 * accepts, like every other refusal before execution. Yoga answers them with
 * 200 when the response is plain `application/json` (the GraphQL-over-HTTP
 * spec's advice for that legacy type), so a client sending no `Accept` header
 * saw a refused operation as a success.
 */
export function useValidationStatus(): Plugin {
  return {
    onValidate() {
      return ({ result }) => {
        for (const error of result as readonly GraphQLError[]) {
          const extensions = error.extensions as Record<string, unknown>;
          extensions['http'] = { ...(extensions['http'] as object | undefined), status: 400, spec: false };
        }
      };
    },
  };
}
