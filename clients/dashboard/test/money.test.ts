import { test } from "node:test";
import assert from "node:assert/strict";
import {
  currencyExponent,
  formatCurrency,
  formatMinorUnits,
  formatMoney,
  permille,
  toHex,
} from "../src/shared/money.js";

test("exponents follow ISO 4217", () => {
  for (const c of ["GBP", "EUR", "USD", "KZT"]) assert.equal(currencyExponent(c), 2, c);
  for (const c of ["JPY", "KRW", "CLP", "ISK"]) assert.equal(currencyExponent(c), 0, c);
  for (const c of ["BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD"]) {
    assert.equal(currencyExponent(c), 3, c);
  }
  assert.equal(currencyExponent("XYZ"), 2, "unknown codes default to 2");
  assert.equal(currencyExponent("jpy"), 0, "lookup ignores case");
});

test("exponent 2: the examples from the issue", () => {
  assert.equal(formatMoney(1250n, "GBP"), "12.50 GBP");
  assert.equal(formatMoney(-5n, "GBP"), "-0.05 GBP");
  assert.equal(formatMoney(0n, "GBP"), "0.00 GBP");
  assert.equal(formatMoney(1n, "EUR"), "0.01 EUR");
  assert.equal(formatMoney(10n, "USD"), "0.10 USD");
  assert.equal(formatMoney(100n, "KZT"), "1.00 KZT");
  assert.equal(formatMoney(-1250n, "GBP"), "-12.50 GBP");
  assert.equal(formatMoney(-100n, "GBP"), "-1.00 GBP");
});

test("exponent 0: no decimal point", () => {
  assert.equal(formatMoney(1250n, "JPY"), "1250 JPY");
  assert.equal(formatMoney(0n, "JPY"), "0 JPY");
  assert.equal(formatMoney(-7n, "JPY"), "-7 JPY");
  assert.equal(formatMoney(9007199254740993n, "JPY"), "9007199254740993 JPY");
});

test("exponent 3", () => {
  assert.equal(formatMoney(1234n, "BHD"), "1.234 BHD");
  assert.equal(formatMoney(5n, "KWD"), "0.005 KWD");
  assert.equal(formatMoney(-1000n, "OMR"), "-1.000 OMR");
  assert.equal(formatMoney(-1n, "TND"), "-0.001 TND");
  assert.equal(formatMoney(1250n, "JOD"), "1.250 JOD");
});

test("values beyond 2^53 keep every digit", () => {
  // 2^53 + 1 is the first integer a double cannot hold.
  assert.equal(formatMoney(9007199254740993n, "GBP"), "90071992547409.93 GBP");
  assert.equal(formatMoney(-9007199254740993n, "GBP"), "-90071992547409.93 GBP");
  assert.equal(formatMoney(9007199254740993n, "BHD"), "9007199254740.993 BHD");
  // int64 limits.
  assert.equal(formatMoney(9223372036854775807n, "GBP"), "92233720368547758.07 GBP");
  assert.equal(formatMoney(-9223372036854775808n, "GBP"), "-92233720368547758.08 GBP");
  assert.equal(formatMoney(-9223372036854775808n, "JPY"), "-9223372036854775808 JPY");
  assert.equal(formatMoney(9223372036854775807n, "KWD"), "9223372036854775.807 KWD");
});

test("formatMinorUnits has no currency code and refuses numbers", () => {
  assert.equal(formatMinorUnits(1250n, "GBP"), "12.50");
  assert.throws(() => formatMinorUnits(1250 as unknown as bigint, "GBP"), TypeError);
});

test("permille is computed in BigInt and clamped", () => {
  assert.equal(permille(0n, 100n), 0);
  assert.equal(permille(50n, 100n), 500);
  assert.equal(permille(1n, 3n), 333);
  assert.equal(permille(200n, 100n), 1000);
  assert.equal(permille(5n, 0n), 0);
  assert.equal(permille(-5n, 100n), 0);
  assert.equal(permille(9007199254740993n, 9007199254740993n * 2n), 500);
});

test("toHex", () => {
  assert.equal(toHex(new Uint8Array([0, 1, 0xab, 0xff])), "0001abff");
  assert.equal(toHex(new Uint8Array()), "");
});

test("formatCurrency: symbols, thousands separators and the ISO 4217 decimals", () => {
  assert.equal(formatCurrency(5847800n, "GBP"), "£58,478.00");
  assert.equal(formatCurrency(1250n, "GBP"), "£12.50");
  assert.equal(formatCurrency(0n, "GBP"), "£0.00");
  assert.equal(formatCurrency(1n, "EUR"), "€0.01");
  assert.equal(formatCurrency(123456789n, "USD"), "US$1,234,567.89");
  assert.equal(formatCurrency(100000n, "KZT"), "KZT\u00a01,000.00");
  assert.equal(formatCurrency(1250n, "JPY"), "JP¥1,250");
  assert.equal(formatCurrency(0n, "JPY"), "JP¥0");
  assert.equal(formatCurrency(12345n, "KWD"), "KWD\u00a012.345");
  assert.equal(formatCurrency(1250n, "gbp"), "£12.50", "the code in any case");
});

test("formatCurrency: negative amounts, under one unit too", () => {
  assert.equal(formatCurrency(-5n, "GBP"), "-£0.05");
  assert.equal(formatCurrency(-99n, "GBP"), "-£0.99");
  assert.equal(formatCurrency(-100n, "GBP"), "-£1.00");
  assert.equal(formatCurrency(-123456n, "GBP"), "-£1,234.56");
  assert.equal(formatCurrency(-7n, "JPY"), "-JP¥7");
  assert.equal(formatCurrency(-1n, "KWD"), "-KWD\u00a00.001");
  assert.equal(formatCurrency(-100000n, "KZT"), "-KZT\u00a01,000.00");
});

test("formatCurrency is exact beyond 2^53 and at the int64 limits", () => {
  assert.equal(formatCurrency(9007199254740993n, "GBP"), "£90,071,992,547,409.93");
  assert.equal(formatCurrency(9007199254740993n, "JPY"), "JP¥9,007,199,254,740,993");
  assert.equal(formatCurrency(9223372036854775807n, "GBP"), "£92,233,720,368,547,758.07");
  assert.equal(formatCurrency(-9223372036854775808n, "GBP"), "-£92,233,720,368,547,758.08");
  assert.equal(formatCurrency(-9223372036854775808n, "JPY"), "-JP¥9,223,372,036,854,775,808");
  assert.equal(formatCurrency(9223372036854775807n, "KWD"), "KWD\u00a09,223,372,036,854,775.807");
});

test("formatCurrency in another locale, and with a code Intl refuses", () => {
  assert.equal(formatCurrency(5847800n, "EUR", "de-DE"), "58.478,00\u00a0€");
  assert.equal(formatCurrency(-5n, "EUR", "de-DE"), "-0,05\u00a0€");
  assert.equal(formatCurrency(1250n, "G1"), "12.50 G1", "not ISO 4217: the ledger's own form");
  assert.throws(() => formatCurrency(1250 as unknown as bigint, "GBP"), TypeError);
});
