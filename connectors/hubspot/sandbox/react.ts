/**
 * Turns demo-world changes into CRM changes and the webhook deliveries HubSpot
 * would send for them: one request per change, carrying a JSON array of
 * events, signed with the v3 scheme (and the legacy v1 one, as HubSpot does).
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { Person, WorldChange } from '../../../src/sandbox/world.ts';
import type { IdFactory, SeedMaps } from './seed.ts';
import { OPEN_STAGES, contactProperties, newRecord } from './seed.ts';
import type { CrmStore, CrmType } from './store.ts';
import { SINGULAR } from './store.ts';

/** The percent-encodings HubSpot decodes in the URI before signing. */
const SIGNING_DECODES: readonly (readonly [RegExp, string])[] = [
  [/%3A/gi, ':'],
  [/%2F/gi, '/'],
  [/%3F/gi, '?'],
  [/%40/gi, '@'],
  [/%21/gi, '!'],
  [/%24/gi, '$'],
  [/%27/gi, "'"],
  [/%28/gi, '('],
  [/%29/gi, ')'],
  [/%2A/gi, '*'],
  [/%2C/gi, ','],
  [/%3B/gi, ';'],
];

/** `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of `method + uri + body + timestamp`, keyed with the client secret. */
export function signHubSpotV3(
  secret: string,
  method: string,
  url: string,
  body: string,
  timestamp: string,
): string {
  const uri = SIGNING_DECODES.reduce((u, [pattern, char]) => u.replace(pattern, char), url);
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** The legacy `X-HubSpot-Signature` (v1): hex SHA-256 of the client secret followed by the body. */
export function signHubSpotV1(secret: string, body: string): string {
  return createHash('sha256').update(`${secret}${body}`, 'utf8').digest('hex');
}

/** A webhook event as HubSpot sends it. */
export interface HubSpotEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
}

/** The signed request HubSpot would send for `events`, posted to `url`, stamped with the wall clock. */
export function hubspotDelivery(
  events: readonly HubSpotEvent[],
  secret: string,
  url: string,
): WebhookDelivery {
  const body = JSON.stringify(events);
  const timestamp = String(Date.now());
  return {
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon',
      'X-HubSpot-Signature': signHubSpotV1(secret, body),
      'X-HubSpot-Signature-Version': 'v1',
      'X-HubSpot-Signature-v3': signHubSpotV3(secret, 'POST', url, body, timestamp),
      'X-HubSpot-Request-Timestamp': timestamp,
    },
    body,
  };
}

/** The emulated app and account webhooks come from. */
export interface WebhookOrigin {
  portalId: number;
  appId: number;
  secret: string;
}

/** Turns a world change into deliveries; `changed` and `sign` serve writes through the API. */
export interface HubSpotReactor {
  (change: WorldChange, url: string): WebhookDelivery[];
  /** Sets properties on a record; one `propertyChange` event per property whose value changed (`at` in ms). */
  changed(type: CrmType, id: string, changes: Record<string, string | null>, at: number): HubSpotEvent[];
  sign(events: readonly HubSpotEvent[], url: string): WebhookDelivery;
}

