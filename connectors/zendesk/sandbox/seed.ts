/**
 * Seeds the emulator from the shared demo world: an end user for every
 * person Support knows, a small team of agents, and a history of tickets
 * per person whose statuses fit their age. Deterministic for a seed.
 */
import { TICKET_SUBJECTS, pick, randomInt, weighted } from '../../../src/sandbox/demo-world.ts';
import type { Random } from '../../../src/sandbox/demo-world.ts';
import type { DemoWorld, Person } from '../../../src/sandbox/world.ts';
import { isoSeconds } from './store.ts';
import type {
  StoredTicket,
  StoredUser,
  TicketPriority,
  TicketStatus,
  TicketType,
  UserRole,
  ZendeskStore,
} from './store.ts';

const HOUR = 3600;
const DAY = 86_400;

/** The demo support team; `admin` owns the account and its API token. */
const TEAM: readonly { name: string; role: Exclude<UserRole, 'end-user'> }[] = [
  { name: 'Robin Okoye', role: 'admin' },
  { name: 'Sasha Lindgren', role: 'agent' },
  { name: 'Mateo Alvarez', role: 'agent' },
  { name: 'Priya Raman', role: 'agent' },
  { name: 'Jonas Weber', role: 'agent' },
  { name: 'Aiko Tanaka', role: 'agent' },
  { name: 'Kwame Mensah', role: 'agent' },
];

/** The domain of the support team's emails. */
export const TEAM_DOMAIN = 'support.switchyard.example';

/** Account-wide constants every ticket carries. */
export interface Account {
  id: number;
  subdomain: string;
  brandId: number;
  formId: number;
  groupId: number;
  /** `custom_status_id` of each status category (Zendesk creates one default custom status per status). */
  customStatus: Readonly<Record<TicketStatus, number>>;
  supportAddress: string;
}

/** Ids that look like Zendesk's: large, increasing, never reused. */
export interface IdFactory {
  user(): number;
  organization(): number;
  /** Ticket ids are small and sequential per account. */
  ticket(): number;
  /** A v4-shaped UUID, for event ids. */
  uuid(): string;
  /** A webhook invocation id (numeric). */
  invocation(): number;
}

