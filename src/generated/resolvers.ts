import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { StripeCustomer as StripeCustomerModel, StripeInvoice as StripeInvoiceModel, StripeInvoiceLine as StripeInvoiceLineModel, StripeSubscription as StripeSubscriptionModel, StripeSubscriptionItem as StripeSubscriptionItemModel, StripePrice as StripePriceModel } from '../../connectors/stripe/models.ts';
import type { CustomerModel as CustomerModelModel, CustomerEventModel as CustomerEventModelModel } from '../unified/customer.ts';
import type { AppUser as AppUserModel } from '../../connectors/app/models.ts';
import type { ZendeskTicket as ZendeskTicketModel, ZendeskUser as ZendeskUserModel } from '../../connectors/zendesk/models.ts';
import type { HubSpotContact as HubSpotContactModel, HubSpotCompany as HubSpotCompanyModel, HubSpotDeal as HubSpotDealModel, HubSpotNote as HubSpotNoteModel } from '../../connectors/hubspot/models.ts';
import type { ShopifyOrder as ShopifyOrderModel, ShopifyLineItem as ShopifyLineItemModel, ShopifyCustomer as ShopifyCustomerModel } from '../../connectors/shopify/models.ts';
import type { GatewayEvent as GatewayEventModel } from '../events/event.ts';
import type { Endpoint as EndpointModel, Delivery as DeliveryModel, DeliveryAttempt as DeliveryAttemptModel } from '../outbound/model.ts';
import type { GatewayContext } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC with milliseconds, like `2026-06-20T19:08:41.000Z`, whatever offset the source used. */
  DateTime: { input: string; output: string; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

/** The product's plans. */
export type AppPlan =
  | 'enterprise'
  | 'free'
  | 'pro'
  | 'starter';

/** A user of the company's own product. */
export type AppUser = Node & {
  __typename?: 'AppUser';
  /** The company the user signed up for, when they gave one. */
  company: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** When the user deleted their account; null while it is active. */
  deletedAt: Maybe<Scalars['DateTime']['output']>;
  email: Scalars['String']['output'];
  firstName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  lastName: Scalars['String']['output'];
  /** First and last name, joined by a space. */
  name: Scalars['String']['output'];
  plan: AppPlan;
  /** Product user id (`usr_...`). */
  sourceId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type AppUserConnection = {
  __typename?: 'AppUserConnection';
  edges: Array<AppUserEdge>;
  pageInfo: PageInfo;
};

export type AppUserEdge = {
  __typename?: 'AppUserEdge';
  cursor: Scalars['String']['output'];
  node: AppUser;
};

/** A product user event, with the user as the product has it now. */
export type AppUserEvent = {
  __typename?: 'AppUserEvent';
  event: Event;
  /** The user, read from the product's API when the event is delivered; null if it is gone. */
  user: Maybe<AppUser>;
};

/** A Stripe customer. */
export type BillingCustomer = Node & {
  __typename?: 'BillingCustomer';
  /** The balance applied to the next invoice; negative is credit. Null until the customer has a currency (never billed). */
  balance: Maybe<Money>;
  createdAt: Scalars['DateTime']['output'];
  delinquent: Scalars['Boolean']['output'];
  email: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** The customer's invoices, newest first. `first` is 1 to 100 (default 20). */
  invoices: InvoiceConnection;
  metadata: Scalars['JSON']['output'];
  name: Maybe<Scalars['String']['output']>;
  phone: Maybe<Scalars['String']['output']>;
  /** Stripe customer id (`cus_...`). */
  sourceId: Scalars['ID']['output'];
  /** The customer's subscriptions, newest first. `first` is 1 to 100 (default 20). */
  subscriptions: BillingSubscriptionConnection;
};


/** A Stripe customer. */
export type BillingCustomerInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<InvoiceStatus>;
};


/** A Stripe customer. */
export type BillingCustomerSubscriptionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<SubscriptionStatus>;
};

export type BillingCustomerConnection = {
  __typename?: 'BillingCustomerConnection';
  edges: Array<BillingCustomerEdge>;
  pageInfo: PageInfo;
};

export type BillingCustomerEdge = {
  __typename?: 'BillingCustomerEdge';
  cursor: Scalars['String']['output'];
  node: BillingCustomer;
};

/** A Stripe subscription (named so as not to clash with GraphQL's Subscription root). */
export type BillingSubscription = Node & {
  __typename?: 'BillingSubscription';
  cancelAtPeriodEnd: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Three-letter ISO 4217 code, upper case (`USD`). */
  currencyCode: Scalars['String']['output'];
  customer: Maybe<BillingCustomer>;
  id: Scalars['ID']['output'];
  items: Array<SubscriptionItem>;
  latestInvoice: Maybe<Invoice>;
  metadata: Scalars['JSON']['output'];
  /** Stripe subscription id (`sub_...`). */
  sourceId: Scalars['ID']['output'];
  startDate: Scalars['DateTime']['output'];
  status: SubscriptionStatus;
  trialEnd: Maybe<Scalars['DateTime']['output']>;
  trialStart: Maybe<Scalars['DateTime']['output']>;
};

export type BillingSubscriptionConnection = {
  __typename?: 'BillingSubscriptionConnection';
  edges: Array<BillingSubscriptionEdge>;
  pageInfo: PageInfo;
};

export type BillingSubscriptionEdge = {
  __typename?: 'BillingSubscriptionEdge';
  cursor: Scalars['String']['output'];
  node: BillingSubscription;
};

/** A Shopify customer (named so as not to clash with the billing Customer). */
export type CommerceCustomer = Node & {
  __typename?: 'CommerceCustomer';
  /** Lifetime spend in the shop's currency. */
  amountSpent: Maybe<Money>;
  email: Maybe<Scalars['String']['output']>;
  firstName: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lastName: Maybe<Scalars['String']['output']>;
  /** The display name Shopify shows (first and last name, else the email). */
  name: Maybe<Scalars['String']['output']>;
  numberOfOrders: Maybe<Scalars['Int']['output']>;
  /** The customer's orders, newest first. `first` is 1 to 100 (default 20). */
  orders: OrderConnection;
  /** Shopify global id (`gid://shopify/Customer/...`). */
  sourceId: Scalars['ID']['output'];
};


/** A Shopify customer (named so as not to clash with the billing Customer). */
export type CommerceCustomerOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateTicketInput = {
  /** The first comment, public: the ticket's description. 1 to 65535 characters. */
  comment: Scalars['String']['input'];
  priority?: InputMaybe<TicketPriority>;
  requesterEmail: Scalars['String']['input'];
  /** The requester's name, for a requester Zendesk does not know yet (default: the email's local part). */
  requesterName?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 255 characters. */
  subject: Scalars['String']['input'];
};

export type CreateWebhookEndpointInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** Which events it receives; absent: every event. */
  filter?: InputMaybe<EventFilter>;
  /** http:// or https://; loopback and private addresses only with OUTBOUND_ALLOW_PRIVATE=1. */
  url: Scalars['String']['input'];
};

/** A HubSpot company. */
export type CrmCompany = Node & {
  __typename?: 'CrmCompany';
  /** Contacts associated with the company. `first` is 1 to 100 (default 20). */
  contacts: CrmContactConnection;
  createdAt: Scalars['DateTime']['output'];
  /** Deals associated with the company. `first` is 1 to 100 (default 20). */
  deals: CrmDealConnection;
  /** The company's web domain (`acme.example`). */
  domain: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** HubSpot's industry value (`COMPUTER_SOFTWARE`). */
  industry: Maybe<Scalars['String']['output']>;
  name: Maybe<Scalars['String']['output']>;
  /** HubSpot record id. */
  sourceId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};


/** A HubSpot company. */
export type CrmCompanyContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A HubSpot company. */
export type CrmCompanyDealsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CrmCompanyConnection = {
  __typename?: 'CrmCompanyConnection';
  edges: Array<CrmCompanyEdge>;
  pageInfo: PageInfo;
};

export type CrmCompanyEdge = {
  __typename?: 'CrmCompanyEdge';
  cursor: Scalars['String']['output'];
  node: CrmCompany;
};

/** A HubSpot contact: a person the company is in touch with. */
export type CrmContact = Node & {
  __typename?: 'CrmContact';
  /** The contact's primary company (else the first associated one), or null. */
  company: Maybe<CrmCompany>;
  createdAt: Scalars['DateTime']['output'];
  /** Deals associated with the contact. `first` is 1 to 100 (default 20). */
  deals: CrmDealConnection;
  email: Maybe<Scalars['String']['output']>;
  firstName: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  jobTitle: Maybe<Scalars['String']['output']>;
  lastName: Maybe<Scalars['String']['output']>;
  /** HubSpot lifecycle stage: `subscriber`, `lead`, `marketingqualifiedlead`, `salesqualifiedlead`, `opportunity`, `customer`, `evangelist` or `other`. */
  lifecycleStage: Maybe<Scalars['String']['output']>;
  /** First and last name, or null when HubSpot has neither. */
  name: Maybe<Scalars['String']['output']>;
  phone: Maybe<Scalars['String']['output']>;
  /** HubSpot record id. */
  sourceId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};


/** A HubSpot contact: a person the company is in touch with. */
export type CrmContactDealsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CrmContactConnection = {
  __typename?: 'CrmContactConnection';
  edges: Array<CrmContactEdge>;
  pageInfo: PageInfo;
};

export type CrmContactEdge = {
  __typename?: 'CrmContactEdge';
  cursor: Scalars['String']['output'];
  node: CrmContact;
};

