// The charts: money in and out by month, a fund's balance over time, and the
// contributions of branches over the year, drawn with Chart.js on canvases
// that screen readers skip (aria-hidden), each followed by a table of the
// same figures. Every figure is the ledger's: GetSummary, ListBeneficiaries
// and ListBranches read as of the end of each month (as_of.end_of_date),
// which the public may call; series.ts turns them into monthly changes in
// BigInt. Only the bars' and points' positions on the canvas are numbers.
//
// Readable without colour: money out is hatched, money in solid; the fund's
// line has square markers; the branch bars are one series named by the
// axis; exact amounts are in the tables and the tooltips.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { LedgerQueries } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import { formatCurrency, permille } from "../shared/money.js";
import { mainCurrency } from "../shared/listing.js";
import {
  currenciesOf,
  monthlyChanges,
  monthsEnding,
  rankChanges,
  type Cumulative,
  type Month,
  type Ranked,
} from "../shared/series.js";
import { el } from "./render.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const MONTHS = 12;
const TOP_BRANCHES = 10;

const INK = "#1b1b1f";
const IN_COLOUR = "#1d7a4a";
const OUT_COLOUR = "#7a4a9e";
const FUND_COLOUR = "#8c1c13";
const BRANCH_COLOUR = "#1a56c4";

type Queries = Client<typeof LedgerQueries>;

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node as T;
}

/** Diagonal white hatching over `colour`: money out, told apart from money in without colour. */
function hatch(colour: string): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = 8;
  tile.height = 8;
  const g = tile.getContext("2d");
  if (!g) return colour;
  g.fillStyle = colour;
  g.fillRect(0, 0, 8, 8);
  g.strokeStyle = "#ffffff";
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(-2, 2);
  g.lineTo(2, -2);
  g.moveTo(0, 8);
  g.lineTo(8, 0);
  g.moveTo(6, 10);
  g.lineTo(10, 6);
  g.stroke();
  return g.createPattern(tile, "repeat") ?? colour;
}

/** What the public may read at the end of each month. */
interface Readings {
  /** The server's today the figures were read for. */
  day: string;
  months: Month[];
  /** Summary totals at the baseline and at each month's end: raised and disbursed by currency. */
  raised: Cumulative[];
  disbursed: Cumulative[];
  /** Fund id -> { name, available by currency } at the baseline and at each month's end. */
  funds: Map<string, { name: string; available: Cumulative }>[];
  /** Branch id -> { name, contributions by currency } at the baseline and now. */
  branchesBefore: Map<string, { name: string; total: Cumulative }>;
  branchesNow: Map<string, { name: string; total: Cumulative }>;
}

/** A date before the ledger's first event reads as nothing yet; other failures stop the refresh. */
async function orNothing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    const code = ConnectError.from(err).code;
    if (code === Code.InvalidArgument || code === Code.OutOfRange || code === Code.NotFound) return undefined;
    throw err;
  }
}

type SummaryAnswer = Awaited<ReturnType<Queries["getSummary"]>>;
type FundsAnswer = Awaited<ReturnType<Queries["listBeneficiaries"]>>;
type BranchesAnswer = Awaited<ReturnType<Queries["listBranches"]>>;

const at = (d: string) => ({ point: { case: "endOfDate" as const, value: d } });
const OPTS = { timeoutMs: 20_000 };

function totals(s: SummaryAnswer | undefined, pick: "raisedMinor" | "disbursedMinor"): Cumulative {
  return new Map((s?.totals?.currencies ?? []).map((c) => [c.currency, c[pick]]));
}

function fundMap(r: FundsAnswer | undefined): Readings["funds"][number] {
  return new Map(
    (r?.beneficiaries ?? []).map((v) => [
      v.beneficiary?.beneficiaryId ?? "",
      {
        name: v.beneficiary?.displayName || "a fund",
        available: new Map(v.balances.map((b) => [b.currency, b.availableMinor])),
      },
    ]),
  );
}

function branchMap(r: BranchesAnswer | undefined): Readings["branchesNow"] {
  return new Map(
    (r?.branches ?? []).map((v) => [
      v.branch?.branchId ?? "",
      {
        name: [v.branch?.unionName, v.branch?.branchName].filter(Boolean).join(" ") || (v.branch?.branchId ?? ""),
        total: new Map((v.branch?.totals ?? []).map((t) => [t.currency, t.totalMinor])),
      },
    ]),
  );
}

