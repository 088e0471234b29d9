import { describe, expect, it } from 'vitest';
import { stripeExponent, stripeMoney } from '../connectors/stripe/money.ts';
import { shopifyMoney } from '../connectors/shopify/money.ts';
import { GatewayError } from '../src/errors.ts';
import {
  MoneyFormatError,
  currencyExponent,
  moneyFromDecimal,
  moneyFromMinorUnits,
  upstreamMoney,
} from '../src/money.ts';

function refusal(convert: () => unknown): GatewayError {
  try {
    convert();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the conversion did not refuse');
}

describe('moneyFromMinorUnits', () => {
  it('writes USD and EUR cents with two decimals, exactly', () => {
    expect(moneyFromMinorUnits(1250, 'usd')).toEqual({
      amount: '12.50',
      currencyCode: 'USD',
      minorUnits: 1250,
    });
    expect(moneyFromMinorUnits(5, 'EUR')).toEqual({ amount: '0.05', currencyCode: 'EUR', minorUnits: 5 });
    expect(moneyFromMinorUnits(0, 'eur')).toEqual({ amount: '0.00', currencyCode: 'EUR', minorUnits: 0 });
    // 0.1 + 0.2 style errors cannot happen: 29 cents stay 29 cents.
    expect(moneyFromMinorUnits(29, 'usd').amount).toBe('0.29');
  });

  it('gives zero-decimal currencies no decimals: minorUnits equals the amount', () => {
    expect(moneyFromMinorUnits(500, 'jpy')).toEqual({ amount: '500', currencyCode: 'JPY', minorUnits: 500 });
    expect(moneyFromMinorUnits(-7, 'KRW')).toEqual({ amount: '-7', currencyCode: 'KRW', minorUnits: -7 });
  });

  it('gives three-decimal currencies 1000 minor units', () => {
    expect(moneyFromMinorUnits(1500, 'kwd')).toEqual({
      amount: '1.500',
      currencyCode: 'KWD',
      minorUnits: 1500,
    });
    expect(moneyFromMinorUnits(5, 'bhd')).toEqual({ amount: '0.005', currencyCode: 'BHD', minorUnits: 5 });
    expect(moneyFromMinorUnits(-1234560, 'jod')).toEqual({
      amount: '-1234.560',
      currencyCode: 'JOD',
      minorUnits: -1234560,
    });
  });

  it('keeps negative amounts (balances, credits) and never writes -0', () => {
    expect(moneyFromMinorUnits(-2000, 'usd')).toEqual({
      amount: '-20.00',
      currencyCode: 'USD',
      minorUnits: -2000,
    });
    expect(moneyFromMinorUnits(-1, 'usd')).toEqual({ amount: '-0.01', currencyCode: 'USD', minorUnits: -1 });
    expect(moneyFromMinorUnits(-0, 'usd').amount).toBe('0.00');
  });

  it("keeps big values exact; minorUnits is null beyond GraphQL's 32-bit Int", () => {
    expect(moneyFromMinorUnits(2_147_483_647, 'usd')).toEqual({
      amount: '21474836.47',
      currencyCode: 'USD',
      minorUnits: 2_147_483_647,
    });
    expect(moneyFromMinorUnits(2_147_483_648, 'usd')).toEqual({
      amount: '21474836.48',
      currencyCode: 'USD',
      minorUnits: null,
    });
    expect(moneyFromMinorUnits(-2_147_483_648, 'usd').minorUnits).toBe(-2_147_483_648);
    expect(moneyFromMinorUnits(Number.MAX_SAFE_INTEGER, 'usd').amount).toBe('90071992547409.91');
    expect(moneyFromMinorUnits(123456789012345678901234567890n, 'usd').amount).toBe(
      '1234567890123456789012345678.90',
    );
  });

  it('refuses what is not a whole, exactly representable number of minor units, and bad currencies', () => {
    expect(() => moneyFromMinorUnits(12.5, 'usd')).toThrow(MoneyFormatError);
    expect(() => moneyFromMinorUnits(Number.MAX_SAFE_INTEGER + 1, 'usd')).toThrow(
      '9007199254740992 is not a whole number of minor units that JSON can carry exactly',
    );
    expect(() => moneyFromMinorUnits(Number.NaN, 'usd')).toThrow(MoneyFormatError);
    expect(() => moneyFromMinorUnits(100, 'usdollar')).toThrow(
      '"usdollar" is not a three-letter ISO 4217 currency code',
    );
    expect(() => moneyFromMinorUnits(100, '')).toThrow(MoneyFormatError);
  });
});

describe('moneyFromDecimal', () => {
  it("writes the currency's decimals, keeping any extra precision the source gives", () => {
    expect(moneyFromDecimal('25.0', 'USD')).toEqual({
      amount: '25.00',
      currencyCode: 'USD',
      minorUnits: 2500,
    });
    expect(moneyFromDecimal('199.99', 'EUR')).toEqual({
      amount: '199.99',
      currencyCode: 'EUR',
      minorUnits: 19999,
    });
    expect(moneyFromDecimal('12300', 'usd')).toEqual({
      amount: '12300.00',
      currencyCode: 'USD',
      minorUnits: 1230000,
    });
    expect(moneyFromDecimal('007.10', 'USD').amount).toBe('7.10');
    // Sub-cent prices are kept, never rounded: not a whole number of cents, so no minorUnits.
    expect(moneyFromDecimal('0.125', 'USD')).toEqual({
      amount: '0.125',
      currencyCode: 'USD',
      minorUnits: null,
    });
    expect(moneyFromDecimal('0.12500', 'USD').amount).toBe('0.125');
  });

  it('handles zero-decimal and three-decimal currencies', () => {
    expect(moneyFromDecimal('1500.0', 'JPY')).toEqual({
      amount: '1500',
      currencyCode: 'JPY',
      minorUnits: 1500,
    });
    expect(moneyFromDecimal('1500.5', 'JPY')).toEqual({
      amount: '1500.5',
      currencyCode: 'JPY',
      minorUnits: null,
    });
    expect(moneyFromDecimal('1.5', 'KWD')).toEqual({
      amount: '1.500',
      currencyCode: 'KWD',
      minorUnits: 1500,
    });
  });

  it('keeps negatives and big values exact', () => {
    expect(moneyFromDecimal('-20.5', 'USD')).toEqual({
      amount: '-20.50',
      currencyCode: 'USD',
      minorUnits: -2050,
    });
    expect(moneyFromDecimal('-0.00', 'USD').amount).toBe('0.00');
    expect(moneyFromDecimal('98765432109876543210.99', 'USD')).toEqual({
      amount: '98765432109876543210.99',
      currencyCode: 'USD',
      minorUnits: null,
    });
  });

  it('refuses anything but a plain decimal string', () => {
    for (const bad of [
      '',
      ' 1.00',
      '1.00 ',
      '1,000.00',
      '1e3',
      '+1',
      '.5',
      '5.',
      'NaN',
      'Infinity',
      '--1',
      '0x10',
    ]) {
      expect(() => moneyFromDecimal(bad, 'USD'), bad).toThrow(
        `${JSON.stringify(bad)} is not a decimal amount`,
      );
    }
    expect(() => moneyFromDecimal(12.5, 'USD')).toThrow('12.5 is not a decimal amount');
    expect(() => moneyFromDecimal(null, 'USD')).toThrow('null is not a decimal amount');
    expect(() => moneyFromDecimal('1.00', 'US')).toThrow('"US" is not a three-letter ISO 4217 currency code');
  });
});

describe('currencyExponent', () => {
  it('follows ISO 4217', () => {
    expect([
      currencyExponent('USD'),
      currencyExponent('jpy'),
      currencyExponent('KWD'),
      currencyExponent('CLF'),
    ]).toEqual([2, 0, 3, 4]);
    expect(currencyExponent('ISK')).toBe(0);
  });
});

describe('upstreamMoney', () => {
  it('turns a malformed amount into UPSTREAM_BAD_RESPONSE naming the source and field', () => {
    const error = refusal(() =>
      upstreamMoney({ source: 'x', title: 'X', field: 'order total' }, () => moneyFromDecimal('1e3', 'USD')),
    );
    expect(error.message).toBe(`X's order total is not an amount of money: "1e3" is not a decimal amount.`);
    expect(error.extensions).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', source: 'x', field: 'order total' });
    expect(error.publicMessage).toBe(`X's order total is not an amount of money.`);
  });

  it('lets other errors through untouched', () => {
    const bug = new TypeError('a bug');
    expect(() =>
      upstreamMoney({ source: 'x', title: 'X', field: 'f' }, () => {
        throw bug;
      }),
    ).toThrow(bug);
  });
});

describe("Stripe's wire amounts", () => {
  it("follow Stripe's zero-decimal and three-decimal lists", () => {
    expect(stripeMoney('invoice total', 1999, 'usd')).toEqual({
      amount: '19.99',
      currencyCode: 'USD',
      minorUnits: 1999,
    });
    expect(stripeMoney('invoice total', 500, 'jpy')).toEqual({
      amount: '500',
      currencyCode: 'JPY',
      minorUnits: 500,
    });
    expect(stripeMoney('invoice total', 1500, 'kwd')).toEqual({
      amount: '1.500',
      currencyCode: 'KWD',
      minorUnits: 1500,
    });
    expect(stripeMoney('customer balance', -2500, 'eur')).toEqual({
      amount: '-25.00',
      currencyCode: 'EUR',
      minorUnits: -2500,
    });
    // MGA is zero-decimal at Stripe (ISO 4217 gives it 2): 500 mga is Ar 500, 50000 of ISO's minor units.
    expect(stripeMoney('price unit_amount', 500, 'mga')).toEqual({
      amount: '500.00',
      currencyCode: 'MGA',
      minorUnits: 50000,
    });
    // ISK is two-decimal in Stripe's API (amounts end in 00) but has no minor unit in ISO 4217.
    expect(stripeMoney('price unit_amount', 10000, 'isk')).toEqual({
      amount: '100',
      currencyCode: 'ISK',
      minorUnits: 100,
    });
    expect([
      stripeExponent('huf'),
      stripeExponent('twd'),
      stripeExponent('ugx'),
      stripeExponent('omr'),
    ]).toEqual([2, 2, 0, 3]);
  });

  it('refuse an amount Stripe could not have meant, as UPSTREAM_BAD_RESPONSE', () => {
    const error = refusal(() => stripeMoney('invoice total', 12.5, 'usd'));
    expect(error.message).toBe(
      `Stripe's invoice total is not an amount of money: 12.5 is not a whole number of minor units that JSON can carry exactly.`,
    );
    expect(error.extensions['code']).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.extensions['source']).toBe('stripe');
  });
});

describe("Shopify's MoneyV2", () => {
  it('converts exactly and refuses malformed amounts', () => {
    expect(shopifyMoney('order total', { amount: '133.0', currencyCode: 'USD' })).toEqual({
      amount: '133.00',
      currencyCode: 'USD',
      minorUnits: 13300,
    });
    const error = refusal(() => shopifyMoney('order total', { amount: '133,00', currencyCode: 'EUR' }));
    expect(error.message).toBe(
      `Shopify's order total is not an amount of money: "133,00" is not a decimal amount.`,
    );
    expect(error.extensions['source']).toBe('shopify');
  });
});
