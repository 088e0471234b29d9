import { Kind, getNamedType, getNullableType, isCompositeType, isListType } from 'graphql';
import type { GraphQLCompositeType, GraphQLField, SelectionSetNode } from 'graphql';
import { argumentsOf, conditionType, fieldDefinition, isIncluded } from './selections.ts';
import type { OperationInput } from './selections.ts';

/**
 * The cost of an operation: how many objects its answer can hold at most, each
 * of which may take an upstream read. Scalars and enums are free.
 *
 * - An object field costs 1 for each parent it is resolved on.
 * - A connection's `first` (given, or its schema default) is the size of its
 *   `edges` (and of any other list directly under it): everything below them
 *   is counted `first` times, and a nested connection multiplies again.
 * - A list field with a list argument (`nodes(ids:)`) has one item per id.
 * - A list with neither (an invoice's `lines`) comes embedded in its parent's
 *   upstream response and counts as one.
 * - Fragments on different types all count (an upper bound); `@skip`/`@include`
 *   are honoured; introspection and `__typename` are free.
 */
export function operationCost(input: OperationInput): number {
  const memo = new Map<string, number>();
  const cost = selectionCost(input, input.operation.selectionSet, input.root, undefined, memo, new Set());
  return Math.min(cost, Number.MAX_SAFE_INTEGER);
}

/** The `first` a connection field is asked for: the argument, else its schema default. */
function pageOf(
  definition: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
): number | undefined {
  const declared = definition.args.find((arg) => arg.name === 'first');
  if (declared === undefined) return undefined;
  const first = args['first'] ?? declared.defaultValue;
  return typeof first === 'number' ? Math.max(0, first) : undefined;
}

/** Items a list field is counted with: its list argument's length, else the enclosing page, else 1. */
function itemsOf(
  definition: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  page: number | undefined,
): number {
  let longest: number | undefined;
  for (const arg of definition.args) {
    const value = args[arg.name];
    if (isListType(getNullableType(arg.type)) && Array.isArray(value)) {
      longest = Math.max(longest ?? 0, value.length);
    }
  }
  return longest ?? page ?? 1;
}

/** Cost of a selection set for one parent object; `page` is the `first` of the field it belongs to. */
function selectionCost(
  input: OperationInput,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  page: number | undefined,
  memo: Map<string, number>,
  inProgress: Set<string>,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection, input.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const definition = fieldDefinition(parent, selection);
      if (definition === null) continue;
      const type = getNamedType(definition.type);
      if (!isCompositeType(type)) continue;
      const args = argumentsOf(definition, selection, input.variables);
      const count = isListType(getNullableType(definition.type)) ? itemsOf(definition, args, page) : 1;
      const below = selection.selectionSet
        ? selectionCost(input, selection.selectionSet, type, pageOf(definition, args), memo, inProgress)
        : 0;
      cost += count * (1 + below);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = conditionType(input.schema, selection.typeCondition, parent);
      if (type !== null) cost += selectionCost(input, selection.selectionSet, type, page, memo, inProgress);
      continue;
    }
    // A fragment costs the same wherever it is spread under the same page size: count it once, so a
    // fragment spread many times at many levels is still read in time linear in the document.
    const name = selection.name.value;
    const key = `${name}\u0000${page ?? ''}`;
    let fragmentCost = memo.get(key);
    if (fragmentCost === undefined) {
      const fragment = input.fragments[name];
      const type = fragment ? conditionType(input.schema, fragment.typeCondition, parent) : null;
      // A cycle never gets here (validation refuses it first); counting it as 0 keeps this total.
      if (fragment === undefined || type === null || inProgress.has(name)) continue;
      inProgress.add(name);
      fragmentCost = selectionCost(input, fragment.selectionSet, type, page, memo, inProgress);
      inProgress.delete(name);
      memo.set(key, fragmentCost);
    }
    cost += fragmentCost;
  }
  return cost;
}