/** Everything the charts show: 28 reads (the baseline and twelve month ends). */
async function read(queries: Queries, today: string): Promise<Readings> {
  const { months, baseline } = monthsEnding(today, MONTHS);
  const ends = [baseline, ...months.map((m) => m.end)];
  const [summaries, fundLists, before, now] = await Promise.all([
    Promise.all(ends.map((d) => orNothing(queries.getSummary({ asOf: at(d) }, OPTS)))),
    Promise.all(ends.map((d) => orNothing(queries.listBeneficiaries({ includeClosed: true, asOf: at(d) }, OPTS)))),
    orNothing(queries.listBranches({ includeDisaffiliated: true, asOf: at(baseline) }, OPTS)),
    orNothing(queries.listBranches({ includeDisaffiliated: true, asOf: at(today) }, OPTS)),
  ]);
  return {
    day: today,
    months,
    raised: summaries.map((x) => totals(x, "raisedMinor")),
    disbursed: summaries.map((x) => totals(x, "disbursedMinor")),
    funds: fundLists.map(fundMap),
    branchesBefore: branchMap(before),
    branchesNow: branchMap(now),
  };
}

/**
 * The current month only (3 reads), into a copy of `r`: what an append of
 * today changes. Earlier months (a back-dated event) wait for the next
 * whole read.
 */
async function readToday(queries: Queries, r: Readings): Promise<Readings> {
  const [summary, funds, branches] = await Promise.all([
    orNothing(queries.getSummary({ asOf: at(r.day) }, OPTS)),
    orNothing(queries.listBeneficiaries({ includeClosed: true, asOf: at(r.day) }, OPTS)),
    orNothing(queries.listBranches({ includeDisaffiliated: true, asOf: at(r.day) }, OPTS)),
  ]);
  const last = <T>(list: T[], value: T) => [...list.slice(0, -1), value];
  return {
    ...r,
    raised: last(r.raised, totals(summary, "raisedMinor")),
    disbursed: last(r.disbursed, totals(summary, "disbursedMinor")),
    funds: last(r.funds, fundMap(funds)),
    branchesNow: branchMap(branches),
  };
}

// ------------------------------------------------------------------ drawing

const charts = new Map<string, Chart>();

function moneyAxis(currency: string) {
  return {
    beginAtZero: true,
    ticks: { color: INK, callback: (v: string | number) => formatCurrency(BigInt(Math.round(Number(v))), currency) },
    grid: { color: "#d9d6cc" },
  };
}

/** Draws (or redraws) the chart in the canvas `id`. */
function draw(id: string, config: ChartConfiguration): void {
  const old = charts.get(id);
  if (old) {
    old.data = config.data;
    old.options = config.options ?? {};
    old.update("none");
    return;
  }
  charts.set(id, new Chart(byId<HTMLCanvasElement>(id), config));
}

function figure(id: string, caption: string, tableCaption: string, head: string[], rows: string[][]): HTMLElement {
  const table = el(
    "table",
    { class: "numbers chart-table", id: `${id}-table` },
    el("caption", {}, tableCaption),
    el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { scope: "col", class: i > 0 ? "num" : "" }, h)))),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el("tr", {}, el("th", { scope: "row" }, r[0]!), ...r.slice(1).map((c) => el("td", { class: "num" }, c))),
      ),
    ),
  );
  return el(
    "figure",
    { class: "chart", id },
    el("figcaption", {}, caption),
    // The canvas is a picture of the table that follows it.
    el("div", { class: "chart-box", "aria-hidden": "true" }, el("canvas", { id: `${id}-canvas` })),
    el("div", { class: "table-wrap tall", id: `${id}-region`, role: "region", "aria-label": tableCaption, tabindex: "0" }, table),
  );
}

