import type { Connector } from '../src/connector.ts';
import { app } from './app/index.ts';
import { hubspot } from './hubspot/index.ts';
import { shopify } from './shopify/index.ts';
import { stripe } from './stripe/index.ts';
import { zendesk } from './zendesk/index.ts';

/** Every connector the gateway ships, in the order start-up lists them. */
export const connectors: readonly Connector[] = [stripe, app, zendesk, hubspot, shopify];
