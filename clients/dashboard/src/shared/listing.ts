// Searching and sorting the page's long lists (200 funds, 200 branches):
// pure functions over the views, so that they are tested without a DOM.
//
// Amounts are compared as BigInt. Funds and branches can hold several
// currencies, which are never added up or converted: sorting by an amount
// orders by the amount in one currency (the one most rows hold, unless the
// caller names another), and rows without that currency come last.

import type { BeneficiaryView, BranchView } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { FundBalance } from "../../gen/solidarity/ledger/v1/projections_pb.js";
import { Status } from "../../gen/solidarity/ledger/v1/projections_pb.js";

export type SortDirection = "ascending" | "descending";

export type FundSortKey = "name" | "received" | "disbursed" | "committed" | "available";
export type BranchSortKey = "name" | "status" | "fees" | "donations";

export interface Sort<K extends string> {
  key: K;
  direction: SortDirection;
}

/** Lower-case, accents folded, spaces squeezed: what a search compares. */
export function searchText(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Whether every word of `query` occurs in one of `fields` (any order, any case). */
export function matches(query: string, fields: (string | undefined)[]): boolean {
  const words = searchText(query).split(" ").filter(Boolean);
  if (words.length === 0) return true;
  const hay = searchText(fields.filter(Boolean).join(" "));
  return words.every((w) => hay.includes(w));
}

/** The currency most of `balances` are in (ties: alphabetical); "" when none. */
export function mainCurrency(balances: { currency: string }[][]): string {
  const count = new Map<string, number>();
  for (const list of balances) for (const b of list) count.set(b.currency, (count.get(b.currency) ?? 0) + 1);
  let best = "";
  for (const [c, n] of [...count].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (best === "" || n > count.get(best)!) best = c;
  }
  return best;
}

const collator = new Intl.Collator("en-GB", { sensitivity: "base", numeric: true });

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders by `key` of two optional amounts; a missing one goes last, whichever the direction. */
function cmpAmounts(a: bigint | undefined, b: bigint | undefined, dir: number): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return dir * cmpBig(a, b);
}

export function fundName(view: BeneficiaryView): string {
  return view.beneficiary?.displayName || "(unnamed fund)";
}

export function fundClosed(view: BeneficiaryView): boolean {
  return view.beneficiary?.status === Status.CLOSED;
}

function fundAmount(b: FundBalance, key: Exclude<FundSortKey, "name">): bigint {
  switch (key) {
    case "received":
      return b.receivedMinor + b.allocatedInMinor;
    case "disbursed":
      return b.disbursedMinor;
    case "committed":
      return b.committedMinor;
    case "available":
      return b.availableMinor;
  }
}

export interface FundListing {
  /** Open funds that match, in order. */
  open: BeneficiaryView[];
  /** Closed funds that match, in order (shown only on request). */
  closed: BeneficiaryView[];
  /** How many funds there are in all. */
  total: number;
  /** The currency amounts are sorted by ("" when sorting by name). */
  currency: string;
}

/**
 * The funds that match `query` (display name; a non-sensitive fund's purpose
 * too), split into open and closed, sorted by `sort`. Ties keep the name order.
 */
export function listFunds(views: BeneficiaryView[], query: string, sort: Sort<FundSortKey>): FundListing {
  const dir = sort.direction === "ascending" ? 1 : -1;
  const currency = sort.key === "name" ? "" : mainCurrency(views.map((v) => v.balances));
  const hit = views.filter((v) => {
    const b = v.beneficiary;
    return matches(query, [fundName(v), b && !b.sensitive ? b.purpose : undefined]);
  });
  const byName = (a: BeneficiaryView, b: BeneficiaryView) => collator.compare(fundName(a), fundName(b));
  const cmp = (a: BeneficiaryView, b: BeneficiaryView): number => {
    if (sort.key === "name") return dir * byName(a, b);
    const key = sort.key;
    const amount = (v: BeneficiaryView) => {
      const bal = v.balances.find((x) => x.currency === currency);
      return bal ? fundAmount(bal, key) : undefined;
    };
    return cmpAmounts(amount(a), amount(b), dir) || byName(a, b);
  };
  const sorted = [...hit].sort(cmp);
  return {
    open: sorted.filter((v) => !fundClosed(v)),
    closed: sorted.filter(fundClosed),
    total: views.length,
    currency,
  };
}

export function branchName(view: BranchView): string {
  const b = view.branch;
  return [b?.unionName, b?.branchName].filter(Boolean).join(" ") || b?.branchId || "";
}

/** Fee standing order for sorting: in arrears first, then due, paid up, disaffiliated. */
const STANDING_ORDER: Record<string, number> = { arrears: 0, due: 1, paid: 2, disaffiliated: 3 };

export interface BranchListing {
  rows: BranchView[];
  total: number;
  currency: string;
}

/**
 * The branches that match `query` (union, branch name, region) and `standing`
 * ("" for all), sorted by `sort`. `standingOf` gives a branch's fee standing
 * (describe.ts feeStatus), so that the filter and the page agree.
 */
export function listBranches(
  views: BranchView[],
  query: string,
  standing: string,
  sort: Sort<BranchSortKey>,
  standingOf: (v: BranchView) => string,
): BranchListing {
  const dir = sort.direction === "ascending" ? 1 : -1;
  const currency =
    sort.key === "fees" || sort.key === "donations" ? mainCurrency(views.map((v) => v.branch?.totals ?? [])) : "";
  const hit = views.filter(
    (v) =>
      (standing === "" || standingOf(v) === standing) &&
      matches(query, [v.branch?.unionName, v.branch?.branchName, v.branch?.region, v.branch?.branchId]),
  );
  const byName = (a: BranchView, b: BranchView) => collator.compare(branchName(a), branchName(b));
  const amount = (v: BranchView) => {
    const t = v.branch?.totals.find((x) => x.currency === currency);
    if (!t) return undefined;
    return sort.key === "fees" ? t.feesPaidMinor : t.donationsMinor;
  };
  const cmp = (a: BranchView, b: BranchView): number => {
    switch (sort.key) {
      case "name":
        return dir * byName(a, b);
      case "status":
        return dir * ((STANDING_ORDER[standingOf(a)] ?? 9) - (STANDING_ORDER[standingOf(b)] ?? 9)) || byName(a, b);
      case "fees":
      case "donations":
        return cmpAmounts(amount(a), amount(b), dir) || byName(a, b);
    }
  };
  return { rows: [...hit].sort(cmp), total: views.length, currency };
}
