// Goal: the charts' figures are the ledger's month-end balances turned into
// monthly changes exactly (BigInt), over the right months (the current one up
// to today, across a year boundary, February's last day).
import { test } from "node:test";
import assert from "node:assert/strict";
import { currenciesOf, monthlyChanges, monthsEnding, rankChanges } from "../src/shared/series.js";

test("the twelve months ending today, and the baseline before them", () => {
  const { months, baseline } = monthsEnding("2026-03-15", 12);
  assert.equal(months.length, 12);
  assert.deepEqual(months[0], { key: "2025-04", label: "Apr 2025", end: "2025-04-30" });
  assert.deepEqual(months[10], { key: "2026-02", label: "Feb 2026", end: "2026-02-28" });
  assert.deepEqual(months[11], { key: "2026-03", label: "Mar 2026", end: "2026-03-15" });
  assert.equal(baseline, "2025-03-31");
  assert.equal(monthsEnding("2024-03-01", 2).months[0]!.end, "2024-02-29", "a leap year");
  assert.equal(monthsEnding("2026-01-10", 1).baseline, "2025-12-31");
  assert.throws(() => monthsEnding("15/03/2026", 12), RangeError);
});

test("monthly changes of a cumulative figure, exact beyond 2^53", () => {
  const big = 9007199254740993n;
  const at = (gbp: bigint) => new Map([["GBP", gbp]]);
  assert.deepEqual(monthlyChanges(at(100n), [at(150n), at(150n), at(big)], "GBP"), [50n, 0n, big - 150n]);
  assert.deepEqual(monthlyChanges(new Map(), [new Map(), at(7n)], "GBP"), [0n, 7n], "a currency that starts later");
  assert.deepEqual(currenciesOf([at(1n), new Map([["KZT", 1n], ["GBP", 2n]])]), ["GBP", "KZT"]);
});

test("ranking the year's contributions by branch", () => {
  const before = new Map([["a", 100n], ["b", 5n]]);
  const after = new Map([
    ["a", { name: "A", amount: 300n }],
    ["b", { name: "B", amount: 5n }],
    ["c", { name: "C", amount: 200n }],
    ["d", { name: "D", amount: 200n }],
  ]);
  assert.deepEqual(rankChanges(before, after), [
    { id: "a", name: "A", amount: 200n },
    { id: "c", name: "C", amount: 200n },
    { id: "d", name: "D", amount: 200n },
  ]);
});
