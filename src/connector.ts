import type { z } from 'zod';
import type { IncomingEvent } from './events/event.ts';
import type { Resolvers } from './generated/resolvers.ts';
import type { ConnectorSandbox } from './sandbox/types.ts';
import type { CallOptions, Upstream, UpstreamOptions } from './upstream/types.ts';

/** A verified-or-not webhook delivery, as the ingress hands it to a connector. */
export interface WebhookRequest {
  method: string;
  /** The full URL the provider called (scheme, host, path and query), for schemes that sign it. */
  url: string;
  /** Request headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** The body exactly as received: signatures are checked over these bytes. */
  rawBody: Buffer;
}

/** Why a webhook delivery was refused; the ingress answers with `status` and `{ error: { code, message, issues? } }`. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  readonly status: 400 | 401 | 404 | 413 | 415 | 503;
  readonly code: string;
  readonly issues: readonly { path: string; message: string }[] | undefined;

  constructor(
    status: 400 | 401 | 404 | 413 | 415 | 503,
    code: string,
    message: string,
    issues?: readonly { path: string; message: string }[],
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/** How a connector receives its provider's webhooks. */
export interface ConnectorWebhooks<Config> {
  /** The signing secret from the connector's config, or undefined when webhooks are not configured. */
  secret(config: Config): string | undefined;
  /**
   * Checks the signature and freshness over the raw bytes, in constant time,
   * before anything is parsed. Throws {@link WebhookError} (401) on failure.
   */
  verify(request: WebhookRequest, secret: string, now: Date): void;
  /**
   * Parses a verified body into events, validating it with zod. Throws
   * {@link WebhookError} (400, with the issues) for anything malformed.
   */
  parse(request: WebhookRequest): IncomingEvent[];
}

/** Declarative facts about a provider's API, checked by a zod schema in the tests. */
export interface ProviderFacts {
  /** Human name (`Stripe`). */
  title: string;
  /** Production base URL, the default of `<SOURCE>_BASE_URL`. */
  defaultBaseUrl: string;
  auth: 'bearer' | 'basic' | 'header';
  pagination: 'cursor-id' | 'cursor-token' | 'relay';
  /** The API's largest page. */
  maxPageSize: number;
  /** The API's largest batch read (1 when it has no batch endpoint). */
  maxBatchSize: number;
  webhookSignature: string;
  retryStatuses: readonly number[];
}

/** Per-request access to one connector: its typed client and this request's DataLoaders. */
export interface SourceScope<Client, Loaders> {
  client: Client;
  loaders: Loaders;
  /** The deadline and signal of the GraphQL request, to pass to client calls. */
  call: CallOptions;
}

/**
 * A connector: everything Switchyard knows about one SaaS API, and nothing
 * about any other. Build one with {@link defineConnector}.
 */
export interface Connector<Config = unknown, Client = unknown, Loaders = unknown> {
  /** Source name: used in routes (`/webhooks/<name>`), `Event.source` and `extensions.source`. */
  name: string;
  provider: ProviderFacts;
  /** Zod schema of the connector's part of the environment (`STRIPE_API_KEY`, ...). */
  config: z.ZodType<Config>;
  /** Whether the config has credentials, i.e. the connector can talk to the real API. */
  hasCredentials(config: Config): boolean;
  /** Upstream options (base URL, auth headers, retry hints) for this config. */
  upstream(config: Config): UpstreamOptions;
  client(upstream: Upstream, config: Config): Client;
  /** DataLoaders for one GraphQL request. */
  loaders(client: Client, call: CallOptions): Loaders;
  /** Resolvers of the connector's part of `schema/`. */
  resolvers: Resolvers;
  webhooks?: ConnectorWebhooks<Config>;
  /** The sandbox emulator of the API, over the shared demo world. */
  sandbox?: ConnectorSandbox;
}

/** Identity helper that checks a connector against the contract and keeps its precise types. */
export function defineConnector<Config, Client, Loaders>(
  connector: Connector<Config, Client, Loaders>,
): Connector<Config, Client, Loaders> {
  return connector;
}
