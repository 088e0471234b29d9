import { compileFilter } from '../events/event.ts';
import type { GatewayEvent } from '../events/event.ts';
import { InvalidCursorError } from '../events/log.ts';
import type { EventLog } from '../events/log.ts';
import { signingSecrets } from './model.ts';
import type { Delivery, DeliveryStatus, Endpoint } from './model.ts';
import { deliveryIdOf, payloadOf } from './payload.ts';
import { retryDelayMs } from './retry-schedule.ts';
import type { Sender, SendResult } from './sender.ts';
import { signatureHeader } from './signer.ts';
import type { Claim, OutboundStore } from './store.ts';

/** How long `close` waits for attempts in flight, in ms. */
const CLOSE_GRACE_MS = 2_000;

/** What the dispatcher tells metrics and alerts. */
export interface DispatchObserver {
  /** One finished attempt, and the status it left its delivery in. */
  attempt?(endpoint: Endpoint, result: SendResult, status: DeliveryStatus): void;
  /** An endpoint was disabled (410, or failing for too long). */
  disabled?(endpoint: Endpoint, reason: string): void;
  /** A delivery exhausted its retry schedule. */
  failed?(endpoint: Endpoint, delivery: Delivery): void;
  /** A delivery succeeded (an endpoint's failures are over). */
  succeeded?(endpoint: Endpoint): void;
  /** An administrator enabled an endpoint again. */
  enabled?(endpointId: string): void;
}

/** Where the dispatcher reports trouble it cannot hand to a caller. */
export interface DispatchLogger {
  warn(details: Record<string, unknown>, message: string): void;
  debug(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  store: OutboundStore;
  events: EventLog;
  sender: Sender;
  /** Delays after each failure of a round, in ms. */
  retryScheduleMs: readonly number[];
  /** An endpoint that only failed for this long is disabled; 0: never. */
  disableAfterMs: number;
  /** How long a claimed delivery stays leased: longer than an attempt can take. */
  leaseMs: number;
  /** Attempts in flight to one endpoint from this instance at most. Default 8. */
  concurrencyPerEndpoint?: number;
  /** Longest sleep between looks at the store (another instance's work, expired leases). Default 1000 ms. */
  pollMs?: number;
  /** Events read from the log per page. Default 200. */
  pageSize?: number;
  log: DispatchLogger;
  observer?: DispatchObserver;
  now?: () => number;
  random?: () => number;
}

/** The running delivery loop. */
export interface Dispatcher {
  /** Look at the log and the schedule now (after a change, or an event). */
  wake(): void;
  /** Resolves once no pass is running and nothing is in flight (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stops: no new attempts; waits up to 2 s for those in flight, and leaves the rest unrecorded. */
  close(): Promise<void>;
  /** Stops at once without finishing or recording anything in flight, as a killed instance would. */
  abandon(): void;
}

/**
 * Reads the event log from each endpoint's own position, records a delivery for
 * every event its filter matches, and attempts due deliveries, each endpoint on
 * its own: attempts are not awaited by the loop, so a slow or failing endpoint
 * never delays another, and a delivery waiting for a retry never holds up the
 * ones after it. First attempts start in log order (due now, then by creation).
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, events, sender, log } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const concurrency = options.concurrencyPerEndpoint ?? 8;
  const pollMs = options.pollMs ?? 1000;
  const pageSize = options.pageSize ?? 200;
  const observer = options.observer ?? {};
  const inFlight = new Map<string, number>();
  const attempts = new Set<Promise<void>>();
  let running: Promise<void> | null = null;
  let again = false;
  const wantsAgain = () => again;
  let stopped = false;
  // A function, so checks after an await are not narrowed away.
  const isStopped = () => stopped;
  let abandoned = false;
  let passFailing = false;
  const isAbandoned = () => abandoned;
  let timer: NodeJS.Timeout | undefined;

  let feed: AbortController | null = null;

  /**
   * Live events wake the loop at once (the loop itself reads from each endpoint's position).
   * Subscribed only while some endpoint is enabled: a gateway without endpoints has no extra subscriber.
   */
  function follow(wanted: boolean): void {
    if (wanted === (feed !== null)) return;
    if (!wanted) {
      feed?.abort();
      feed = null;
      return;
    }
    const controller = new AbortController();
    feed = controller;
    void (async () => {
      try {
        const after = await events.head();
        for await (const _event of events.subscribe({ after, signal: controller.signal })) wake();
      } catch (error) {
        if (!controller.signal.aborted)
          log.warn({ err: String(error) }, 'outbound: live event feed ended; polling');
      }
      if (feed === controller) feed = null;
    })();
  }

  function schedule(): void {
    clearTimeout(timer);
    if (stopped) return;
    const next = store.nextDueAt();
    const wait = next === null ? pollMs : Math.max(0, Math.min(pollMs, next - now()));
    timer = setTimeout(wake, wait);
    timer.unref();
  }

