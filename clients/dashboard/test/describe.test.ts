import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  DonorKind,
  EventSchema,
  FeePeriod,
  ReversalKind,
  TransferAuthority,
  Role,
  type EventBody,
} from "../gen/solidarity/ledger/v1/events_pb.js";
import { BranchViewSchema } from "../gen/solidarity/ledger/v1/ledger_pb.js";
import { Status } from "../gen/solidarity/ledger/v1/projections_pb.js";
import {
  describeEvent,
  feeStatus,
  feeText,
  type EventLookup,
  type Names,
} from "../src/shared/describe.js";
import { toHex } from "../src/shared/money.js";

const names: Names = {
  beneficiary: (id) => ({ "lawyer-a": "Legal aid for A." } as Record<string, string>)[id] ?? id,
  branch: (id) => ({ "unison-leeds": "UNISON Leeds Health" } as Record<string, string>)[id] ?? id,
};

function ev(kind: EventBody["kind"], extra: Record<string, unknown> = {}) {
  return create(EventSchema, {
    position: 7n,
    occurredOn: "2026-03-01",
    body: { kind },
    ...extra,
  });
}

const gbp = (amountMinor: bigint) => ({ amountMinor, currency: "GBP" });

test("donations name the donor kind or branch and the fund", () => {
  const r = describeEvent(
    ev({
      case: "donationReceived",
      value: {
        amount: gbp(2500n),
        donorKind: DonorKind.INDIVIDUAL,
        donorRef: "secret-ref",
        earmarkBeneficiaryId: "lawyer-a",
      } as never,
    }),
    names,
  );
  assert.equal(r.kind, "Donation");
  assert.equal(r.amount, "£25.00");
  assert.equal(r.date, "2026-03-01");
  assert.equal(r.details, "From an individual, to Legal aid for A.");
  assert.ok(!JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v)).includes("secret-ref"));

  const b = describeEvent(
    ev({
      case: "donationReceived",
      value: { amount: gbp(1000n), donorKind: DonorKind.BRANCH, branchId: "unison-leeds" } as never,
    }),
    names,
  );
  assert.equal(b.details, "From UNISON Leeds Health, to the general fund");
});

test("fees, allocations, disbursements and reversals", () => {
  const fee = describeEvent(
    ev({ case: "affiliationFeePaid", value: { branchId: "unison-leeds", amount: gbp(3000n), periods: 3 } as never }),
    names,
  );
  assert.equal(fee.kind, "Affiliation fee");
  assert.equal(fee.details, "UNISON Leeds Health (3 periods)");
  assert.equal(fee.amount, "£30.00");

  const alloc = describeEvent(
    ev({ case: "fundsAllocated", value: { beneficiaryId: "lawyer-a", amount: gbp(4000n) } as never }),
    names,
  );
  assert.equal(alloc.details, "General fund to Legal aid for A.");

  const moved = describeEvent(
    ev({
      case: "fundsTransferred",
      value: {
        fromBeneficiaryId: "lawyer-a",
        toBeneficiaryId: "",
        amount: gbp(2500n),
        authority: TransferAuthority.COMMITTEE_DECISION,
        authorityReference: "",
      } as never,
    }),
    names,
  );
  assert.equal(moved.kind, "Transfer");
  assert.equal(moved.details, "Legal aid for A. to the general fund, by committee decision");
  assert.equal(moved.amount, "£25.00");

  const out = describeEvent(
    ev(
      { case: "disbursementMade", value: { beneficiaryId: "lawyer-a", amount: { amountMinor: 1500n, currency: "BHD" }, purpose: "x" } as never },
      { reversedByPosition: 9n },
    ),
    names,
  );
  assert.equal(out.kind, "Disbursement");
  assert.equal(out.amount, "BHD\u00a01.500");
  assert.equal(out.reversedBy, 9n);

});