/** A HubSpot deal: a sale in progress or done. */
export type CrmDeal = Node & {
  __typename?: 'CrmDeal';
  /** The deal amount, in the deal's currency (`deal_currency_code`, else the HubSpot account's company currency); null when the deal has none. */
  amount: Maybe<Money>;
  closeDate: Maybe<Scalars['DateTime']['output']>;
  /** The deal's primary company (else the first associated one), or null. */
  company: Maybe<CrmCompany>;
  /** Contacts associated with the deal. `first` is 1 to 100 (default 20). */
  contacts: CrmContactConnection;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Maybe<Scalars['String']['output']>;
  /** Internal name of the deal's pipeline (`default`). */
  pipeline: Maybe<Scalars['String']['output']>;
  /** HubSpot record id. */
  sourceId: Scalars['ID']['output'];
  /** Internal name of the deal's pipeline stage (`appointmentscheduled` ... `closedwon`, `closedlost`). */
  stage: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};


/** A HubSpot deal: a sale in progress or done. */
export type CrmDealContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CrmDealConnection = {
  __typename?: 'CrmDealConnection';
  edges: Array<CrmDealEdge>;
  pageInfo: PageInfo;
};

export type CrmDealEdge = {
  __typename?: 'CrmDealEdge';
  cursor: Scalars['String']['output'];
  node: CrmDeal;
};

/** A HubSpot note (an engagement) on a contact's timeline. */
export type CrmNote = Node & {
  __typename?: 'CrmNote';
  /** The note's text (`hs_note_body`). */
  body: Maybe<Scalars['String']['output']>;
  /** The contact the note is associated with, or null. */
  contact: Maybe<CrmContact>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** HubSpot record id. */
  sourceId: Scalars['ID']['output'];
  /** When the note is dated on the timeline (`hs_timestamp`). */
  timestamp: Maybe<Scalars['DateTime']['output']>;
};

/** One person as a customer across billing, CRM, support, commerce and the product. */
export type Customer = Node & {
  __typename?: 'Customer';
  /** The user of the company's own product. */
  app: Maybe<AppUser>;
  /** Billing: the Stripe customer. */
  billing: Maybe<BillingCustomer>;
  /** Commerce: the Shopify customer, with orders. */
  commerce: Maybe<CommerceCustomer>;
  /** CRM: the HubSpot contact, with company and deals. */
  crm: Maybe<CrmContact>;
  /** Lower-cased email: the key that joins the sources. */
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Shortcut to `billing.invoices` (null without a billing customer). `first` is 1 to 100 (default 20). */
  invoices: Maybe<InvoiceConnection>;
  /** The person's name, as the first source that knows it says (product, CRM, billing, commerce, support). */
  name: Maybe<Scalars['String']['output']>;
  /** Shortcut to `billing.subscriptions` (null without a billing customer). `first` is 1 to 100 (default 20). */
  subscriptions: Maybe<BillingSubscriptionConnection>;
  /** Support: the Zendesk user, with tickets. */
  support: Maybe<SupportUser>;
};


/** One person as a customer across billing, CRM, support, commerce and the product. */
export type CustomerInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<InvoiceStatus>;
};


/** One person as a customer across billing, CRM, support, commerce and the product. */
export type CustomerSubscriptionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<SubscriptionStatus>;
};

export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  edges: Array<CustomerEdge>;
  pageInfo: PageInfo;
};

export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  cursor: Scalars['String']['output'];
  node: Customer;
};

/** A change to one customer, in any source. */
export type CustomerEvent = {
  __typename?: 'CustomerEvent';
  customer: Customer;
  event: Event;
};

export type DeliveryAttempt = {
  __typename?: 'DeliveryAttempt';
  attemptedAt: Scalars['DateTime']['output'];
  durationMs: Scalars['Int']['output'];
  /** Why the attempt failed; null for a 2xx. */
  error: Maybe<Scalars['String']['output']>;
  /** The receiver's HTTP status; null when none came (timeout, refused connection, forbidden address). */
  responseStatus: Maybe<Scalars['Int']['output']>;
};

export type DeliveryStatus =
  /** The retry schedule is exhausted (or the receiver answered 410): retry it with `retryWebhookDelivery` or `recoverWebhookEndpoint`. */
  | 'FAILED'
  /** Not delivered yet: due now or waiting for a retry (`nextAttemptAt`). */
  | 'PENDING'
  | 'SUCCEEDED';

/** A change reported by a source's webhook, as stored in the event log. */
export type Event = {
  __typename?: 'Event';
  /** Position in the event log: pass it as `after` to resume right after this event. */
  cursor: Scalars['String']['output'];
  /** The verified payload, as the provider sent it. */
  data: Scalars['JSON']['output'];
  /** The provider's event id (Stripe `evt_...`), unique within its source. */
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  receivedAt: Scalars['DateTime']['output'];
  /** The connector that received it (`stripe`). */
  source: Scalars['String']['output'];
  subject: Maybe<EventSubject>;
  /** The provider's own event type (`customer.updated`). */
  type: Scalars['String']['output'];
};

export type EventConnection = {
  __typename?: 'EventConnection';
  edges: Array<EventEdge>;
  pageInfo: PageInfo;
};

export type EventEdge = {
  __typename?: 'EventEdge';
  cursor: Scalars['String']['output'];
  node: Event;
};