  function wake(): void {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
          if (passFailing) log.warn({}, 'outbound: delivery passes work again');
          passFailing = false;
        } catch (error) {
          // Once per outage, not at every poll.
          if (!passFailing) log.warn({ err: String(error) }, 'outbound: delivery pass failed; retrying');
          passFailing = true;
        }
      } while (wantsAgain() && !isStopped());
    })().finally(() => {
      running = null;
      schedule();
    });
  }

  async function pass(): Promise<void> {
    const endpoints = await store.listEndpoints();
    follow(!isStopped() && endpoints.some((e) => e.enabled));
    for (const endpoint of endpoints) {
      if (isStopped()) return;
      if (!endpoint.enabled) continue;
      await advance(endpoint);
      await dispatchDue(endpoint);
    }
  }

  async function advance(endpoint: Endpoint): Promise<void> {
    const matches = compileFilter(endpoint.filter);
    for (;;) {
      const from = await store.position(endpoint.id);
      if (from === null) return;
      let page: GatewayEvent[];
      try {
        page = await events.read({ after: from, limit: pageSize });
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        // A position the log cannot know (a log emptied by a restart): start again from its head.
        const head = await events.head();
        log.warn(
          { endpoint: endpoint.id, position: from, head },
          'outbound: endpoint position reset to the log head',
        );
        await store.advance(endpoint.id, from, head, []);
        return;
      }
      const last = page.at(-1);
      if (last === undefined) return;
      const at = now();
      const created = page.filter(matches).map((event): Omit<Delivery, 'seq'> => ({
        id: deliveryIdOf(endpoint.id, event.cursor),
        endpointId: endpoint.id,
        event,
        status: 'PENDING',
        attempts: [],
        nextAttemptAt: at,
        createdAt: at,
        roundFailures: 0,
      }));
      // Lost to another instance: it recorded these; read again from where it left off.
      await store.advance(endpoint.id, from, last.cursor, created);
      if (page.length < pageSize) return;
    }
  }

  async function dispatchDue(endpoint: Endpoint): Promise<void> {
    const free = concurrency - (inFlight.get(endpoint.id) ?? 0);
    if (free <= 0) return;
    const claims = await store.claimDue(endpoint.id, now(), free, options.leaseMs);
    for (const claim of claims) {
      inFlight.set(endpoint.id, (inFlight.get(endpoint.id) ?? 0) + 1);
      const attempt = run(endpoint, claim)
        .catch((error: unknown) =>
          log.warn({ err: String(error), delivery: claim.delivery.id }, 'outbound: attempt not recorded'),
        )
        .finally(() => {
          inFlight.set(endpoint.id, (inFlight.get(endpoint.id) ?? 1) - 1);
          attempts.delete(attempt);
          wake();
        });
      attempts.add(attempt);
    }
  }

  async function run(endpoint: Endpoint, claim: Claim): Promise<void> {
    const delivery = claim.delivery;
    const body = payloadOf(delivery.event);
    const startedAt = now();
    const timestamp = Math.floor(startedAt / 1000);
    const result = await sender.send(
      endpoint.url,
      {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(
          signingSecrets(endpoint, startedAt),
          delivery.id,
          timestamp,
          body,
        ),
      },
      body,
    );
    if (isAbandoned()) return;
    const attempt = {
      attemptedAt: startedAt,
      responseStatus: result.status,
      durationMs: result.durationMs,
      error: result.error,
    };
    const finished = now();
    let status: DeliveryStatus;
    let nextAttemptAt: number | null = null;
    let roundFailures = delivery.roundFailures;
    let disable: string | null = null;
    if (result.error === null) {
      status = 'SUCCEEDED';
      roundFailures = 0;
    } else if (result.status === 410) {
      status = 'FAILED';
      roundFailures++;
      disable = `410 Gone: the receiver said the endpoint no longer exists (${new Date(finished).toISOString()})`;
    } else {
      roundFailures++;
      const delay = retryDelayMs(options.retryScheduleMs, roundFailures, random);
      if (delay === null) status = 'FAILED';
      else {
        status = 'PENDING';
        nextAttemptAt = finished + Math.max(delay, result.retryAfterMs ?? 0);
      }
    }
    const recorded = await store.complete(claim, { attempt, status, nextAttemptAt, roundFailures });
    if (!recorded) {
      log.warn(
        { endpoint: endpoint.id, delivery: delivery.id },
        'outbound: lease lost before the attempt was recorded',
      );
      return;
    }
    observer.attempt?.(endpoint, result, status);
    if (status === 'SUCCEEDED') {
      if (endpoint.failingSince !== null) {
        await store.updateEndpoint(endpoint.id, { failingSince: null });
      }
      observer.succeeded?.(endpoint);
      return;
    }
    if (status === 'FAILED')
      observer.failed?.(endpoint, { ...delivery, status, attempts: [...delivery.attempts, attempt] });
    const current = await store.getEndpoint(endpoint.id);
    if (current === null || !current.enabled) return;
    const failingSince = current.failingSince ?? startedAt;
    if (disable === null && options.disableAfterMs > 0 && finished - failingSince >= options.disableAfterMs) {
      disable = `failing since ${new Date(failingSince).toISOString()}: every attempt failed for longer than OUTBOUND_DISABLE_AFTER_S`;
    }
    if (disable !== null) {
      await store.updateEndpoint(endpoint.id, { enabled: false, disabledReason: disable, failingSince });
      observer.disabled?.(current, disable);
    } else if (current.failingSince === null) {
      await store.updateEndpoint(endpoint.id, { failingSince });
    }
  }

  return {
    wake,
    async idle() {
      for (;;) {
        if (running !== null) await running;
        else if (attempts.size > 0) await Promise.allSettled([...attempts]);
        else return;
      }
    },
    async close() {
      stopped = true;
      follow(false);
      clearTimeout(timer);
      await running;
      // A receiver slower than this does not hold up shutdown: its attempt stays unrecorded, and
      // the delivery is attempted again (in Redis, by any instance once the lease ends).
      const grace = new Promise<void>((done) => setTimeout(done, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.allSettled([...attempts]), grace]);
      abandoned = true;
    },
    abandon() {
      stopped = true;
      abandoned = true;
      follow(false);
      clearTimeout(timer);
    },
  };
}
