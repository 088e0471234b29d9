/**
 * Turns demo-world changes into Zendesk data changes and the event-subscription
 * webhooks Zendesk would send for them (`zen:event-type:*`), signed as Zendesk
 * signs: base64 HMAC-SHA256 of timestamp + body.
 */
import { createHmac } from 'node:crypto';
import { randomInt } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { Person, WorldChange } from '../../../src/sandbox/world.ts';
import { addEndUser, newTicket, setStatus } from './seed.ts';
import type { Account, IdFactory } from './seed.ts';
import { isoSeconds } from './store.ts';
import type { StoredTicket, StoredUser, TicketStatus, ZendeskStore } from './store.ts';

/** `zendesk_event_version` of each event domain, as Zendesk's examples show them. */
const EVENT_VERSIONS = { ticket: '2022-11-06', user: '2022-06-20' } as const;

/** One event-subscription payload, in Zendesk's key order. */
export interface ZendeskEventPayload {
  type: string;
  account_id: number;
  id: string;
  time: string;
  zendesk_event_version: string;
  subject: string;
  detail: Record<string, unknown>;
  event: Record<string, unknown>;
}

/**
 * The signature headers of a delivery: `X-Zendesk-Webhook-Signature` is
 * base64(HMAC-SHA256(secret, timestamp + body)), the secret used as given.
 */
export function signZendeskPayload(
  body: string,
  secret: string,
  timestamp: string,
): { 'X-Zendesk-Webhook-Signature': string; 'X-Zendesk-Webhook-Signature-Timestamp': string } {
  const signature = createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');
  return {
    'X-Zendesk-Webhook-Signature': signature,
    'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
  };
}

const idString = (id: number | null): string | null => (id === null ? null : String(id));
const upper = (value: string | null): string | null => (value === null ? null : value.toUpperCase());

/** A ticket as event `detail` carries it: ids as strings, enumerations upper-cased. */
export function ticketDetail(ticket: StoredTicket, actorId: number): Record<string, unknown> {
  return {
    actor_id: String(actorId),
    assignee_id: idString(ticket.assignee_id),
    brand_id: String(ticket.brand_id),
    created_at: ticket.created_at,
    custom_status: String(ticket.custom_status_id),
    description: ticket.description,
    external_id: ticket.external_id,
    form_id: String(ticket.ticket_form_id),
    group_id: idString(ticket.group_id),
    id: String(ticket.id),
    is_public: ticket.is_public,
    organization_id: idString(ticket.organization_id),
    priority: upper(ticket.priority),
    requester_id: String(ticket.requester_id),
    status: ticket.status.toUpperCase(),
    subject: ticket.subject,
    submitter_id: String(ticket.submitter_id),
    tags: [...ticket.tags],
    type: upper(ticket.type),
    updated_at: ticket.updated_at,
    via: { channel: ticket.via.channel },
  };
}

/** A user as event `detail` carries it (Zendesk sends `"0"` for an absent group or organization). */
export function userDetail(user: StoredUser): Record<string, unknown> {
  return {
    created_at: user.created_at,
    email: user.email,
    external_id: user.external_id ?? '',
    default_group_id: String(user.default_group_id ?? 0),
    id: String(user.id),
    organization_id: String(user.organization_id ?? 0),
    role: user.role,
    updated_at: user.updated_at,
  };
}

/** Headers Zendesk sends with every webhook request, besides the signature. */
function deliveryHeaders(account: Account, webhookId: string, invocation: number): Record<string, string> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'Zendesk Webhook',
    'X-Zendesk-Account-Id': String(account.id),
    'X-Zendesk-Webhook-Id': webhookId,
    'X-Zendesk-Webhook-Invocation-Id': String(invocation),
  };
}

/** Turns a world change into signed deliveries; `payload` and `sign` serve writes through the API. */
export interface Reactor {
  (change: WorldChange): WebhookDelivery[];
  /** One event payload (`ticket`, `created`, ticket id, unix seconds, detail, event). */
  payload(
    domain: 'ticket' | 'user',
    action: string,
    subjectId: number,
    at: number,
    detail: Record<string, unknown>,
    event: Record<string, unknown>,
  ): ZendeskEventPayload;
  /** Signs payloads as deliveries, one each. */
  sign(events: readonly ZendeskEventPayload[]): WebhookDelivery[];
}

