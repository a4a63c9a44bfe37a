// What the dashboard proxy strips from ledgerd's answers before they reach a
// browser. The dashboard is meant to be a public transparency page, and donors
// and beneficiaries may live under a repressive regime (shared/DESIGN.md), so
// the proxy passes on names that were chosen to be public (fund display names,
// union branch names) and the money, never free text that may identify a
// person.

import type { BeneficiaryView } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";

/** A sensitive beneficiary is shown by display name only: no purpose. */
export function redactBeneficiaryView(view: BeneficiaryView): BeneficiaryView {
  const b = view.beneficiary;
  if (b && b.sensitive) {
    b.purpose = "";
  }
  return view;
}

export function redactBeneficiaryViews(views: BeneficiaryView[]): BeneficiaryView[] {
  for (const v of views) redactBeneficiaryView(v);
  return views;
}

/**
 * An event as the public page may see it: kind, amounts, dates, ids and
 * public names. Memos, actors, donor references, payees, purposes, reasons,
 * payment methods and bank references are removed. (The hashes stay, so the
 * event is still identifiable in the chain; the page does not re-hash.)
 */
export function redactEvent(event: Event): Event {
  event.memo = "";
  event.actor = "";
  const kind = event.body?.kind;
  switch (kind?.case) {
    case "beneficiaryRegistered":
      kind.value.purpose = "";
      break;
    case "beneficiaryUpdated":
      kind.value.purpose = "";
      break;
    case "beneficiaryClosed":
      kind.value.reason = "";
      break;
    case "branchDisaffiliated":
      kind.value.reason = "";
      break;
    case "affiliationFeePaid":
      kind.value.method = "";
      kind.value.reference = "";
      break;
    case "donationReceived":
      kind.value.donorRef = "";
      kind.value.method = "";
      kind.value.reference = "";
      break;
    case "fundsAllocated":
      kind.value.memo = "";
      break;
    case "disbursementMade":
      kind.value.purpose = "";
      kind.value.payee = "";
      kind.value.method = "";
      kind.value.reference = "";
      break;
    case "eventReversed":
      kind.value.reason = "";
      break;
    default:
      break;
  }
  return event;
}
