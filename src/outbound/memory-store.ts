import { randomUUID } from 'node:crypto';
import type { Delivery, Endpoint } from './model.ts';
import type { AttemptOutcome, Claim, ListDeliveriesOptions, OutboundStore } from './store.ts';

/** Options of {@link createMemoryOutboundStore}. */
export interface MemoryOutboundStoreOptions {
  /** Finished (succeeded or failed) deliveries kept per endpoint; the oldest go first. Default 10000. */
  maxFinishedPerEndpoint?: number;
}

interface EndpointState {
  endpoint: Endpoint;
  position: string;
  /** Every delivery kept, in creation order. */
  deliveries: Delivery[];
  /** Pending delivery id → due time. */
  due: Map<string, number>;
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The embedded {@link OutboundStore}: everything in this process's memory, lost on
 * restart (file-declared endpoints come back from the file). Returned objects are
 * copies, so callers cannot change the store behind its back.
 */
export function createMemoryOutboundStore(options: MemoryOutboundStoreOptions = {}): OutboundStore {
  return promised(createSyncStore(options));
}

/** The store's methods, answering at once. */
type SyncStore = {
  [K in keyof OutboundStore]: OutboundStore[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R
    : OutboundStore[K];
};

/** The same store behind the asynchronous interface (a throw becomes a rejection). */
function promised(sync: SyncStore): OutboundStore {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sync)) {
    wrapped[name] =
      typeof value === 'function' && name !== 'nextDueAt'
        ? (...args: unknown[]) => {
            try {
              return Promise.resolve((value as (...a: unknown[]) => unknown)(...args));
            } catch (error) {
              return Promise.reject(error instanceof Error ? error : new Error(String(error)));
            }
          }
        : value;
  }
  return wrapped as unknown as OutboundStore;
}

function createSyncStore(options: MemoryOutboundStoreOptions): SyncStore {
  const maxFinished = options.maxFinishedPerEndpoint ?? 10_000;
  const endpoints = new Map<string, EndpointState>();
  const deliveries = new Map<string, Delivery>();
  const leases = new Map<string, { token: string; until: number }>();
  let seq = 0;

  function prune(state: EndpointState): void {
    let finished = state.deliveries.filter((d) => d.status !== 'PENDING').length;
    if (finished <= maxFinished) return;
    state.deliveries = state.deliveries.filter((d) => {
      if (d.status === 'PENDING' || finished <= maxFinished) return true;
      finished--;
      deliveries.delete(d.id);
      return false;
    });
  }

  return {
    kind: 'memory',
    listEndpoints() {
      return [...endpoints.values()].map((s) => clone(s.endpoint));
    },
    getEndpoint(id) {
      const state = endpoints.get(id);
      return state ? clone(state.endpoint) : null;
    },
    createEndpoint(endpoint, position) {
      endpoints.set(endpoint.id, { endpoint: clone(endpoint), position, deliveries: [], due: new Map() });
    },
    updateEndpoint(id, patch) {
      const state = endpoints.get(id);
      if (!state) return null;
      state.endpoint = { ...state.endpoint, ...clone(patch) };
      return clone(state.endpoint);
    },
    deleteEndpoint(id) {
      const state = endpoints.get(id);
      if (!state) return false;
      for (const d of state.deliveries) {
        deliveries.delete(d.id);
        leases.delete(d.id);
      }
      endpoints.delete(id);
      return true;
    },
    position(endpointId) {
      return endpoints.get(endpointId)?.position ?? null;
    },
    advance(endpointId, from, to, created) {
      const state = endpoints.get(endpointId);
      if (!state || state.position !== from) return false;
      state.position = to;
      for (const d of created) {
        if (deliveries.has(d.id)) continue;
        const delivery: Delivery = { ...clone(d), seq: ++seq };
        deliveries.set(delivery.id, delivery);
        state.deliveries.push(delivery);
        if (delivery.status === 'PENDING')
          state.due.set(delivery.id, delivery.nextAttemptAt ?? delivery.createdAt);
      }
      return true;
    },
    claimDue(endpointId, now, limit, leaseMs) {
      const state = endpoints.get(endpointId);
      if (!state || limit <= 0) return [];
      const ready: Delivery[] = [];
      for (const [id, at] of state.due) {
        if (at > now) continue;
        const lease = leases.get(id);
        if (lease !== undefined && lease.until > now) continue;
        const delivery = deliveries.get(id);
        if (delivery) ready.push(delivery);
      }
      ready.sort((a, b) => (state.due.get(a.id) ?? 0) - (state.due.get(b.id) ?? 0) || a.seq - b.seq);
      return ready.slice(0, limit).map((delivery): Claim => {
        const token = randomUUID();
        leases.set(delivery.id, { token, until: now + leaseMs });
        return { delivery: clone(delivery), token };
      });
    },
    complete(claim, outcome: AttemptOutcome) {
      const id = claim.delivery.id;
      if (leases.get(id)?.token !== claim.token) return false;
      leases.delete(id);
      const delivery = deliveries.get(id);
      const state = delivery ? endpoints.get(delivery.endpointId) : undefined;
      if (!delivery || !state) return false;
      delivery.attempts.push(clone(outcome.attempt));
      delivery.status = outcome.status;
      delivery.nextAttemptAt = outcome.nextAttemptAt;
      delivery.roundFailures = outcome.roundFailures;
      if (outcome.status === 'PENDING') state.due.set(id, outcome.nextAttemptAt ?? Date.now());
      else {
        state.due.delete(id);
        prune(state);
      }
      return true;
    },
    getDelivery(id) {
      const delivery = deliveries.get(id);
      return delivery ? clone(delivery) : null;
    },
    listDeliveries(endpointId, { beforeSeq, limit, status }: ListDeliveriesOptions) {
      const list = endpoints.get(endpointId)?.deliveries ?? [];
      const page: Delivery[] = [];
      for (let i = list.length - 1; i >= 0 && page.length < limit; i--) {
        const d = list[i];
        if (d === undefined || (beforeSeq !== undefined && d.seq >= beforeSeq)) continue;
        if (status != null && d.status !== status) continue;
        page.push(clone(d));
      }
      return page;
    },
    requeue(deliveryId, at) {
      const delivery = deliveries.get(deliveryId);
      const state = delivery ? endpoints.get(delivery.endpointId) : undefined;
      if (!delivery || !state) return null;
      delivery.status = 'PENDING';
      delivery.nextAttemptAt = at;
      delivery.roundFailures = 0;
      state.due.set(deliveryId, at);
      return clone(delivery);
    },
    failedSince(endpointId, since) {
      const list = endpoints.get(endpointId)?.deliveries ?? [];
      return list.filter((d) => d.status === 'FAILED' && d.createdAt >= since).map(clone);
    },
    queue(endpointId) {
      const state = endpoints.get(endpointId);
      let oldest: number | null = null;
      for (const id of state?.due.keys() ?? []) {
        const created = deliveries.get(id)?.createdAt;
        if (created !== undefined && (oldest === null || created < oldest)) oldest = created;
      }
      return { depth: state?.due.size ?? 0, oldestCreatedAt: oldest };
    },
    nextDueAt() {
      let next: number | null = null;
      for (const state of endpoints.values()) {
        if (!state.endpoint.enabled) continue;
        for (const [id, at] of state.due) {
          const lease = leases.get(id);
          const when = lease === undefined ? at : Math.max(at, lease.until);
          if (next === null || when < next) next = when;
        }
      }
      return next;
    },
    close() {
      return undefined;
    },
  };
}
