/**
 * Turns demo-world changes into changes of the product's users and the
 * webhooks the product sends for them, signed per Standard Webhooks.
 */
import { randomBytes } from 'node:crypto';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { WorldChange } from '../../../src/sandbox/world.ts';
import { signStandardWebhook } from '../webhooks.ts';
import type { AppEventType } from '../webhooks.ts';
import { newUser } from './seed.ts';
import { isoSeconds } from './store.ts';
import type { UserObject, UserStore } from './store.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A fresh message id (`msg_` + 27 base62 characters, Svix's shape). Random, not
 * seeded: ids are dedupe keys, and a restarted demo must not collide with the
 * ids a persistent event log already holds.
 */
export function newMessageId(): string {
  let id = 'msg_';
  for (const byte of randomBytes(27)) id += BASE62.charAt(byte % 62);
  return id;
}

/** The webhook body the product sends: `{ event, timestamp, data }`. */
export interface AppWebhookPayload {
  event: AppEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A signed delivery of `payload`, as the product's sender makes it. */
export function deliver(payload: AppWebhookPayload, secret: string): WebhookDelivery {
  const body = JSON.stringify(payload);
  const id = newMessageId();
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'app-webhooks/1.0',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, id, timestamp, Buffer.from(body, 'utf8')),
    },
    body,
  };
}

const userData = (user: UserObject): Record<string, unknown> => ({
  user_id: user.user_id,
  email: user.email,
  first_name: user.first_name,
  last_name: user.last_name,
  company: user.company,
  plan: user.plan,
});

/** Applies world changes to the store and returns the signed deliveries. */
export function createReactor(
  store: UserStore,
  nextId: () => string,
  secret: string,
): (change: WorldChange) => WebhookDelivery[] {
  function apply(change: WorldChange): AppWebhookPayload[] {
    const { person, at } = change;
    const timestamp = isoSeconds(at);
    const user = store.activeOf(person.id);
    switch (change.kind) {
      case 'person.joined': {
        if (!person.presence.app || user !== undefined) return [];
        const created = newUser(nextId(), person, at);
        store.put(created, person.id);
        return [{ event: 'user.created', timestamp, data: userData(created) }];
      }
      case 'person.updated':
      case 'plan.changed':
      case 'plan.canceled': {
        if (user === undefined) return [];
        const next: Partial<UserObject> = {
          email: person.email,
          first_name: person.firstName,
          last_name: person.lastName,
          company: person.company?.name ?? null,
          plan:
            change.kind === 'plan.changed' ? change.to : change.kind === 'plan.canceled' ? 'free' : user.plan,
        };
        const changed = (Object.keys(next) as (keyof typeof next)[]).filter((key) => user[key] !== next[key]);
        // The product only tells about what it stores: a new phone number is no user.updated.
        if (changed.length === 0) return [];
        Object.assign(user, next, { updated_at: timestamp });
        return [{ event: 'user.updated', timestamp, data: userData(user) }];
      }
      case 'person.left': {
        if (user === undefined) return [];
        user.deleted_at = timestamp;
        user.updated_at = timestamp;
        return [
          {
            event: 'user.deleted',
            timestamp,
            data: { user_id: user.user_id, email: user.email, deleted_at: timestamp },
          },
        ];
      }
      default:
        return [];
    }
  }

  return (change) => apply(change).map((payload) => deliver(payload, secret));
}
