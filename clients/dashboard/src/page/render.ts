// Builds the page's tables and chart from ledger data. DOM nodes are created
// with textContent only (never innerHTML), so names from the ledger cannot
// inject markup.

import type {
  BeneficiaryView,
  BranchView,
  GetSummaryResponse,
  Head,
} from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import type { FundBalance } from "../../gen/solidarity/ledger/v1/projections_pb.js";
import { Status } from "../../gen/solidarity/ledger/v1/projections_pb.js";
import { formatCurrency, permille, toHex } from "../shared/money.js";
import { describeEvent, feeStatus, feeText, type EventLookup, type EventRow, type Names } from "../shared/describe.js";
import {
  branchName,
  fundClosed,
  fundName,
  listBranches,
  listFunds,
  type BranchSortKey,
  type FundSortKey,
  type Sort,
} from "../shared/listing.js";

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node as T;
}

function tbody(tableId: string): HTMLTableSectionElement {
  return byId<HTMLTableElement>(tableId).tBodies[0]!;
}

function fillBody(tableId: string, rows: HTMLTableRowElement[], emptyText: string, columns: number) {
  const body = tbody(tableId);
  if (rows.length === 0) {
    body.replaceChildren(el("tr", { class: "placeholder" }, el("td", { colspan: String(columns) }, emptyText)));
  } else {
    body.replaceChildren(...rows);
  }
  keepTableRoles(byId<HTMLTableElement>(tableId));
}

/**
 * A table laid out as cards on a phone (class "stack": its rows are CSS
 * grids) still reads as a table: browsers may drop the table semantics of
 * elements whose display changes, so the roles are given explicitly.
 */
function keepTableRoles(table: HTMLTableElement): void {
  if (!table.classList.contains("stack")) return;
  table.setAttribute("role", "table");
  for (const g of table.querySelectorAll("thead, tbody")) g.setAttribute("role", "rowgroup");
  for (const tr of table.querySelectorAll("tr")) tr.setAttribute("role", "row");
  for (const th of table.querySelectorAll("th")) {
    th.setAttribute("role", th.getAttribute("scope") === "col" ? "columnheader" : "rowheader");
  }
  for (const td of table.querySelectorAll("td")) td.setAttribute("role", "cell");
}

/** Column labels, repeated in each cell for the stacked layout of a phone screen. */
const COLUMN_LABEL: Record<string, string> = {
  raised: "Raised",
  disbursed: "Disbursed",
  committed: "Committed",
  held: "Held",
  received: "Received",
  allocated: "Allocated",
  available: "Available",
  status: "Fee status",
  fees: "Fees paid",
  donations: "Donations",
};

function moneyCell(amount: bigint, currency: string, col: string): HTMLTableCellElement {
  const cls = amount < 0n ? "num negative" : "num";
  return el("td", { class: cls, "data-col": col, "data-label": COLUMN_LABEL[col] ?? col }, formatCurrency(amount, currency));
}

const DATE = /\d{4}-\d{2}-\d{2}/g;

