// Money formatting for the dashboard: int64 minor units (bigint in
// protobuf-es v2) plus an ISO 4217 code -> "£58,478.00" for people
// (formatCurrency) or "58478.00 GBP" exactly as the ledger writes it
// (formatMoney).
//
// BigInt arithmetic only. A JavaScript number cannot hold every int64 (it is
// exact only up to 2^53), so an amount is never converted to a number here.

/**
 * ISO 4217 minor-unit exponents that are not 2. Mirrors the table in
 * ledger/money.cc (ISO 4217 list one, 2024); every other code uses 2, as the
 * server does for codes it does not know.
 */
const NON_DEFAULT_EXPONENTS: ReadonlyMap<string, number> = new Map([
  // exponent 0
  ["BIF", 0], ["CLP", 0], ["DJF", 0], ["GNF", 0], ["ISK", 0], ["JPY", 0],
  ["KMF", 0], ["KRW", 0], ["PYG", 0], ["RWF", 0], ["UGX", 0], ["VND", 0],
  ["VUV", 0], ["XAF", 0], ["XOF", 0], ["XPF", 0],
  // exponent 3
  ["BHD", 3], ["IQD", 3], ["JOD", 3], ["KWD", 3], ["LYD", 3], ["OMR", 3],
  ["TND", 3],
]);

/** The default exponent for currencies not listed above (GBP, EUR, USD, KZT ...). */
export const DEFAULT_EXPONENT = 2;

/** The number of decimal places of `currency`'s minor unit (ISO 4217). */
export function currencyExponent(currency: string): number {
  return NON_DEFAULT_EXPONENTS.get(currency.toUpperCase()) ?? DEFAULT_EXPONENT;
}

/**
 * The amount as a plain decimal string in major units, without the code:
 * 1250n GBP -> "12.50", -5n GBP -> "-0.05", 1234n BHD -> "1.234",
 * 1250n JPY -> "1250".
 */
export function formatMinorUnits(amountMinor: bigint, currency: string): string {
  if (typeof amountMinor !== "bigint") {
    throw new TypeError(`amount must be a bigint, got ${typeof amountMinor}`);
  }
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0n;
  const magnitude = negative ? -amountMinor : amountMinor;
  const sign = negative ? "-" : "";
  if (exponent === 0) {
    return sign + magnitude.toString();
  }
  const unit = 10n ** BigInt(exponent);
  const whole = magnitude / unit;
  const fraction = (magnitude % unit).toString().padStart(exponent, "0");
  return `${sign}${whole.toString()}.${fraction}`;
}

/** "12.50 GBP": the amount in major units and the ISO 4217 code. */
export function formatMoney(amountMinor: bigint, currency: string): string {
  return `${formatMinorUnits(amountMinor, currency)} ${currency}`;
}

/** The locale amounts are shown in: the campaign's own, so every visitor reads the same figures. */
export const DEFAULT_LOCALE = "en-GB";

const wholeFormats = new Map<string, Intl.NumberFormat>();

function wholeFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = wholeFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      currencyDisplay: "symbol",
      minimumFractionDigits: 0,
      maximumFractionDigits: 0,
    });
    wholeFormats.set(key, f);
  }
  return f;
}

function decimalSeparator(locale: string): string {
  const part = new Intl.NumberFormat(locale, { minimumFractionDigits: 1 })
    .formatToParts(1.5)
    .find((p) => p.type === "decimal");
  return part?.value ?? ".";
}

/**
 * The amount as people read it, in `locale` (default en-GB): the currency's
 * symbol where the locale has one (£, €, US$, JP¥) or its code and a no-break space ("KZT\u00a01,000.00"),
 * thousands separators, and exactly the ISO 4217 number of decimals:
 * 5847800n GBP -> "£58,478.00", -5n GBP -> "-£0.05", 1250n JPY -> "JP¥1,250".
 *
 * Exact for every int64: Intl formats only the whole units, as a BigInt (never
 * a float), and the fraction digits are the minor units' own.
 */
export function formatCurrency(amountMinor: bigint, currency: string, locale: string = DEFAULT_LOCALE): string {
  if (typeof amountMinor !== "bigint") {
    throw new TypeError(`amount must be a bigint, got ${typeof amountMinor}`);
  }
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  const negative = amountMinor < 0n;
  const magnitude = negative ? -amountMinor : amountMinor;
  const unit = 10n ** BigInt(exponent);
  const whole = magnitude / unit;
  let format: Intl.NumberFormat;
  try {
    format = wholeFormat(code, locale);
  } catch {
    // Not a well-formed ISO 4217 code: the ledger's own form.
    return formatMoney(amountMinor, currency);
  }
  // -0 does not exist in BigInt: a negative amount under one unit is formatted
  // as -1 and its integer digits replaced, so the sign sits where the locale puts it.
  const parts = format.formatToParts(negative ? (whole === 0n ? -1n : -whole) : whole);
  const fraction = exponent > 0 ? (magnitude % unit).toString().padStart(exponent, "0") : "";
  let out = "";
  let lastInteger = -1;
  parts.forEach((p, i) => {
    if (p.type === "integer") lastInteger = i;
  });
  parts.forEach((p, i) => {
    if (p.type === "integer" && whole === 0n) out += "0";
    else out += p.value;
    if (i === lastInteger && fraction) out += decimalSeparator(locale) + fraction;
  });
  return out;
}

/**
 * part / whole in thousandths, clamped to 0..1000, for drawing bars. Computed
 * in BigInt so that amounts beyond 2^53 keep their proportions; only the small
 * result becomes a number.
 */
export function permille(part: bigint, whole: bigint): number {
  if (whole <= 0n || part <= 0n) return 0;
  if (part >= whole) return 1000;
  return Number((part * 1000n) / whole);
}

/** Lowercase hex of some bytes (hashes). */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
