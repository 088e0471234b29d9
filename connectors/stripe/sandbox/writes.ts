/**
 * Stripe's writes, as the emulator serves them: form-encoded bodies with
 * bracketed keys (`metadata[plan]=pro`), `POST /v1/customers/{id}`,
 * `POST /v1/subscriptions/{id}` (`cancel_at_period_end`) and
 * `DELETE /v1/subscriptions/{id}`; Stripe's idempotency (`Idempotency-Key`
 * on POST, kept 24 h: a repeat replays the first response with
 * `Idempotent-Replayed: true`, other parameters are a 400 `idempotency_error`);
 * and the events each write sends (`customer.updated` with
 * `previous_attributes`, `customer.subscription.updated` / `.deleted`).
 */
import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { StripeEvent } from './objects.ts';
import type { StripeReactor } from './react.ts';
import { StripeApiError, invalidParam, resourceMissing } from './store.ts';
import type { StripeStore } from './store.ts';

const DAY_MS = 86_400_000;

interface Saved {
  params: string;
  endpoint: string;
  response: EmulatorResponse;
  at: number;
}

/** The form parameters of a write; anything but a form body (JSON...) is refused, as Stripe only reads forms. */
function formOf(request: EmulatorRequest): URLSearchParams {
  if (request.form) return request.form;
  if (request.rawBody.trim() === '') return new URLSearchParams();
  throw new StripeApiError(400, {
    type: 'invalid_request_error',
    message:
      'Invalid request: Stripe API requests must be form-encoded (Content-Type: application/x-www-form-urlencoded).',
  });
}

/** `metadata[key]=value` pairs (an empty value unsets the key); other parameters must be in `allowed`. */
function readParams(
  form: URLSearchParams,
  allowed: readonly string[],
): { plain: Map<string, string>; metadata: Map<string, string> } {
  const plain = new Map<string, string>();
  const metadata = new Map<string, string>();
  for (const [key, value] of form) {
    const meta = /^metadata\[([^\]]*)\]$/.exec(key);
    if (meta) {
      const name = meta[1] ?? '';
      if (name === '' || name.length > 40) {
        throw invalidParam(key, 'Metadata keys must be 1 to 40 characters long.');
      }
      if (value.length > 500)
        throw invalidParam(
          key,
          'Metadata values can have up to 500 characters, but you passed in a value that is longer.',
        );
      metadata.set(name, value);
    } else if (key === 'expand[]' || /^expand\[\d+\]$/.test(key)) {
      continue;
    } else if (allowed.includes(key)) {
      plain.set(key, value);
    } else {
      throw invalidParam(key, `Received unknown parameter: ${key}`);
    }
  }
  return { plain, metadata };
}