/** `text` with every YYYY-MM-DD in a <time> that never wraps at its hyphens. */
export function withDates(text: string): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(DATE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(document.createTextNode(text.slice(last, at)));
    out.push(el("time", { datetime: m[0], class: "nowrap" }, m[0]));
    last = at + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

function stackedMoney(rows: { amount: bigint; currency: string }[]): HTMLElement | string {
  if (rows.length === 0) return "—";
  const list = el("ul", { class: "amount-list" });
  for (const r of rows) list.append(el("li", {}, formatCurrency(r.amount, r.currency)));
  return list;
}

// ------------------------------------------------------------------ totals

/**
 * Money committed to disbursement requests not yet paid, rejected or
 * cancelled, per currency, over every fund (two to sign). It is still held:
 * part of Held, not of Disbursed.
 */
export function committedByCurrency(summary: GetSummaryResponse | undefined, views: BeneficiaryView[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (b: FundBalance) => out.set(b.currency, (out.get(b.currency) ?? 0n) + b.committedMinor);
  for (const b of summary?.generalFund ?? []) add(b);
  for (const v of views) for (const b of v.balances) add(b);
  return out;
}

export function renderTotals(summary: GetSummaryResponse | undefined, views: BeneficiaryView[] = []): void {
  const currencies = summary?.totals?.currencies ?? [];
  const committed = committedByCurrency(summary, views);
  const rows = currencies.map((c) =>
    el(
      "tr",
      { "data-currency": c.currency },
      el("th", { scope: "row" }, c.currency),
      moneyCell(c.raisedMinor, c.currency, "raised"),
      moneyCell(c.disbursedMinor, c.currency, "disbursed"),
      moneyCell(committed.get(c.currency) ?? 0n, c.currency, "committed"),
      moneyCell(c.heldMinor, c.currency, "held"),
    ),
  );
  fillBody("totals-table", rows, "No money recorded yet.", 5);

  const general = (summary?.generalFund ?? []).map((f) =>
    el(
      "tr",
      { "data-currency": f.currency },
      el("th", { scope: "row" }, f.currency),
      moneyCell(f.receivedMinor, f.currency, "received"),
      moneyCell(f.allocatedOutMinor, f.currency, "allocated"),
      moneyCell(f.availableMinor, f.currency, "available"),
    ),
  );
  fillBody("general-table", general, "Nothing in the general fund yet.", 4);

  const t = summary?.totals;
  byId("counts").textContent = t
    ? `${t.eventCount} events recorded` +
      (t.reversalCount > 0n ? `, of which ${t.reversalCount} reversals` : "") +
      "."
    : "";
  if (summary?.ledgerName) {
    byId("ledger-name").textContent = summary.ledgerName;
    document.title = `${summary.ledgerName} — Solidarity Ledger`;
  }
}

// ------------------------------------------------------------------ funds

function fundReceived(b: FundBalance): bigint {
  return b.receivedMinor + b.allocatedInMinor;
}

function fundNameCell(view: BeneficiaryView, rowspan: number): HTMLTableCellElement {
  const b = view.beneficiary;
  const name = fundName(view);
  const cell = el("th", { scope: "row", class: "fund-name" }, el("span", { class: "name" }, name));
  if (rowspan > 1) cell.rowSpan = rowspan;
  if (b?.status === Status.CLOSED) cell.append(" ", el("span", { class: "tag tag-muted" }, "closed"));
  // Sensitive beneficiaries: display name only, never the purpose.
  if (b && !b.sensitive && b.purpose) cell.append(el("span", { class: "detail" }, b.purpose));
  return cell;
}

let fundViews: BeneficiaryView[] = [];
let fundSort: Sort<FundSortKey> = { key: "name", direction: "ascending" };

function fundRows(view: BeneficiaryView, hidden: boolean): HTMLTableRowElement[] {
  const id = view.beneficiary?.beneficiaryId ?? "";
  const attrs = (extra: Record<string, string>): Record<string, string> => {
    const a: Record<string, string> = { "data-fund": id, ...extra };
    if (fundClosed(view)) a.class = "closed";
    return a;
  };
  const balances = view.balances;
  const rows: HTMLTableRowElement[] = [];
  if (balances.length === 0) {
    rows.push(el("tr", attrs({}), fundNameCell(view, 1), el("td", { colspan: "4", class: "muted" }, "No money yet")));
  }
  balances.forEach((bal, i) => {
    const tr = el("tr", attrs({ "data-currency": bal.currency }));
    if (i === 0) tr.append(fundNameCell(view, balances.length));
    tr.append(
      moneyCell(fundReceived(bal), bal.currency, "received"),
      moneyCell(bal.disbursedMinor, bal.currency, "disbursed"),
      moneyCell(bal.committedMinor, bal.currency, "committed"),
      moneyCell(bal.availableMinor, bal.currency, "available"),
    );
    rows.push(tr);
  });
  for (const r of rows) r.hidden = hidden;
  return rows;
}

export function renderFunds(views: BeneficiaryView[]): void {
  fundViews = views;
  drawFunds();
}

function drawFunds(): void {
  const query = byId<HTMLInputElement>("funds-search").value;
  const showClosed = byId<HTMLInputElement>("funds-show-closed").checked;
  const list = listFunds(fundViews, query, fundSort);
  const rows: HTMLTableRowElement[] = [];
  for (const v of list.open) rows.push(...fundRows(v, false));
  // Closed funds stay in the table, collapsed until asked for.
  for (const v of list.closed) rows.push(...fundRows(v, !showClosed));
  const empty = fundViews.length === 0 ? "No beneficiary funds yet." : "No fund matches the search.";
  fillBody("funds-table", rows, empty, 5);
  const closedCount = fundViews.filter(fundClosed).length;
  byId("funds-closed-label").textContent = `Show closed funds (${closedCount})`;
  const shown = list.open.length + (showClosed ? list.closed.length : 0);
  byId("funds-count").textContent =
    `Showing ${shown} of ${list.total} funds` +
    (!showClosed && list.closed.length > 0 ? `; ${list.closed.length} closed hidden` : "") +
    (list.currency ? `; sorted by the amount in ${list.currency}` : "") +
    ".";
  markSort("funds-table", fundSort);
  const charted = showClosed ? [...list.open, ...list.closed] : list.open;
  // A bar per fund is readable for a dozen; the table holds every fund.
  renderFundsChart(charted.slice(0, FUNDS_CHARTED), charted.length);
}

function markSort<K extends string>(tableId: string, sort: Sort<K>): void {
  for (const th of byId<HTMLTableElement>(tableId).querySelectorAll<HTMLElement>("thead th[data-sort]")) {
    if (th.dataset.sort === sort.key) th.setAttribute("aria-sort", sort.direction);
    else th.removeAttribute("aria-sort");
  }
}

/** Clicking a sortable header sorts by it; clicking it again turns the order round. */
function wireSort<K extends string>(tableId: string, get: () => Sort<K>, set: (s: Sort<K>) => void): void {
  for (const th of byId<HTMLTableElement>(tableId).querySelectorAll<HTMLElement>("thead th[data-sort]")) {
    th.querySelector("button")?.addEventListener("click", () => {
      const key = th.dataset.sort as K;
      const cur = get();
      // Names read best A to Z, amounts largest first.
      const first = key === "name" ? "ascending" : "descending";
      const direction = cur.key === key ? (cur.direction === "ascending" ? "descending" : "ascending") : first;
      set({ key, direction });
    });
  }
}

/** Wires the search boxes, filters and sortable headers of the funds and branches tables. */
export function initListControls(): void {
  byId("funds-search").addEventListener("input", drawFunds);
  byId("funds-show-closed").addEventListener("change", drawFunds);
  wireSort("funds-table", () => fundSort, (s) => {
    fundSort = s;
    drawFunds();
  });
  byId("branches-search").addEventListener("input", drawBranches);
  byId("branches-standing").addEventListener("change", drawBranches);
  wireSort("branches-table", () => branchSort, (s) => {
    branchSort = s;
    drawBranches();
  });
}

/** One horizontal bar chart per currency: disbursed + committed + available = received. */
/** The most funds drawn as bars (the first in the table's order). */
const FUNDS_CHARTED = 12;

function renderFundsChart(views: BeneficiaryView[], listed: number): void {
  const byCurrency = new Map<string, { name: string; bal: FundBalance }[]>();
  for (const view of views) {
    const name = fundName(view);
    for (const bal of view.balances) {
      const list = byCurrency.get(bal.currency) ?? [];
      list.push({ name, bal });
      byCurrency.set(bal.currency, list);
    }
  }
  const figures: HTMLElement[] = [];
  for (const currency of [...byCurrency.keys()].sort()) {
    const items = byCurrency.get(currency)!;
    let max = 0n;
    for (const { bal } of items) {
      const r = fundReceived(bal);
      if (r > max) max = r;
    }
    const list = el("ul", { class: "bars" });
    for (const { name, bal } of items) {
      const received = fundReceived(bal);
      const disbursed = bal.disbursedMinor > 0n ? bal.disbursedMinor : 0n;
      const committed = bal.committedMinor > 0n ? bal.committedMinor : 0n;
      const available = bal.availableMinor > 0n ? bal.availableMinor : 0n;
      const dWidth = permille(disbursed, max) / 10;
      const cWidth = permille(committed, max) / 10;
      const aWidth = permille(available, max) / 10;
      const dSeg = el("span", { class: "seg seg-disbursed" });
      const cSeg = el("span", { class: "seg seg-committed" });
      const aSeg = el("span", { class: "seg seg-available" });
      // CSSOM writes are allowed by the page's Content-Security-Policy.
      dSeg.style.width = `${dWidth}%`;
      cSeg.style.width = `${cWidth}%`;
      aSeg.style.width = `${aWidth}%`;
      const value =
        `${formatCurrency(available, currency)} available of ${formatCurrency(received, currency)}` +
        (committed > 0n ? `, ${formatCurrency(committed, currency)} committed` : "");
      list.append(
        el(
          "li",
          {},
          el("span", { class: "bar-label" }, name),
          el("span", { class: "bar-track", "aria-hidden": "true" }, dSeg, cSeg, aSeg),
          el("span", { class: "bar-value" }, value),
        ),
      );
    }
    figures.push(
      el(
        "figure",
        { class: "chart" },
        el(
          "figcaption",
          {},
          `Beneficiary funds in ${currency}: disbursed, committed and available` +
            (listed > views.length ? ` (the first ${views.length} of the ${listed} funds listed above, in their order)` : ""),
        ),
        el(
          "p",
          { class: "legend", "aria-hidden": "true" },
          el("span", { class: "key key-disbursed" }),
          "Disbursed ",
          el("span", { class: "key key-committed" }),
          "Committed ",
          el("span", { class: "key key-available" }),
          "Available",
        ),
        list,
      ),
    );
  }
  byId("funds-chart").replaceChildren(...figures);
}

// ------------------------------------------------------------------ branches

let branchViews: BranchView[] = [];
let branchToday = "";
let branchSort: Sort<BranchSortKey> = { key: "name", direction: "ascending" };

export function renderBranches(views: BranchView[], today: string): void {
  branchViews = views;
  branchToday = today;
  drawBranches();
}

function drawBranches(): void {
  const today = branchToday;
  const query = byId<HTMLInputElement>("branches-search").value;
  const standingWanted = byId<HTMLSelectElement>("branches-standing").value;
  const list = listBranches(branchViews, query, standingWanted, branchSort, (v) => feeStatus(v, today).state);
  const rows = list.rows.map((view) => {
    const b = view.branch;
    const id = b?.branchId ?? "";
    const name = branchName(view);
    const extra = [b?.region, b && b.members > 0n ? `${b.members} members` : ""]
      .filter(Boolean)
      .join(" · ");
    const nameCell = el("th", { scope: "row" }, el("span", { class: "name" }, name));
    if (extra) nameCell.append(el("span", { class: "detail" }, extra));

    const standing = feeStatus(view, today);
    const affiliated = standing.state !== "disaffiliated";
    const TAG_CLASS = { disaffiliated: "tag-muted", paid: "tag-good", due: "tag-warn", arrears: "tag-bad" };
    const status = el("span", { class: `tag ${TAG_CLASS[standing.state]}` }, standing.text);
    const statusCell = el("td", { "data-col": "status", "data-label": COLUMN_LABEL.status! }, status);
    const fee = feeText(view.feePerPeriod, b?.feeBasis?.period);
    if (affiliated && fee) {
      const perMember = b?.feeBasis?.basis.case === "perMember";
      statusCell.append(el("span", { class: "detail" }, `fee ${fee}${perMember ? " (per-member rate)" : ""}`));
    }
    if (standing.detail) statusCell.append(el("span", { class: "detail" }, ...withDates(standing.detail)));

    const totals = b?.totals ?? [];
    const fees = totals
      .filter((t) => t.feesPaidMinor !== 0n)
      .map((t) => ({ amount: t.feesPaidMinor, currency: t.currency }));
    const gifts = totals
      .filter((t) => t.donationsMinor !== 0n)
      .map((t) => ({ amount: t.donationsMinor, currency: t.currency }));

    return el(
      "tr",
      { "data-branch": id, "data-fee-status": standing.state, "data-arrears": String(standing.state === "arrears") },
      nameCell,
      statusCell,
      el("td", { class: "num", "data-col": "fees", "data-label": COLUMN_LABEL.fees! }, stackedMoney(fees)),
      el("td", { class: "num", "data-col": "donations", "data-label": COLUMN_LABEL.donations! }, stackedMoney(gifts)),
    );
  });
  const empty = branchViews.length === 0 ? "No branches have affiliated yet." : "No branch matches the search.";
  fillBody("branches-table", rows, empty, 4);
  byId("branches-count").textContent =
    `Showing ${list.rows.length} of ${list.total} branches` +
    (list.currency ? `; sorted by the amount in ${list.currency}` : "") +
    ".";
  markSort("branches-table", branchSort);
  byId("branches-caption").textContent =
    "Branches, fee standing and contributions" + (today ? ` (as of ${today})` : "");
}

// ------------------------------------------------------------------ activity

/**
 * The activity table. `events` holds every event at hand (the rows and the
 * reversals or reversal targets fetched for them), so that reversals show
 * what they reversed. Only a wholly reversed event is struck through.
 */
export function renderActivity(eventsNewestFirst: Event[], names: Names, events: EventLookup): void {
  const rows = eventsNewestFirst.map((ev) => eventRow(describeEvent(ev, names, events)));
  fillBody("activity-table", rows, "No events yet.", 4);
}

/** One row of an event list (the activity table, the committee's event list). */
export function eventRow(r: EventRow): HTMLTableRowElement {
  const kindCell = el("td", { "data-col": "event" }, el("span", { class: "kind" }, r.kind));
  if (r.reversedBy > 0n) {
    const tag = r.reversal === "part" ? `partly reversed by #${r.reversedBy}` : `reversed by #${r.reversedBy}`;
    kindCell.append(" ", el("span", { class: "tag tag-muted" }, tag));
  }
  if (r.details) kindCell.append(el("span", { class: "detail" }, r.details));
  if (r.note) kindCell.append(el("span", { class: "detail note" }, r.note));
  const attrs: Record<string, string> = { "data-position": String(r.position), "data-reversal": r.reversal };
  if (r.reversal === "whole") attrs.class = "reversed";
  if (r.target > 0n) attrs["data-target"] = String(r.target);
  return el(
    "tr",
    attrs,
    el("th", { scope: "row", class: "num" }, String(r.position)),
    el("td", { class: "nowrap" }, r.date ? el("time", { datetime: r.date }, r.date) : "—"),
    kindCell,
    el("td", { class: "num", "data-col": "amount" }, r.amount || "—"),
  );
}

/** Fills an event list's body (see eventRow). */
export function fillEvents(tableId: string, rows: HTMLTableRowElement[], emptyText: string): void {
  fillBody(tableId, rows, emptyText, 4);
}

// ------------------------------------------------------------------ head, status

export function renderHead(head: Head | undefined): void {
  if (!head) return;
  const hex = toHex(head.hash);
  byId("head-position").textContent = String(head.position);
  const hash = byId("head-hash");
  hash.textContent = hex ? hex.slice(0, 12) : "—";
  hash.title = hex ? `SHA-256 ${hex}` : "";
}

export type ChainState = "unknown" | "checking" | "verified" | "failed" | "error";

export function renderChain(state: ChainState, text: string): void {
  byId("head-badge").dataset.state = state;
  byId("chain-status").textContent = text;
}

export type CheckpointState = "unknown" | "none" | "signed" | "cosigned";

export function renderCheckpoint(state: CheckpointState, text: string): void {
  byId("checkpoint-badge").dataset.state = state;
  byId("checkpoint-text").textContent = text;
}

export type ConnState = "connecting" | "live" | "reconnecting" | "offline";

const CONN_TEXT: Record<ConnState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function renderConnection(state: ConnState): void {
  byId("conn-status").dataset.state = state;
  byId("conn-text").textContent = CONN_TEXT[state];
}

export function renderFooter(text: string): void {
  byId("footer-status").textContent = text;
}

/** Shows the unreachable banner (once; later calls only update the details). */
export function showBanner(details: string, onRetry: () => void): void {
  const region = byId("banner");
  let box = region.querySelector<HTMLElement>(".banner");
  if (!box) {
    const retry = el("button", { type: "button", class: "retry" }, "Retry now");
    retry.addEventListener("click", onRetry);
    box = el(
      "div",
      { class: "banner" },
      el("p", { class: "banner-title" }, "The ledger server cannot be reached."),
      el("p", { class: "banner-details" }),
      retry,
    );
    region.replaceChildren(box);
  }
  box.querySelector(".banner-details")!.textContent = details;
}

export function clearBanner(): void {
  byId("banner").replaceChildren();
}

export function bannerShown(): boolean {
  return byId("banner").childElementCount > 0;
}
