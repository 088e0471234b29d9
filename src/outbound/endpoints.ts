import { randomBytes } from 'node:crypto';
import { badUserInput } from '../errors.ts';
import type { EventLog } from '../events/log.ts';
import { ForbiddenDestinationError, checkDestination } from './address-guard.ts';
import type { Delivery, Endpoint, EndpointFilter } from './model.ts';
import { ROTATION_OVERLAP_MS, generateSecret } from './signer.ts';
import type { ListDeliveriesOptions, OutboundStore } from './store.ts';

/** What `createWebhookEndpoint` takes. */
export interface EndpointInput {
  url: string;
  description?: string | null | undefined;
  filter?: FilterInput | null | undefined;
}

/** An `EventFilter` argument. */
export interface FilterInput {
  sources?: readonly string[] | null | undefined;
  types?: readonly string[] | null | undefined;
  emails?: readonly string[] | null | undefined;
}

/** What `updateWebhookEndpoint` takes: only the fields given change. */
export interface EndpointPatch {
  url?: string | null | undefined;
  description?: string | null | undefined;
  filter?: FilterInput | null | undefined;
  enabled?: boolean | null | undefined;
}

/** Options of {@link createEndpointService}. */
export interface EndpointServiceOptions {
  store: OutboundStore;
  events: EventLog;
  allowPrivate: boolean;
  /** The sources a filter may name (the configured connectors). */
  sources: readonly string[];
  /** Called after every change, so the dispatcher looks at once. */
  changed: () => void;
  /** Called when an administrator enables an endpoint again (its alert resolves). Default: nobody. */
  enabled?: (endpointId: string) => void;
  now?: () => number;
}

/** Longest description kept, in characters. */
const MAX_DESCRIPTION = 500;
/** Longest URL accepted, in characters. */
const MAX_URL = 2048;

/** Managing endpoints and their deliveries: what the GraphQL mutations call. Throws BAD_USER_INPUT for what the caller can fix. */
export type EndpointService = ReturnType<typeof createEndpointService>;

async function checkedUrl(url: string, allowPrivate: boolean): Promise<string> {
  if (url.length > MAX_URL)
    throw badUserInput(`Argument "url" is longer than ${MAX_URL} characters.`, { argument: 'url' });
  try {
    return (await checkDestination(url, allowPrivate)).href;
  } catch (error) {
    if (error instanceof ForbiddenDestinationError) throw badUserInput(error.message, { argument: 'url' });
    throw error;
  }
}

function checkedDescription(description: string | null | undefined): string | null {
  if (description == null || description.trim() === '') return null;
  if (description.length > MAX_DESCRIPTION) {
    throw badUserInput(`Argument "description" is longer than ${MAX_DESCRIPTION} characters.`, {
      argument: 'description',
    });
  }
  return description;
}

function checkedFilter(
  filter: FilterInput | null | undefined,
  sources: readonly string[],
): EndpointFilter | null {
  if (filter == null) return null;
  const unknown = (filter.sources ?? []).filter((s) => !sources.includes(s));
  if (unknown.length > 0) {
    throw badUserInput(
      `Argument "filter.sources" names no source of this gateway: ${unknown.map((s) => JSON.stringify(s)).join(', ')}. Use one of ${sources.join(', ')}.`,
      { argument: 'filter.sources' },
    );
  }
  const lists = { sources: filter.sources, types: filter.types, emails: filter.emails };
  const kept: EndpointFilter = {};
  for (const [name, list] of Object.entries(lists)) {
    if (list == null || list.length === 0) continue;
    if (list.length > 100)
      throw badUserInput(`Argument "filter.${name}" lists more than 100 items.`, {
        argument: `filter.${name}`,
      });
    kept[name as keyof EndpointFilter] = [...list];
  }
  return Object.keys(kept).length === 0 ? null : kept;
}

function notFound(what: 'endpoint' | 'delivery'): Error {
  const field = what === 'endpoint' ? 'webhookEndpoints' : 'WebhookEndpoint.deliveries';
  return badUserInput(`No webhook ${what} has this id: pass the \`id\` of one listed by ${field}.`, {
    argument: 'id',
  });
}