/** Applies world changes to the store and returns the signed deliveries, in the order Zendesk sends them. */
export function createReactor(options: {
  store: ZendeskStore;
  ids: IdFactory;
  random: Random;
  account: Account;
  secret: string;
  webhookId: string;
}): Reactor {
  const { store, ids, random, account } = options;

  function payload(
    domain: 'ticket' | 'user',
    action: string,
    subjectId: number,
    at: number,
    detail: Record<string, unknown>,
    event: Record<string, unknown>,
  ): ZendeskEventPayload {
    return {
      type: `zen:event-type:${domain}.${action}`,
      account_id: account.id,
      id: ids.uuid(),
      time: new Date(at * 1000).toISOString(),
      zendesk_event_version: EVENT_VERSIONS[domain],
      subject: `zen:${domain}:${subjectId}`,
      detail,
      event,
    };
  }

  function ensureUser(person: Person, at: number, out: ZendeskEventPayload[]): StoredUser {
    const existing = store.users.get(store.userOfPerson.get(person.id) ?? -1);
    if (existing !== undefined) return existing;
    const user = addEndUser(store, ids, person, at);
    out.push(payload('user', 'created', user.id, at, userDetail(user), {}));
    return user;
  }

  function updateUser(user: StoredUser, person: Person, at: number, out: ZendeskEventPayload[]): void {
    const name = `${person.firstName} ${person.lastName}`;
    const changes: { action: string; event: Record<string, unknown> }[] = [];
    if (user.name !== name) {
      changes.push({ action: 'name_changed', event: { current: name, previous: user.name } });
      user.name = name;
    }
    const identity = (type: 'email' | 'phone_number', value: string | null) =>
      value === null ? null : { type, value, primary: true, verified: type === 'email' };
    if (user.phone !== person.phone) {
      changes.push({
        action: 'identity_changed',
        event: {
          current: identity('phone_number', person.phone),
          previous: identity('phone_number', user.phone),
        },
      });
      user.phone = person.phone;
      user.shared_phone_number = person.phone === null ? null : false;
    }
    if (user.email !== person.email) {
      changes.push({
        action: 'identity_changed',
        event: { current: identity('email', person.email), previous: identity('email', user.email) },
      });
      user.email = person.email;
    }
    if (changes.length === 0) return;
    user.updated_at = isoSeconds(at);
    for (const change of changes) {
      out.push(payload('user', change.action, user.id, at, userDetail(user), change.event));
    }
  }

  function openTicket(
    change: Extract<WorldChange, { kind: 'ticket.opened' }>,
    user: StoredUser,
    out: ZendeskEventPayload[],
  ): void {
    const ticket = newTicket(account, {
      id: ids.ticket(),
      requester: user,
      subject: change.subject,
      priority: change.priority,
      type: 'question',
      channel: 'web',
      createdAt: change.at,
    });
    store.putTicket(ticket);
    store.ticketOfWorld.set(change.ticketId, ticket.id);
    out.push(payload('ticket', 'created', ticket.id, change.at, ticketDetail(ticket, user.id), {}));
  }

  function updateTicket(
    change: Extract<WorldChange, { kind: 'ticket.updated' }>,
    user: StoredUser,
    out: ZendeskEventPayload[],
  ): void {
    let ticket = store.tickets.get(store.ticketOfWorld.get(change.ticketId) ?? -1);
    if (ticket === undefined) {
      // A ticket opened before this emulator started: it appears as it was, quietly.
      ticket = newTicket(account, {
        id: ids.ticket(),
        requester: user,
        subject: 'Follow-up on an earlier conversation',
        priority: 'normal',
        type: 'question',
        channel: 'web',
        createdAt: change.at - 60,
      });
      store.putTicket(ticket);
      store.ticketOfWorld.set(change.ticketId, ticket.id);
      if (change.from !== 'new') setStatus(account, ticket, change.from, pickAgent(), change.at - 60);
    }
    const previousAssignee = ticket.assignee_id;
    const previous: TicketStatus = ticket.status;
    const agent = previousAssignee ?? pickAgent();
    setStatus(account, ticket, change.to, agent, change.at);
    if (ticket.assignee_id !== previousAssignee) {
      out.push(
        payload('ticket', 'agent_assignment_changed', ticket.id, change.at, ticketDetail(ticket, agent), {
          current: idString(ticket.assignee_id),
          previous: idString(previousAssignee),
        }),
      );
    }
    if (previous !== ticket.status) {
      out.push(
        payload('ticket', 'status_changed', ticket.id, change.at, ticketDetail(ticket, agent), {
          current: ticket.status.toUpperCase(),
          previous: previous.toUpperCase(),
        }),
      );
    }
  }

  function pickAgent(): number {
    const agents = store.agents.slice(1);
    return agents[randomInt(random, 0, agents.length - 1)] ?? store.agents[0] ?? 0;
  }

  function apply(change: WorldChange): ZendeskEventPayload[] {
    const out: ZendeskEventPayload[] = [];
    if (!change.person.presence.support) return out;
    switch (change.kind) {
      case 'person.joined':
        ensureUser(change.person, change.at, out);
        break;
      case 'person.updated': {
        const user = ensureUser(change.person, change.at, out);
        updateUser(user, change.person, change.at, out);
        break;
      }
      case 'ticket.opened':
        openTicket(change, ensureUser(change.person, change.at, out), out);
        break;
      case 'ticket.updated':
        updateTicket(change, ensureUser(change.person, change.at, out), out);
        break;
      default:
        // Billing, commerce and account changes are not Support's business.
        break;
    }
    return out;
  }

  const sign = (events: readonly ZendeskEventPayload[]): WebhookDelivery[] =>
    events.map((event) => {
      const body = JSON.stringify(event);
      const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        headers: {
          ...deliveryHeaders(account, options.webhookId, ids.invocation()),
          ...signZendeskPayload(body, options.secret, timestamp),
        },
        body,
      };
    });
  return Object.assign((change: WorldChange) => sign(apply(change)), { payload, sign });
}
