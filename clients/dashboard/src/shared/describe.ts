// Plain-language descriptions of ledger events and fee terms for the page.
// Only public facts are used: kinds, amounts, dates, fund display names and
// branch names. Donor references, payees, purposes, memos and actors are never
// shown (the proxy strips them before they reach the browser anyway).

import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import {
  DonorKind,
  FeePeriod,
  ReversalKind,
} from "../../gen/solidarity/ledger/v1/events_pb.js";
import type { Money } from "../../gen/solidarity/ledger/v1/events_pb.js";
import { formatMoney } from "./money.js";

/** What the activity table shows for one event. */
export interface EventRow {
  position: bigint;
  date: string;
  kind: string;
  details: string;
  /** "12.50 GBP", or "" when the event moves no money. */
  amount: string;
  /** Position of the reversing event, 0n if not reversed. */
  reversedBy: bigint;
}

/** Names the page may show for ids found in events. */
export interface Names {
  beneficiary(id: string): string;
  branch(id: string): string;
}

export function moneyText(m: Money | undefined): string {
  if (!m || !m.currency) return "";
  return formatMoney(m.amountMinor, m.currency);
}

const DONOR_KIND: Record<number, string> = {
  [DonorKind.INDIVIDUAL]: "an individual",
  [DonorKind.BRANCH]: "a branch",
  [DonorKind.ORGANISATION]: "an organisation",
  [DonorKind.ANONYMOUS]: "an anonymous donor",
};

const REVERSAL_KIND: Record<number, string> = {
  [ReversalKind.REFUND]: "refund",
  [ReversalKind.CORRECTION]: "correction",
  [ReversalKind.DUPLICATE]: "duplicate",
  [ReversalKind.CHARGEBACK]: "chargeback",
};

export function describeEvent(event: Event, names: Names): EventRow {
  const row: EventRow = {
    position: event.position,
    date: event.occurredOn,
    kind: "Event",
    details: "",
    amount: "",
    reversedBy: event.reversedByPosition,
  };
  const kind = event.body?.kind;
  switch (kind?.case) {
    case "ledgerOpened":
      row.kind = "Ledger opened";
      row.details = kind.value.name;
      break;
    case "beneficiaryRegistered":
      row.kind = "Fund opened";
      row.details = kind.value.displayName || names.beneficiary(kind.value.beneficiaryId);
      break;
    case "beneficiaryUpdated":
      row.kind = "Fund details updated";
      row.details = names.beneficiary(kind.value.beneficiaryId);
      break;
    case "beneficiaryClosed":
      row.kind = "Fund closed";
      row.details = names.beneficiary(kind.value.beneficiaryId);
      break;
    case "branchAffiliated":
      row.kind = "Branch affiliated";
      row.details = [kind.value.unionName, kind.value.branchName].filter(Boolean).join(" ");
      break;
    case "branchDisaffiliated":
      row.kind = "Branch disaffiliated";
      row.details = names.branch(kind.value.branchId);
      break;
    case "affiliationFeePaid": {
      const periods = kind.value.periods > 1 ? ` (${kind.value.periods} periods)` : "";
      row.kind = "Affiliation fee";
      row.details = names.branch(kind.value.branchId) + periods;
      row.amount = moneyText(kind.value.amount);
      break;
    }
    case "donationReceived": {
      const d = kind.value;
      const from =
        d.donorKind === DonorKind.BRANCH && d.branchId
          ? names.branch(d.branchId)
          : (DONOR_KIND[d.donorKind] ?? "a donor");
      const to = d.earmarkBeneficiaryId
        ? names.beneficiary(d.earmarkBeneficiaryId)
        : "the general fund";
      row.kind = "Donation";
      row.details = `From ${from}, to ${to}`;
      row.amount = moneyText(d.amount);
      break;
    }
    case "fundsAllocated":
      row.kind = "Allocation";
      row.details = `General fund to ${names.beneficiary(kind.value.beneficiaryId)}`;
      row.amount = moneyText(kind.value.amount);
      break;
    case "disbursementMade":
      row.kind = "Disbursement";
      row.details = `Paid out for ${names.beneficiary(kind.value.beneficiaryId)}`;
      row.amount = moneyText(kind.value.amount);
      break;
    case "eventReversed": {
      const r = kind.value;
      const why = REVERSAL_KIND[r.kind];
      row.kind = why ? `Reversal (${why})` : "Reversal";
      const amount = moneyText(r.amount);
      row.details = `Of event ${r.targetEventId}${amount ? "" : ", in full"}`;
      row.amount = amount && r.amount && r.amount.amountMinor > 0n ? amount : "";
      break;
    }
    default:
      break;
  }
  return row;
}

const PERIOD: Record<number, string> = {
  [FeePeriod.MONTHLY]: "month",
  [FeePeriod.QUARTERLY]: "quarter",
  [FeePeriod.ANNUAL]: "year",
};

/** "10.00 GBP / month". */
export function feeText(fee: Money | undefined, period: FeePeriod | undefined): string {
  const amount = moneyText(fee);
  if (!amount) return "";
  const p = period !== undefined ? PERIOD[period] : undefined;
  return p ? `${amount} / ${p}` : amount;
}