function fileOwned(endpoint: Endpoint, what: string): Error {
  return badUserInput(
    `Webhook endpoint "${endpoint.id}" is declared in OUTBOUND_ENDPOINTS_FILE, which owns its ${what}: change the file and restart.`,
    { argument: 'id' },
  );
}

export function createEndpointService(options: EndpointServiceOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;

  async function existing(id: string): Promise<Endpoint> {
    const endpoint = await store.getEndpoint(id);
    if (endpoint === null) throw notFound('endpoint');
    return endpoint;
  }

  return {
    list: () => store.listEndpoints(),
    get: (id: string) => store.getEndpoint(id),
    getDelivery: (id: string) => store.getDelivery(id),
    deliveries: (endpointId: string, options: ListDeliveriesOptions) =>
      store.listDeliveries(endpointId, options),

    async create(input: EndpointInput): Promise<{ endpoint: Endpoint; secret: string }> {
      const url = await checkedUrl(input.url, options.allowPrivate);
      const secret = generateSecret();
      const endpoint: Endpoint = {
        id: `ep_${randomBytes(12).toString('base64url')}`,
        url,
        description: checkedDescription(input.description),
        filter: checkedFilter(input.filter, options.sources),
        enabled: true,
        disabledReason: null,
        createdAt: now(),
        secrets: [{ secret, expiresAt: null }],
        fromFile: false,
        failingSince: null,
      };
      // From now on: events stored before the endpoint existed are not its to receive.
      await store.createEndpoint(endpoint, await options.events.head());
      options.changed();
      return { endpoint, secret };
    },

    async update(id: string, patch: EndpointPatch): Promise<Endpoint> {
      const endpoint = await existing(id);
      const changes: Partial<Endpoint> = {};
      if (
        endpoint.fromFile &&
        (patch.url != null || patch.description !== undefined || patch.filter !== undefined)
      ) {
        throw fileOwned(endpoint, 'url, description and filter');
      }
      if (patch.url != null) changes.url = await checkedUrl(patch.url, options.allowPrivate);
      if (patch.description !== undefined) changes.description = checkedDescription(patch.description);
      if (patch.filter !== undefined) changes.filter = checkedFilter(patch.filter, options.sources);
      if (patch.enabled != null && patch.enabled !== endpoint.enabled) {
        changes.enabled = patch.enabled;
        changes.disabledReason = patch.enabled ? null : 'disabled by an administrator';
        changes.failingSince = null;
      }
      const updated = await store.updateEndpoint(id, changes);
      if (updated === null) throw notFound('endpoint');
      if (changes.enabled === true) options.enabled?.(id);
      options.changed();
      return updated;
    },

    async delete(id: string): Promise<void> {
      const endpoint = await existing(id);
      if (endpoint.fromFile) throw fileOwned(endpoint, 'existence');
      if (!(await store.deleteEndpoint(id))) throw notFound('endpoint');
    },

    async rotate(id: string): Promise<{ endpoint: Endpoint; secret: string }> {
      const endpoint = await existing(id);
      if (endpoint.fromFile) throw fileOwned(endpoint, 'secret');
      const at = now();
      const secret = generateSecret();
      // The previous secret keeps signing for a day, so receivers can switch without losing a delivery.
      const previous = endpoint.secrets
        .filter((s) => s.expiresAt === null || s.expiresAt > at)
        .map((s) => ({
          secret: s.secret,
          expiresAt: Math.min(s.expiresAt ?? Infinity, at + ROTATION_OVERLAP_MS),
        }));
      const updated = await store.updateEndpoint(id, { secrets: [{ secret, expiresAt: null }, ...previous] });
      if (updated === null) throw notFound('endpoint');
      return { endpoint: updated, secret };
    },

    async retry(deliveryId: string): Promise<Delivery> {
      const delivery = await store.requeue(deliveryId, now());
      if (delivery === null) throw notFound('delivery');
      options.changed();
      return delivery;
    },

    async recover(id: string, since: number): Promise<number> {
      await existing(id);
      const failed = await store.failedSince(id, since);
      const at = now();
      let count = 0;
      for (const delivery of failed) if ((await store.requeue(delivery.id, at)) !== null) count++;
      options.changed();
      return count;
    },
  };
}
