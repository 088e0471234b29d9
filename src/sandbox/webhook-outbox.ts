import type { Logger } from 'pino';
import { request } from 'undici';
import type { WebhookDelivery } from './types.ts';

/** Makes a source's signed deliveries for the URL they will be posted to (some providers sign the URL). */
export type DeliveryMaker = (url: string) => WebhookDelivery[];

/**
 * Where emulators send the webhooks a write through their API causes, as the
 * real provider would after a write: POSTed to the gateway's own
 * `/webhooks/<source>`, in order, in the background. Until the gateway listens
 * (`connect`), there is nowhere to send them and they are dropped, as a
 * provider's deliveries to an endpoint that is down would be.
 */
export interface WebhookOutbox {
  send(source: string, make: DeliveryMaker): void;
  /** Starts delivering to the gateway at `gatewayUrl` (`http://127.0.0.1:4000`). */
  connect(gatewayUrl: string): void;
  /** Resolves once every delivery sent so far was answered (tests use it). */
  idle(): Promise<void>;
  /** Stops delivering, after the deliveries in progress. */
  close(): Promise<void>;
}

export function createWebhookOutbox(log: Logger): WebhookOutbox {
  let gatewayUrl: string | null = null;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();

  async function post(source: string, make: DeliveryMaker): Promise<void> {
    if (gatewayUrl === null || closed) return;
    const url = `${gatewayUrl}/webhooks/${source}`;
    for (const delivery of make(url)) {
      try {
        const response = await request(url, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        });
        const text = await response.body.text();
        if (response.statusCode >= 300) {
          log.warn({ source, status: response.statusCode, body: text }, 'sandbox webhook refused');
        }
      } catch (error) {
        log.warn({ source, err: error }, 'sandbox webhook not delivered');
      }
    }
  }

  return {
    send(source, make) {
      queue = queue.then(() => post(source, make));
    },
    connect(url) {
      gatewayUrl = url;
    },
    idle: () => queue,
    async close() {
      await queue;
      closed = true;
    },
  };
}
