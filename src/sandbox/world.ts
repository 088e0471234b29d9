/**
 * The shared, deterministic demo world every sandbox emulator serves: the same
 * people and companies across all sources, and a stream of coherent changes.
 * Core code; it knows nothing of any provider.
 */

export type Plan = 'free' | 'starter' | 'pro' | 'enterprise';

export interface Company {
  id: string;
  name: string;
  domain: string;
  industry: string;
}

export interface Person {
  /** World-wide id (`per_0001`), never shown by a provider. */
  id: string;
  firstName: string;
  lastName: string;
  /** Lower-case email, the key that joins sources. */
  email: string;
  phone: string | null;
  company: Company | null;
  plan: Plan;
  /** Unix seconds. */
  createdAt: number;
  /** Which sources know this person (most know all, some only a few). */
  presence: { billing: boolean; crm: boolean; support: boolean; commerce: boolean; app: boolean };
}

/**
 * One thing that happened in the demo world; each emulator turns it into its own data and webhooks.
 * `at` (unix seconds) is when it happened: the time the demo clock applied it, so every provider's
 * events and objects carry the wall-clock time of the change, as a real provider's would.
 */
export type WorldChange =
  | { kind: 'person.joined'; at: number; person: Person }
  | { kind: 'person.updated'; at: number; person: Person; changed: readonly ('name' | 'phone' | 'email')[] }
  | { kind: 'plan.changed'; at: number; person: Person; from: Plan; to: Plan }
  | { kind: 'plan.canceled'; at: number; person: Person; from: Plan }
  | {
      kind: 'purchase';
      at: number;
      person: Person;
      /** World-wide order id (`ord_000123`). */
      orderId: string;
      currency: string;
      items: readonly { sku: string; title: string; quantity: number; unitAmount: number }[];
      /** Sum of the items, in cents. */
      amount: number;
    }
  | { kind: 'payment.failed'; at: number; person: Person; amount: number; currency: string }
  | {
      kind: 'ticket.opened';
      at: number;
      person: Person;
      /** World-wide ticket id (`tkt_000123`). */
      ticketId: string;
      subject: string;
      priority: TicketPriority;
    }
  | {
      kind: 'ticket.updated';
      at: number;
      person: Person;
      ticketId: string;
      from: TicketStatus;
      to: TicketStatus;
    }
  /** The person deleted their account in the product (billing and CRM history stay). */
  | { kind: 'person.left'; at: number; person: Person };

export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

/** Monthly price of each plan, in cents (free is 0: no subscription). */
export const PLAN_PRICES: Readonly<Record<Plan, number>> = {
  free: 0,
  starter: 1900,
  pro: 4900,
  enterprise: 19900,
};

export interface DemoWorld {
  readonly seed: number;
  /**
   * Unix seconds the seeded history leads up to: every person, object and event an emulator
   * seeds happened before it. Changes happen at the times {@link DemoWorld.tick} is given.
   */
  readonly epoch: number;
  readonly people: readonly Person[];
  readonly companies: readonly Company[];
  /**
   * Emails of the few people the demo keeps busy (documentation and examples name them): long-standing
   * customers known to every source, each of whom changes once every `spotlight.length` ticks in a way
   * that billing reports with their email (a profile update, a plan change, a purchase or a failed payment).
   */
  readonly spotlight: readonly string[];
  /** A deterministic random source in [0, 1), for emulators that need one. */
  random(): number;
  /**
   * The changes of one tick of the demo clock, all happening at `at` (unix seconds), in order: a
   * sign-up, a purchase (by someone known to billing and commerce) or a ticket opened or updated, in
   * turn, so each recurs every three ticks; a change of the next spotlight person; and one change
   * drawn at random. Deterministic for a given seed: `at` only stamps the changes (and a
   * newcomer's `createdAt`).
   */
  tick(at: number): WorldChange[];
}
