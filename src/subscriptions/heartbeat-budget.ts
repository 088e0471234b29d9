import { GraphQLError, Kind, getArgumentValues } from 'graphql';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { ErrorCode } from '../errors.ts';

/**
 * Bounds what `Subscription.heartbeat` can cost one connection. A heartbeat
 * is the one subscription whose messages the client alone decides (one every
 * `intervalMs`, down to 100 ms): without a bound, 100 of them on one socket
 * made about 715 messages a second. Each connection gets a budget of
 * heartbeat messages per second; a heartbeat subscription that would take the
 * connection over it is refused, so the heartbeats of one connection never
 * send more than the budget, however many there are.
 */

/** Shortest `intervalMs` the heartbeat resolver accepts; a shorter one fails there, and costs as much here. */
const MIN_INTERVAL_MS = 100;

/** Messages a second `operation` sends as heartbeats: 1000 / intervalMs for `heartbeat`, 0 for anything else. */
export function heartbeatRate(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null,
): number {
  const field = schema.getSubscriptionType()?.getFields()['heartbeat'];
  if (field === undefined) return 0;
  let rate = 0;
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, seen);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = document.definitions.find(
          (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
        );
        if (fragment?.kind === Kind.FRAGMENT_DEFINITION && !seen.has(name)) {
          visit(fragment.selectionSet, new Set([...seen, name]));
        }
      } else if (selection.name.value === 'heartbeat') {
        let interval: unknown;
        try {
          interval = getArgumentValues(field, selection, variables ?? {})['intervalMs'];
        } catch {
          // Bad variables: the execution fails with its own error and sends nothing.
          continue;
        }
        rate += 1000 / Math.max(typeof interval === 'number' ? interval : MIN_INTERVAL_MS, MIN_INTERVAL_MS);
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return rate;
}

/** What a connection's subscriptions are, as graphql-ws keeps them: by id. */
interface Connection {
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

/** Per connection: the heartbeat rate of each subscription id that has one. */
export class HeartbeatBudget {
  readonly perSecond: number;
  readonly #rates = new WeakMap<Connection, Map<string, number>>();

  /** `perSecond`: heartbeat messages one connection may receive per second. */
  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  /**
   * Records subscription `id` of `connection` at `rate` messages a second, or
   * refuses it (returns the errors for the client) when the connection's
   * running heartbeats and it would exceed the budget.
   */
  claim(connection: Connection, id: string, rate: number): readonly GraphQLError[] | null {
    let rates = this.#rates.get(connection);
    if (rate === 0) {
      rates?.delete(id);
      return null;
    }
    rates ??= new Map();
    this.#rates.set(connection, rates);
    let current = 0;
    for (const [other, otherRate] of rates) {
      // Ended ones are dropped here, lazily: graphql-ws removes an id from `subscriptions` when it ends.
      if (other !== id && other in connection.subscriptions) current += otherRate;
      else rates.delete(other);
    }
    // A little slack, so ten heartbeats of 1000 ms fit a budget of 10 despite floating point.
    if (current + rate > this.perSecond + 1e-9) {
      return [
        new GraphQLError(
          `This connection's heartbeats would send ${round(current + rate)} messages a second, more than the ${this.perSecond} WS_MAX_HEARTBEATS_PER_SECOND allows: use a longer intervalMs, or fewer heartbeat subscriptions.`,
          { extensions: { code: ErrorCode.RATE_LIMITED, limit: this.perSecond } },
        ),
      ];
    }
    rates.set(id, rate);
    return null;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