/** Which events to return. An absent or empty list matches everything; each list holds at most 100 items. */
export type EventFilter = {
  /** Emails of the person events are about (`subject.email`), case-insensitive. */
  emails?: InputMaybe<Array<Scalars['String']['input']>>;
  sources?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Exact type names, or prefixes ending in `*` (`customer.*`). */
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** The filter an endpoint was created with: which sources, types and emails it receives. An absent list matches everything. */
export type EventFilterSpec = {
  __typename?: 'EventFilterSpec';
  emails: Maybe<Array<Scalars['String']['output']>>;
  sources: Maybe<Array<Scalars['String']['output']>>;
  /** Exact type names, or prefixes ending in `*` (`customer.*`). */
  types: Maybe<Array<Scalars['String']['output']>>;
};

/** What an event is about. */
export type EventSubject = {
  __typename?: 'EventSubject';
  email: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Entity kind in the source's vocabulary: `customer`, `invoice`, `subscription`... */
  kind: Scalars['String']['output'];
};

export type GatewayInfo = {
  __typename?: 'GatewayInfo';
  /** `SANDBOX` when the sources are served by built-in emulators, else `REAL`. */
  mode: SourceMode;
  sources: Array<SourceStatus>;
  version: Scalars['String']['output'];
};

export type Heartbeat = {
  __typename?: 'Heartbeat';
  at: Scalars['DateTime']['output'];
  tick: Scalars['Int']['output'];
};

/** A Stripe invoice. */
export type Invoice = Node & {
  __typename?: 'Invoice';
  amountDue: Money;
  amountPaid: Money;
  amountRemaining: Money;
  createdAt: Scalars['DateTime']['output'];
  /** The billed customer; null when Stripe no longer has it. */
  customer: Maybe<BillingCustomer>;
  dueDate: Maybe<Scalars['DateTime']['output']>;
  hostedInvoiceUrl: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lines: Array<InvoiceLine>;
  number: Maybe<Scalars['String']['output']>;
  periodEnd: Scalars['DateTime']['output'];
  periodStart: Scalars['DateTime']['output'];
  /** Stripe invoice id (`in_...`). */
  sourceId: Scalars['ID']['output'];
  status: Maybe<InvoiceStatus>;
  subscription: Maybe<BillingSubscription>;
  subtotal: Money;
  total: Money;
};

export type InvoiceConnection = {
  __typename?: 'InvoiceConnection';
  edges: Array<InvoiceEdge>;
  pageInfo: PageInfo;
};

export type InvoiceEdge = {
  __typename?: 'InvoiceEdge';
  cursor: Scalars['String']['output'];
  node: Invoice;
};

export type InvoiceLine = {
  __typename?: 'InvoiceLine';
  amount: Money;
  description: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  quantity: Maybe<Scalars['Int']['output']>;
};

export type InvoiceStatus =
  | 'draft'
  | 'open'
  | 'paid'
  | 'uncollectible'
  | 'void';

/**
 * An amount of money, the same for every source. `amount` is exact (never a
 * float); `minorUnits` is the same amount counted in the currency's minor unit.
 * Zero-decimal currencies (JPY, KRW, ISK...) have no minor unit, so `minorUnits`
 * equals the amount; three-decimal ones (KWD, BHD, JOD, OMR, TND...) have 1000.
 */
export type Money = {
  __typename?: 'Money';
  /** Exact decimal string with the currency's decimals: `12.50` (USD), `500` (JPY), `1.500` (KWD), `-20.00` for a credit. More decimals appear only when the source has them. */
  amount: Scalars['String']['output'];
  /** Three-letter ISO 4217 code, upper case (`USD`). */
  currencyCode: Scalars['String']['output'];
  /** The amount in the currency's minor unit per ISO 4217 (`1250` for USD 12.50, `500` for JPY 500, `1500` for KWD 1.500); null when the amount is not a whole number of minor units or is beyond ±2147483647. */
  minorUnits: Maybe<Scalars['Int']['output']>;
};

/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Cancels a Stripe subscription: at the end of the current period (default),
   * or at once with `atPeriodEnd: false`. Needs `billing:write`.
   */
  cancelBillingSubscription: BillingSubscription;
  /**
   * Adds a note to a contact's timeline (associated with the contact, HubSpot's
   * type 202). Needs `crm:write`. HubSpot has no idempotency keys: with
   * `idempotencyKey`, a repeat within 24 hours returns the first note instead of
   * adding another.
   */
  createCrmNote: CrmNote;
  /**
   * Opens a Zendesk ticket for the requester (created as an end user if Zendesk
   * does not know the email). Needs `support:write`. With `idempotencyKey` (1 to
   * 255 characters), a repeat with the same input returns the first ticket
   * instead of opening another, for 24 hours.
   */
  createTicket: SupportTicket;
  /** Creates an endpoint that receives the events stored from now on. Needs the `admin` scope. */
  createWebhookEndpoint: WebhookEndpointSecretPayload;
  /** Deletes an endpoint and its deliveries; returns its id. Needs the `admin` scope. */
  deleteWebhookEndpoint: Scalars['ID']['output'];
  /** Re-sends the endpoint's FAILED deliveries created since `since`; returns how many. Needs the `admin` scope. */
  recoverWebhookEndpoint: Scalars['Int']['output'];
  /** Attempts a delivery again now, with a new round of the retry schedule. Needs the `admin` scope. */
  retryWebhookDelivery: WebhookDelivery;
  /** A new secret; the previous one keeps signing for 24 hours. Needs the `admin` scope. */
  rotateWebhookEndpointSecret: WebhookEndpointSecretPayload;
  /**
   * Changes a product user's plan or company through the product API's
   * `PATCH /v1/users/{id}` (`company: null` clears it). `id` is the global id or
   * the product's own (`usr_...`). Needs `app:write`.
   */
  updateAppUser: AppUser;
  /**
   * Changes a Stripe customer's name, email, phone or metadata (`null` clears a
   * field; a metadata key set to `null` is removed). `id` is the global id or
   * Stripe's `cus_...`. Needs `billing:write`. `idempotencyKey` (1 to 255
   * characters) is Stripe's own `Idempotency-Key`: a repeat within 24 hours
   * returns the first result, the same key with other input is refused.
   */
  updateBillingCustomer: BillingCustomer;
  /**
   * Sets a HubSpot contact's properties: the named ones, plus any other contact
   * property by its HubSpot internal name in `properties` (`{"hs_lead_status": "OPEN"}`;
   * null clears one). `id` is the global id or HubSpot's record id. Needs `crm:write`.
   */
  updateCrmContact: CrmContact;
  /**
   * Sets an order's note and tags (the tags given replace the order's tags)
   * through the GraphQL Admin API's `orderUpdate`; its `userErrors` become
   * BAD_USER_INPUT with `extensions.fields`. `id` is the global id, the
   * `gid://shopify/Order/...` or the bare number. Needs `commerce:write`.
   */
  updateOrder: Order;
  /**
   * Changes a ticket's status or priority and may add a comment. `id` is the
   * global id or Zendesk's own. Needs `support:write`.
   */
  updateTicket: SupportTicket;
  /** Changes an endpoint's url, description, filter or enabled state. Needs the `admin` scope. */
  updateWebhookEndpoint: WebhookEndpoint;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationCancelBillingSubscriptionArgs = {
  atPeriodEnd?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationCreateCrmNoteArgs = {
  body: Scalars['String']['input'];
  contactId: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationCreateTicketArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: CreateTicketInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationCreateWebhookEndpointArgs = {
  input: CreateWebhookEndpointInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationRecoverWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  since: Scalars['DateTime']['input'];
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationRetryWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationRotateWebhookEndpointSecretArgs = {
  id: Scalars['ID']['input'];
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateAppUserArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateAppUserInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateBillingCustomerArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateBillingCustomerInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateCrmContactArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateCrmContactInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateOrderArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateOrderInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateTicketArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateTicketInput;
};


/** Writes: through to the SaaS APIs, and the gateway's own settings. Each mutation names the scope it needs. */
export type MutationUpdateWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  input: UpdateWebhookEndpointInput;
};

/** An object with a global id, refetchable through `Query.node`. */
export type Node = {
  /** Global id: opaque, unique across every source. */
  id: Scalars['ID']['output'];
};

/** A Shopify order. */
export type Order = Node & {
  __typename?: 'Order';
  createdAt: Scalars['DateTime']['output'];
  /** The buyer; null for a guest checkout. */
  customer: Maybe<CommerceCustomer>;
  email: Maybe<Scalars['String']['output']>;
  /** Shopify's display financial status: `PENDING`, `AUTHORIZED`, `PARTIALLY_PAID`, `PAID`, `PARTIALLY_REFUNDED`, `REFUNDED`, `VOIDED`, `EXPIRED`. */
  financialStatus: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lineItems: Array<OrderLineItem>;
  /** The order's name as the shop shows it (`#1001`). */
  name: Scalars['String']['output'];
  /** The merchant's note on the order. */
  note: Maybe<Scalars['String']['output']>;
  /** Shopify global id (`gid://shopify/Order/...`). */
  sourceId: Scalars['ID']['output'];
  /** The order's tags, sorted. */
  tags: Array<Scalars['String']['output']>;
  /** The total in the shop's currency. */
  totalPrice: Money;
};

export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  cursor: Scalars['String']['output'];
  node: Order;
};

/** An order event, with the order as Shopify has it now. */
export type OrderEvent = {
  __typename?: 'OrderEvent';
  event: Event;
  /** The order, read from Shopify when the event is delivered; null if it is gone. */
  order: Maybe<Order>;
};

export type OrderLineItem = {
  __typename?: 'OrderLineItem';
  quantity: Scalars['Int']['output'];
  sku: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
  /** The price of one unit before discounts, in the shop's currency. */
  unitPrice: Maybe<Money>;
};

/** Relay pagination state of a connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor: Maybe<Scalars['String']['output']>;
};

export type Price = {
  __typename?: 'Price';
  id: Scalars['ID']['output'];
  /** How often a recurring price bills; null for a one-time price. */
  interval: Maybe<PriceInterval>;
  nickname: Maybe<Scalars['String']['output']>;
  product: Maybe<Scalars['String']['output']>;
  /** The price of one unit; null for tiered or custom prices. */
  unitAmount: Maybe<Money>;
};

/** How often a recurring price bills. */
export type PriceInterval =
  | 'day'
  | 'month'
  | 'week'
  | 'year';

export type Query = {
  __typename?: 'Query';
  /** A product user by id (`usr_...`), deleted ones included (see `deletedAt`), or null. */
  appUser: Maybe<AppUser>;
  /** The active product user with this email (case-insensitive), or null. */
  appUserByEmail: Maybe<AppUser>;
  /** Users of the product, newest first; deleted users are left out. `first` is 1 to 100 (default 20). */
  appUsers: AppUserConnection;
  /** A billing customer by id (global id or Stripe `cus_...`), or null. */
  billingCustomer: Maybe<BillingCustomer>;
  /** The billing customer with this email (case-insensitive), or null. */
  billingCustomerByEmail: Maybe<BillingCustomer>;
  /** Billing customers, newest first. `first` is 1 to 100 (default 20); `email` filters by exact email. */
  billingCustomers: BillingCustomerConnection;
  /** A subscription by id (global id or Stripe `sub_...`), or null. */
  billingSubscription: Maybe<BillingSubscription>;
  /** A commerce customer by id, or null. */
  commerceCustomer: Maybe<CommerceCustomer>;
  /** The commerce customer with this email (case-insensitive), or null. */
  commerceCustomerByEmail: Maybe<CommerceCustomer>;
  /** HubSpot companies, in HubSpot's list order. `first` is 1 to 100 (default 20). */
  crmCompanies: CrmCompanyConnection;
  /** A company by HubSpot record id, or null. */
  crmCompany: Maybe<CrmCompany>;
  /** A contact by HubSpot record id, or null. */
  crmContact: Maybe<CrmContact>;
  /** The contact with this email (case-insensitive), or null. */
  crmContactByEmail: Maybe<CrmContact>;
  /** HubSpot contacts, in HubSpot's list order. `first` is 1 to 100 (default 20). */
  crmContacts: CrmContactConnection;
  /** A deal by HubSpot record id, or null. */
  crmDeal: Maybe<CrmDeal>;
  /** HubSpot deals, in HubSpot's list order. `first` is 1 to 100 (default 20). */
  crmDeals: CrmDealConnection;
  /** The customer with this email (case-insensitive), or null when no source knows it. */
  customer: Maybe<Customer>;
  /**
   * Customers as the customer directory lists them (the CRM when it is on, else
   * billing, commerce, the product or support; `CUSTOMER_DIRECTORY` picks one).
   * `first` is 1 to 100 (default 20); `search` narrows by name or email as that
   * source allows.
   */
  customers: CustomerConnection;
  /** The retained event history, oldest first, after the `after` cursor. `first` is 1 to 500 (default 50). */
  events: EventConnection;
  /** The gateway's own facts: version and the state of every source. */
  gateway: GatewayInfo;
  /** An invoice by id (global id or Stripe `in_...`), or null. */
  invoice: Maybe<Invoice>;
  /** Invoices, newest first. `first` is 1 to 100 (default 20). */
  invoices: InvoiceConnection;
  /**
   * The cursor of the newest stored event (or of the log's start when it is empty).
   * Subscribe with it as `after` to get every event from now on, with no race
   * between reading history and going live.
   */
  latestEventCursor: Scalars['String']['output'];
  /** The object with this global id, or null. */
  node: Maybe<Node>;
  /** The objects with these global ids (at most 100), in the same order; null for each one not found. */
  nodes: Array<Maybe<Node>>;
  /** An order by id, or null. */
  order: Maybe<Order>;
  /**
   * Orders, newest first. `first` is 1 to 100 (default 20). `query` is Shopify's
   * search syntax, passed through (`financial_status:paid`, `email:alex@example.com`,
   * `created_at:>2026-01-01`).
   */
  orders: OrderConnection;
  /** Subscriptions, newest first. `first` is 1 to 100 (default 20). */
  subscriptions: BillingSubscriptionConnection;
  /** A Zendesk user (end user, agent or admin) by id, or null. */
  supportUser: Maybe<SupportUser>;
  /** The Zendesk user whose primary email is this one (case-insensitive), or null. */
  supportUserByEmail: Maybe<SupportUser>;
  /** A ticket by Zendesk id, or null. */
  ticket: Maybe<SupportTicket>;
  /**
   * Tickets, in Zendesk's list order (by id, oldest first). `first` is 1 to 100
   * (default 20). With `status`, Zendesk's search index answers, which can lag
   * new changes by a few minutes.
   */
  tickets: SupportTicketConnection;
  /** Every outbound webhook endpoint. Needs the `admin` scope. */
  webhookEndpoints: Array<WebhookEndpoint>;
};


export type QueryAppUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAppUserByEmailArgs = {
  email: Scalars['String']['input'];
};


export type QueryAppUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryBillingCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryBillingCustomerByEmailArgs = {
  email: Scalars['String']['input'];
};


export type QueryBillingCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryBillingSubscriptionArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCommerceCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCommerceCustomerByEmailArgs = {
  email: Scalars['String']['input'];
};


export type QueryCrmCompaniesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCrmCompanyArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCrmContactArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCrmContactByEmailArgs = {
  email: Scalars['String']['input'];
};


export type QueryCrmContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCrmDealArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCrmDealsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCustomerArgs = {
  email: Scalars['String']['input'];
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryInvoiceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<InvoiceStatus>;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


export type QuerySubscriptionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<SubscriptionStatus>;
};


export type QuerySupportUserArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySupportUserByEmailArgs = {
  email: Scalars['String']['input'];
};


export type QueryTicketArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTicketsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<TicketStatus>;
};

