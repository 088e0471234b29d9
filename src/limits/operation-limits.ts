import { Kind, OperationTypeNode, getOperationAST, getVariableValues } from 'graphql';
import type { DocumentNode, FragmentDefinitionNode, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { badUserInput } from '../errors.ts';
import type { GatewayError } from '../errors.ts';
import { operationCost } from './cost.ts';
import { listCapError } from './list-caps.ts';
import type { OperationInput } from './selections.ts';

/** What one operation is checked on: as it is about to run, with the variables it was sent. */
export interface OperationToCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Readonly<Record<string, unknown>> | null | undefined;
}

/**
 * Checks an operation against the limits that depend on its variables: list
 * argument caps, then the cost limit. Returns the refusal (BAD_USER_INPUT), or
 * null when the operation may run.
 */
export type CheckOperation = (operation: OperationToCheck) => GatewayError | null;

/** Options of {@link createOperationLimits}. */
export interface OperationLimitsOptions {
  /** Largest cost of one operation (see `operationCost`). */
  maxCost: number;
}

/** The check of list caps and cost for every operation, on coerced variable values. */
export function createOperationLimits(options: OperationLimitsOptions): CheckOperation {
  return (toCheck) => {
    const input = readOperation(toCheck);
    if (input === null) return null;
    const tooLong = listCapError(input);
    if (tooLong) return tooLong;
    const cost = operationCost(input);
    if (cost <= options.maxCost) return null;
    return badUserInput(
      `The operation costs ${cost}, more than the limit of ${options.maxCost}: ask for smaller pages (\`first\`) or fewer nested lists, or split it into several requests.`,
      { cost, maxCost: options.maxCost },
    );
  };
}

/**
 * The operation to run, its fragments and its variables coerced as execution
 * will coerce them; null when it will not run at all (no such operation, or
 * variables that do not coerce: execution refuses those itself, before anything runs).
 */
export function readOperation({
  schema,
  document,
  operationName,
  variableValues,
}: OperationToCheck): OperationInput | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}, {
    maxErrors: 1,
  });
  if (coerced.errors) return null;
  const root = rootType(schema, operation.operation);
  if (root === null) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return { schema, operation, root, fragments, variables: coerced.coerced };
}

function rootType(schema: GraphQLSchema, operation: OperationTypeNode): GraphQLObjectType | null {
  if (operation === OperationTypeNode.QUERY) return schema.getQueryType() ?? null;
  if (operation === OperationTypeNode.MUTATION) return schema.getMutationType() ?? null;
  return schema.getSubscriptionType() ?? null;
}
