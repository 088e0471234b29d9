/**
 * Shopify's calculated query cost and its leaky bucket, as published: an
 * object costs 1, a scalar or enum 0, a connection 2 plus `first` (or `last`)
 * times the cost of one node (edges and PageInfo are free), a list taking
 * `ids` that many times one item. The requested cost is computed before
 * execution from the document; the actual cost is counted while resolving,
 * with the same rules over what was really returned. (Shopify's live costs
 * are often lower; these are the documented upper bounds, applied consistently.)
 */
import {
  GraphQLObjectType,
  Kind,
  OperationTypeNode,
  defaultFieldResolver,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
} from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';

/** Shopify refuses a single query above this requested cost. */
export const SINGLE_QUERY_MAX_COST = 1000;

const isConnection = (name: string): boolean => name.endsWith('Connection');
const isFree = (name: string): boolean => name.endsWith('Edge') || name === 'PageInfo';

/** The requested cost of `operation`, before execution. */
/** What one mutation costs, whatever it selects. */
export const MUTATION_COST = 10;

export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const applies = (typeCondition: string | undefined, type: GraphQLObjectType): boolean => {
    if (typeCondition === undefined || typeCondition === type.name) return true;
    const condition = schema.getType(typeCondition);
    return condition !== undefined && isAbstractType(condition) && schema.isSubType(condition, type);
  };

  /** The fields a selection set selects on a concrete type, fragments flattened. */
  const collect = (type: GraphQLObjectType, set: SelectionSetNode, out: FieldNode[] = []): FieldNode[] => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value, type)) collect(type, selection.selectionSet, out);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined && applies(fragment.typeCondition.name.value, type)) {
          collect(type, fragment.selectionSet, out);
        }
      }
    }
    return out;
  };

  const selectionCost = (type: GraphQLCompositeType, set: SelectionSetNode | undefined): number => {
    if (set === undefined) return 0;
    if (isAbstractType(type)) {
      // An interface or union costs what its most expensive possible selection costs.
      return Math.max(0, ...schema.getPossibleTypes(type).map((t) => selectionCost(t, set)));
    }
    return collect(type, set).reduce((sum, field) => sum + fieldCost(type, field), 0);
  };

  /** Cost of one node of a connection: its `edges { node }` and `nodes` selections. */
  const nodeCost = (connection: GraphQLObjectType, set: SelectionSetNode | undefined): number => {
    if (set === undefined) return 0;
    let cost = 0;
    for (const field of collect(connection, set)) {
      const def = connection.getFields()[field.name.value];
      if (def === undefined) continue;
      const named = getNamedType(def.type);
      if (field.name.value === 'nodes' && isCompositeType(named)) {
        cost += 1 + selectionCost(named, field.selectionSet);
      } else if (field.name.value === 'edges' && named instanceof GraphQLObjectType && field.selectionSet) {
        for (const edgeField of collect(named, field.selectionSet)) {
          const nodeDef = named.getFields()[edgeField.name.value];
          const nodeType = nodeDef === undefined ? undefined : getNamedType(nodeDef.type);
          if (edgeField.name.value === 'node' && nodeType !== undefined && isCompositeType(nodeType)) {
            cost += 1 + selectionCost(nodeType, edgeField.selectionSet);
          }
        }
      }
    }
    return cost;
  };

  function fieldCost(parent: GraphQLObjectType, field: FieldNode): number {
    const def = parent.getFields()[field.name.value];
    if (def === undefined) return 0;
    const named = getNamedType(def.type);
    if (!isCompositeType(named)) return 0;
    const args = getArgumentValues(def, field, variables);
    if (isConnection(named.name) && named instanceof GraphQLObjectType) {
      const size =
        typeof args['first'] === 'number'
          ? args['first']
          : typeof args['last'] === 'number'
            ? args['last']
            : 0;
      return 2 + size * nodeCost(named, field.selectionSet);
    }
    const children = selectionCost(named, field.selectionSet);
    if (isFree(named.name)) return children;
    const count = isListType(getNullableType(def.type))
      ? Array.isArray(args['ids'])
        ? args['ids'].length
        : 1
      : 1;
    return count * (1 + children);
  }

  // Shopify charges every mutation a flat 10 points.
  if (operation.operation === OperationTypeNode.MUTATION) return MUTATION_COST;
  const root = schema.getQueryType();
  return root === null || root === undefined ? 0 : selectionCost(root, operation.selectionSet);
}

/** What the counting resolvers add to while a query executes. */
export interface CostContext {
  actualCost: number;
}

const countOf = (value: unknown): number =>
  Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).length : value == null ? 0 : 1;

/**
 * Wraps every field of `schema` that returns an object, so that executing a
 * query adds its actual cost to `context.actualCost`, by the same rules as
 * {@link requestedCost} applied to what was returned.
 */
export function countActualCost(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isCompositeType(named) || isFree(named.name)) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const connection = isConnection(named.name);
      const nodes = isConnection(type.name) && field.name === 'nodes';
      const edgeNode = type.name.endsWith('Edge') && field.name === 'node';
      const add = (context: unknown, value: unknown): unknown => {
        const cost = connection ? 2 : nodes || edgeNode || !isConnection(type.name) ? countOf(value) : 0;
        (context as CostContext).actualCost += cost;
        return value;
      };
      field.resolve = (source, args, context, info) => {
        const value: unknown = resolve(source, args, context, info);
        return value instanceof Promise ? value.then((v: unknown) => add(context, v)) : add(context, value);
      };
    }
  }
  return schema;
}

/** State of the bucket, as `extensions.cost.throttleStatus` shows it. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/**
 * Shopify's leaky bucket of query-cost points: a query is admitted when the
 * bucket holds its requested cost, is charged that, and is refunded the
 * difference once its actual cost is known; points restore continuously.
 */
export class CostBucket {
  maximumAvailable: number;
  /** Points per second. */
  restoreRate: number;
  private available: number;
  private at: number;
  private readonly clock: () => number;

  /** Defaults are the Standard plan's: 2000 points, restoring 100 a second. */
  constructor(maximumAvailable = 2000, restoreRate = 100, clock: () => number = Date.now) {
    this.maximumAvailable = maximumAvailable;
    this.restoreRate = restoreRate;
    this.available = maximumAvailable;
    this.clock = clock;
    this.at = clock();
  }

  private refill(): void {
    const now = this.clock();
    this.available = Math.min(
      this.maximumAvailable,
      this.available + ((now - this.at) / 1000) * this.restoreRate,
    );
    this.at = now;
  }

  /** Takes `cost` points if the bucket holds them. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + Math.max(0, points));
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }

  /** Sets the bucket's state (tests and demos: drain it, slow it down, or fill it up). */
  set(state: Partial<ThrottleStatus>): void {
    this.refill();
    if (state.maximumAvailable !== undefined) this.maximumAvailable = state.maximumAvailable;
    if (state.restoreRate !== undefined) this.restoreRate = state.restoreRate;
    this.available = Math.min(this.maximumAvailable, state.currentlyAvailable ?? this.available);
  }

  /** Full again, at the given (or current) size and rate. */
  reset(maximumAvailable = this.maximumAvailable, restoreRate = this.restoreRate): void {
    this.maximumAvailable = maximumAvailable;
    this.restoreRate = restoreRate;
    this.available = maximumAvailable;
    this.at = this.clock();
  }
}