/** Where a source's data comes from. */
export type SourceMode =
  /** Nowhere: the source has no credentials; its fields are null with an error. */
  | 'off'
  /** The provider's real API. */
  | 'real'
  /** The built-in emulator. */
  | 'sandbox';

export type SourceStatus = {
  __typename?: 'SourceStatus';
  baseUrl: Maybe<Scalars['String']['output']>;
  mode: SourceMode;
  name: Scalars['String']['output'];
  webhooks: Scalars['Boolean']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every change of the customer with this email, in any source, live (with `after`: replayed first). */
  customerChanged: CustomerEvent;
  /**
   * Every event matching `filter`, live. With `after`, first replays the retained
   * events after that cursor, then goes live with no gap and no duplicate.
   */
  events: Event;
  /** Sends `tick` every `intervalMs` (100 to 60000, default 1000): a liveness probe for subscription transports. */
  heartbeat: Heartbeat;
  /** Orders created in the shop (`orders/create`), live; with `after`, replayed first. */
  orderCreated: OrderEvent;
  /** Changes to support tickets (`ticket.*` events), live; with `after`, replayed first. */
  ticketUpdated: TicketEvent;
  /** Users signing up to the product (`user.created`), live; with `after`, replayed first. */
  userCreated: AppUserEvent;
};


export type SubscriptionCustomerChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
};


export type SubscriptionEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EventFilter>;
};


export type SubscriptionHeartbeatArgs = {
  intervalMs?: Scalars['Int']['input'];
};


export type SubscriptionOrderCreatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionTicketUpdatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionUserCreatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};

export type SubscriptionItem = {
  __typename?: 'SubscriptionItem';
  id: Scalars['ID']['output'];
  price: Price;
  quantity: Maybe<Scalars['Int']['output']>;
};

export type SubscriptionStatus =
  | 'active'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'past_due'
  | 'paused'
  | 'trialing'
  | 'unpaid';

/** A Zendesk Support ticket. */
export type SupportTicket = Node & {
  __typename?: 'SupportTicket';
  /** The agent working on it, if any. */
  assignee: Maybe<SupportUser>;
  createdAt: Scalars['DateTime']['output'];
  /** The first comment of the ticket, as plain text. */
  description: Maybe<Scalars['String']['output']>;
  /** When a task ticket is due. */
  dueAt: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  priority: Maybe<TicketPriority>;
  /** Who asked; null when Zendesk no longer has the user. */
  requester: Maybe<SupportUser>;
  /** Zendesk ticket id (a number, as a string). */
  sourceId: Scalars['ID']['output'];
  status: TicketStatus;
  subject: Maybe<Scalars['String']['output']>;
  tags: Array<Scalars['String']['output']>;
  type: Maybe<TicketType>;
  updatedAt: Scalars['DateTime']['output'];
  /** The ticket in the Zendesk agent workspace (`https://<subdomain>.zendesk.com/agent/tickets/<id>`). */
  url: Scalars['String']['output'];
};

export type SupportTicketConnection = {
  __typename?: 'SupportTicketConnection';
  edges: Array<SupportTicketEdge>;
  pageInfo: PageInfo;
};

export type SupportTicketEdge = {
  __typename?: 'SupportTicketEdge';
  cursor: Scalars['String']['output'];
  node: SupportTicket;
};

/** A Zendesk user: an end user who asks, or an agent or admin who answers. */
export type SupportUser = Node & {
  __typename?: 'SupportUser';
  createdAt: Scalars['DateTime']['output'];
  /** Primary email; null for users known only by another identity. */
  email: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  phone: Maybe<Scalars['String']['output']>;
  role: SupportUserRole;
  /** Zendesk user id (a number, as a string). */
  sourceId: Scalars['ID']['output'];
  /**
   * Tickets this user requested. `first` is 1 to 100 (default 20). With `status`,
   * Zendesk's search index answers, which can lag new changes by a few minutes.
   */
  tickets: SupportTicketConnection;
};


/** A Zendesk user: an end user who asks, or an agent or admin who answers. */
export type SupportUserTicketsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<TicketStatus>;
};

/** A Zendesk user's role (Zendesk spells the first one `end-user`). */
export type SupportUserRole =
  | 'admin'
  | 'agent'
  | 'end-user';

export type TicketCommentInput = {
  /** 1 to 65535 characters. */
  body: Scalars['String']['input'];
  /** Whether the requester sees it (default true); false makes an internal note. */
  public?: InputMaybe<Scalars['Boolean']['input']>;
};

/** A ticket event, with the ticket as Zendesk has it now. */
export type TicketEvent = {
  __typename?: 'TicketEvent';
  event: Event;
  /** The ticket, read from Zendesk when the event is delivered; null if it is gone. */
  ticket: Maybe<SupportTicket>;
};

export type TicketPriority =
  | 'high'
  | 'low'
  | 'normal'
  | 'urgent';

export type TicketStatus =
  | 'closed'
  | 'hold'
  | 'new'
  | 'open'
  | 'pending'
  | 'solved';

export type TicketType =
  | 'incident'
  | 'problem'
  | 'question'
  | 'task';

export type UpdateAppUserInput = {
  /** At most 255 characters; null clears it. */
  company?: InputMaybe<Scalars['String']['input']>;
  plan?: InputMaybe<AppPlan>;
};

export type UpdateBillingCustomerInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  /** Keys (1 to 40 characters) to string values (at most 500 characters), or null to remove the key; at most 50 keys. */
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateCrmContactInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  jobTitle?: InputMaybe<Scalars['String']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  /** One of HubSpot's lifecycle stages (`lead`, `customer`...). */
  lifecycleStage?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Other contact properties by HubSpot internal name, to string values (or null to clear). */
  properties?: InputMaybe<Scalars['JSON']['input']>;
};

export type UpdateOrderInput = {
  /** At most 5000 characters; null or empty clears it. */
  note?: InputMaybe<Scalars['String']['input']>;
  /** Each at most 40 characters; at most 250 tags. */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type UpdateTicketInput = {
  comment?: InputMaybe<TicketCommentInput>;
  priority?: InputMaybe<TicketPriority>;
  status?: InputMaybe<TicketStatus>;
};

/** Only the fields given change. */
export type UpdateWebhookEndpointInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** false disables it; true enables it again and clears `disabledReason`. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<EventFilter>;
  url?: InputMaybe<Scalars['String']['input']>;
};

/** One event on its way to one endpoint. Its global id decodes to the `webhook-id` header receivers de-duplicate on. */
export type WebhookDelivery = Node & {
  __typename?: 'WebhookDelivery';
  /** Every attempt, oldest first. */
  attempts: Array<DeliveryAttempt>;
  event: Event;
  id: Scalars['ID']['output'];
  nextAttemptAt: Maybe<Scalars['DateTime']['output']>;
  status: DeliveryStatus;
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  edges: Array<WebhookDeliveryEdge>;
  pageInfo: PageInfo;
};

export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

/**
 * A receiver of outbound webhooks: every event its filter matches is POSTed to `url`,
 * signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), and retried.
 */
export type WebhookEndpoint = Node & {
  __typename?: 'WebhookEndpoint';
  createdAt: Scalars['DateTime']['output'];
  /** Its deliveries, newest first. `first` is 1 to 100. */
  deliveries: WebhookDeliveryConnection;
  description: Maybe<Scalars['String']['output']>;
  /** Why it is disabled: `410 Gone...`, `failing since ...`, or by an administrator. */
  disabledReason: Maybe<Scalars['String']['output']>;
  enabled: Scalars['Boolean']['output'];
  /** The sources, types and emails it was created with; null: every event. */
  filter: Maybe<EventFilterSpec>;
  id: Scalars['ID']['output'];
  url: Scalars['String']['output'];
};


/**
 * A receiver of outbound webhooks: every event its filter matches is POSTed to `url`,
 * signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), and retried.
 */
export type WebhookEndpointDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<DeliveryStatus>;
};

