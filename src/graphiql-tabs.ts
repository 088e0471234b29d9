/**
 * The operations GraphiQL opens with, one per tab: Switchyard's own examples,
 * which run as they are against the sandbox and against real sources alike
 * (no email or id that only the demo world knows).
 */

/** First tab: a page of customers with every part, each from its source. */
export const CUSTOMERS_TAB = `# Welcome to Switchyard: one GraphQL schema
# over your SaaS stack.
#
# Run this query (▶ or Ctrl-Enter): each
# customer is joined by email across billing
# (Stripe), CRM (HubSpot), support (Zendesk),
# commerce (Shopify) and your own product.
# The LiveEvents tab is a live subscription.

query Customers {
  customers(first: 3) {
    edges {
      node {
        id
        email
        name
        app { plan createdAt }
        billing { sourceId delinquent }
        subscriptions(first: 2) {
          edges { node { status } }
        }
        invoices(first: 3) {
          edges { node { number status } }
        }
        crm {
          lifecycleStage
          company { name domain }
          deals(first: 3) {
            edges { node { name stage } }
          }
        }
        support {
          tickets(first: 3) {
            edges { node { subject status } }
          }
        }
        commerce {
          numberOfOrders
          orders(first: 3) {
            edges {
              node {
                name
                totalPrice { amount currencyCode }
              }
            }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/** Second tab: every change in any source, pushed live. */
export const LIVE_EVENTS_TAB = `# Every change in any source, pushed as it
# happens: run this and watch the results pane.
# In sandbox mode the demo world changes every
# few seconds (sign-ups, plan changes, orders,
# tickets); each change arrives as the webhook
# its provider would send, signed as it signs.
#
# Narrow it down:
#   events(filter: { sources: ["stripe"],
#                    types: ["invoice.*"] })
# or follow one person:
#   customerChanged(email: "...")

subscription LiveEvents {
  events {
    id
    source
    type
    occurredAt
    subject { kind id email }
  }
}
`;

/** Third tab: a write through to a SaaS API, safe to run twice. */
export const WRITE_TAB = `# Writes go through to the SaaS APIs: this one
# opens a support ticket (it needs the
# support:write scope). Run it twice: the
# idempotencyKey makes the second run return the
# first ticket instead of opening another.
# Keep LiveEvents running in its tab to see the
# provider's webhook for it arrive.

mutation OpenTicket {
  createTicket(
    input: {
      requesterEmail: "you@example.com"
      subject: "Hello from Switchyard"
      comment: "Sent from GraphiQL."
      priority: LOW
    }
    idempotencyKey: "graphiql-hello-1"
  ) {
    id
    subject
    status
    requester { email }
  }
}
`;

/** GraphiQL's tabs, in order; the first is open. */
export const GRAPHIQL_TABS: readonly [string, ...string[]] = [CUSTOMERS_TAB, LIVE_EVENTS_TAB, WRITE_TAB];