test("two to sign: requests, approvals, rejections, cancellations, payments and the policy", () => {
  const req = describeEvent(
    ev({
      case: "disbursementRequested",
      value: { requestId: "request@7", beneficiaryId: "lawyer-a", amount: gbp(10000n), purpose: "secret purpose", payee: "secret payee" } as never,
    }),
    names,
  );
  assert.equal(req.kind, "Payment requested");
  assert.equal(req.amount, "£100.00");
  assert.equal(req.details, "From Legal aid for A.; committed until paid, rejected or cancelled");
  assert.ok(!JSON.stringify(req, (_, v) => (typeof v === "bigint" ? String(v) : v)).match(/secret/));

  const appr = describeEvent(ev({ case: "disbursementApproved", value: { requestId: "request@7", note: "secret note" } as never }), names);
  assert.equal(appr.kind, "Payment approved");
  assert.equal(appr.details, "For request #7");
  assert.equal(appr.amount, "", "an approval moves no money");

  const rej = describeEvent(
    ev({
      case: "disbursementRejected",
      value: { requestId: "request@7", reason: "secret reason", beneficiaryId: "lawyer-a", amount: gbp(10000n) } as never,
    }),
    names,
  );
  assert.equal(rej.kind, "Payment rejected");
  assert.equal(rej.details, "Request #7; the money returns to Legal aid for A.");
  assert.equal(rej.amount, "£100.00");

  const can = describeEvent(
    ev({
      case: "disbursementCancelled",
      value: { requestId: "request@7", beneficiaryId: "lawyer-a", amount: { amountMinor: 1500n, currency: "BHD" } } as never,
    }),
    names,
  );
  assert.equal(can.kind, "Payment cancelled");
  assert.equal(can.details, "Request #7, withdrawn; the money returns to Legal aid for A.");
  assert.equal(can.amount, "BHD\u00a01.500");

  const paid = describeEvent(
    ev({ case: "disbursementMade", value: { requestId: "request@7", beneficiaryId: "lawyer-a", amount: gbp(10000n) } as never }),
    names,
  );
  assert.equal(paid.kind, "Disbursement");
  assert.equal(paid.details, "Paid out for Legal aid for A., request #7");
  assert.equal(paid.amount, "£100.00");

  // A request id the proxy could not place (or a raw id, never shown).
  const unknown = describeEvent(ev({ case: "disbursementApproved", value: { requestId: "" } as never }), names);
  assert.equal(unknown.details, "For an earlier request");
  const raw = describeEvent(ev({ case: "disbursementApproved", value: { requestId: "req-1-q8z" } as never }), names);
  assert.equal(raw.details, "For an earlier request");

  const policy = describeEvent(
    ev({
      case: "approvalPolicySet",
      value: { defaultApprovals: 1, thresholds: [{ currency: "GBP", aboveMinor: 50000n, approvals: 2 }] } as never,
    }),
    names,
  );
  assert.equal(policy.kind, "Approval rule set");
  assert.equal(policy.details, "Every payment needs 1 approval; 2 approvals above £500.00");
  assert.equal(policy.amount, "");
  const none = describeEvent(ev({ case: "approvalPolicySet", value: { defaultApprovals: 0 } as never }), names);
  assert.equal(none.details, "Payments need no approval");
});

test("members, tokens and closed periods: what changed, never which member", () => {
  const added = describeEvent(
    ev({ case: "memberAdded", value: { memberId: "page-1", roles: [Role.VIEWER, Role.APPROVER] } as never }),
    names,
  );
  assert.equal(added.kind, "Member added");
  assert.equal(added.details, "Roles: viewer, approver");
  assert.equal(added.amount, "");
  const changed = describeEvent(ev({ case: "memberRolesChanged", value: { memberId: "page-1", roles: [Role.ADMIN] } as never }), names);
  assert.equal(changed.details, "Now: admin");
  for (const [k, value] of [
    ["memberAdded", { memberId: "page-1", roles: [] }],
    ["memberRolesChanged", { memberId: "page-1", roles: [] }],
    ["memberRemoved", { memberId: "page-1" }],
    ["tokenIssued", { memberId: "page-1", tokenId: "page-1-tok" }],
    ["tokenRevoked", { tokenId: "page-1-tok" }],
  ] as const) {
    const row = describeEvent(ev({ case: k, value: value as never }), names);
    assert.notEqual(row.kind, "Event", k);
    assert.ok(!`${row.kind} ${row.details}`.includes("page-1"), `${k}: ${row.details}`);
  }
  const proposed = describeEvent(ev({ case: "periodCloseProposed", value: { proposalId: "p1", through: "2026-03-31" } as never }), names);
  assert.equal(proposed.kind, "Closing proposed");
  assert.equal(proposed.details, "The books through 2026-03-31, once a second member agrees");
  const closed = describeEvent(ev({ case: "periodClosed", value: { proposalId: "p1", through: "2026-03-31" } as never }), names);
  assert.equal(closed.kind, "Books closed");
  assert.equal(closed.details, "Through 2026-03-31: nothing dated then or before can be recorded");
});