/** An endpoint with its signing secret: the only place the secret is ever shown. */
export type WebhookEndpointSecretPayload = {
  __typename?: 'WebhookEndpointSecretPayload';
  endpoint: WebhookEndpoint;
  /** `whsec_...`: give it to the receiver, which verifies `webhook-signature` with it. */
  secret: Scalars['String']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;




/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = {
  Node:
    | ( AppUserModel )
    | ( StripeCustomerModel )
    | ( StripeSubscriptionModel )
    | ( ShopifyCustomerModel )
    | ( HubSpotCompanyModel )
    | ( HubSpotContactModel )
    | ( HubSpotDealModel )
    | ( HubSpotNoteModel )
    | ( CustomerModelModel )
    | ( StripeInvoiceModel )
    | ( ShopifyOrderModel )
    | ( ZendeskTicketModel )
    | ( ZendeskUserModel )
    | ( DeliveryModel )
    | ( EndpointModel )
  ;
};

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AppPlan: ResolverTypeWrapper<AppPlan>;
  AppUser: ResolverTypeWrapper<AppUserModel>;
  AppUserConnection: ResolverTypeWrapper<Omit<AppUserConnection, 'edges'> & { edges: Array<ResolversTypes['AppUserEdge']> }>;
  AppUserEdge: ResolverTypeWrapper<Omit<AppUserEdge, 'node'> & { node: ResolversTypes['AppUser'] }>;
  AppUserEvent: ResolverTypeWrapper<GatewayEventModel>;
  BillingCustomer: ResolverTypeWrapper<StripeCustomerModel>;
  BillingCustomerConnection: ResolverTypeWrapper<Omit<BillingCustomerConnection, 'edges'> & { edges: Array<ResolversTypes['BillingCustomerEdge']> }>;
  BillingCustomerEdge: ResolverTypeWrapper<Omit<BillingCustomerEdge, 'node'> & { node: ResolversTypes['BillingCustomer'] }>;
  BillingSubscription: ResolverTypeWrapper<StripeSubscriptionModel>;
  BillingSubscriptionConnection: ResolverTypeWrapper<Omit<BillingSubscriptionConnection, 'edges'> & { edges: Array<ResolversTypes['BillingSubscriptionEdge']> }>;
  BillingSubscriptionEdge: ResolverTypeWrapper<Omit<BillingSubscriptionEdge, 'node'> & { node: ResolversTypes['BillingSubscription'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CommerceCustomer: ResolverTypeWrapper<ShopifyCustomerModel>;
  CreateTicketInput: CreateTicketInput;
  CreateWebhookEndpointInput: CreateWebhookEndpointInput;
  CrmCompany: ResolverTypeWrapper<HubSpotCompanyModel>;
  CrmCompanyConnection: ResolverTypeWrapper<Omit<CrmCompanyConnection, 'edges'> & { edges: Array<ResolversTypes['CrmCompanyEdge']> }>;
  CrmCompanyEdge: ResolverTypeWrapper<Omit<CrmCompanyEdge, 'node'> & { node: ResolversTypes['CrmCompany'] }>;
  CrmContact: ResolverTypeWrapper<HubSpotContactModel>;
  CrmContactConnection: ResolverTypeWrapper<Omit<CrmContactConnection, 'edges'> & { edges: Array<ResolversTypes['CrmContactEdge']> }>;
  CrmContactEdge: ResolverTypeWrapper<Omit<CrmContactEdge, 'node'> & { node: ResolversTypes['CrmContact'] }>;
  CrmDeal: ResolverTypeWrapper<HubSpotDealModel>;
  CrmDealConnection: ResolverTypeWrapper<Omit<CrmDealConnection, 'edges'> & { edges: Array<ResolversTypes['CrmDealEdge']> }>;
  CrmDealEdge: ResolverTypeWrapper<Omit<CrmDealEdge, 'node'> & { node: ResolversTypes['CrmDeal'] }>;
  CrmNote: ResolverTypeWrapper<HubSpotNoteModel>;
  Customer: ResolverTypeWrapper<CustomerModelModel>;
  CustomerConnection: ResolverTypeWrapper<Omit<CustomerConnection, 'edges'> & { edges: Array<ResolversTypes['CustomerEdge']> }>;
  CustomerEdge: ResolverTypeWrapper<Omit<CustomerEdge, 'node'> & { node: ResolversTypes['Customer'] }>;
  CustomerEvent: ResolverTypeWrapper<CustomerEventModelModel>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeliveryAttempt: ResolverTypeWrapper<DeliveryAttemptModel>;
  DeliveryStatus: DeliveryStatus;
  Event: ResolverTypeWrapper<GatewayEventModel>;
  EventConnection: ResolverTypeWrapper<Omit<EventConnection, 'edges'> & { edges: Array<ResolversTypes['EventEdge']> }>;
  EventEdge: ResolverTypeWrapper<Omit<EventEdge, 'node'> & { node: ResolversTypes['Event'] }>;
  EventFilter: EventFilter;
  EventFilterSpec: ResolverTypeWrapper<EventFilterSpec>;
  EventSubject: ResolverTypeWrapper<EventSubject>;
  GatewayInfo: ResolverTypeWrapper<Omit<GatewayInfo, 'mode' | 'sources'> & { mode: ResolversTypes['SourceMode'], sources: Array<ResolversTypes['SourceStatus']> }>;
  Heartbeat: ResolverTypeWrapper<Heartbeat>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Invoice: ResolverTypeWrapper<StripeInvoiceModel>;
  InvoiceConnection: ResolverTypeWrapper<Omit<InvoiceConnection, 'edges'> & { edges: Array<ResolversTypes['InvoiceEdge']> }>;
  InvoiceEdge: ResolverTypeWrapper<Omit<InvoiceEdge, 'node'> & { node: ResolversTypes['Invoice'] }>;
  InvoiceLine: ResolverTypeWrapper<StripeInvoiceLineModel>;
  InvoiceStatus: ResolverTypeWrapper<InvoiceStatus>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Money: ResolverTypeWrapper<Money>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  Order: ResolverTypeWrapper<ShopifyOrderModel>;
  OrderConnection: ResolverTypeWrapper<Omit<OrderConnection, 'edges'> & { edges: Array<ResolversTypes['OrderEdge']> }>;
  OrderEdge: ResolverTypeWrapper<Omit<OrderEdge, 'node'> & { node: ResolversTypes['Order'] }>;
  OrderEvent: ResolverTypeWrapper<GatewayEventModel>;
  OrderLineItem: ResolverTypeWrapper<ShopifyLineItemModel>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Price: ResolverTypeWrapper<StripePriceModel>;
  PriceInterval: ResolverTypeWrapper<PriceInterval>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SourceMode: ResolverTypeWrapper<SourceMode>;
  SourceStatus: ResolverTypeWrapper<Omit<SourceStatus, 'mode'> & { mode: ResolversTypes['SourceMode'] }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SubscriptionItem: ResolverTypeWrapper<StripeSubscriptionItemModel>;
  SubscriptionStatus: ResolverTypeWrapper<SubscriptionStatus>;
  SupportTicket: ResolverTypeWrapper<ZendeskTicketModel>;
  SupportTicketConnection: ResolverTypeWrapper<Omit<SupportTicketConnection, 'edges'> & { edges: Array<ResolversTypes['SupportTicketEdge']> }>;
  SupportTicketEdge: ResolverTypeWrapper<Omit<SupportTicketEdge, 'node'> & { node: ResolversTypes['SupportTicket'] }>;
  SupportUser: ResolverTypeWrapper<ZendeskUserModel>;
  SupportUserRole: ResolverTypeWrapper<SupportUserRole>;
  TicketCommentInput: TicketCommentInput;
  TicketEvent: ResolverTypeWrapper<GatewayEventModel>;
  TicketPriority: ResolverTypeWrapper<TicketPriority>;
  TicketStatus: ResolverTypeWrapper<TicketStatus>;
  TicketType: ResolverTypeWrapper<TicketType>;
  UpdateAppUserInput: UpdateAppUserInput;
  UpdateBillingCustomerInput: UpdateBillingCustomerInput;
  UpdateCrmContactInput: UpdateCrmContactInput;
  UpdateOrderInput: UpdateOrderInput;
  UpdateTicketInput: UpdateTicketInput;
  UpdateWebhookEndpointInput: UpdateWebhookEndpointInput;
  WebhookDelivery: ResolverTypeWrapper<DeliveryModel>;
  WebhookDeliveryConnection: ResolverTypeWrapper<Omit<WebhookDeliveryConnection, 'edges'> & { edges: Array<ResolversTypes['WebhookDeliveryEdge']> }>;
  WebhookDeliveryEdge: ResolverTypeWrapper<Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversTypes['WebhookDelivery'] }>;
  WebhookEndpoint: ResolverTypeWrapper<EndpointModel>;
  WebhookEndpointSecretPayload: ResolverTypeWrapper<Omit<WebhookEndpointSecretPayload, 'endpoint'> & { endpoint: ResolversTypes['WebhookEndpoint'] }>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AppUser: AppUserModel;
  AppUserConnection: Omit<AppUserConnection, 'edges'> & { edges: Array<ResolversParentTypes['AppUserEdge']> };
  AppUserEdge: Omit<AppUserEdge, 'node'> & { node: ResolversParentTypes['AppUser'] };
  AppUserEvent: GatewayEventModel;
  BillingCustomer: StripeCustomerModel;
  BillingCustomerConnection: Omit<BillingCustomerConnection, 'edges'> & { edges: Array<ResolversParentTypes['BillingCustomerEdge']> };
  BillingCustomerEdge: Omit<BillingCustomerEdge, 'node'> & { node: ResolversParentTypes['BillingCustomer'] };
  BillingSubscription: StripeSubscriptionModel;
  BillingSubscriptionConnection: Omit<BillingSubscriptionConnection, 'edges'> & { edges: Array<ResolversParentTypes['BillingSubscriptionEdge']> };
  BillingSubscriptionEdge: Omit<BillingSubscriptionEdge, 'node'> & { node: ResolversParentTypes['BillingSubscription'] };
  Boolean: Scalars['Boolean']['output'];
  CommerceCustomer: ShopifyCustomerModel;
  CreateTicketInput: CreateTicketInput;
  CreateWebhookEndpointInput: CreateWebhookEndpointInput;
  CrmCompany: HubSpotCompanyModel;
  CrmCompanyConnection: Omit<CrmCompanyConnection, 'edges'> & { edges: Array<ResolversParentTypes['CrmCompanyEdge']> };
  CrmCompanyEdge: Omit<CrmCompanyEdge, 'node'> & { node: ResolversParentTypes['CrmCompany'] };
  CrmContact: HubSpotContactModel;
  CrmContactConnection: Omit<CrmContactConnection, 'edges'> & { edges: Array<ResolversParentTypes['CrmContactEdge']> };
  CrmContactEdge: Omit<CrmContactEdge, 'node'> & { node: ResolversParentTypes['CrmContact'] };
  CrmDeal: HubSpotDealModel;
  CrmDealConnection: Omit<CrmDealConnection, 'edges'> & { edges: Array<ResolversParentTypes['CrmDealEdge']> };
  CrmDealEdge: Omit<CrmDealEdge, 'node'> & { node: ResolversParentTypes['CrmDeal'] };
  CrmNote: HubSpotNoteModel;
  Customer: CustomerModelModel;
  CustomerConnection: Omit<CustomerConnection, 'edges'> & { edges: Array<ResolversParentTypes['CustomerEdge']> };
  CustomerEdge: Omit<CustomerEdge, 'node'> & { node: ResolversParentTypes['Customer'] };
  CustomerEvent: CustomerEventModelModel;
  DateTime: Scalars['DateTime']['output'];
  DeliveryAttempt: DeliveryAttemptModel;
  Event: GatewayEventModel;
  EventConnection: Omit<EventConnection, 'edges'> & { edges: Array<ResolversParentTypes['EventEdge']> };
  EventEdge: Omit<EventEdge, 'node'> & { node: ResolversParentTypes['Event'] };
  EventFilter: EventFilter;
  EventFilterSpec: EventFilterSpec;
  EventSubject: EventSubject;
  GatewayInfo: Omit<GatewayInfo, 'sources'> & { sources: Array<ResolversParentTypes['SourceStatus']> };
  Heartbeat: Heartbeat;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Invoice: StripeInvoiceModel;
  InvoiceConnection: Omit<InvoiceConnection, 'edges'> & { edges: Array<ResolversParentTypes['InvoiceEdge']> };
  InvoiceEdge: Omit<InvoiceEdge, 'node'> & { node: ResolversParentTypes['Invoice'] };
  InvoiceLine: StripeInvoiceLineModel;
  JSON: Scalars['JSON']['output'];
  Money: Money;
  Mutation: Record<PropertyKey, never>;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  Order: ShopifyOrderModel;
  OrderConnection: Omit<OrderConnection, 'edges'> & { edges: Array<ResolversParentTypes['OrderEdge']> };
  OrderEdge: Omit<OrderEdge, 'node'> & { node: ResolversParentTypes['Order'] };
  OrderEvent: GatewayEventModel;
  OrderLineItem: ShopifyLineItemModel;
  PageInfo: PageInfo;
  Price: StripePriceModel;
  Query: Record<PropertyKey, never>;
  SourceStatus: SourceStatus;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  SubscriptionItem: StripeSubscriptionItemModel;
  SupportTicket: ZendeskTicketModel;
  SupportTicketConnection: Omit<SupportTicketConnection, 'edges'> & { edges: Array<ResolversParentTypes['SupportTicketEdge']> };
  SupportTicketEdge: Omit<SupportTicketEdge, 'node'> & { node: ResolversParentTypes['SupportTicket'] };
  SupportUser: ZendeskUserModel;
  TicketCommentInput: TicketCommentInput;
  TicketEvent: GatewayEventModel;
  UpdateAppUserInput: UpdateAppUserInput;
  UpdateBillingCustomerInput: UpdateBillingCustomerInput;
  UpdateCrmContactInput: UpdateCrmContactInput;
  UpdateOrderInput: UpdateOrderInput;
  UpdateTicketInput: UpdateTicketInput;
  UpdateWebhookEndpointInput: UpdateWebhookEndpointInput;
  WebhookDelivery: DeliveryModel;
  WebhookDeliveryConnection: Omit<WebhookDeliveryConnection, 'edges'> & { edges: Array<ResolversParentTypes['WebhookDeliveryEdge']> };
  WebhookDeliveryEdge: Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversParentTypes['WebhookDelivery'] };
  WebhookEndpoint: EndpointModel;
  WebhookEndpointSecretPayload: Omit<WebhookEndpointSecretPayload, 'endpoint'> & { endpoint: ResolversParentTypes['WebhookEndpoint'] };
};

