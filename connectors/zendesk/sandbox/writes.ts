/**
 * Zendesk's ticket writes, as the emulator serves them: `POST /api/v2/tickets.json`
 * (the requester by email, created as an end user if new) and
 * `PUT /api/v2/tickets/{id}.json`, with Zendesk's 422 `RecordInvalid` bodies
 * (`details: { field: [{ description, error }] }`) and, after each write, the
 * event-subscription webhooks Zendesk sends for it.
 */
import type { EmulatorRequest, EmulatorResponse } from '../../../src/sandbox/http-emulator.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { Reactor, ZendeskEventPayload } from './react.ts';
import { ticketDetail, userDetail } from './react.ts';
import { newTicket, newUser, setStatus } from './seed.ts';
import type { Account, IdFactory } from './seed.ts';
import { ZendeskApiError, isoSeconds, recordNotFound } from './store.ts';
import type { StoredTicket, TicketPriority, TicketStatus, ZendeskStore } from './store.ts';

const STATUSES: readonly string[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'urgent'];

type Problems = Record<string, { description: string; error: string }[]>;

function recordInvalid(details: Problems): ZendeskApiError {
  return new ZendeskApiError(422, {
    error: 'RecordInvalid',
    description: 'Record validation errors',
    details,
  });
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** The `ticket` object of a request body, or Zendesk's 400 for a body without one. */
function ticketOf(request: EmulatorRequest): Record<string, unknown> {
  const ticket = record(record(request.json)?.['ticket']);
  if (ticket === undefined) {
    throw new ZendeskApiError(400, {
      error: { title: 'Invalid attribute', message: 'You passed an invalid value for the ticket attribute.' },
    });
  }
  return ticket;
}

function add(problems: Problems, field: string, description: string, error = 'InvalidValue'): void {
  (problems[field] ??= []).push({ description, error });
}

function checkEnums(ticket: Record<string, unknown>, problems: Problems): void {
  const status = ticket['status'];
  if (status !== undefined && !(typeof status === 'string' && STATUSES.includes(status))) {
    add(problems, 'status', `Status: ${JSON.stringify(status)} is not valid`);
  }
  const priority = ticket['priority'];
  if (
    priority !== undefined &&
    priority !== null &&
    !(typeof priority === 'string' && PRIORITIES.includes(priority))
  ) {
    add(problems, 'priority', `Priority: ${JSON.stringify(priority)} is not valid`);
  }
}

/** The comment of a write: `{ body, public }` (or `html_body`), null when absent. */
function commentOf(
  ticket: Record<string, unknown>,
  problems: Problems,
): { body: string; public: boolean } | null {
  const comment = record(ticket['comment']);
  if (comment === undefined) return null;
  const body = comment['body'] ?? comment['html_body'];
  if (typeof body !== 'string' || body.trim() === '') {
    add(problems, 'description', 'Description: cannot be blank', 'BlankValue');
    return null;
  }
  return { body, public: comment['public'] !== false };
}

export interface TicketWrites {
  create(request: EmulatorRequest): EmulatorResponse;
  update(request: EmulatorRequest): EmulatorResponse;
}

export function createTicketWrites(options: {
  store: ZendeskStore;
  ids: IdFactory;
  account: Account;
  react: Reactor;
  view: (ticket: StoredTicket) => unknown;
  emit: (make: () => WebhookDelivery[]) => void;
}): TicketWrites {
  const { store, ids, account, react } = options;
  let commentId = 40_000_000_000;
  const apiUser = (): number => store.agents[0] ?? 0;

  function audit(ticket: StoredTicket, at: number, events: unknown[]) {
    return {
      id: ++commentId,
      ticket_id: ticket.id,
      created_at: isoSeconds(at),
      author_id: apiUser(),
      events,
    };
  }

  function send(events: ZendeskEventPayload[]): void {
    if (events.length > 0) options.emit(() => react.sign(events));
  }

  return {
    create(request) {
      const ticket = ticketOf(request);
      const problems: Problems = {};
      checkEnums(ticket, problems);
      const comment = commentOf(ticket, problems);
      if (comment === null && problems['description'] === undefined) {
        add(problems, 'description', 'Description: cannot be blank', 'BlankValue');
      }
      const requester = record(ticket['requester']);
      const email = typeof requester?.['email'] === 'string' ? requester['email'].trim() : '';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        add(problems, 'requester', `Requester: Email: ${email} is not properly formatted`);
      }
      const subject = typeof ticket['subject'] === 'string' ? ticket['subject'] : '';
      if (subject.length > 255) add(problems, 'subject', 'Subject: is too long (maximum is 255 characters)');
      if (Object.keys(problems).length > 0 || comment === null) throw recordInvalid(problems);

      const at = Math.floor(Date.now() / 1000);
      const events: ZendeskEventPayload[] = [];
      let user = store.allUsers().find((u) => u.email.toLowerCase() === email.toLowerCase());
      if (user === undefined) {
        const name =
          typeof requester?.['name'] === 'string' && requester['name'] !== ''
            ? requester['name']
            : (email.split('@')[0] ?? email);
        user = newUser({
          id: ids.user(),
          name,
          email,
          phone: null,
          role: 'end-user',
          organizationId: null,
          createdAt: at,
          tags: [],
        });
        store.putUser(user);
        events.push(react.payload('user', 'created', user.id, at, userDetail(user), {}));
      }
      const created = newTicket(account, {
        id: ids.ticket(),
        requester: user,
        subject: subject === '' ? comment.body.slice(0, 80) : subject,
        priority: (ticket['priority'] as TicketPriority | undefined) ?? 'normal',
        type: 'question',
        channel: 'api',
        createdAt: at,
      });
      created.description = comment.body;
      created.is_public = comment.public;
      created.submitter_id = apiUser();
      created.tags = [];
      const status = ticket['status'] as TicketStatus | undefined;
      if (status !== undefined && status !== 'new') setStatus(account, created, status, apiUser(), at);
      store.putTicket(created);
      events.push(react.payload('ticket', 'created', created.id, at, ticketDetail(created, apiUser()), {}));
      send(events);
      return {
        status: 201,
        body: { ticket: options.view(created), audit: audit(created, at, [{ type: 'Create' }]) },
        headers: { Location: `/api/v2/tickets/${created.id}.json` },
      };
    },

    update(request) {
      const raw = (request.params['id'] ?? '').replace(/\.json$/, '');
      const current = /^\d+$/.test(raw) ? store.tickets.get(Number(raw)) : undefined;
      if (current === undefined) throw recordNotFound();
      const ticket = ticketOf(request);
      const problems: Problems = {};
      checkEnums(ticket, problems);
      const comment = commentOf(ticket, problems);
      if (current.status === 'closed') add(problems, 'status', 'Status: closed prevents ticket update');
      if (Object.keys(problems).length > 0) throw recordInvalid(problems);

      const at = Math.floor(Date.now() / 1000);
      const actor = apiUser();
      const events: ZendeskEventPayload[] = [];
      const change = (action: string, event: Record<string, unknown>) =>
        events.push(react.payload('ticket', action, current.id, at, ticketDetail(current, actor), event));
      const status = ticket['status'] as TicketStatus | undefined;
      const priority = ticket['priority'] as TicketPriority | undefined;
      const previousStatus = current.status;
      const previousPriority = current.priority;
      if (status !== undefined && status !== current.status) setStatus(account, current, status, actor, at);
      if (priority !== undefined && priority !== current.priority) current.priority = priority;
      if (comment !== null || current.status !== previousStatus || current.priority !== previousPriority) {
        current.updated_at = isoSeconds(at);
        current.generated_timestamp = at;
      }
      if (current.status !== previousStatus) {
        change('status_changed', {
          current: current.status.toUpperCase(),
          previous: previousStatus.toUpperCase(),
        });
      }
      if (current.priority !== previousPriority) {
        change('priority_changed', {
          current: current.priority?.toUpperCase() ?? null,
          previous: previousPriority?.toUpperCase() ?? null,
        });
      }
      if (comment !== null) {
        change('comment_added', {
          comment: {
            id: String(++commentId),
            body: comment.body,
            is_public: comment.public,
            author: { id: String(actor), is_staff: true },
          },
        });
      }
      send(events);
      return {
        status: 200,
        body: { ticket: options.view(current), audit: audit(current, at, [{ type: 'Change' }]) },
      };
    },
  };
}
