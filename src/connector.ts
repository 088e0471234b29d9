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

/**
 * What a verified signature covers: the parts whose concatenation the
 * provider signed, in order (`[timestamp, rawBody]`). The ingress remembers a
 * SHA-256 digest of it for the dedupe window, so the same signed bytes sent
 * again under a new unsigned delivery id are a duplicate, not a new event.
 * An empty list opts out (de-duplication by event id only).
 */
export type SignedMaterial = readonly (string | Uint8Array)[];

/** How a connector receives its provider's webhooks. */
export interface ConnectorWebhooks<Config> {
  /** The signing secret from the connector's config, or undefined when webhooks are not configured. */
  secret(config: Config): string | undefined;
  /**
   * Checks the signature and freshness over the raw bytes, in constant time,
   * before anything is parsed. Throws {@link WebhookError} (401) on failure;
   * returns what the signature covers (see {@link SignedMaterial}).
   */
  verify(request: WebhookRequest, secret: string, now: Date): SignedMaterial;
  /**
   * Parses a verified body into events, validating it with zod. Throws
   * {@link WebhookError} (400, with the issues) for anything malformed.
   */
  parse(request: WebhookRequest): IncomingEvent[];
  /**
   * Most events one delivery may carry: the provider's documented batch size.
   * A larger delivery is refused with 400 `BATCH_TOO_LARGE`. Default 1.
   */
  maxEventsPerDelivery?: number;
}

/** Declarative facts about a provider's API, checked by a zod schema in the tests. */
export interface ProviderFacts {
  /** Human name (`Stripe`). */
  title: string;
  /** What to set to talk to the real API, for start-up and readiness messages (`STRIPE_API_KEY`). */
  credentials: string;
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

/** The parts of the unified `Customer`, each filled by the connector serving that domain. */
export type CustomerDomain = 'billing' | 'crm' | 'support' | 'commerce' | 'app';

/** One person as a customer directory lists them. */
export interface DirectoryEntry<Record> {
  /** Lower-cased email: the key that joins sources. */
  email: string;
  name: string | null;
  /** The source's own record of the person. */
  record: Record;
  /** Where to resume listing right after this person (opaque to the gateway). */
  cursor: string;
}

/**
 * How a connector contributes to the unified `Customer`, which the gateway
 * joins across sources by email (case-insensitive). The gateway knows only
 * domains; which SaaS fills a domain is the connector's business.
 */
export interface CustomerPart<Client, Loaders, Record = unknown> {
  /** The `Customer` field this connector fills. */
  domain: CustomerDomain;
  /**
   * This source's record of the person with this lower-cased email, or null.
   * Must go through the request's loaders, so that a page of customers costs
   * batch calls, not one call per customer.
   */
  byEmail(scope: SourceScope<Client, Loaders>, email: string): Promise<Record | null>;
  /** The display name the record gives the person, if any. */
  nameOf(record: Record): string | null;
  /**
   * The `subject.id` this source's events carry for the record (the person's
   * id there), so `customerChanged` also catches events that name no email.
   */
  subjectIdOf(record: Record): string;
  /**
   * Lists people, newest first, when this connector is the customer directory
   * (`Query.customers`). `search` narrows by name or email, as the API allows.
   */
  directory?(
    scope: SourceScope<Client, Loaders>,
    page: { first: number; after?: string | undefined; search?: string | undefined },
  ): Promise<{ people: DirectoryEntry<Record>[]; hasNextPage: boolean; endCursor: string | null }>;
}

/** A GraphQL type of the connector reachable through `Query.node(id)`. */
export interface NodeLoader<Client, Loaders> {
  /** The GraphQL type name (`Invoice`). */
  typeName: string;
  /** Loads the object by the source's own id, or null. */
  load(scope: SourceScope<Client, Loaders>, sourceId: string): Promise<unknown>;
  /** The source's own id of a loaded object (what `id` encodes). */
  idOf(object: unknown): string;
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
  /** Its part of the unified `Customer`, if it has one. */
  customer?: CustomerPart<Client, Loaders>;
  /** Its types that implement `Node`. */
  nodes?: readonly NodeLoader<Client, Loaders>[];
}

/** Identity helper that checks a connector against the contract and keeps its precise types. */
export function defineConnector<Config, Client, Loaders>(
  connector: Connector<Config, Client, Loaders>,
): Connector<Config, Client, Loaders> {
  return connector;
}
