import { ErrorCode, GatewayError } from './errors.ts';

/**
 * The gateway's one shape of money (GraphQL `Money`): an exact decimal
 * `amount`, an upper-case ISO 4217 `currencyCode`, and `minorUnits`, the
 * amount counted in the currency's minor unit. Nothing here uses floating
 * point: amounts are digit strings and BigInts throughout.
 */
export interface Money {
  /**
   * Exact decimal, `-` for negatives, `.` as separator, no exponent, no
   * grouping. Written with the currency's number of decimals (`12.50` USD,
   * `500` JPY, `1.500` KWD); a source that gives more decimals keeps them
   * (never rounded).
   */
  amount: string;
  /** Three-letter ISO 4217 code, upper case. */
  currencyCode: string;
  /**
   * The amount in minor units (`1250` for USD 12.50; `500` for JPY 500, which
   * has no minor unit, so it equals the amount; `1500` for KWD 1.500, which
   * has 1000 fils to the dinar). Null when the amount is not a whole number of
   * minor units, or does not fit GraphQL's 32-bit `Int`.
   */
  minorUnits: number | null;
}

/** A provider sent something that is not an amount of money; the reason says why. */
export class MoneyFormatError extends Error {}

/** ISO 4217 currencies with no minor unit. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
/** ISO 4217 currencies with 1000 minor units. */
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
/** ISO 4217 currencies with 10000 minor units. */
const FOUR_DECIMAL = new Set(['CLF', 'UYW']);

const INT_MAX = 2n ** 31n - 1n;
const INT_MIN = -(2n ** 31n);
const CURRENCY = /^[A-Za-z]{3}$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Decimals of a currency's minor unit per ISO 4217: 0 (JPY), 3 (KWD), 4 (CLF),
 * else 2 (every other code, unknown ones included).
 */
export function currencyExponent(currencyCode: string): number {
  const code = currencyCode.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  if (FOUR_DECIMAL.has(code)) return 4;
  return 2;
}

function currencyOf(currency: unknown): string {
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
    throw new MoneyFormatError(`${JSON.stringify(currency)} is not a three-letter ISO 4217 currency code`);
  }
  return currency.toUpperCase();
}

/** Builds Money from a sign, integer digits and fraction digits (already validated). */
function build(negative: boolean, whole: string, fraction: string, currencyCode: string): Money {
  const exponent = currencyExponent(currencyCode);
  const padded = fraction.length >= exponent ? fraction : fraction.padEnd(exponent, '0');
  // Decimals beyond the currency's are kept only when they are not zero.
  let digits = padded;
  while (digits.length > exponent && digits.endsWith('0')) digits = digits.slice(0, -1);
  const integer = whole.replace(/^0+(?=\d)/, '');
  const zero = /^0*$/.test(integer + digits);
  const sign = negative && !zero ? '-' : '';
  const amount = `${sign}${integer}${digits === '' ? '' : `.${digits}`}`;
  let minorUnits: number | null = null;
  if (digits.length === exponent) {
    const minor = BigInt(`${sign}${integer}${digits}`);
    if (minor >= INT_MIN && minor <= INT_MAX) minorUnits = Number(minor);
  }
  return { amount, currencyCode, minorUnits };
}

/**
 * Money from an integer count of minor units, the way payment APIs send it.
 * `exponent` is how many decimals the provider's unit has for this currency
 * (a provider may differ from ISO 4217: say so at the call site); default the
 * ISO 4217 one. Throws MoneyFormatError for a non-integer or an unsafe integer
 * (one JSON cannot have carried exactly) and a malformed currency.
 */
export function moneyFromMinorUnits(minor: number | bigint, currency: string, exponent?: number): Money {
  const currencyCode = currencyOf(currency);
  const decimals = exponent ?? currencyExponent(currencyCode);
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new MoneyFormatError(
      `${String(minor)} is not a whole number of minor units that JSON can carry exactly`,
    );
  }
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const cut = digits.length - decimals;
  return build(negative, digits.slice(0, cut), digits.slice(cut), currencyCode);
}

/**
 * Money from a decimal string (`"12.50"`, `"-3"`, `"25.0"`), the way commerce
 * and CRM APIs send it. Throws MoneyFormatError for anything else: exponents
 * (`1e3`), grouping (`1,000`), spaces, `NaN`, empty strings, non-strings.
 */
export function moneyFromDecimal(amount: unknown, currency: string): Money {
  const currencyCode = currencyOf(currency);
  const match = typeof amount === 'string' ? DECIMAL.exec(amount) : null;
  if (match === null) throw new MoneyFormatError(`${JSON.stringify(amount)} is not a decimal amount`);
  return build(match[1] === '-', match[2] ?? '0', match[3] ?? '', currencyCode);
}

/**
 * Runs a conversion of a provider's money field; a MoneyFormatError becomes
 * UPSTREAM_BAD_RESPONSE for that field (the message names the field and the
 * reason; production shows it without the provider's value), never a crash.
 */
export function upstreamMoney(
  origin: { source: string; title: string; field: string },
  convert: () => Money,
): Money {
  try {
    return convert();
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    const message = `${origin.title}'s ${origin.field} is not an amount of money`;
    throw new GatewayError(ErrorCode.UPSTREAM_BAD_RESPONSE, `${message}: ${error.message}.`, {
      source: origin.source,
      details: { field: origin.field },
      publicMessage: `${message}.`,
      cause: error,
    });
  }
}
