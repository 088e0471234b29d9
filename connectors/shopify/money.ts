import { moneyFromDecimal, upstreamMoney } from '../../src/money.ts';
import type { Money } from '../../src/money.ts';
import type { ShopifyMoney } from './models.ts';

/** Money from Shopify's `MoneyV2` (`{ amount: "25.0", currencyCode: "USD" }`), exactly. */
export function shopifyMoney(field: string, money: ShopifyMoney): Money {
  return upstreamMoney({ source: 'shopify', title: 'Shopify', field }, () =>
    moneyFromDecimal(money.amount, money.currencyCode),
  );
}
