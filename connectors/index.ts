import type { Connector } from '../src/connector.ts';
import { stripe } from './stripe/index.ts';

/** Every connector the gateway ships, in the order start-up lists them. */
export const connectors: readonly Connector[] = [stripe];
