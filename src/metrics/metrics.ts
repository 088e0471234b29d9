import type { GatewayEvent } from '../events/event.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebhookResponse } from '../events/ingress.ts';
import type { UpstreamAttempt } from '../upstream/types.ts';
import { errorCodeOf, upstreamOutcome, webhookOutcome } from './labels.ts';

/** Latency buckets in seconds, from a cache hit to a call at the edge of the request budget. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What `/metrics` reads at scrape time from parts that keep their own counts. */
export interface LiveCounts {
  /** Open graphql-ws connections. */
  connections(): number;
  /** Running shared subscription executions (groups) and their members. */
  subscriptions(): { groups: number; members: number };
}

/**
 * Increments of one `{source}` counter kept as plain numbers until the counter
 * is read (its `collect` hook, at every scrape), so a scrape shows exactly
 * what counting each at once would: on the webhook path, hashing the labels
 * of every increment cost more than the bookkeeping it recorded.
 */
class PendingBySource {
  readonly #counts = new Map<string, number>();

  add(source: string, amount: number): void {
    this.#counts.set(source, (this.#counts.get(source) ?? 0) + amount);
  }

  /** Hands the pending increments to `counter` and forgets them. */
  flushTo(counter: Counter<'source'>): void {
    for (const [source, amount] of this.#counts) counter.inc({ source }, amount);
    this.#counts.clear();
  }
}

/** A `{source}` counter whose increments go through `pending`. */
function sourceCounter(
  registry: Registry,
  pending: PendingBySource,
  name: string,
  help: string,
): Counter<'source'> {
  return new Counter({
    name,
    help,
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      pending.flushTo(this);
    },
  });
}

