// Goal: the funds and branches tables stay usable at 200 rows: a search
// finds by any word of a name (any case, accents folded), closed funds are
// set apart, sorting by an amount compares BigInts in one currency (never
// adding currencies), rows without it come last, and ties keep name order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Status } from "../gen/solidarity/ledger/v1/projections_pb.js";
import type { BeneficiaryView, BranchView } from "../gen/solidarity/ledger/v1/ledger_pb.js";
import { listBranches, listFunds, mainCurrency, matches } from "../src/shared/listing.js";

function fund(id: string, name: string, balances: [string, bigint][], extra: Record<string, unknown> = {}): BeneficiaryView {
  return {
    beneficiary: { beneficiaryId: id, displayName: name, status: Status.OPEN, sensitive: false, purpose: "", ...extra },
    balances: balances.map(([currency, available]) => ({
      currency,
      receivedMinor: available,
      allocatedInMinor: 0n,
      disbursedMinor: 0n,
      committedMinor: 0n,
      availableMinor: available,
    })),
  } as never;
}

function branch(id: string, union: string, name: string, totals: [string, bigint, bigint][], region = ""): BranchView {
  return {
    branch: {
      branchId: id,
      unionName: union,
      branchName: name,
      region,
      totals: totals.map(([currency, feesPaidMinor, donationsMinor]) => ({ currency, feesPaidMinor, donationsMinor })),
    },
  } as never;
}

const names = (l: BeneficiaryView[]) => l.map((v) => v.beneficiary!.displayName);

test("search: every word, any order, any case, accents folded", () => {
  assert.ok(matches("", ["x"]));
  assert.ok(matches("legal selin", ["Legal aid for Selin"]));
  assert.ok(matches("SELIN legal", ["Legal aid for Selin"]));
  assert.ok(matches("sehir", ["Şehir Hastanesi"]));
  assert.ok(!matches("legal deniz", ["Legal aid for Selin"]));
  assert.ok(matches("yorkshire", ["UNISON", undefined, "Yorkshire"]));
});

test("funds: name order, closed set apart, search by name and open purpose only", () => {
  const views = [
    fund("b", "Bail fund", [["GBP", 500n]]),
    fund("a", "appeal costs", [["GBP", 100n]]),
    fund("z", "Zeynep", [], { status: Status.CLOSED }),
    fund("fund@4", "Friend K.", [["GBP", 9n]], { sensitive: true, purpose: "" }),
    fund("m", "Medical", [["GBP", 7n]], { purpose: "Hospital bills" }),
  ];
  const all = listFunds(views, "", { key: "name", direction: "ascending" });
  assert.deepEqual(names(all.open), ["appeal costs", "Bail fund", "Friend K.", "Medical"]);
  assert.deepEqual(names(all.closed), ["Zeynep"]);
  assert.equal(all.total, 5);
  assert.deepEqual(names(listFunds(views, "hospital", { key: "name", direction: "ascending" }).open), ["Medical"]);
  assert.deepEqual(names(listFunds(views, "", { key: "name", direction: "descending" }).open), ["Medical", "Friend K.", "Bail fund", "appeal costs"]);
});

test("funds by amount: BigInt order in the main currency, others last", () => {
  const big = 9007199254740993n; // 2^53 + 1: a double would tie it with 2^53
  const views = [
    fund("a", "A", [["GBP", big - 1n]]),
    fund("b", "B", [["GBP", big]]),
    fund("c", "C", [["KZT", 10n ** 15n]]),
    fund("d", "D", [["GBP", 5n], ["KZT", 1n]]),
    fund("e", "E", [["GBP", 5n]]),
  ];
  assert.equal(mainCurrency(views.map((v) => v.balances)), "GBP");
  const desc = listFunds(views, "", { key: "available", direction: "descending" });
  assert.equal(desc.currency, "GBP");
  assert.deepEqual(names(desc.open), ["B", "A", "D", "E", "C"]);
  const asc = listFunds(views, "", { key: "available", direction: "ascending" });
  assert.deepEqual(names(asc.open), ["D", "E", "A", "B", "C"], "ties by name; no GBP last either way");
});

test("branches: search, fee standing filter, sort by standing and by amount", () => {
  const views = [
    branch("leeds", "UNISON", "Leeds Health", [["GBP", 3000n, 0n]], "Yorkshire"),
    branch("bristol", "Unite", "Bristol Community", [["GBP", 0n, 10000n]]),
    branch("hull", "GMB", "Hull", []),
  ];
  const standing: Record<string, string> = { leeds: "paid", bristol: "arrears", hull: "due" };
  const of = (v: BranchView) => standing[v.branch!.branchId]!;
  const ids = (l: BranchView[]) => l.map((v) => v.branch!.branchId);
  assert.deepEqual(ids(listBranches(views, "", "", { key: "name", direction: "ascending" }, of).rows), ["hull", "leeds", "bristol"]);
  assert.deepEqual(ids(listBranches(views, "york", "", { key: "name", direction: "ascending" }, of).rows), ["leeds"]);
  assert.deepEqual(ids(listBranches(views, "", "arrears", { key: "name", direction: "ascending" }, of).rows), ["bristol"]);
  assert.deepEqual(ids(listBranches(views, "", "", { key: "status", direction: "ascending" }, of).rows), ["bristol", "hull", "leeds"]);
  const byGifts = listBranches(views, "", "", { key: "donations", direction: "descending" }, of);
  assert.equal(byGifts.currency, "GBP");
  assert.deepEqual(ids(byGifts.rows), ["bristol", "leeds", "hull"]);
});
