import type { Delivery, DeliveryAttempt, DeliveryStatus, Endpoint } from './model.ts';

/** A delivery this instance may attempt, until its lease ends; `token` proves the lease. */
export interface Claim {
  delivery: Delivery;
  token: string;
}

/** What an attempt leaves behind. */
export interface AttemptOutcome {
  attempt: DeliveryAttempt;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  roundFailures: number;
}

/** Options of {@link OutboundStore.listDeliveries}. */
export interface ListDeliveriesOptions {
  /** Only deliveries created before this `seq` (paging, newest first). */
  beforeSeq?: number | undefined;
  limit: number;
  status?: DeliveryStatus | null | undefined;
}

/**
 * Where endpoints, their positions in the event log, their deliveries and the
 * schedule of due attempts live: in memory, or in Redis shared by every instance.
 *
 * Contract:
 * - `advance` moves an endpoint's position from `from` to `to` and records the
 *   deliveries of the events in between, atomically and only if the position is
 *   still `from`, so two instances never create the same deliveries twice.
 * - `claimDue` leases due deliveries in order of due time then creation: a leased
 *   delivery is not claimed again until its lease ends, so one delivery never has
 *   two attempts at once; a lease that ends without `complete` (its instance died)
 *   makes the delivery due again.
 * - `complete` records the attempt only while the claim's lease is still held.
 */
export interface OutboundStore {
  readonly kind: 'memory' | 'redis';
  listEndpoints(): Promise<Endpoint[]>;
  getEndpoint(id: string): Promise<Endpoint | null>;
  /** Stores a new endpoint that reads the log after `position`. */
  createEndpoint(endpoint: Endpoint, position: string): Promise<void>;
  /** Changes some fields; resolves with the endpoint as changed, or null when it does not exist. */
  updateEndpoint(id: string, patch: Partial<Omit<Endpoint, 'id'>>): Promise<Endpoint | null>;
  /** Removes the endpoint, its position and its deliveries; false when it did not exist. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** The cursor after which the endpoint still has events to consider; null when it does not exist. */
  position(endpointId: string): Promise<string | null>;
  advance(
    endpointId: string,
    from: string,
    to: string,
    deliveries: readonly Omit<Delivery, 'seq'>[],
  ): Promise<boolean>;
  claimDue(endpointId: string, now: number, limit: number, leaseMs: number): Promise<Claim[]>;
  complete(claim: Claim, outcome: AttemptOutcome): Promise<boolean>;
  getDelivery(id: string): Promise<Delivery | null>;
  listDeliveries(endpointId: string, options: ListDeliveriesOptions): Promise<Delivery[]>;
  /** Makes a delivery `PENDING` and due at `at`, with a new round of the retry schedule. */
  requeue(deliveryId: string, at: number): Promise<Delivery | null>;
  /** The endpoint's `FAILED` deliveries created at or after `since` (epoch ms). */
  failedSince(endpointId: string, since: number): Promise<Delivery[]>;
  /** Deliveries waiting (`PENDING`) and the creation time of the oldest. */
  queue(endpointId: string): Promise<{ depth: number; oldestCreatedAt: number | null }>;
  /** The earliest due time of any pending delivery, when the store knows it cheaply (memory); else null. */
  nextDueAt(): number | null;
  close(): Promise<void>;
}
