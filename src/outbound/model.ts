import type { GatewayEvent } from '../events/event.ts';

/** Which events an endpoint receives: the `EventFilter` it was created with. Absent or empty lists match everything. */
export interface EndpointFilter {
  sources?: string[] | undefined;
  types?: string[] | undefined;
  emails?: string[] | undefined;
}

/** A secret that signs deliveries; a rotated-out one signs until `expiresAt` (epoch ms). */
export interface EndpointSecret {
  secret: string;
  /** `null`: the current secret. */
  expiresAt: number | null;
}

/** A receiver of outbound deliveries. */
export interface Endpoint {
  /** Stable id: `ep_<random>` for created endpoints, the file's `id` for declared ones. */
  id: string;
  url: string;
  description: string | null;
  filter: EndpointFilter | null;
  enabled: boolean;
  disabledReason: string | null;
  /** Epoch ms. */
  createdAt: number;
  /** The current secret first, then any rotated-out one still signing. */
  secrets: EndpointSecret[];
  /** Declared in OUTBOUND_ENDPOINTS_FILE: the file owns its url, description, filter and secret. */
  fromFile: boolean;
  /** Epoch ms of the first failed attempt since the last success; `null` while healthy. */
  failingSince: number | null;
}

/** `PENDING` includes waiting for a retry. */
export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** One HTTP attempt of a delivery. */
export interface DeliveryAttempt {
  /** Epoch ms. */
  attemptedAt: number;
  /** The receiver's HTTP status; `null` when none came (timeout, refused connection, forbidden address). */
  responseStatus: number | null;
  durationMs: number;
  /** Why the attempt failed; `null` for a 2xx. */
  error: string | null;
}

/** One event on its way to one endpoint, with every attempt so far. */
export interface Delivery {
  /** Also the `webhook-id` header, the same on every attempt so receivers de-duplicate. */
  id: string;
  endpointId: string;
  /** Creation order across the store; deliveries are listed newest first by it. */
  seq: number;
  event: GatewayEvent;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** Epoch ms of the next attempt while `PENDING`. */
  nextAttemptAt: number | null;
  /** Epoch ms. */
  createdAt: number;
  /** Failed attempts in the current round of the retry schedule (a manual retry starts a new round). */
  roundFailures: number;
}

/** The secrets of `endpoint` that sign at `now`. */
export function signingSecrets(endpoint: Endpoint, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}
