// Figures over time for the charts, from the ledger's own balances at the
// end of each month (GetSummary, ListBeneficiaries and ListBranches with
// as_of.end_of_date, which the public may call). Pure functions over those
// answers, in BigInt: a month's money in is the change of the cumulative
// "raised" across it, money out the change of "disbursed"; a fund's balance
// is its available money at the month's end; a branch's contributions over
// the year are the change of its fees and donations across the twelve months.

export interface Month {
  /** "2026-03" */
  key: string;
  /** "Mar 2026" */
  label: string;
  /** The last day counted: the month's last day, or `today` for the current month. */
  end: string;
}

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function lastDay(year: number, month: number): number {
  // month 1..12; day 0 of the next month is the last of this one (UTC, no time zones).
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The `count` months ending with the month of `today` ("YYYY-MM-DD"), oldest
 * first, and the end of the month before the first (the baseline of the
 * first month's change).
 */
export function monthsEnding(today: string, count: number): { months: Month[]; baseline: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m) throw new RangeError(`not a date: ${today}`);
  let year = Number(m[1]);
  let month = Number(m[2]);
  const months: Month[] = [];
  for (let i = 0; i < count; i++) {
    const end = i === 0 ? today : `${year}-${pad(month)}-${pad(lastDay(year, month))}`;
    months.unshift({ key: `${year}-${pad(month)}`, label: `${MONTH_NAMES[month - 1]} ${year}`, end });
    month--;
    if (month === 0) {
      month = 12;
      year--;
    }
  }
  return { months, baseline: `${year}-${pad(month)}-${pad(lastDay(year, month))}` };
}

/** Cumulative figures at a month's end, by currency. */
export type Cumulative = Map<string, bigint>;

/** Changes across each month: value(end of month) - value(end of the month before). */
export function monthlyChanges(baseline: Cumulative, ends: Cumulative[], currency: string): bigint[] {
  const out: bigint[] = [];
  let before = baseline.get(currency) ?? 0n;
  for (const c of ends) {
    const now = c.get(currency) ?? 0n;
    out.push(now - before);
    before = now;
  }
  return out;
}

/** The currencies that appear in any of `maps`, sorted. */
export function currenciesOf(maps: Cumulative[]): string[] {
  const all = new Set<string>();
  for (const m of maps) for (const c of m.keys()) all.add(c);
  return [...all].sort();
}

export interface Ranked {
  id: string;
  name: string;
  amount: bigint;
}

/**
 * Each row's change between two cumulative readings (`before` missing: it
 * did not exist then, so from zero), largest first, ties by name; rows with
 * no change are left out.
 */
export function rankChanges(
  before: Map<string, bigint>,
  after: Map<string, { name: string; amount: bigint }>,
): Ranked[] {
  const out: Ranked[] = [];
  for (const [id, a] of after) {
    const change = a.amount - (before.get(id) ?? 0n);
    if (change !== 0n) out.push({ id, name: a.name, amount: change });
  }
  return out.sort((x, y) => (x.amount > y.amount ? -1 : x.amount < y.amount ? 1 : x.name.localeCompare(y.name, "en-GB")));
}
