import type { DemoWorld, WorldChange } from './world.ts';

/** A webhook as a provider would send it: signed, ready to POST to `/webhooks/<source>`. */
export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** A running emulator of one provider's API. */
export interface RunningSandbox {
  /** Environment that points the connector at the emulator (`STRIPE_BASE_URL`, `STRIPE_API_KEY`, `STRIPE_WEBHOOK_SECRET`). */
  env: Record<string, string>;
  /** Base URL of the emulator's HTTP server. */
  baseUrl: string;
  /** Requests served so far, per endpoint (`GET /v1/customers/:id`). */
  counters(): Record<string, number>;
  resetCounters(): void;
  /** Fault injection for tests and demos. */
  faults: FaultControl;
  /**
   * Applies a change of the demo world to this provider's data and returns the
   * webhooks the provider would send for it, signed. `url` is where they will be posted.
   */
  react(change: WorldChange, url: string): WebhookDelivery[];
  close(): Promise<void>;
}

/** Faults an emulator injects into its next responses. */
export interface FaultPlan {
  /** Which requests (`GET /v1/customers/:id`, or `*`). Default `*`. */
  endpoint?: string;
  /** How many requests to affect. Default 1. */
  times?: number;
  /** Added latency in ms. */
  delayMs?: number;
  /** Answer with this status and the provider's error body for it. */
  status?: number;
  /** Retry-After header value (seconds) to send with the status. */
  retryAfter?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Answer 200 with a body that is not what the API promises. */
  malformed?: boolean;
  /**
   * Share of the matching requests affected, from 0 to 1, spread evenly (0.25: every fourth);
   * the others are served normally and do not count against `times`. Default 1.
   */
  share?: number;
  /** Never answer: the connection stays open until the client gives up (or the emulator closes). */
  hang?: boolean;
  /** Answer 200 with an HTML page (`text/html`), as a proxy or captive portal in the way would. */
  wrongContentType?: boolean;
}

export interface FaultControl {
  inject(plan: FaultPlan): void;
  clear(): void;
  /** When true, every request fails with a connection reset (the provider is down). */
  down: boolean;
}

/** What a sandbox is started with besides the world. */
export interface SandboxOptions {
  /**
   * The webhook secret the user configured for this source (`<SOURCE>_WEBHOOK_SECRET`, as given:
   * possibly several for a rotation). The emulator signs its deliveries with it (the first, when
   * several) and puts it unchanged in `env`. Unset: a random secret, new in every process.
   */
  webhookSecret?: string | undefined;
  /**
   * Sends the webhooks a write through the emulator's API causes to the gateway
   * (given the URL they go to, they are signed as the provider signs). Default: dropped.
   */
  emit?: ((make: (url: string) => WebhookDelivery[]) => void) | undefined;
}

/** How a connector provides its emulator. */
export interface ConnectorSandbox {
  /** Credentials and webhook secrets are random per process unless `options` gives them. */
  start(world: DemoWorld, options?: SandboxOptions): Promise<RunningSandbox>;
}
