// The committee page's event list: which events match a search and the
// filters (kind, fund, branch, dates), and which page of them to show.
// Pure functions, tested without a DOM; the rows are describe.ts's.

import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import type { EventRow } from "./describe.js";
import { matches } from "./listing.js";

export interface EventFilter {
  /** Words that must all occur in the row's text (kind, details, amount, date, #position). */
  query: string;
  /** describe.ts's kind text ("Donation"); "" for every kind. */
  kind: string;
  /** A fund's public id (an alias for a sensitive fund); "" for all. */
  fund: string;
  /** A branch id; "" for all. */
  branch: string;
  /** Inclusive YYYY-MM-DD bounds on the event's date; "" for open. */
  from: string;
  to: string;
}

export const NO_FILTER: EventFilter = { query: "", kind: "", fund: "", branch: "", from: "", to: "" };

/** The funds and branches an event names (its own fields; a reversal names none). */
export function eventParties(event: Event): { funds: string[]; branches: string[] } {
  const funds: string[] = [];
  const branches: string[] = [];
  const value = event.body?.kind.value as Record<string, unknown> | undefined;
  if (value) {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v !== "string" || v === "") continue;
      if (key === "beneficiaryId" || key.endsWith("BeneficiaryId")) funds.push(v);
      else if (key === "branchId") branches.push(v);
    }
  }
  return { funds, branches };
}

export interface DescribedEvent {
  event: Event;
  row: EventRow;
}

export function eventMatches(e: DescribedEvent, f: EventFilter): boolean {
  const { row } = e;
  if (f.kind && row.kind !== f.kind) return false;
  if (f.from && (!row.date || row.date < f.from)) return false;
  if (f.to && (!row.date || row.date > f.to)) return false;
  if (f.fund || f.branch) {
    const p = eventParties(e.event);
    if (f.fund && !p.funds.includes(f.fund)) return false;
    if (f.branch && !p.branches.includes(f.branch)) return false;
  }
  return matches(f.query, [row.kind, row.details, row.note, row.amount, row.date, `#${row.position}`]);
}

export interface EventPage {
  rows: DescribedEvent[];
  /** 1-based; clamped to the pages there are. */
  page: number;
  pages: number;
  matching: number;
}

/** The matching events, newest first, cut into pages of `size`. */
export function pageOfEvents(events: DescribedEvent[], f: EventFilter, page: number, size: number): EventPage {
  const hits = events.filter((e) => eventMatches(e, f)).sort((a, b) => (a.row.position < b.row.position ? 1 : -1));
  const pages = Math.max(1, Math.ceil(hits.length / size));
  const p = Math.min(Math.max(1, page), pages);
  return { rows: hits.slice((p - 1) * size, p * size), page: p, pages, matching: hits.length };
}
