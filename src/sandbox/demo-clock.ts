import type { Logger } from 'pino';
import { request } from 'undici';
import type { Source } from '../sources.ts';
import type { DemoWorld } from './world.ts';

/** A running demo clock. */
export interface DemoClock {
  /** Changes applied so far. */
  readonly ticks: number;
  /** Applies one change now and resolves once its webhooks are answered (tests use this). */
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
 */
export function startDemoClock(options: DemoClockOptions): DemoClock {
  const sources = options.sources.filter((s) => s.sandbox !== null);
  const { world } = options;
  let ticks = 0;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function deliver(): Promise<void> {
    const change = world.step();
    ticks++;
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
