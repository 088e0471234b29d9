import { GraphQLScalarType } from 'graphql';
import { JSONResolver } from 'graphql-scalars';
import { valueDeeperThan } from './events/json-depth.ts';

/** What a `JSON` value nested deeper than the limit is served as, instead of overflowing the stack. */
export interface OmittedJson {
  omitted: 'PAYLOAD_TOO_DEEP';
  message: string;
}

/**
 * The `JSON` scalar, safe to serialize whatever a stored event or an upstream
 * holds: a value nested more than `maxDepth` levels deep (an event stored
 * before the ingress bounded depth, or by an older version) would overflow
 * the stack of every recursive step after it (the response's
 * `JSON.stringify`), failing the whole response or ending a subscription.
 * Such a value is served as an {@link OmittedJson} object that says why, and
 * the rest of the result stands.
 */
export function createJsonScalar(maxDepth: number): GraphQLScalarType {
  const verdicts = new WeakMap<object, boolean>();
  const tooDeep = (value: object): boolean => {
    let verdict = verdicts.get(value);
    if (verdict === undefined) {
      verdict = valueDeeperThan(value, maxDepth);
      verdicts.set(value, verdict);
    }
    return verdict;
  };
  return new GraphQLScalarType({
    ...JSONResolver.toConfig(),
    serialize(value: unknown): unknown {
      if (value === null || typeof value !== 'object' || !tooDeep(value)) return value;
      const omitted: OmittedJson = {
        omitted: 'PAYLOAD_TOO_DEEP',
        message: `This JSON value nests more than ${maxDepth} levels deep (WEBHOOK_MAX_DEPTH) and is not served.`,
      };
      return omitted;
    },
  });
}