function drawFlows(r: Readings): HTMLElement[] {
  const labels = r.months.map((m) => m.label);
  const [base, ...ends] = r.raised;
  const [dBase, ...dEnds] = r.disbursed;
  return currenciesOf(r.raised).map((currency) => {
    const moneyIn = monthlyChanges(base!, ends, currency);
    const moneyOut = monthlyChanges(dBase!, dEnds, currency);
    const id = `flow-${currency}`;
    const fig = figure(
      id,
      `Money in and out by month, ${currency}: in solid, out hatched`,
      `Money in and out by month, ${currency}`,
      ["Month", "Money in", "Money out"],
      labels.map((l, i) => [l, formatCurrency(moneyIn[i]!, currency), formatCurrency(moneyOut[i]!, currency)]),
    );
    queueMicrotask(() =>
      draw(`${id}-canvas`, {
        type: "bar",
        data: {
          labels,
          datasets: [
            { label: "Money in", data: moneyIn.map(Number), backgroundColor: IN_COLOUR, borderColor: INK, borderWidth: 1 },
            { label: "Money out", data: moneyOut.map(Number), backgroundColor: hatch(OUT_COLOUR), borderColor: INK, borderWidth: 1 },
          ],
        },
        options: chartOptions(currency, (ds, i) => formatCurrency((ds === 0 ? moneyIn : moneyOut)[i]!, currency)),
      }),
    );
    return fig;
  });
}

function chartOptions(currency: string, exact: (dataset: number, index: number) => string, horizontal = false) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: horizontal ? ("y" as const) : ("x" as const),
    scales: horizontal
      ? { x: moneyAxis(currency), y: { ticks: { color: INK, autoSkip: false } } }
      : { y: moneyAxis(currency), x: { ticks: { color: INK } } },
    plugins: {
      legend: { labels: { color: INK } },
      tooltip: {
        callbacks: {
          // The exact figure, never the canvas's number.
          label: (ctx: { datasetIndex: number; dataIndex: number; dataset: { label?: string } }) =>
            `${ctx.dataset.label ?? ""}: ${exact(ctx.datasetIndex, ctx.dataIndex)}`,
        },
      },
    },
  };
}

let chosenFund = "";

function drawFund(r: Readings): HTMLElement | undefined {
  const latest = r.funds[r.funds.length - 1] ?? new Map();
  const currency = mainCurrency([...latest.values()].map((f) => [...f.available.keys()].map((c) => ({ currency: c }))));
  if (!currency) return undefined;
  const ids = [...latest.keys()];
  if (!latest.has(chosenFund)) {
    // The largest fund now, in the main currency.
    chosenFund = ids.reduce((best, id) => {
      const a = latest.get(id)!.available.get(currency) ?? -1n;
      const b = best ? (latest.get(best)!.available.get(currency) ?? -1n) : -2n;
      return a > b ? id : best;
    }, "");
  }
  const name = latest.get(chosenFund)?.name ?? "";
  const [baseline, ...atEnds] = r.funds.map((m) => m.get(chosenFund)?.available.get(currency) ?? 0n);
  const series = atEnds;
  const labels = r.months.map((m) => m.label);
  const fig = figure(
    "fund-balance",
    `Balance of ${name} at each month's end, ${currency}`,
    `Available in ${name} at each month's end, ${currency}`,
    ["Month", "Available", "Change in the month"],
    labels.map((l, i) => [l, formatCurrency(series[i]!, currency), signed(series[i]! - (i > 0 ? series[i - 1]! : baseline!), currency)]),
  );
  const select = el("select", { id: "fund-balance-choice" });
  for (const id of ids.sort((a, b) => latest.get(a)!.name.localeCompare(latest.get(b)!.name, "en-GB"))) {
    const opt = el("option", { value: id }, latest.get(id)!.name);
    if (id === chosenFund) opt.selected = true;
    select.append(opt);
  }
  select.addEventListener("change", () => {
    chosenFund = select.value;
    if (lastReadings) render(lastReadings);
  });
  fig.insertBefore(
    el("p", { class: "field chart-choice" }, el("label", { for: "fund-balance-choice" }, "Fund"), select),
    fig.querySelector(".chart-box"),
  );
  queueMicrotask(() =>
    draw("fund-balance-canvas", {
      type: "line",
      data: {
        labels,
        datasets: [
          {
            label: name,
            data: series.map(Number),
            borderColor: FUND_COLOUR,
            backgroundColor: FUND_COLOUR,
            pointStyle: "rect",
            pointRadius: 5,
            borderWidth: 3,
          },
        ],
      },
      options: chartOptions(currency, (_d, i) => formatCurrency(series[i]!, currency)),
    }),
  );
  return fig;
}

