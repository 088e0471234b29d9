import { Kind, getNamedType, getNullableType, isCompositeType, isInputObjectType, isListType } from 'graphql';
import type { GraphQLCompositeType, GraphQLInputType, SelectionSetNode } from 'graphql';
import { badUserInput } from '../errors.ts';
import type { GatewayError } from '../errors.ts';
import { argumentsOf, conditionType, fieldDefinition, isIncluded } from './selections.ts';
import type { OperationInput } from './selections.ts';

/**
 * Most items any list argument may hold, at any depth of an input object
 * (`nodes(ids:)`, `events(filter: { sources, types, emails })`), whether it is
 * written inline or passed as a variable. Connectors read at most 100 records
 * per upstream call, so a longer list is only a way to multiply upstream calls.
 */
export const MAX_LIST_ITEMS = 100;

interface Violation {
  field: string;
  argument: string;
  items: number;
}

/** The first list in `value` (of `type`) longer than the cap, with its path (`filter.sources`). */
function longList(
  value: unknown,
  type: GraphQLInputType,
  path: string,
): { path: string; items: number } | null {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return null;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return longList(value, nullable.ofType, path);
    if (value.length > MAX_LIST_ITEMS) return { path, items: value.length };
    for (const item of value as unknown[]) {
      const found = longList(item, nullable.ofType, path);
      if (found) return found;
    }
    return null;
  }
  const named = getNamedType(nullable);
  if (!isInputObjectType(named) || typeof value !== 'object') return null;
  for (const field of Object.values(named.getFields())) {
    const found = longList(
      (value as Record<string, unknown>)[field.name],
      field.type,
      `${path}.${field.name}`,
    );
    if (found) return found;
  }
  return null;
}

function findViolation(
  input: OperationInput,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  seenFragments: Set<string>,
): Violation | null {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection, input.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const definition = fieldDefinition(parent, selection);
      if (definition === null) continue;
      const args = argumentsOf(definition, selection, input.variables);
      for (const arg of definition.args) {
        const found = longList(args[arg.name], arg.type, arg.name);
        if (found) return { field: definition.name, argument: found.path, items: found.items };
      }
      const type = getNamedType(definition.type);
      if (selection.selectionSet && isCompositeType(type)) {
        const nested = findViolation(input, selection.selectionSet, type, seenFragments);
        if (nested) return nested;
      }
      continue;
    }
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT ? selection : input.fragments[selection.name.value];
    if (fragment === undefined) continue;
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      // Each fragment's arguments are the same wherever it is spread: read it once.
      if (seenFragments.has(selection.name.value)) continue;
      seenFragments.add(selection.name.value);
    }
    const type = conditionType(input.schema, fragment.typeCondition, parent);
    if (type === null) continue;
    const nested = findViolation(input, fragment.selectionSet, type, seenFragments);
    if (nested) return nested;
  }
  return null;
}

/**
 * Refuses an operation with a list argument of more than {@link MAX_LIST_ITEMS}
 * items, naming the argument, the cap and what arrived; null when none is too long.
 */
export function listCapError(input: OperationInput): GatewayError | null {
  const violation = findViolation(input, input.operation.selectionSet, input.root, new Set());
  if (violation === null) return null;
  return badUserInput(
    `Argument "${violation.argument}" of "${violation.field}" has ${violation.items} items; at most ${MAX_LIST_ITEMS} are allowed. Split the list over several requests.`,
    { argument: violation.argument, items: violation.items, maxItems: MAX_LIST_ITEMS },
  );
}
