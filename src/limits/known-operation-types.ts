import { GraphQLError } from 'graphql';
import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses an operation of a type the schema has no root for (a `mutation` while the
 * gateway has no mutations) at validation, as a validation error with a clear
 * message, instead of graphql-js's execution error that carries no code.
 */
const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root = schema.getRootType(node.operation);
    if (root) return;
    context.reportError(
      new GraphQLError(`This gateway has no ${node.operation} operations.`, { nodes: node }),
    );
  },
});

/** Adds {@link knownOperationTypes} to validation. */
export function useKnownOperationTypes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypes);
    },
  };
}
