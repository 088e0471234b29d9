import type { Logger } from 'pino';
import { request } from 'undici';
import type { Source } from '../sources.ts';
import type { DemoWorld, WorldChange } from './world.ts';

/** A running demo clock. */
export interface DemoClock {
  /** Ticks applied so far. */
  readonly ticks: number;
  /** Applies one tick's changes now and resolves once their webhooks are answered (tests use this). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startDemoClock}. */
export interface DemoClockOptions {
  /** The world the sandboxed sources serve. */
  world: DemoWorld;
  /** Sandboxed sources. */
  sources: readonly Source[];
  /** Where the gateway listens (`http://127.0.0.1:4000`); webhooks go to `/webhooks/<source>`. */
  gatewayUrl: string;
  /** Milliseconds between changes; 0 never ticks on its own. */
  intervalMs: number;
  log: Logger;
}

/**
 * Makes the demo world change every `intervalMs` and delivers each change as
 * the providers would: signed webhooks POSTed to the gateway's ingress, over HTTP.
 * Changes happen at the wall-clock time of their tick, so the providers' timestamps
 * agree with the time the gateway receives their webhooks.
 */
export function startDemoClock(options: DemoClockOptions): DemoClock {
  const sources = options.sources.filter((s) => s.sandbox !== null);
  const { world } = options;
  let ticks = 0;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function deliver(): Promise<void> {
    const changes = world.tick(Math.floor(Date.now() / 1000));
    ticks++;
    for (const change of changes) await deliverChange(change);
  }

  async function deliverChange(change: WorldChange): Promise<void> {
    for (const source of sources) {
      const url = `${options.gatewayUrl}/webhooks/${source.name}`;
      for (const delivery of source.sandbox?.react(change, url) ?? []) {
        try {
          const response = await request(url, {
            method: 'POST',
            headers: delivery.headers,
            body: delivery.body,
          });
          const text = await response.body.text();
          if (response.statusCode >= 300) {
            options.log.warn(
              { source: source.name, status: response.statusCode, body: text },
              'demo webhook refused',
            );
          }
        } catch (error) {
          options.log.warn({ source: source.name, err: error }, 'demo webhook not delivered');
        }
      }
    }
  }

  const tick = (): Promise<void> => (running = running.then(deliver));
  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          if (!stopped) void tick();
        }, options.intervalMs)
      : null;
  timer?.unref();

  return {
    get ticks() {
      return ticks;
    },
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
