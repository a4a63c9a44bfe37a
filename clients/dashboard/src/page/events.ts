// The committee page's list of every event: read from ledgerd with
// ReadEvents (100 at a time, from the first position or the newest
// MAX_EVENTS), followed as the head moves, searched and filtered in the
// page, and shown a page at a time. Drawn only once the names are at hand
// (like the activity list), so that a fund is never shown by its alias.

import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import { describeEvent, type Names } from "../shared/describe.js";
import { NO_FILTER, pageOfEvents, type DescribedEvent, type EventFilter } from "../shared/event-filter.js";
import { el, eventRow, fillEvents } from "./render.js";

/** The most events held in the page; older ones are left out (and the count says so). */
export const MAX_EVENTS = 20_000;
const READ_BATCH = 100;
const PAGE_SIZE = 50;

export interface EventBrowserOptions {
  /** ReadEvents: up to `limit` events from `from`. */
  read(from: bigint, limit: number): Promise<Event[]>;
  names: Names;
  /** The funds and branches to offer in the filters: public id and name. */
  funds(): { id: string; name: string }[];
  branches(): { id: string; name: string }[];
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node as T;
}

export class EventBrowser {
  private readonly events = new Map<bigint, Event>();
  private loadedTo = 0n;
  private firstKept = 1n;
  private described: DescribedEvent[] | undefined;
  private page = 1;
  private loading: Promise<void> = Promise.resolve();
  private namesReady = false;

  constructor(private readonly opts: EventBrowserOptions) {
    const redraw = () => {
      this.page = 1;
      this.draw();
    };
    for (const id of ["events-search", "events-from", "events-to"]) byId(id).addEventListener("input", redraw);
    for (const id of ["events-kind", "events-fund", "events-branch"]) byId(id).addEventListener("change", redraw);
    byId("events-filters").addEventListener("reset", () => setTimeout(redraw, 0));
    byId("events-filters").addEventListener("submit", (e) => e.preventDefault());
    byId("events-prev").addEventListener("click", () => {
      this.page--;
      this.draw();
    });
    byId("events-next").addEventListener("click", () => {
      this.page++;
      this.draw();
    });
  }

  /** Reads every event up to `upTo` not read yet (one reader at a time). */
  follow(upTo: bigint): Promise<void> {
    this.loading = this.loading.then(() => this.load(upTo)).catch(() => undefined);
    return this.loading;
  }

  /** The names changed (or arrived): describe and draw again. */
  namesChanged(): void {
    this.namesReady = true;
    this.described = undefined;
    this.fillChoices();
    this.draw();
  }

  private async load(upTo: bigint): Promise<void> {
    if (upTo <= this.loadedTo) return;
    if (this.loadedTo === 0n && upTo > BigInt(MAX_EVENTS)) this.firstKept = upTo - BigInt(MAX_EVENTS) + 1n;
    let from = this.loadedTo === 0n ? this.firstKept : this.loadedTo + 1n;
    while (from <= upTo) {
      const batch = await this.opts.read(from, READ_BATCH);
      if (batch.length === 0) break;
      for (const e of batch) if (e.position <= upTo) this.events.set(e.position, e);
      const last = batch[batch.length - 1]!.position;
      this.loadedTo = last < upTo ? last : upTo;
      from = last + 1n;
      // Show what is in while the rest comes.
      this.described = undefined;
      this.draw();
    }
    // Keep at most MAX_EVENTS, the newest.
    while (this.events.size > MAX_EVENTS) {
      this.events.delete(this.firstKept);
      this.firstKept++;
    }
    this.described = undefined;
    this.draw();
  }

  private rows(): DescribedEvent[] {
    if (!this.described) {
      const lookup = { eventAt: (p: bigint) => this.events.get(p) };
      this.described = [...this.events.values()].map((event) => ({
        event,
        row: describeEvent(event, this.opts.names, lookup),
      }));
      this.fillKinds();
    }
    return this.described;
  }

  private filter(): EventFilter {
    return {
      ...NO_FILTER,
      query: byId<HTMLInputElement>("events-search").value,
      kind: byId<HTMLSelectElement>("events-kind").value,
      fund: byId<HTMLSelectElement>("events-fund").value,
      branch: byId<HTMLSelectElement>("events-branch").value,
      from: byId<HTMLInputElement>("events-from").value,
      to: byId<HTMLInputElement>("events-to").value,
    };
  }

  private draw(): void {
    if (!this.namesReady) return;
    const all = this.rows();
    const result = pageOfEvents(all, this.filter(), this.page, PAGE_SIZE);
    this.page = result.page;
    fillEvents(
      "events-table",
      result.rows.map((d) => eventRow(d.row)),
      all.length === 0 ? "No events yet." : "No event matches the search.",
    );
    const older = this.firstKept > 1n ? ` (the newest ${all.length}; older ones are not searched)` : "";
    byId("events-count").textContent = `${result.matching} of ${all.length} events match${older}.`;
    byId("events-page").textContent = `Page ${result.page} of ${result.pages}`;
    byId<HTMLButtonElement>("events-prev").disabled = result.page <= 1;
    byId<HTMLButtonElement>("events-next").disabled = result.page >= result.pages;
  }

  private fillKinds(): void {
    const select = byId<HTMLSelectElement>("events-kind");
    const kinds = [...new Set(this.described!.map((d) => d.row.kind))].sort();
    setOptions(select, "All kinds", kinds.map((k) => ({ id: k, name: k })));
  }

  private fillChoices(): void {
    setOptions(byId<HTMLSelectElement>("events-fund"), "All funds", this.opts.funds());
    setOptions(byId<HTMLSelectElement>("events-branch"), "All branches", this.opts.branches());
  }
}

/** Replaces a select's options, keeping the chosen one if it is still offered. */
function setOptions(select: HTMLSelectElement, allText: string, items: { id: string; name: string }[]): void {
  const chosen = select.value;
  const sorted = [...items].sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
  select.replaceChildren(el("option", { value: "" }, allText), ...sorted.map((i) => el("option", { value: i.id }, i.name)));
  select.value = sorted.some((i) => i.id === chosen) ? chosen : "";
}