export function stripeWriteRoutes(options: {
  store: StripeStore;
  react: StripeReactor;
  emit: (make: () => WebhookDelivery[]) => void;
  requestId: () => string;
}): Route[] {
  const { store, react } = options;
  const saved = new Map<string, Saved>();

  /** Stripe's idempotency around a write handler, and its error rendering. */
  const route = (
    method: 'POST' | 'DELETE',
    path: string,
    handler: (request: EmulatorRequest, key: string | undefined) => unknown,
  ): Route => ({
    method,
    path,
    handler: (request) => {
      const header = request.headers['idempotency-key'];
      const key = method === 'POST' && typeof header === 'string' && header !== '' ? header : undefined;
      try {
        if (key !== undefined && key.length > 255) {
          throw new StripeApiError(400, {
            type: 'invalid_request_error',
            message: `Idempotency-Key must be at most 255 characters long; yours is ${key.length}.`,
          });
        }
        const params = createHash('sha256').update(request.rawBody).digest('hex');
        const first = key === undefined ? undefined : saved.get(key);
        if (first !== undefined && Date.now() - first.at < DAY_MS) {
          if (first.params !== params || first.endpoint !== `${method} ${request.path}`) {
            throw new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            });
          }
          return { ...first.response, headers: { ...first.response.headers, 'Idempotent-Replayed': 'true' } };
        }
        const response: EmulatorResponse = {
          status: 200,
          body: handler(request, key),
          headers: key === undefined ? {} : { 'Idempotency-Key': key },
        };
        if (key !== undefined)
          saved.set(key, { params, endpoint: `${method} ${request.path}`, response, at: Date.now() });
        return response;
      } catch (error) {
        if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body } };
        throw error;
      }
    },
  });

  function send(events: StripeEvent[], key: string | undefined): void {
    for (const event of events) event.request = { id: options.requestId(), idempotency_key: key ?? null };
    if (events.length > 0) options.emit(() => react.sign(events));
  }

  function subscriptionOf(request: EmulatorRequest) {
    const id = request.params['id'] ?? '';
    const subscription = store.subscriptions.get(id);
    if (subscription === undefined) throw resourceMissing(404, 'subscription', id, 'id');
    if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `A canceled subscription can only update its cancellation_details and metadata.`,
      });
    }
    return subscription;
  }

  return [
    route('POST', '/v1/customers/:id', (request, key) => {
      const id = request.params['id'] ?? '';
      const customer = store.customers.get(id);
      if (customer === undefined) throw resourceMissing(404, 'customer', id, 'id');
      const { plain, metadata } = readParams(formOf(request), ['name', 'email', 'phone', 'description']);
      const email = plain.get('email');
      if (email !== undefined && email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        throw new StripeApiError(400, {
          code: 'email_invalid',
          doc_url: 'https://stripe.com/docs/error-codes/email-invalid',
          message: `Invalid email address: ${email}`,
          param: 'email',
          type: 'invalid_request_error',
        });
      }
      const previous: Record<string, unknown> = {};
      for (const field of ['name', 'email', 'phone', 'description'] as const) {
        const value = plain.get(field);
        if (value === undefined) continue;
        const next = value === '' ? null : value;
        if (customer[field] !== next) {
          previous[field] = customer[field];
          customer[field] = next;
        }
      }
      if (metadata.size > 0) {
        const before = { ...customer.metadata };
        const next = new Map(Object.entries(customer.metadata));
        for (const [name, value] of metadata) {
          if (value === '') next.delete(name);
          else next.set(name, value);
        }
        customer.metadata = Object.fromEntries(next);
        if (JSON.stringify(before) !== JSON.stringify(customer.metadata)) previous['metadata'] = before;
      }
      if (Object.keys(previous).length > 0) {
        const at = Math.floor(Date.now() / 1000);
        send([react.event('customer.updated', customer, at, 'api', previous)], key);
      }
      return customer;
    }),
    route('POST', '/v1/subscriptions/:id', (request, key) => {
      const subscription = subscriptionOf(request);
      const { plain } = readParams(formOf(request), ['cancel_at_period_end']);
      const raw = plain.get('cancel_at_period_end');
      if (raw !== undefined && raw !== 'true' && raw !== 'false') {
        throw invalidParam('cancel_at_period_end', `Invalid boolean: ${raw}`);
      }
      if (raw !== undefined && (raw === 'true') !== subscription.cancel_at_period_end) {
        const at = Math.floor(Date.now() / 1000);
        const previous = {
          cancel_at: subscription.cancel_at,
          cancel_at_period_end: subscription.cancel_at_period_end,
          canceled_at: subscription.canceled_at,
          cancellation_details: { ...subscription.cancellation_details },
        };
        subscription.cancel_at_period_end = raw === 'true';
        subscription.cancel_at = raw === 'true' ? subscription.current_period_end : null;
        subscription.canceled_at = raw === 'true' ? at : null;
        subscription.cancellation_details = {
          comment: null,
          feedback: null,
          reason: raw === 'true' ? 'cancellation_requested' : null,
        };
        send([react.event('customer.subscription.updated', subscription, at, 'api', previous)], key);
      }
      return subscription;
    }),
    route('DELETE', '/v1/subscriptions/:id', (request) => {
      const subscription = subscriptionOf(request);
      const at = Math.floor(Date.now() / 1000);
      subscription.status = 'canceled';
      subscription.canceled_at = at;
      subscription.ended_at = at;
      subscription.cancel_at_period_end = false;
      subscription.cancel_at = null;
      subscription.cancellation_details = { comment: null, feedback: null, reason: 'cancellation_requested' };
      send([react.event('customer.subscription.deleted', subscription, at, 'api')], undefined);
      return subscription;
    }),
  ];
}