test("events that move no money have no amount", () => {
  const r = describeEvent(
    ev({ case: "beneficiaryRegistered", value: { beneficiaryId: "x", displayName: "Friend X", sensitive: true } as never }),
    names,
  );
  assert.equal(r.kind, "Fund opened");
  assert.equal(r.details, "Friend X");
  assert.equal(r.amount, "");
});

test("feeText", () => {
  assert.equal(feeText(undefined, FeePeriod.MONTHLY), "");
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.MONTHLY), "£10.00 / month");
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.QUARTERLY), "£10.00 / quarter");
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.ANNUAL), "£10.00 / year");
});

// ------------------------------------------------------------------ reversals

/** A donation at position 4 and reversals of it at 9, as the proxy passes them. */
function reversalCase(reversalAmount: bigint | undefined, kind = ReversalKind.REFUND) {
  const original = create(EventSchema, {
    position: 4n,
    occurredOn: "2026-03-01",
    reversedByPosition: 9n,
    body: {
      kind: {
        case: "donationReceived",
        value: { amount: gbp(5000n), donorKind: DonorKind.INDIVIDUAL, earmarkBeneficiaryId: "lawyer-a" },
      },
    },
  });
  const reversal = create(EventSchema, {
    position: 9n,
    occurredOn: "2026-03-02",
    body: {
      kind: {
        case: "eventReversed",
        value: {
          targetEventId: "event@4",
          kind,
          ...(reversalAmount !== undefined ? { amount: gbp(reversalAmount) } : {}),
        },
      },
    },
  });
  const all = new Map([
    [4n, original],
    [9n, reversal],
  ]);
  const lookup: EventLookup = { eventAt: (p) => all.get(p) };
  return { original, reversal, lookup };
}

test("a partial reversal shows its own amount; the original is not struck through but noted", () => {
  const { original, reversal, lookup } = reversalCase(1000n);
  const r = describeEvent(reversal, names, lookup);
  assert.equal(r.kind, "Reversal (refund)");
  assert.equal(r.amount, "£10.00");
  assert.equal(r.details, "Of #4 (Donation), £10.00 of £50.00");
  assert.equal(r.target, 4n);
  assert.equal(r.reversal, "none");

  const o = describeEvent(original, names, lookup);
  assert.equal(o.amount, "£50.00");
  assert.equal(o.reversal, "part");
  assert.equal(o.note, "£10.00 of it refunded");
  assert.equal(o.reversedBy, 9n);

  const cb = reversalCase(1000n, ReversalKind.CHARGEBACK);
  assert.equal(describeEvent(cb.original, names, cb.lookup).note, "£10.00 of it charged back");
});

test("a whole reversal (no amount) shows the original's amount; the original is struck through", () => {
  const { original, reversal, lookup } = reversalCase(undefined, ReversalKind.DUPLICATE);
  const r = describeEvent(reversal, names, lookup);
  assert.equal(r.kind, "Reversal (duplicate)");
  assert.equal(r.amount, "£50.00");
  assert.equal(r.details, "Of #4 (Donation), in full");
  const o = describeEvent(original, names, lookup);
  assert.equal(o.reversal, "whole");
  assert.equal(o.note, "");
  assert.equal(o.amount, "£50.00");

  // An amount equal to the original's is a whole reversal too.
  const eq = reversalCase(5000n);
  assert.equal(describeEvent(eq.original, names, eq.lookup).reversal, "whole");
  assert.equal(describeEvent(eq.reversal, names, eq.lookup).details, "Of #4 (Donation), in full");
});