/** Applies world changes to the store and returns the deliveries, one per change that touched the CRM. */
export function createReactor(
  store: CrmStore,
  ids: IdFactory,
  maps: SeedMaps,
  origin: WebhookOrigin,
): HubSpotReactor {
  // HubSpot gives each subscription (and each watched property) its own id.
  const subscriptions = new Map<string, number>();
  const subscriptionId = (type: string, property?: string): number => {
    const key = property === undefined ? type : `${type}:${property}`;
    let id = subscriptions.get(key);
    if (id === undefined) {
      id = 2_400_000 + subscriptions.size * 7 + 1;
      subscriptions.set(key, id);
    }
    return id;
  };

  function event(
    type: CrmType,
    kind: 'creation' | 'propertyChange',
    objectId: string,
    at: number,
    property?: { name: string; value: string | null },
  ): HubSpotEvent {
    const subscriptionType = `${SINGULAR[type]}.${kind}`;
    return {
      eventId: ids.eventId(),
      subscriptionId: subscriptionId(subscriptionType, property?.name),
      portalId: origin.portalId,
      appId: origin.appId,
      occurredAt: at,
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      changeSource: 'INTEGRATION',
      ...(kind === 'creation' ? { changeFlag: 'NEW' } : {}),
      ...(property === undefined ? {} : { propertyName: property.name, propertyValue: property.value ?? '' }),
    };
  }

  function changed(
    type: CrmType,
    id: string,
    changes: Record<string, string | null>,
    at: number,
  ): HubSpotEvent[] {
    return store
      .update(type, id, changes, new Date(at).toISOString())
      .map((name) => event(type, 'propertyChange', id, at, { name, value: changes[name] ?? null }));
  }

  function ensureContact(person: Person, at: number, events: HubSpotEvent[]): string {
    const known = maps.contactOf.get(person.id) ?? store.contactByEmail.get(person.email);
    if (known !== undefined && store.get('contacts', known) !== undefined) return known;
    const id = ids.next('contacts');
    const properties = contactProperties(person, { jobtitle: null, lifecyclestage: 'lead' });
    store.put('contacts', newRecord('contacts', id, at, at, properties));
    maps.contactOf.set(person.id, id);
    const companyId = person.company === null ? undefined : maps.companyOf.get(person.company.id);
    if (companyId !== undefined) store.associate('contacts', id, 'companies', companyId, true);
    events.push(event('contacts', 'creation', id, at));
    return id;
  }

  function purchase(
    contactId: string,
    change: Extract<WorldChange, { kind: 'purchase' }>,
    at: number,
  ): HubSpotEvent[] {
    const amount = change.amount / 100;
    const open = store
      .associated('contacts', contactId, 'deals')
      .map((d) => store.get('deals', d.id))
      .filter((d) => d !== undefined && OPEN_STAGES.includes(d.properties['dealstage'] ?? ''))
      .at(-1);
    if (open !== undefined) {
      // The order closes the deal the team was working, for what was actually bought.
      const previous = Number(open.properties['amount'] ?? '0');
      const total = Math.round(((Number.isFinite(previous) ? previous : 0) + amount) * 100) / 100;
      return changed('deals', open.id, { amount: String(total), dealstage: 'closedwon' }, at);
    }
    const id = ids.next('deals');
    const person = change.person;
    store.put(
      'deals',
      newRecord('deals', id, at, at, {
        dealname: `${person.company?.name ?? `${person.firstName} ${person.lastName}`} - Order ${change.orderId}`,
        dealstage: 'closedwon',
        amount: String(amount),
        closedate: new Date(at).toISOString(),
        pipeline: 'default',
      }),
    );
    store.associate('deals', id, 'contacts', contactId);
    const companyId = person.company === null ? undefined : maps.companyOf.get(person.company.id);
    if (companyId !== undefined) store.associate('deals', id, 'companies', companyId, true);
    return [event('deals', 'creation', id, at)];
  }

  function apply(change: WorldChange): HubSpotEvent[] {
    const { person } = change;
    if (!person.presence.crm) return [];
    const at = change.at * 1000;
    const events: HubSpotEvent[] = [];
    const contactId = ensureContact(person, at, events);
    switch (change.kind) {
      case 'person.updated': {
        const updates: Record<string, string | null> = {};
        if (change.changed.includes('name')) {
          updates['firstname'] = person.firstName;
          updates['lastname'] = person.lastName;
        }
        if (change.changed.includes('phone')) updates['phone'] = person.phone;
        if (change.changed.includes('email')) updates['email'] = person.email;
        events.push(...changed('contacts', contactId, updates, at));
        break;
      }
      case 'plan.changed':
        events.push(...changed('contacts', contactId, { lifecyclestage: 'customer' }, at));
        break;
      case 'purchase':
        events.push(...purchase(contactId, change, at));
        break;
      default:
        break;
    }
    return events;
  }

  return Object.assign(
    (change: WorldChange, url: string) => {
      const events = apply(change);
      return events.length === 0 ? [] : [hubspotDelivery(events, origin.secret, url)];
    },
    {
      changed,
      sign: (events: readonly HubSpotEvent[], url: string) => hubspotDelivery(events, origin.secret, url),
    },
  );
}
