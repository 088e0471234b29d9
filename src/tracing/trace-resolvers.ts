import type { Attributes, Span } from '@opentelemetry/api';
import { context as otelContext, trace } from '@opentelemetry/api';
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { isObjectType, responsePathAsArray } from 'graphql';
import { PendingField } from './pending-field.ts';
import { codeOfError, markFailed } from './span-errors.ts';
import type { Tracing } from './start-tracing.ts';

/** Attribute names of a field span. */
export const FIELD_ATTRIBUTES = {
  field: 'graphql.field.name',
  parentType: 'graphql.field.parent_type',
  path: 'graphql.field.path',
} as const;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function describeField(info: GraphQLResolveInfo): { name: string; attributes: Attributes } {
  return {
    name: `${info.parentType.name}.${info.fieldName}`,
    attributes: {
      [FIELD_ATTRIBUTES.field]: info.fieldName,
      [FIELD_ATTRIBUTES.parentType]: info.parentType.name,
      [FIELD_ATTRIBUTES.path]: responsePathAsArray(info.path).join('.'),
    },
  };
}

function fail(span: Span, error: unknown): void {
  markFailed(span, [codeOfError(error)]);
  span.end();
}

function traced(
  tracing: Tracing,
  resolve: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, ctx, info: GraphQLResolveInfo) => {
    const parent = otelContext.active();
    // Outside a traced operation (a subscription's events) there is no trace to join.
    if (trace.getSpan(parent) === undefined) return resolve(source, args, ctx, info);
    const field = new PendingField(tracing.tracer, () => describeField(info), parent);
    let result: unknown;
    try {
      result = otelContext.with(field.context(), () => resolve(source, args, ctx, info));
    } catch (error) {
      fail(field.open(), error);
      throw error;
    }
    if (!isPromiseLike(result)) {
      // Answered synchronously: no span, unless an upstream call beneath it started one.
      field.opened?.end();
      return result;
    }
    const span = field.open();
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        throw error;
      },
    );
  };
}

/**
 * Wraps the schema's own resolvers (not graphql-js's default property reads)
 * so that each field that waits on something (a loader, a client call: its
 * resolver returns a promise) or calls upstream gets a span `Type.field`, the
 * parent of the upstream calls it makes; a field answered synchronously
 * costs no span (see {@link PendingField}). A batched call shows under
 * the field that first asked for it. Errors set status ERROR with their code.
 */
export function traceResolvers(schema: GraphQLSchema, tracing: Tracing): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve !== undefined) field.resolve = traced(tracing, field.resolve);
    }
  }
  return schema;
}