export function createIdFactory(random: Random): IdFactory {
  let user = 6_500_000_000_000 + randomInt(random, 0, 999_999_999);
  let organization = 9_100_000_000_000 + randomInt(random, 0, 999_999_999);
  let ticket = 0;
  let invocation = 8_350_000_000 + randomInt(random, 0, 9_999_999);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return {
    user: () => (user += randomInt(random, 1_000, 90_000)),
    organization: () => (organization += randomInt(random, 1_000, 90_000)),
    ticket: () => ++ticket,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(random, ['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`,
    invocation: () => (invocation += randomInt(random, 1, 5_000)),
  };
}

export function createAccount(random: Random): Account {
  const base = 8_400_000_000_000 + randomInt(random, 0, 99_999_999);
  return {
    id: randomInt(random, 10_000_000, 29_999_999),
    subdomain: 'switchyard-demo',
    brandId: base + 11,
    formId: base + 23,
    groupId: base + 37,
    customStatus: {
      new: base + 101,
      open: base + 102,
      pending: base + 103,
      hold: base + 104,
      solved: base + 105,
      closed: base + 106,
    },
    supportAddress: 'support@switchyard-demo.zendesk.com',
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z]+/g, '.');
}

/** A user with Zendesk's defaults for the fields the demo does not vary. */
export function newUser(fields: {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  role: UserRole;
  organizationId: number | null;
  createdAt: number;
  tags: string[];
}): StoredUser {
  const staff = fields.role !== 'end-user';
  return {
    id: fields.id,
    name: fields.name,
    email: fields.email,
    created_at: isoSeconds(fields.createdAt),
    updated_at: isoSeconds(fields.createdAt),
    time_zone: 'Eastern Time (US & Canada)',
    iana_time_zone: 'America/New_York',
    phone: fields.phone,
    shared_phone_number: fields.phone === null ? null : false,
    photo: null,
    locale_id: 1,
    locale: 'en-US',
    organization_id: fields.organizationId,
    role: fields.role,
    verified: true,
    external_id: null,
    tags: fields.tags,
    alias: '',
    active: true,
    shared: false,
    shared_agent: false,
    last_login_at: staff ? isoSeconds(fields.createdAt + DAY) : null,
    two_factor_auth_enabled: false,
    signature: '',
    details: '',
    notes: '',
    role_type: null,
    custom_role_id: null,
    moderator: staff,
    ticket_restriction: staff ? null : 'requested',
    only_private_comments: false,
    restricted_agent: !staff,
    suspended: false,
    default_group_id: null,
    report_csv: fields.role === 'admin',
    user_fields: {},
  };
}

/** The end user of a person, created (and the organization of their company mapped) if new. */
export function addEndUser(
  store: ZendeskStore,
  ids: IdFactory,
  person: Person,
  createdAt: number,
): StoredUser {
  let organizationId: number | null = null;
  if (person.company !== null) {
    organizationId = store.organizationOfCompany.get(person.company.id) ?? ids.organization();
    store.organizationOfCompany.set(person.company.id, organizationId);
  }
  const user = newUser({
    id: ids.user(),
    name: `${person.firstName} ${person.lastName}`,
    email: person.email,
    phone: person.phone,
    role: 'end-user',
    organizationId,
    createdAt,
    tags: person.plan === 'free' ? [] : [person.plan],
  });
  store.putUser(user);
  store.userOfPerson.set(person.id, user.id);
  return user;
}

/** What customers write, by subject. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  'Cannot log in after password reset':
    'I reset my password this morning and now the login page keeps saying my credentials are wrong.',
  'Invoice shows the wrong company name':
    'Our latest invoice is addressed to our old company name. Could you correct it and resend it?',
  'Export to CSV times out': 'Exporting the last 90 days to CSV spins for a minute and then fails.',
  'Webhook deliveries failing with 401':
    'Since yesterday every webhook delivery to our endpoint is answered with 401. Nothing changed on our side.',
  'How do I add a teammate?': 'I would like to invite a colleague to our workspace. Where do I do that?',
  'Charged twice this month':
    'My card statement shows two charges for this month. Please refund one of them.',
  'Feature request: dark mode': 'The dashboard is very bright at night. Any plans for a dark mode?',
  'API rate limit too low for our import':
    'We are importing our history and keep hitting 429s. Can the limit be raised for a week?',
  'Order arrived damaged': 'The parcel arrived today with the box crushed and the mug broken.',
  'Refund for an annual plan':
    'We switched to monthly billing and would like a prorated refund of the annual plan.',
  'SSO configuration question': 'Which attributes does your SAML integration expect for the email address?',
  'Dashboard is slow to load': 'The main dashboard takes more than ten seconds to load for our team.',
};

/** Tags Zendesk admins typically attach, by subject. */
const SUBJECT_TAGS: Readonly<Record<string, readonly string[]>> = {
  'Cannot log in after password reset': ['login', 'account'],
  'Invoice shows the wrong company name': ['billing', 'invoice'],
  'Export to CSV times out': ['export', 'bug'],
  'Webhook deliveries failing with 401': ['api', 'webhooks'],
  'How do I add a teammate?': ['how_to', 'account'],
  'Charged twice this month': ['billing', 'refund'],
  'Feature request: dark mode': ['feature_request'],
  'API rate limit too low for our import': ['api', 'limits'],
  'Order arrived damaged': ['shop', 'shipping'],
  'Refund for an annual plan': ['billing', 'refund'],
  'SSO configuration question': ['sso', 'how_to'],
  'Dashboard is slow to load': ['performance', 'bug'],
};

/** The description of a subject (a generic one for subjects the table lacks). */
export function describe(subject: string): string {
  return DESCRIPTIONS[subject] ?? `${subject}. Could you take a look?`;
}

export function tagsFor(subject: string, channel: string): string[] {
  return [...(SUBJECT_TAGS[subject] ?? []), channel];
}

/** A new ticket, status `new`, unassigned, as the web widget or email channel creates it. */
export function newTicket(
  account: Account,
  fields: {
    id: number;
    requester: StoredUser;
    subject: string;
    priority: TicketPriority;
    type: TicketType;
    channel: 'web' | 'email' | 'api';
    createdAt: number;
  },
): StoredTicket {
  return {
    id: fields.id,
    external_id: null,
    via: {
      channel: fields.channel,
      source:
        fields.channel === 'email'
          ? {
              from: { address: fields.requester.email, name: fields.requester.name },
              to: { address: account.supportAddress, name: 'Switchyard Support' },
              rel: null,
            }
          : { from: {}, to: {}, rel: null },
    },
    created_at: isoSeconds(fields.createdAt),
    updated_at: isoSeconds(fields.createdAt),
    generated_timestamp: fields.createdAt,
    type: fields.type,
    subject: fields.subject,
    raw_subject: fields.subject,
    description: describe(fields.subject),
    priority: fields.priority,
    status: 'new',
    recipient: fields.channel === 'email' ? account.supportAddress : null,
    requester_id: fields.requester.id,
    submitter_id: fields.requester.id,
    assignee_id: null,
    organization_id: fields.requester.organization_id,
    group_id: null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    forum_topic_id: null,
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: tagsFor(fields.subject, fields.channel),
    custom_fields: [],
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    custom_status_id: account.customStatus.new,
    fields: [],
    followup_ids: [],
    ticket_form_id: account.formId,
    brand_id: account.brandId,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

/** Moves a ticket to `status`, as an agent would: assigned once it is worked on. */
export function setStatus(
  account: Account,
  ticket: StoredTicket,
  status: TicketStatus,
  assignee: number,
  at: number,
): void {
  ticket.status = status;
  ticket.custom_status_id = account.customStatus[status];
  if (status !== 'new' && ticket.assignee_id === null) {
    ticket.assignee_id = assignee;
    ticket.group_id = account.groupId;
  }
  ticket.updated_at = isoSeconds(at);
  ticket.generated_timestamp = at;
}

/** A status that fits a ticket's age: old ones are done, recent ones still in flight. */
function statusForAge(random: Random, ageSeconds: number): TicketStatus {
  if (ageSeconds > 21 * DAY) {
    return weighted<TicketStatus>(random, [
      ['closed', 80],
      ['solved', 18],
      ['hold', 2],
    ]);
  }
  if (ageSeconds > 4 * DAY) {
    return weighted<TicketStatus>(random, [
      ['solved', 45],
      ['closed', 20],
      ['pending', 15],
      ['open', 15],
      ['hold', 5],
    ]);
  }
  return weighted<TicketStatus>(random, [
    ['new', 25],
    ['open', 40],
    ['pending', 20],
    ['hold', 5],
    ['solved', 10],
  ]);
}

/** Creates the team and returns the agents' ids (admin first). */
function seedTeam(store: ZendeskStore, ids: IdFactory, since: number): StoredUser[] {
  return TEAM.map((member, index) => {
    const user = newUser({
      id: ids.user(),
      name: member.name,
      email: `${slug(member.name)}@${TEAM_DOMAIN}`,
      phone: null,
      role: member.role,
      organizationId: null,
      createdAt: since + index * 7 * DAY,
      tags: [],
    });
    store.putUser(user);
    store.agents.push(user.id);
    return user;
  });
}

/** Fills `store` from the world's current people; deterministic for a given `random`. */
export function seedStore(
  store: ZendeskStore,
  ids: IdFactory,
  random: Random,
  account: Account,
  world: DemoWorld,
): { admin: StoredUser } {
  const now = world.epoch;
  const people = [...world.people]
    .filter((p) => p.presence.support)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const earliest = Math.min(now, ...people.map((p) => p.createdAt));
  const team = seedTeam(store, ids, earliest - 60 * DAY);
  const admin = team[0];
  if (admin === undefined) throw new Error('the demo team is empty');

  const drafts: { createdAt: number; user: StoredUser; seq: number }[] = [];
  let seq = 0;
  for (const person of people) {
    // People reach Support some time after they sign up, never after now.
    const joined = Math.min(now - HOUR, person.createdAt + randomInt(random, 0, 20 * DAY));
    const user = addEndUser(store, ids, person, joined);
    const count = weighted(random, [
      [1, 3],
      [2, 4],
      [3, 4],
      [4, 3],
      [5, 2],
      [6, 1],
    ] as const);
    for (let i = 0; i < count; i++) {
      drafts.push({ createdAt: randomInt(random, joined + 60, now - 60), user, seq: seq++ });
    }
  }

  // Zendesk numbers tickets in creation order across the account.
  drafts.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
  for (const draft of drafts) {
    const subject = pick(random, TICKET_SUBJECTS);
    const type = weighted<TicketType>(random, [
      ['question', 50],
      ['incident', 25],
      ['problem', 10],
      ['task', 15],
    ]);
    const ticket = newTicket(account, {
      id: ids.ticket(),
      requester: draft.user,
      subject,
      priority: weighted<TicketPriority>(random, [
        ['low', 3],
        ['normal', 6],
        ['high', 2],
        ['urgent', 1],
      ]),
      type,
      channel: weighted(random, [
        ['web', 5],
        ['email', 4],
        ['api', 1],
      ] as const),
      createdAt: draft.createdAt,
    });
    if (type === 'task') ticket.due_at = isoSeconds(draft.createdAt + randomInt(random, 1, 14) * DAY);
    const status = statusForAge(random, now - draft.createdAt);
    if (status !== 'new') {
      const agent = pick(random, store.agents.slice(1));
      const handled = Math.min(now - 30, draft.createdAt + randomInt(random, 10 * 60, 3 * DAY));
      setStatus(account, ticket, status, agent, handled);
    }
    store.putTicket(ticket);
  }
  return { admin };
}