export type AppPlanResolvers = { ENTERPRISE: 'enterprise', FREE: 'free', PRO: 'pro', STARTER: 'starter' };

export type AppUserResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['AppUser'] = ResolversParentTypes['AppUser']> = {
  company?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deletedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  firstName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  plan?: Resolver<ResolversTypes['AppPlan'], ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type AppUserConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['AppUserConnection'] = ResolversParentTypes['AppUserConnection']> = {
  edges?: Resolver<Array<ResolversTypes['AppUserEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type AppUserEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['AppUserEdge'] = ResolversParentTypes['AppUserEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['AppUser'], ParentType, ContextType>;
};

export type AppUserEventResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['AppUserEvent'] = ResolversParentTypes['AppUserEvent']> = {
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['AppUser']>, ParentType, ContextType>;
};

export type BillingCustomerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingCustomer'] = ResolversParentTypes['BillingCustomer']> = {
  balance?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  delinquent?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoices?: Resolver<ResolversTypes['InvoiceConnection'], ParentType, ContextType, RequireFields<BillingCustomerInvoicesArgs, 'first'>>;
  metadata?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  subscriptions?: Resolver<ResolversTypes['BillingSubscriptionConnection'], ParentType, ContextType, RequireFields<BillingCustomerSubscriptionsArgs, 'first'>>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type BillingCustomerConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingCustomerConnection'] = ResolversParentTypes['BillingCustomerConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BillingCustomerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type BillingCustomerEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingCustomerEdge'] = ResolversParentTypes['BillingCustomerEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['BillingCustomer'], ParentType, ContextType>;
};

export type BillingSubscriptionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingSubscription'] = ResolversParentTypes['BillingSubscription']> = {
  cancelAtPeriodEnd?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currencyCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['BillingCustomer']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  items?: Resolver<Array<ResolversTypes['SubscriptionItem']>, ParentType, ContextType>;
  latestInvoice?: Resolver<Maybe<ResolversTypes['Invoice']>, ParentType, ContextType>;
  metadata?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  startDate?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['SubscriptionStatus'], ParentType, ContextType>;
  trialEnd?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  trialStart?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type BillingSubscriptionConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingSubscriptionConnection'] = ResolversParentTypes['BillingSubscriptionConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BillingSubscriptionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type BillingSubscriptionEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['BillingSubscriptionEdge'] = ResolversParentTypes['BillingSubscriptionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['BillingSubscription'], ParentType, ContextType>;
};

export type CommerceCustomerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CommerceCustomer'] = ResolversParentTypes['CommerceCustomer']> = {
  amountSpent?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  numberOfOrders?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<CommerceCustomerOrdersArgs, 'first'>>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CrmCompanyResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmCompany'] = ResolversParentTypes['CrmCompany']> = {
  contacts?: Resolver<ResolversTypes['CrmContactConnection'], ParentType, ContextType, RequireFields<CrmCompanyContactsArgs, 'first'>>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deals?: Resolver<ResolversTypes['CrmDealConnection'], ParentType, ContextType, RequireFields<CrmCompanyDealsArgs, 'first'>>;
  domain?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  industry?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CrmCompanyConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmCompanyConnection'] = ResolversParentTypes['CrmCompanyConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CrmCompanyEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CrmCompanyEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmCompanyEdge'] = ResolversParentTypes['CrmCompanyEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['CrmCompany'], ParentType, ContextType>;
};

export type CrmContactResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmContact'] = ResolversParentTypes['CrmContact']> = {
  company?: Resolver<Maybe<ResolversTypes['CrmCompany']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deals?: Resolver<ResolversTypes['CrmDealConnection'], ParentType, ContextType, RequireFields<CrmContactDealsArgs, 'first'>>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jobTitle?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lifecycleStage?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CrmContactConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmContactConnection'] = ResolversParentTypes['CrmContactConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CrmContactEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CrmContactEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmContactEdge'] = ResolversParentTypes['CrmContactEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['CrmContact'], ParentType, ContextType>;
};

export type CrmDealResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmDeal'] = ResolversParentTypes['CrmDeal']> = {
  amount?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
  closeDate?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  company?: Resolver<Maybe<ResolversTypes['CrmCompany']>, ParentType, ContextType>;
  contacts?: Resolver<ResolversTypes['CrmContactConnection'], ParentType, ContextType, RequireFields<CrmDealContactsArgs, 'first'>>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  pipeline?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  stage?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CrmDealConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmDealConnection'] = ResolversParentTypes['CrmDealConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CrmDealEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CrmDealEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmDealEdge'] = ResolversParentTypes['CrmDealEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['CrmDeal'], ParentType, ContextType>;
};

export type CrmNoteResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CrmNote'] = ResolversParentTypes['CrmNote']> = {
  body?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  contact?: Resolver<Maybe<ResolversTypes['CrmContact']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  timestamp?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CustomerResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer']> = {
  app?: Resolver<Maybe<ResolversTypes['AppUser']>, ParentType, ContextType>;
  billing?: Resolver<Maybe<ResolversTypes['BillingCustomer']>, ParentType, ContextType>;
  commerce?: Resolver<Maybe<ResolversTypes['CommerceCustomer']>, ParentType, ContextType>;
  crm?: Resolver<Maybe<ResolversTypes['CrmContact']>, ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoices?: Resolver<Maybe<ResolversTypes['InvoiceConnection']>, ParentType, ContextType, RequireFields<CustomerInvoicesArgs, 'first'>>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  subscriptions?: Resolver<Maybe<ResolversTypes['BillingSubscriptionConnection']>, ParentType, ContextType, RequireFields<CustomerSubscriptionsArgs, 'first'>>;
  support?: Resolver<Maybe<ResolversTypes['SupportUser']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CustomerConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CustomerConnection'] = ResolversParentTypes['CustomerConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CustomerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CustomerEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CustomerEdge'] = ResolversParentTypes['CustomerEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
};

