// Goal: the committee's event list finds events by any word of their row,
// by kind, by the fund or branch they name (a sensitive fund by its alias),
// and by date, newest first, a page at a time (pages clamped).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Event } from "../gen/solidarity/ledger/v1/events_pb.js";
import type { EventRow } from "../src/shared/describe.js";
import { NO_FILTER, eventParties, pageOfEvents, type DescribedEvent } from "../src/shared/event-filter.js";

function ev(position: number, date: string, kind: string, details: string, value: Record<string, unknown>, amount = ""): DescribedEvent {
  const event = { position: BigInt(position), body: { kind: { case: "x", value } } } as unknown as Event;
  const row = { position: BigInt(position), date, kind, details, amount, note: "", reversedBy: 0n, reversal: "none", target: 0n } as EventRow;
  return { event, row };
}

const events = [
  ev(2, "2026-01-05", "Fund registered", "Legal aid for Selin", { beneficiaryId: "lawyer-a" }),
  ev(3, "2026-01-06", "Branch affiliated", "UNISON Leeds", { branchId: "leeds" }),
  ev(4, "2026-02-01", "Donation", "From UNISON Leeds, to Legal aid for Selin", { branchId: "leeds", earmarkBeneficiaryId: "lawyer-a" }, "£25.00"),
  ev(5, "2026-02-03", "Donation", "From an individual, to Friend K.", { earmarkBeneficiaryId: "fund@7" }, "£10.00"),
  ev(6, "2026-03-01", "Disbursement", "Paid out for Friend K.", { beneficiaryId: "fund@7", requestId: "request@5" }, "£5.00"),
];
const positions = (rows: DescribedEvent[]) => rows.map((r) => Number(r.row.position));

test("eventParties: the funds and branches an event names", () => {
  assert.deepEqual(eventParties(events[2]!.event), { funds: ["lawyer-a"], branches: ["leeds"] });
  assert.deepEqual(eventParties(events[4]!.event), { funds: ["fund@7"], branches: [] });
});

test("filters: words, kind, fund, branch, dates; newest first", () => {
  const p = (f: Partial<typeof NO_FILTER>) => positions(pageOfEvents(events, { ...NO_FILTER, ...f }, 1, 50).rows);
  assert.deepEqual(p({}), [6, 5, 4, 3, 2]);
  assert.deepEqual(p({ query: "selin donation" }), [4]);
  assert.deepEqual(p({ query: "#3" }), [3]);
  assert.deepEqual(p({ query: "£10.00" }), [5]);
  assert.deepEqual(p({ kind: "Donation" }), [5, 4]);
  assert.deepEqual(p({ fund: "fund@7" }), [6, 5]);
  assert.deepEqual(p({ branch: "leeds" }), [4, 3]);
  assert.deepEqual(p({ from: "2026-02-01", to: "2026-02-28" }), [5, 4]);
  assert.deepEqual(p({ kind: "Donation", fund: "lawyer-a", branch: "leeds" }), [4]);
});

test("pages of a given size, clamped", () => {
  const first = pageOfEvents(events, NO_FILTER, 1, 2);
  assert.deepEqual([positions(first.rows), first.page, first.pages, first.matching], [[6, 5], 1, 3, 5]);
  assert.deepEqual(positions(pageOfEvents(events, NO_FILTER, 3, 2).rows), [2]);
  assert.equal(pageOfEvents(events, NO_FILTER, 9, 2).page, 3);
  assert.equal(pageOfEvents(events, NO_FILTER, 0, 2).page, 1);
  const none = pageOfEvents(events, { ...NO_FILTER, query: "nothing-like-this" }, 1, 2);
  assert.deepEqual([none.rows.length, none.page, none.pages, none.matching], [0, 1, 1, 0]);
});
