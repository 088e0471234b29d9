import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLResponse } from './gateway.ts';

/** API keys of the auth tests, with their scopes as GATEWAY_API_KEYS lists them. */
export const KEYS = {
  billing: 'billing-key-0123456789abcdef',
  billingEvents: 'billing-events-key-0123456789',
  crm: 'crm-key-0123456789abcdefghij',
  all: 'star-key-0123456789abcdefghij',
  reads: 'reads-key-0123456789abcdefgh',
  writeOnly: 'write-only-key-0123456789abc',
} as const;

export const GATEWAY_API_KEYS = [
  `${KEYS.billing}:billing`,
  `${KEYS.billingEvents}:billing,events`,
  `${KEYS.crm}:crm`,
  `${KEYS.all}:*`,
  KEYS.reads,
  `${KEYS.writeOnly}:billing:write`,
].join(';');

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: GraphQLResponse<T>;
}

/** POSTs a GraphQL operation with `authorization` (omitted when undefined) to `base` (a gateway URL, or yoga's in-process fetch). */
export async function gql<T = Record<string, unknown>>(
  fetcher: (url: string, init: RequestInit) => Response | Promise<Response>,
  base: string,
  query: string,
  options: { authorization?: string; variables?: Record<string, unknown> } = {},
): Promise<HttpAnswer<T>> {
  const response = await fetcher(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse<T>,
  };
}

export const bearer = (key: string) => `Bearer ${key}`;

/** How a graphql-ws client's socket ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** A graphql-ws client with `connection_init` payload `params` (and upgrade headers); `closed` resolves when its socket closes. */
export function wsClient(
  url: string,
  params: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
): { client: Client; closed: Promise<Closed>; acked: Promise<void> } {
  let onClosed: (closed: Closed) => void = () => {};
  let onAcked: () => void = () => {};
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const acked = new Promise<void>((resolve) => (onAcked = resolve));
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WithHeaders,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    connectionParams: params,
    on: {
      connected: () => onAcked(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason });
      },
    },
  });
  return { client, closed, acked };
}