/**
 * The gateway's Prometheus metrics, in a registry of their own (never the
 * process-global one, so two gateways in one process never share counts),
 * with the default process metrics. Every name starts with `switchyard_`.
 * Labels are bounded: sources are the configured connectors, codes the closed
 * `ErrorCode` vocabulary or a webhook refusal code.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private live: LiveCounts | undefined;

  readonly operations = new Counter({
    name: 'switchyard_graphql_operations_total',
    help: 'GraphQL operations executed, by operation type (query, mutation, subscription).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly operationErrors = new Counter({
    name: 'switchyard_graphql_errors_total',
    help: 'Errors in GraphQL results, by operation type and extensions.code.',
    labelNames: ['type', 'code'] as const,
    registers: [this.registry],
  });
  readonly operationsAborted = new Counter({
    name: 'switchyard_graphql_operations_aborted_total',
    help: 'Queries and mutations whose client went away before the answer, by operation type (their errors are not counted).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'switchyard_graphql_operation_duration_seconds',
    help: 'Execution time of GraphQL queries and mutations, by operation type.',
    labelNames: ['type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'switchyard_upstream_calls_total',
    help: 'Upstream calls (retries included in one call), by source and outcome.',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'switchyard_upstream_attempt_duration_seconds',
    help: 'Duration of each upstream HTTP attempt, by source.',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'switchyard_upstream_retries_total',
    help: 'Upstream attempts that were retried, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly upstreamRateLimited = new Counter({
    name: 'switchyard_upstream_rate_limited_total',
    help: 'Upstream responses with HTTP 429, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly upstreamQueue = new Histogram({
    name: 'switchyard_upstream_queue_seconds',
    help: 'Time upstream calls waited in their source rate budget before going out, by source.',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamBudgetRefused = new Counter({
    name: 'switchyard_upstream_budget_refused_total',
    help: 'Upstream calls the gateway refused (UPSTREAM_RATE_LIMITED) because its rate budget had no slot before their deadline, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly #received = new PendingBySource();
  readonly #appended = new PendingBySource();
  readonly #deduplicated = new PendingBySource();
  readonly webhooksReceived = sourceCounter(
    this.registry,
    this.#received,
    'switchyard_webhooks_received_total',
    'Webhook deliveries received, by source.',
  );
  readonly webhooksRejected = new Counter({
    name: 'switchyard_webhooks_rejected_total',
    help: 'Webhook deliveries refused, by source and reason (the error code answered).',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });
  readonly webhookEventsDeduplicated = sourceCounter(
    this.registry,
    this.#deduplicated,
    'switchyard_webhook_events_deduplicated_total',
    'Webhook events already stored (re-deliveries), by source.',
  );
  readonly webhookEventsAppended = sourceCounter(
    this.registry,
    this.#appended,
    'switchyard_webhook_events_appended_total',
    'Webhook events newly appended to the event log, by source.',
  );
  readonly appendDuration = new Histogram({
    name: 'switchyard_event_log_append_duration_seconds',
    help: 'Time to append a delivery to the event log, by outcome (ok, error).',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly tailLag = new Histogram({
    name: 'switchyard_event_log_tail_lag_seconds',
    help: 'Time from an event being stored (on any instance) to this instance handing it to its subscriptions, per live batch (its oldest event).',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
    this.liveGauge('switchyard_websocket_connections', 'Open graphql-ws connections.', () =>
      this.live ? this.live.connections() : 0,
    );
    this.liveGauge(
      'switchyard_subscriptions_active',
      'graphql-ws subscriptions running (members of shared executions).',
      () => (this.live ? this.live.subscriptions().members : 0),
    );
    this.liveGauge(
      'switchyard_subscription_executions_active',
      'Shared subscription executions running (each serves one or more subscriptions).',
      () => (this.live ? this.live.subscriptions().groups : 0),
    );
  }

  /** `switchyard_upstream_breaker_state{source,state}`: 1 for each source's current breaker state, read at every scrape. */
  watchBreakers(sources: readonly { name: string; upstream: { breaker: { state: string } } | null }[]): void {
    const states = ['closed', 'open', 'half-open'] as const;
    new Gauge({
      name: 'switchyard_upstream_breaker_state',
      help: "Each source's circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others.",
      labelNames: ['source', 'state'] as const,
      registers: [this.registry],
      collect() {
        for (const source of sources) {
          const current = source.upstream?.breaker.state;
          if (current === undefined) continue;
          for (const state of states) this.set({ source: source.name, state }, state === current ? 1 : 0);
        }
      },
    });
  }

  /** A gauge read from `read` at every scrape. */
  private liveGauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Where the connection and subscription gauges read from (the HTTP server, once created). */
  watch(live: LiveCounts): void {
    this.live = live;
  }

  /** One finished upstream attempt (the `onAttempt` observer of every source's upstream). */
  attempt(info: UpstreamAttempt): void {
    const source = info.source;
    this.upstreamDuration.observe({ source }, info.durationMs / 1000);
    if (info.status === 429) this.upstreamRateLimited.inc({ source });
    if (info.retryInMs !== undefined) this.upstreamRetries.inc({ source });
    else this.upstreamCalls.inc({ source, outcome: upstreamOutcome(info) });
  }

  /** One call admitted by its source's rate budget after `waitedMs` in the queue. */
  queued(source: string, waitedMs: number): void {
    this.upstreamQueue.observe({ source }, waitedMs / 1000);
  }

  /** One call the rate budget refused (it could not start before its deadline). */
  budgetRefused(source: string): void {
    this.upstreamBudgetRefused.inc({ source });
  }

  /**
   * One executed operation and the errors of its result. An operation whose client went away
   * (`aborted`) counts as such, and its errors, which the abort caused, are not counted.
   */
  operation(type: string, durationMs: number | undefined, codes: readonly string[], aborted = false): void {
    this.operations.inc({ type });
    if (aborted) this.operationsAborted.inc({ type });
    if (durationMs !== undefined) this.operationDuration.observe({ type }, durationMs / 1000);
    if (!aborted) for (const code of codes) this.operationErrors.inc({ type, code: errorCodeOf(code) });
  }

  /** One webhook delivery and what the ingress answered. */
  webhook(source: string, response: WebhookResponse): void {
    this.#received.add(source, 1);
    const outcome = webhookOutcome(response);
    if (outcome.code !== undefined) this.webhooksRejected.inc({ source, reason: outcome.code });
    if (outcome.stored) this.#appended.add(source, outcome.stored);
    if (outcome.duplicates) this.#deduplicated.add(source, outcome.duplicates);
  }

  /** One append to the event log. */
  append(durationMs: number, ok: boolean): void {
    this.appendDuration.observe({ outcome: ok ? 'ok' : 'error' }, durationMs / 1000);
  }

  /** Observes how far behind the store a batch of live events reached this instance's subscriptions. */
  liveBatch(events: readonly GatewayEvent[], now: number = Date.now()): void {
    const oldest = events[0];
    if (oldest === undefined) return;
    // Another instance's (or Redis's) clock may run ahead of this one: never a negative lag.
    this.tailLag.observe(Math.max(0, now - this.#storedAt(oldest.receivedAt)) / 1000);
  }

  #lastReceivedAt = '';
  #lastStoredAt = Number.NaN;
  /** `Date.parse(receivedAt)`, the last answer kept: the events of a burst share their stamp. */
  #storedAt(receivedAt: string): number {
    if (receivedAt !== this.#lastReceivedAt) {
      this.#lastStoredAt = Date.parse(receivedAt);
      this.#lastReceivedAt = receivedAt;
    }
    return this.#lastStoredAt;
  }
}