export type CustomerEventResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['CustomerEvent'] = ResolversParentTypes['CustomerEvent']> = {
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeliveryAttemptResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['DeliveryAttempt'] = ResolversParentTypes['DeliveryAttempt']> = {
  attemptedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  responseStatus?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type EventResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subject?: Resolver<Maybe<ResolversTypes['EventSubject']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type EventConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['EventConnection'] = ResolversParentTypes['EventConnection']> = {
  edges?: Resolver<Array<ResolversTypes['EventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type EventEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['EventEdge'] = ResolversParentTypes['EventEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
};

export type EventFilterSpecResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['EventFilterSpec'] = ResolversParentTypes['EventFilterSpec']> = {
  emails?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  sources?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  types?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
};

export type EventSubjectResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['EventSubject'] = ResolversParentTypes['EventSubject']> = {
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type GatewayInfoResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['GatewayInfo'] = ResolversParentTypes['GatewayInfo']> = {
  mode?: Resolver<ResolversTypes['SourceMode'], ParentType, ContextType>;
  sources?: Resolver<Array<ResolversTypes['SourceStatus']>, ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type HeartbeatResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Heartbeat'] = ResolversParentTypes['Heartbeat']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  tick?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type InvoiceResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Invoice'] = ResolversParentTypes['Invoice']> = {
  amountDue?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  amountPaid?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  amountRemaining?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['BillingCustomer']>, ParentType, ContextType>;
  dueDate?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  hostedInvoiceUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lines?: Resolver<Array<ResolversTypes['InvoiceLine']>, ParentType, ContextType>;
  number?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  periodEnd?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  periodStart?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['InvoiceStatus']>, ParentType, ContextType>;
  subscription?: Resolver<Maybe<ResolversTypes['BillingSubscription']>, ParentType, ContextType>;
  subtotal?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type InvoiceConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['InvoiceConnection'] = ResolversParentTypes['InvoiceConnection']> = {
  edges?: Resolver<Array<ResolversTypes['InvoiceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type InvoiceEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['InvoiceEdge'] = ResolversParentTypes['InvoiceEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Invoice'], ParentType, ContextType>;
};

export type InvoiceLineResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['InvoiceLine'] = ResolversParentTypes['InvoiceLine']> = {
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  quantity?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type InvoiceStatusResolvers = { DRAFT: 'draft', OPEN: 'open', PAID: 'paid', UNCOLLECTIBLE: 'uncollectible', VOID: 'void' };

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MoneyResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = {
  amount?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  currencyCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  minorUnits?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  cancelBillingSubscription?: Resolver<ResolversTypes['BillingSubscription'], ParentType, ContextType, RequireFields<MutationCancelBillingSubscriptionArgs, 'atPeriodEnd' | 'id'>>;
  createCrmNote?: Resolver<ResolversTypes['CrmNote'], ParentType, ContextType, RequireFields<MutationCreateCrmNoteArgs, 'body' | 'contactId'>>;
  createTicket?: Resolver<ResolversTypes['SupportTicket'], ParentType, ContextType, RequireFields<MutationCreateTicketArgs, 'input'>>;
  createWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpointSecretPayload'], ParentType, ContextType, RequireFields<MutationCreateWebhookEndpointArgs, 'input'>>;
  deleteWebhookEndpoint?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteWebhookEndpointArgs, 'id'>>;
  recoverWebhookEndpoint?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationRecoverWebhookEndpointArgs, 'id' | 'since'>>;
  retryWebhookDelivery?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType, RequireFields<MutationRetryWebhookDeliveryArgs, 'id'>>;
  rotateWebhookEndpointSecret?: Resolver<ResolversTypes['WebhookEndpointSecretPayload'], ParentType, ContextType, RequireFields<MutationRotateWebhookEndpointSecretArgs, 'id'>>;
  updateAppUser?: Resolver<ResolversTypes['AppUser'], ParentType, ContextType, RequireFields<MutationUpdateAppUserArgs, 'id' | 'input'>>;
  updateBillingCustomer?: Resolver<ResolversTypes['BillingCustomer'], ParentType, ContextType, RequireFields<MutationUpdateBillingCustomerArgs, 'id' | 'input'>>;
  updateCrmContact?: Resolver<ResolversTypes['CrmContact'], ParentType, ContextType, RequireFields<MutationUpdateCrmContactArgs, 'id' | 'input'>>;
  updateOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationUpdateOrderArgs, 'id' | 'input'>>;
  updateTicket?: Resolver<ResolversTypes['SupportTicket'], ParentType, ContextType, RequireFields<MutationUpdateTicketArgs, 'id' | 'input'>>;
  updateWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType, RequireFields<MutationUpdateWebhookEndpointArgs, 'id' | 'input'>>;
};

export type NodeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = {
  __resolveType: TypeResolveFn<'AppUser' | 'BillingCustomer' | 'BillingSubscription' | 'CommerceCustomer' | 'CrmCompany' | 'CrmContact' | 'CrmDeal' | 'CrmNote' | 'Customer' | 'Invoice' | 'Order' | 'SupportTicket' | 'SupportUser' | 'WebhookDelivery' | 'WebhookEndpoint', ParentType, ContextType>;
};

export type OrderResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['CommerceCustomer']>, ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  financialStatus?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lineItems?: Resolver<Array<ResolversTypes['OrderLineItem']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  note?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  totalPrice?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type OrderConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = {
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type OrderEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
};

export type OrderEventResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OrderEvent'] = ResolversParentTypes['OrderEvent']> = {
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType>;
};

export type OrderLineItemResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['OrderLineItem'] = ResolversParentTypes['OrderLineItem']> = {
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sku?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  unitPrice?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type PriceResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Price'] = ResolversParentTypes['Price']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  interval?: Resolver<Maybe<ResolversTypes['PriceInterval']>, ParentType, ContextType>;
  nickname?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  product?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  unitAmount?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
};

export type PriceIntervalResolvers = { DAY: 'day', MONTH: 'month', WEEK: 'week', YEAR: 'year' };

export type QueryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  appUser?: Resolver<Maybe<ResolversTypes['AppUser']>, ParentType, ContextType, RequireFields<QueryAppUserArgs, 'id'>>;
  appUserByEmail?: Resolver<Maybe<ResolversTypes['AppUser']>, ParentType, ContextType, RequireFields<QueryAppUserByEmailArgs, 'email'>>;
  appUsers?: Resolver<ResolversTypes['AppUserConnection'], ParentType, ContextType, RequireFields<QueryAppUsersArgs, 'first'>>;
  billingCustomer?: Resolver<Maybe<ResolversTypes['BillingCustomer']>, ParentType, ContextType, RequireFields<QueryBillingCustomerArgs, 'id'>>;
  billingCustomerByEmail?: Resolver<Maybe<ResolversTypes['BillingCustomer']>, ParentType, ContextType, RequireFields<QueryBillingCustomerByEmailArgs, 'email'>>;
  billingCustomers?: Resolver<ResolversTypes['BillingCustomerConnection'], ParentType, ContextType, RequireFields<QueryBillingCustomersArgs, 'first'>>;
  billingSubscription?: Resolver<Maybe<ResolversTypes['BillingSubscription']>, ParentType, ContextType, RequireFields<QueryBillingSubscriptionArgs, 'id'>>;
  commerceCustomer?: Resolver<Maybe<ResolversTypes['CommerceCustomer']>, ParentType, ContextType, RequireFields<QueryCommerceCustomerArgs, 'id'>>;
  commerceCustomerByEmail?: Resolver<Maybe<ResolversTypes['CommerceCustomer']>, ParentType, ContextType, RequireFields<QueryCommerceCustomerByEmailArgs, 'email'>>;
  crmCompanies?: Resolver<ResolversTypes['CrmCompanyConnection'], ParentType, ContextType, RequireFields<QueryCrmCompaniesArgs, 'first'>>;
  crmCompany?: Resolver<Maybe<ResolversTypes['CrmCompany']>, ParentType, ContextType, RequireFields<QueryCrmCompanyArgs, 'id'>>;
  crmContact?: Resolver<Maybe<ResolversTypes['CrmContact']>, ParentType, ContextType, RequireFields<QueryCrmContactArgs, 'id'>>;
  crmContactByEmail?: Resolver<Maybe<ResolversTypes['CrmContact']>, ParentType, ContextType, RequireFields<QueryCrmContactByEmailArgs, 'email'>>;
  crmContacts?: Resolver<ResolversTypes['CrmContactConnection'], ParentType, ContextType, RequireFields<QueryCrmContactsArgs, 'first'>>;
  crmDeal?: Resolver<Maybe<ResolversTypes['CrmDeal']>, ParentType, ContextType, RequireFields<QueryCrmDealArgs, 'id'>>;
  crmDeals?: Resolver<ResolversTypes['CrmDealConnection'], ParentType, ContextType, RequireFields<QueryCrmDealsArgs, 'first'>>;
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType, RequireFields<QueryCustomerArgs, 'email'>>;
  customers?: Resolver<ResolversTypes['CustomerConnection'], ParentType, ContextType, RequireFields<QueryCustomersArgs, 'first'>>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, RequireFields<QueryEventsArgs, 'first'>>;
  gateway?: Resolver<ResolversTypes['GatewayInfo'], ParentType, ContextType>;
  invoice?: Resolver<Maybe<ResolversTypes['Invoice']>, ParentType, ContextType, RequireFields<QueryInvoiceArgs, 'id'>>;
  invoices?: Resolver<ResolversTypes['InvoiceConnection'], ParentType, ContextType, RequireFields<QueryInvoicesArgs, 'first'>>;
  latestEventCursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  nodes?: Resolver<Array<Maybe<ResolversTypes['Node']>>, ParentType, ContextType, RequireFields<QueryNodesArgs, 'ids'>>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<QueryOrdersArgs, 'first'>>;
  subscriptions?: Resolver<ResolversTypes['BillingSubscriptionConnection'], ParentType, ContextType, RequireFields<QuerySubscriptionsArgs, 'first'>>;
  supportUser?: Resolver<Maybe<ResolversTypes['SupportUser']>, ParentType, ContextType, RequireFields<QuerySupportUserArgs, 'id'>>;
  supportUserByEmail?: Resolver<Maybe<ResolversTypes['SupportUser']>, ParentType, ContextType, RequireFields<QuerySupportUserByEmailArgs, 'email'>>;
  ticket?: Resolver<Maybe<ResolversTypes['SupportTicket']>, ParentType, ContextType, RequireFields<QueryTicketArgs, 'id'>>;
  tickets?: Resolver<ResolversTypes['SupportTicketConnection'], ParentType, ContextType, RequireFields<QueryTicketsArgs, 'first'>>;
  webhookEndpoints?: Resolver<Array<ResolversTypes['WebhookEndpoint']>, ParentType, ContextType>;
};

export type SourceModeResolvers = { OFF: 'off', REAL: 'real', SANDBOX: 'sandbox' };

export type SourceStatusResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SourceStatus'] = ResolversParentTypes['SourceStatus']> = {
  baseUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  mode?: Resolver<ResolversTypes['SourceMode'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  webhooks?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  customerChanged?: SubscriptionResolver<ResolversTypes['CustomerEvent'], "customerChanged", ParentType, ContextType, RequireFields<SubscriptionCustomerChangedArgs, 'email'>>;
  events?: SubscriptionResolver<ResolversTypes['Event'], "events", ParentType, ContextType, Partial<SubscriptionEventsArgs>>;
  heartbeat?: SubscriptionResolver<ResolversTypes['Heartbeat'], "heartbeat", ParentType, ContextType, RequireFields<SubscriptionHeartbeatArgs, 'intervalMs'>>;
  orderCreated?: SubscriptionResolver<ResolversTypes['OrderEvent'], "orderCreated", ParentType, ContextType, Partial<SubscriptionOrderCreatedArgs>>;
  ticketUpdated?: SubscriptionResolver<ResolversTypes['TicketEvent'], "ticketUpdated", ParentType, ContextType, Partial<SubscriptionTicketUpdatedArgs>>;
  userCreated?: SubscriptionResolver<ResolversTypes['AppUserEvent'], "userCreated", ParentType, ContextType, Partial<SubscriptionUserCreatedArgs>>;
};

export type SubscriptionItemResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SubscriptionItem'] = ResolversParentTypes['SubscriptionItem']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Price'], ParentType, ContextType>;
  quantity?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type SubscriptionStatusResolvers = { ACTIVE: 'active', CANCELED: 'canceled', INCOMPLETE: 'incomplete', INCOMPLETE_EXPIRED: 'incomplete_expired', PAST_DUE: 'past_due', PAUSED: 'paused', TRIALING: 'trialing', UNPAID: 'unpaid' };

export type SupportTicketResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SupportTicket'] = ResolversParentTypes['SupportTicket']> = {
  assignee?: Resolver<Maybe<ResolversTypes['SupportUser']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  dueAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  priority?: Resolver<Maybe<ResolversTypes['TicketPriority']>, ParentType, ContextType>;
  requester?: Resolver<Maybe<ResolversTypes['SupportUser']>, ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['TicketStatus'], ParentType, ContextType>;
  subject?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<Maybe<ResolversTypes['TicketType']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SupportTicketConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SupportTicketConnection'] = ResolversParentTypes['SupportTicketConnection']> = {
  edges?: Resolver<Array<ResolversTypes['SupportTicketEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type SupportTicketEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SupportTicketEdge'] = ResolversParentTypes['SupportTicketEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['SupportTicket'], ParentType, ContextType>;
};

export type SupportUserResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SupportUser'] = ResolversParentTypes['SupportUser']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['SupportUserRole'], ParentType, ContextType>;
  sourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  tickets?: Resolver<ResolversTypes['SupportTicketConnection'], ParentType, ContextType, RequireFields<SupportUserTicketsArgs, 'first'>>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SupportUserRoleResolvers = { ADMIN: 'admin', AGENT: 'agent', END_USER: 'end-user' };

export type TicketEventResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['TicketEvent'] = ResolversParentTypes['TicketEvent']> = {
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  ticket?: Resolver<Maybe<ResolversTypes['SupportTicket']>, ParentType, ContextType>;
};

export type TicketPriorityResolvers = { HIGH: 'high', LOW: 'low', NORMAL: 'normal', URGENT: 'urgent' };

export type TicketStatusResolvers = { CLOSED: 'closed', HOLD: 'hold', NEW: 'new', OPEN: 'open', PENDING: 'pending', SOLVED: 'solved' };

export type TicketTypeResolvers = { INCIDENT: 'incident', PROBLEM: 'problem', QUESTION: 'question', TASK: 'task' };

export type WebhookDeliveryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['WebhookDelivery'] = ResolversParentTypes['WebhookDelivery']> = {
  attempts?: Resolver<Array<ResolversTypes['DeliveryAttempt']>, ParentType, ContextType>;
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  nextAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DeliveryStatus'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type WebhookDeliveryConnectionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['WebhookDeliveryConnection'] = ResolversParentTypes['WebhookDeliveryConnection']> = {
  edges?: Resolver<Array<ResolversTypes['WebhookDeliveryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type WebhookDeliveryEdgeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['WebhookDeliveryEdge'] = ResolversParentTypes['WebhookDeliveryEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType>;
};

export type WebhookEndpointResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['WebhookEndpoint'] = ResolversParentTypes['WebhookEndpoint']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveries?: Resolver<ResolversTypes['WebhookDeliveryConnection'], ParentType, ContextType, RequireFields<WebhookEndpointDeliveriesArgs, 'first'>>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  disabledReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  filter?: Resolver<Maybe<ResolversTypes['EventFilterSpec']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type WebhookEndpointSecretPayloadResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['WebhookEndpointSecretPayload'] = ResolversParentTypes['WebhookEndpointSecretPayload']> = {
  endpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type Resolvers<ContextType = GatewayContext> = {
  AppPlan?: AppPlanResolvers;
  AppUser?: AppUserResolvers<ContextType>;
  AppUserConnection?: AppUserConnectionResolvers<ContextType>;
  AppUserEdge?: AppUserEdgeResolvers<ContextType>;
  AppUserEvent?: AppUserEventResolvers<ContextType>;
  BillingCustomer?: BillingCustomerResolvers<ContextType>;
  BillingCustomerConnection?: BillingCustomerConnectionResolvers<ContextType>;
  BillingCustomerEdge?: BillingCustomerEdgeResolvers<ContextType>;
  BillingSubscription?: BillingSubscriptionResolvers<ContextType>;
  BillingSubscriptionConnection?: BillingSubscriptionConnectionResolvers<ContextType>;
  BillingSubscriptionEdge?: BillingSubscriptionEdgeResolvers<ContextType>;
  CommerceCustomer?: CommerceCustomerResolvers<ContextType>;
  CrmCompany?: CrmCompanyResolvers<ContextType>;
  CrmCompanyConnection?: CrmCompanyConnectionResolvers<ContextType>;
  CrmCompanyEdge?: CrmCompanyEdgeResolvers<ContextType>;
  CrmContact?: CrmContactResolvers<ContextType>;
  CrmContactConnection?: CrmContactConnectionResolvers<ContextType>;
  CrmContactEdge?: CrmContactEdgeResolvers<ContextType>;
  CrmDeal?: CrmDealResolvers<ContextType>;
  CrmDealConnection?: CrmDealConnectionResolvers<ContextType>;
  CrmDealEdge?: CrmDealEdgeResolvers<ContextType>;
  CrmNote?: CrmNoteResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  CustomerConnection?: CustomerConnectionResolvers<ContextType>;
  CustomerEdge?: CustomerEdgeResolvers<ContextType>;
  CustomerEvent?: CustomerEventResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeliveryAttempt?: DeliveryAttemptResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventConnection?: EventConnectionResolvers<ContextType>;
  EventEdge?: EventEdgeResolvers<ContextType>;
  EventFilterSpec?: EventFilterSpecResolvers<ContextType>;
  EventSubject?: EventSubjectResolvers<ContextType>;
  GatewayInfo?: GatewayInfoResolvers<ContextType>;
  Heartbeat?: HeartbeatResolvers<ContextType>;
  Invoice?: InvoiceResolvers<ContextType>;
  InvoiceConnection?: InvoiceConnectionResolvers<ContextType>;
  InvoiceEdge?: InvoiceEdgeResolvers<ContextType>;
  InvoiceLine?: InvoiceLineResolvers<ContextType>;
  InvoiceStatus?: InvoiceStatusResolvers;
  JSON?: GraphQLScalarType;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderEvent?: OrderEventResolvers<ContextType>;
  OrderLineItem?: OrderLineItemResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Price?: PriceResolvers<ContextType>;
  PriceInterval?: PriceIntervalResolvers;
  Query?: QueryResolvers<ContextType>;
  SourceMode?: SourceModeResolvers;
  SourceStatus?: SourceStatusResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  SubscriptionItem?: SubscriptionItemResolvers<ContextType>;
  SubscriptionStatus?: SubscriptionStatusResolvers;
  SupportTicket?: SupportTicketResolvers<ContextType>;
  SupportTicketConnection?: SupportTicketConnectionResolvers<ContextType>;
  SupportTicketEdge?: SupportTicketEdgeResolvers<ContextType>;
  SupportUser?: SupportUserResolvers<ContextType>;
  SupportUserRole?: SupportUserRoleResolvers;
  TicketEvent?: TicketEventResolvers<ContextType>;
  TicketPriority?: TicketPriorityResolvers;
  TicketStatus?: TicketStatusResolvers;
  TicketType?: TicketTypeResolvers;
  WebhookDelivery?: WebhookDeliveryResolvers<ContextType>;
  WebhookDeliveryConnection?: WebhookDeliveryConnectionResolvers<ContextType>;
  WebhookDeliveryEdge?: WebhookDeliveryEdgeResolvers<ContextType>;
  WebhookEndpoint?: WebhookEndpointResolvers<ContextType>;
  WebhookEndpointSecretPayload?: WebhookEndpointSecretPayloadResolvers<ContextType>;
};