function drawBranches(r: Readings): HTMLElement | undefined {
  const currency = mainCurrency([...r.branchesNow.values()].map((b) => [...b.total.keys()].map((c) => ({ currency: c }))));
  if (!currency) return undefined;
  const before = new Map([...r.branchesBefore].map(([id, b]) => [id, b.total.get(currency) ?? 0n]));
  const after = new Map([...r.branchesNow].map(([id, b]) => [id, { name: b.name, amount: b.total.get(currency) ?? 0n }]));
  const ranked: Ranked[] = rankChanges(before, after);
  const top = ranked.slice(0, TOP_BRANCHES);
  const fig = figure(
    "branch-year",
    `Contributions by branch over the last twelve months, ${currency}: the ${top.length} largest`,
    `Contributions (fees and donations) by branch over the last twelve months, ${currency}, largest first`,
    ["Branch", "Contributions", "Share"],
    ranked.map((b) => [b.name, formatCurrency(b.amount, currency), shareText(b.amount, ranked)]),
  );
  fig.querySelector<HTMLElement>(".chart-box")!.classList.add("chart-box-tall");
  queueMicrotask(() =>
    draw("branch-year-canvas", {
      type: "bar",
      data: {
        labels: top.map((b) => b.name),
        datasets: [
          { label: "Contributions", data: top.map((b) => Number(b.amount)), backgroundColor: BRANCH_COLOUR, borderColor: INK, borderWidth: 1 },
        ],
      },
      options: { ...chartOptions(currency, (_d, i) => formatCurrency(top[i]!.amount, currency), true), plugins: { legend: { display: false } } },
    }),
  );
  return fig;
}

/** "+£12.50" / "-£3.00" / "£0.00". */
function signed(amount: bigint, currency: string): string {
  return (amount > 0n ? "+" : "") + formatCurrency(amount, currency);
}

/** A branch's share of all the branches' contributions, "12.3%", in BigInt to the tenth of a percent. */
function shareText(amount: bigint, all: Ranked[]): string {
  const total = all.reduce((s, b) => s + b.amount, 0n);
  const tenths = total > 0n ? permille(amount, total) : 0;
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

let lastReadings: Readings | undefined;

function render(r: Readings): void {
  lastReadings = r;
  // A redraw replaces the charts' elements: keep the keyboard focus (the fund list, a table region) where it was.
  const focused = document.activeElement?.closest("#charts") ? document.activeElement.id : "";
  for (const c of charts.values()) c.destroy();
  charts.clear();
  const parts = [...drawFlows(r), drawFund(r), drawBranches(r)].filter((x): x is HTMLElement => !!x);
  byId("charts").replaceChildren(...parts);
  if (focused) document.getElementById(focused)?.focus();
  byId("charts-note").textContent =
    parts.length === 0
      ? "No money recorded yet."
      : `The last twelve months, from the ledger's balances at the end of each month (this month up to ${r.months[r.months.length - 1]!.end}).`;
}

// ------------------------------------------------------------------ refresh
//
// After an append the current month is read again (3 reads, at most every
// CURRENT_MS), so the charts follow the books within seconds; everything
// (28 reads) at most every WHOLE_MS and whenever the day changes, which
// also brings in back-dated events of earlier months.

const CURRENT_MS = 2_000;
const WHOLE_MS = 30_000;
let lastRead = 0;
let lastWhole = 0;
let reading = false;
let wanted: string | undefined;

/** Reads the figures again for `today` (see above); a newer head waits for the next read. */
export function refreshCharts(queries: Queries, today: string): void {
  wanted = today;
  if (reading || !today) return;
  const fresh = !lastReadings || lastReadings.day !== today;
  const wait = fresh ? 0 : Math.max(0, lastRead + CURRENT_MS - Date.now());
  reading = true;
  setTimeout(async () => {
    const day = wanted!;
    wanted = undefined;
    const whole = !lastReadings || lastReadings.day !== day || Date.now() - lastWhole >= WHOLE_MS;
    try {
      const r = whole ? await read(queries, day) : await readToday(queries, lastReadings!);
      render(r);
      lastRead = Date.now();
      if (whole) lastWhole = lastRead;
    } catch {
      // ledgerd unreachable: the live stream says so; keep the charts shown.
    } finally {
      reading = false;
      if (wanted) refreshCharts(queries, wanted);
    }
  }, wait);
}
