import type { z } from 'zod';
import { parseUpstream } from './http-errors.ts';
import type { CallOptions, Upstream, UpstreamRequest, UpstreamResponse } from './types.ts';

/** The two GET shapes most REST connectors need, over the shared upstream layer. */
export interface JsonReads {
  /** GET that must answer 200 with a body matching `schema`. */
  get: <T extends z.ZodType>(
    operation: string,
    path: string,
    schema: T,
    query: UpstreamRequest['query'],
    call: CallOptions,
  ) => Promise<z.infer<T>>;
  /** GET of one object: null on 404, else 200 with a body matching `schema`. */
  retrieve: <T extends z.ZodType>(
    operation: string,
    path: string,
    schema: T,
    call: CallOptions,
  ) => Promise<z.infer<T> | null>;
}

/**
 * JSON reads for a connector: any other status goes to `fail` (which maps the
 * provider's error body), every body is zod-parsed (UPSTREAM_BAD_RESPONSE).
 */
export function jsonReads(
  upstream: Upstream,
  provider: { source: string; title: string; fail: (response: UpstreamResponse) => never },
): JsonReads {
  const { source, title, fail } = provider;
  return {
    async get(operation, path, schema, query, call) {
      const response = await upstream.request({ method: 'GET', path, query, operation, ...call });
      if (response.status !== 200) fail(response);
      return parseUpstream(schema, response, { source, title, operation });
    },
    async retrieve(operation, path, schema, call) {
      const response = await upstream.request({ method: 'GET', path, operation, ...call });
      if (response.status === 404) return null;
      if (response.status !== 200) fail(response);
      return parseUpstream(schema, response, { source, title, operation });
    },
  };
}
