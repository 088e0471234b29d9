import type { Span } from '@opentelemetry/api';
import { context as otelContext, trace } from '@opentelemetry/api';
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { isObjectType, responsePathAsArray } from 'graphql';
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
    const span = tracing.tracer.startSpan(
      `${info.parentType.name}.${info.fieldName}`,
      {
        attributes: {
          [FIELD_ATTRIBUTES.field]: info.fieldName,
          [FIELD_ATTRIBUTES.parentType]: info.parentType.name,
          [FIELD_ATTRIBUTES.path]: responsePathAsArray(info.path).join('.'),
        },
      },
      parent,
    );
    let result: unknown;
    try {
      result = otelContext.with(trace.setSpan(parent, span), () => resolve(source, args, ctx, info));
    } catch (error) {
      fail(span, error);
      throw error;
    }
    // A field answered synchronously did no I/O: its span is never ended, so never exported.
    if (!isPromiseLike(result)) return result;
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
 * resolver returns a promise) gets a span `Type.field`, active while it runs,
 * so the upstream calls it makes are its children. A batched call shows under
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
