import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DeliveryStatus, Endpoint } from '../outbound/model.ts';
import type { SendResult } from '../outbound/sender.ts';
import type { OutboundStore } from '../outbound/store.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Outbound delivery metrics, labelled by endpoint id (bounded: the endpoints an admin created). */
export class OutboundMetrics {
  readonly attempts: Counter<'endpoint' | 'outcome'>;
  readonly duration: Histogram<'endpoint'>;

  readonly #registry: Registry;

  constructor(registry: Registry) {
    this.#registry = registry;
    this.attempts = new Counter({
      name: 'switchyard_outbound_deliveries_total',
      help: 'Outbound delivery attempts by endpoint and outcome: succeeded, retrying (failed, a retry is scheduled), failed (for good).',
      labelNames: ['endpoint', 'outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'switchyard_outbound_attempt_duration_seconds',
      help: 'Duration of each outbound delivery attempt, by endpoint.',
      labelNames: ['endpoint'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** One finished attempt and the status it left its delivery in. */
  attempt(endpoint: Endpoint, result: SendResult, status: DeliveryStatus): void {
    const outcome = status === 'SUCCEEDED' ? 'succeeded' : status === 'PENDING' ? 'retrying' : 'failed';
    this.attempts.inc({ endpoint: endpoint.id, outcome });
    this.duration.observe({ endpoint: endpoint.id }, result.durationMs / 1000);
  }

  /** Queue depth and age of the oldest waiting delivery per endpoint, read from the store at every scrape. */
  watchQueues(store: OutboundStore): void {
    const read = async () => {
      const endpoints = await store.listEndpoints();
      return Promise.all(endpoints.map(async (e) => ({ id: e.id, ...(await store.queue(e.id)) })));
    };
    new Gauge({
      name: 'switchyard_outbound_queue_depth',
      help: 'Outbound deliveries waiting (due or scheduled for a retry), by endpoint.',
      labelNames: ['endpoint'] as const,
      registers: [this.#registry],
      async collect() {
        this.reset();
        for (const q of await read().catch(() => [])) this.set({ endpoint: q.id }, q.depth);
      },
    });
    new Gauge({
      name: 'switchyard_outbound_queue_age_seconds',
      help: 'Age of the oldest outbound delivery still waiting, by endpoint (0 when none waits).',
      labelNames: ['endpoint'] as const,
      registers: [this.#registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const q of await read().catch(() => [])) {
          this.set({ endpoint: q.id }, q.oldestCreatedAt === null ? 0 : (now - q.oldestCreatedAt) / 1000);
        }
      },
    });
  }
}
