import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  DonorKind,
  EventSchema,
  FeePeriod,
  ReversalKind,
  type EventBody,
} from "../gen/solidarity/ledger/v1/events_pb.js";
import { describeEvent, feeText, type Names } from "../src/shared/describe.js";
import { redactEvent } from "../src/server/redact.js";

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
  assert.equal(r.amount, "25.00 GBP");
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
  assert.equal(fee.amount, "30.00 GBP");

  const alloc = describeEvent(
    ev({ case: "fundsAllocated", value: { beneficiaryId: "lawyer-a", amount: gbp(4000n) } as never }),
    names,
  );
  assert.equal(alloc.details, "General fund to Legal aid for A.");

  const out = describeEvent(
    ev(
      { case: "disbursementMade", value: { beneficiaryId: "lawyer-a", amount: { amountMinor: 1500n, currency: "BHD" }, purpose: "x" } as never },
      { reversedByPosition: 9n },
    ),
    names,
  );
  assert.equal(out.kind, "Disbursement");
  assert.equal(out.amount, "1.500 BHD");
  assert.equal(out.reversedBy, 9n);

  const whole = describeEvent(
    ev({ case: "eventReversed", value: { targetEventId: "don-1", kind: ReversalKind.REFUND, reason: "asked" } as never }),
    names,
  );
  assert.equal(whole.kind, "Reversal (refund)");
  assert.equal(whole.details, "Of event don-1, in full");
  assert.equal(whole.amount, "");

  const part = describeEvent(
    ev({ case: "eventReversed", value: { targetEventId: "don-1", kind: ReversalKind.CHARGEBACK, amount: gbp(500n) } as never }),
    names,
  );
  assert.equal(part.amount, "5.00 GBP");
  assert.equal(part.details, "Of event don-1");
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
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.MONTHLY), "10.00 GBP / month");
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.QUARTERLY), "10.00 GBP / quarter");
  assert.equal(feeText({ amountMinor: 1000n, currency: "GBP" } as never, FeePeriod.ANNUAL), "10.00 GBP / year");
});

test("redactEvent removes personal free text", () => {
  const donation = redactEvent(
    ev(
      {
        case: "donationReceived",
        value: { amount: gbp(100n), donorKind: DonorKind.INDIVIDUAL, donorRef: "ref", method: "card", reference: "r1" } as never,
      },
      { memo: "note", actor: "treasurer" },
    ),
  );
  assert.equal(donation.memo, "");
  assert.equal(donation.actor, "");
  const d = donation.body!.kind;
  assert.equal(d.case, "donationReceived");
  if (d.case === "donationReceived") {
    assert.equal(d.value.donorRef, "");
    assert.equal(d.value.method, "");
    assert.equal(d.value.reference, "");
    assert.equal(d.value.amount?.amountMinor, 100n);
  }
  const out = redactEvent(
    ev({ case: "disbursementMade", value: { beneficiaryId: "b", amount: gbp(1n), purpose: "p", payee: "who" } as never }),
  );
  const o = out.body!.kind;
  if (o.case === "disbursementMade") {
    assert.equal(o.value.purpose, "");
    assert.equal(o.value.payee, "");
    assert.equal(o.value.beneficiaryId, "b");
  } else {
    assert.fail("wrong case");
  }
  const reg = redactEvent(
    ev({ case: "beneficiaryRegistered", value: { beneficiaryId: "b", displayName: "B", purpose: "secret", sensitive: true } as never }),
  );
  const g = reg.body!.kind;
  if (g.case === "beneficiaryRegistered") {
    assert.equal(g.value.purpose, "");
    assert.equal(g.value.displayName, "B");
  } else {
    assert.fail("wrong case");
  }
});
