import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  isCompositeType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionNode,
} from 'graphql';

/** An operation with what reading it needs: its fragments and its coerced variable values. */
export interface OperationInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  /** The root type the operation selects from (`Query`, `Subscription`...). */
  root: GraphQLObjectType;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Variable values as `getVariableValues` coerced them (defaults applied). */
  variables: Readonly<Record<string, unknown>>;
}

/** Whether `@skip`/`@include` leave `selection` in, as execution decides it. */
export function isIncluded(selection: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, selection, variables);
  if (skip?.['if'] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, selection, variables);
  return include?.['if'] !== false;
}

/** The type a fragment's selections apply to: its type condition, else the enclosing type. */
export function conditionType(
  schema: GraphQLSchema,
  typeCondition: { name: { value: string } } | undefined,
  enclosing: GraphQLCompositeType,
): GraphQLCompositeType | null {
  if (typeCondition === undefined) return enclosing;
  const type = schema.getType(typeCondition.name.value);
  return isCompositeType(type) ? type : null;
}

/** The schema's definition of a selected field, or null for meta fields (`__typename`, introspection). */
export function fieldDefinition(
  parent: GraphQLCompositeType,
  node: FieldNode,
): GraphQLField<unknown, unknown> | null {
  if (node.name.value.startsWith('__')) return null;
  if (!isObjectType(parent) && !isInterfaceType(parent)) return null;
  return parent.getFields()[node.name.value] ?? null;
}

/**
 * A field's argument values, with variables and defaults applied; empty when they
 * do not resolve (a variable's explicit null into a non-null argument), which
 * execution reports on that field itself.
 */
export function argumentsOf(
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  try {
    return getArgumentValues(definition, node, variables);
  } catch {
    return {};
  }
}
