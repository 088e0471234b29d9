import { GraphQLError } from 'graphql';
import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from './errors.ts';

/** Refuses `__schema` and `__type` (not `__typename`), with a message that says how to turn introspection on. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name !== '__schema' && name !== '__type') return;
    context.reportError(
      new GraphQLError(
        `Introspection is disabled on this gateway ("${name}"): set INTROSPECTION=1 to enable it.`,
        { nodes: node, extensions: { code: ErrorCode.BAD_USER_INPUT } },
      ),
    );
  },
});

/** Turns introspection off (production's default, see `INTROSPECTION`). */
export function useDisableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}