test("reversals with the other event not at hand say no more than they know", () => {
  const { original, reversal } = reversalCase(undefined);
  const none: EventLookup = { eventAt: () => undefined };
  const r = describeEvent(reversal, names, none);
  assert.equal(r.amount, "");
  assert.equal(r.details, "Of #4, in full");
  const o = describeEvent(original, names, none);
  assert.equal(o.reversal, "unknown");
  assert.equal(o.note, "");

  const part = reversalCase(700n);
  const p = describeEvent(part.reversal, names, none);
  assert.equal(p.amount, "£7.00");
  assert.equal(p.details, "Of #4");

  // A target the proxy could not place (empty target_event_id).
  const lost = create(EventSchema, {
    position: 3n,
    body: { kind: { case: "eventReversed", value: { targetEventId: "", kind: ReversalKind.REFUND } } },
  });
  assert.equal(describeEvent(lost, names).details, "Of an earlier event, in full");
  assert.equal(describeEvent(lost, names).target, 0n);
  // A raw event id (never sent by the proxy) is not shown.
  const raw = create(EventSchema, {
    position: 3n,
    body: { kind: { case: "eventReversed", value: { targetEventId: "don-1", kind: ReversalKind.REFUND } } },
  });
  assert.ok(!describeEvent(raw, names).details.includes("don-1"));
});

// ------------------------------------------------------------------ fee status

function branch(paidUntil: string, inArrears: boolean, status = Status.OPEN) {
  return create(BranchViewSchema, {
    branch: { branchId: "gmb-hull", status, paidUntil, affiliatedOn: "2026-03-01" },
    inArrears,
  });
}

test("a branch owes its fee on paid_until itself, whichever rule the server uses", () => {
  const today = "2026-03-01";
  // Affiliated today, nothing paid: paid_until = today. The server before
  // the change reports in_arrears = false (paid_until < today), after it
  // true (paid_until <= today). Both read "Fee due", never "Paid up".
  for (const inArrears of [false, true]) {
    const s = feeStatus(branch("2026-03-01", inArrears), today);
    assert.equal(s.state, "due", `in_arrears=${inArrears}`);
    assert.equal(s.text, "Fee due");
    assert.equal(s.detail, "due today");
  }
  // Past paid_until: in arrears under either rule.
  for (const inArrears of [false, true]) {
    const s = feeStatus(branch("2026-02-28", inArrears), today);
    assert.equal(s.state, "arrears", `in_arrears=${inArrears}`);
    assert.equal(s.text, "In arrears");
    assert.equal(s.detail, "due since 2026-02-28");
  }
  // Paid ahead.
  const paid = feeStatus(branch("2026-03-02", false), today);
  assert.equal(paid.state, "paid");
  assert.equal(paid.text, "Paid up");
  assert.equal(paid.detail, "next fee due 2026-03-02");
  // The server's word wins when it says arrears and the dates say otherwise.
  assert.equal(feeStatus(branch("2026-04-01", true), today).state, "arrears");
  assert.equal(feeStatus(branch("", true), today).text, "In arrears");
  // Year boundaries compare as dates.
  assert.equal(feeStatus(branch("2025-12-31", false), "2026-01-01").state, "arrears");
  assert.equal(feeStatus(branch("2027-01-01", false), "2026-12-31").state, "paid");
  // Disaffiliated branches owe nothing.
  const gone = feeStatus(branch("2020-01-01", false, Status.CLOSED), today);
  assert.equal(gone.text, "Disaffiliated");
  assert.equal(gone.detail, "");
});

test("hashes are lower-case hex", () => {
  assert.equal(toHex(new Uint8Array([0x00, 0xab, 0xcd, 0xef, 0x0f, 0xf0])), "00abcdef0ff0");
  const all = toHex(Uint8Array.from({ length: 256 }, (_, i) => i));
  assert.match(all, /^[0-9a-f]{512}$/);
});
