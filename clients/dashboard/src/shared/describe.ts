// Plain-language descriptions of ledger events and fee terms for the page.
// Only public facts are used: kinds, amounts, dates, fund display names and
// branch names. Donor references, payees, purposes, memos and actors are never
// shown (ledgerd withholds them from the public and viewers anyway).

import type { Event, EventReversed } from "../../gen/solidarity/ledger/v1/events_pb.js";
import {
  DonorKind,
  FeePeriod,
  ReversalKind,
  TransferAuthority,
  Role,
} from "../../gen/solidarity/ledger/v1/events_pb.js";
import type { Money } from "../../gen/solidarity/ledger/v1/events_pb.js";
import type { BranchView } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import { Status } from "../../gen/solidarity/ledger/v1/projections_pb.js";
import { formatCurrency } from "./money.js";
import { parseEventRef, parseRequestRef } from "./public-ids.js";

/**
 * How much of an event a reversal undid, as far as the page can tell:
 * "none" (not reversed), "whole", "part", or "unknown" (reversed, but the
 * reversing event is not at hand).
 */
export type ReversalExtent = "none" | "whole" | "part" | "unknown";

/** What the activity table shows for one event. */
export interface EventRow {
  position: bigint;
  date: string;
  kind: string;
  details: string;
  /** "£12.50", or "" when the event moves no money. */
  amount: string;
  /** Position of the reversing event, 0n if not reversed. */
  reversedBy: bigint;
  /** How much of this event was reversed. Only "whole" is struck through. */
  reversal: ReversalExtent;
  /** A note on a partly reversed event: "£10.00 of it refunded". */
  note: string;
  /** For a reversal: the position of the event it reverses (0n if unknown). */
  target: bigint;
}

/** Names the page may show for ids found in events. */
export interface Names {
  beneficiary(id: string): string;
  branch(id: string): string;
}

/** Other events the page has at hand (the reversal of an event, the target of a reversal). */
export interface EventLookup {
  eventAt(position: bigint): Event | undefined;
}

const NO_EVENTS: EventLookup = { eventAt: () => undefined };

/** The amount an event moved, for the kinds that move money. */
export function eventMoney(event: Event | undefined): Money | undefined {
  const kind = event?.body?.kind;
  switch (kind?.case) {
    case "affiliationFeePaid":
    case "donationReceived":
    case "fundsAllocated":
    case "fundsTransferred":
    case "disbursementMade":
      return kind.value.amount;
    default:
      return undefined;
  }
}

/**
 * The money a request event commits or releases (shown in the amount column
 * but never counted as money moved: reversals do not apply to them).
 */
function requestMoney(event: Event): Money | undefined {
  const kind = event.body?.kind;
  switch (kind?.case) {
    case "disbursementRequested":
    case "disbursementRejected":
    case "disbursementCancelled":
      return kind.value.amount;
    default:
      return undefined;
  }
}

/** The position a reversal names (the proxy passes "event@<P>" for the target). */
export function reversalTarget(r: EventReversed): bigint {
  return parseEventRef(r.targetEventId) ?? 0n;
}

function reversalOf(event: Event | undefined): EventReversed | undefined {
  const kind = event?.body?.kind;
  return kind?.case === "eventReversed" ? kind.value : undefined;
}

/**
 * Whether `reversal` undoes all of `target`: an empty amount means the whole
 * amount; so does an amount equal to the original's.
 */
function reversesWhole(reversal: EventReversed, target: Event | undefined): boolean | undefined {
  const amount = reversal.amount;
  if (!amount || amount.amountMinor <= 0n) return true;
  const original = eventMoney(target);
  if (!original) return undefined;
  return amount.amountMinor >= original.amountMinor;
}

export function moneyText(m: Money | undefined): string {
  if (!m || !m.currency) return "";
  return formatCurrency(m.amountMinor, m.currency);
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

/** "£10.00 of it <verb>". */
const REVERSAL_VERB: Record<number, string> = {
  [ReversalKind.REFUND]: "refunded",
  [ReversalKind.CORRECTION]: "corrected",
  [ReversalKind.DUPLICATE]: "reversed as a duplicate",
  [ReversalKind.CHARGEBACK]: "charged back",
};

const KIND_NAME: Record<string, string> = {
  affiliationFeePaid: "Affiliation fee",
  donationReceived: "Donation",
  fundsAllocated: "Allocation",
  fundsTransferred: "Transfer",
  disbursementMade: "Disbursement",
};

/** "request #12" (the proxy passes "request@<P>" for a request id), or "an earlier request". */
export function requestText(requestId: string): string {
  const p = parseRequestRef(requestId);
  return p !== undefined ? `request #${p}` : "an earlier request";
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const ROLE_NAME: Partial<Record<Role, string>> = {
  [Role.VIEWER]: "viewer",
  [Role.TREASURER]: "treasurer",
  [Role.APPROVER]: "approver",
  [Role.AUDITOR]: "auditor",
  [Role.ADMIN]: "admin",
};

/** "viewer, treasurer"; roles this build does not know are left out. */
function rolesText(roles: Role[]): string {
  return roles.flatMap((r) => (ROLE_NAME[r] ? [ROLE_NAME[r]] : [])).join(", ");
}

function approvalsText(n: number): string {
  return n === 0 ? "no approval" : n === 1 ? "1 approval" : `${n} approvals`;
}

/**
 * One row of the activity table. `events` holds the other events at hand, so
 * that a reversal shows what it reversed (its own amount when partial, the
 * original's when whole) and a partly reversed event says how much of it was
 * undone instead of being struck through.
 */
export function describeEvent(event: Event, names: Names, events: EventLookup = NO_EVENTS): EventRow {
  const row: EventRow = {
    position: event.position,
    date: event.occurredOn,
    kind: "Event",
    details: "",
    amount: "",
    reversedBy: event.reversedByPosition,
    reversal: event.reversedByPosition > 0n ? "unknown" : "none",
    note: "",
    target: 0n,
  };
  if (row.reversedBy > 0n) {
    const reversal = reversalOf(events.eventAt(row.reversedBy));
    if (reversal) {
      const whole = reversesWhole(reversal, event);
      if (whole === true) {
        row.reversal = "whole";
      } else if (whole === false) {
        row.reversal = "part";
        const verb = REVERSAL_VERB[reversal.kind] ?? "reversed";
        row.note = `${moneyText(reversal.amount)} of it ${verb}`;
      }
    }
  }
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
    case "partyErased":
      row.kind = "Private details erased";
      row.details = "A donor's or payee's details, at their request or by correction";
      break;
    case "eventDetailsErased":
      row.kind = "Private details erased";
      row.details = "One event's details";
      break;
    case "branchUpdated":
      row.kind = "Branch terms changed";
      row.details = `${names.branch(kind.value.branchId)}, from ${kind.value.fromPeriod}`;
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
    case "fundsTransferred": {
      const v = kind.value;
      const to = v.toBeneficiaryId ? names.beneficiary(v.toBeneficiaryId) : "the general fund";
      const why =
        v.authority === TransferAuthority.DONOR_CONSENT ? "with the donors' consent" : "by committee decision";
      row.kind = "Transfer";
      row.details = `${names.beneficiary(v.fromBeneficiaryId)} to ${to}, ${why}`;
      row.amount = moneyText(v.amount);
      break;
    }
    case "disbursementMade": {
      const v = kind.value;
      row.kind = "Disbursement";
      row.details = `Paid out for ${names.beneficiary(v.beneficiaryId)}` + (v.requestId ? `, ${requestText(v.requestId)}` : "");
      row.amount = moneyText(v.amount);
      break;
    }
    case "disbursementRequested":
      row.kind = "Payment requested";
      row.details = `From ${names.beneficiary(kind.value.beneficiaryId)}; committed until paid, rejected or cancelled`;
      row.amount = moneyText(requestMoney(event));
      break;
    case "disbursementApproved":
      row.kind = "Payment approved";
      row.details = `For ${requestText(kind.value.requestId)}`;
      break;
    case "disbursementRejected":
      row.kind = "Payment rejected";
      row.details = `${capital(requestText(kind.value.requestId))}; the money returns to ${names.beneficiary(kind.value.beneficiaryId)}`;
      row.amount = moneyText(requestMoney(event));
      break;
    case "disbursementCancelled":
      row.kind = "Payment cancelled";
      row.details = `${capital(requestText(kind.value.requestId))}, withdrawn; the money returns to ${names.beneficiary(kind.value.beneficiaryId)}`;
      row.amount = moneyText(requestMoney(event));
      break;
    // Governance: which member is not shown (member ids are the actors',
    // which the page never shows), only what changed.
    case "memberAdded":
      row.kind = "Member added";
      row.details = `Roles: ${rolesText(kind.value.roles) || "none"}`;
      break;
    case "memberRolesChanged":
      row.kind = "Member's roles changed";
      row.details = `Now: ${rolesText(kind.value.roles) || "none"}`;
      break;
    case "memberRemoved":
      row.kind = "Member removed";
      row.details = "Every token of theirs stops working";
      break;
    case "tokenIssued":
      row.kind = "Token issued";
      row.details = "A member's new token";
      break;
    case "tokenRevoked":
      row.kind = "Token revoked";
      row.details = "It no longer works";
      break;
    case "periodCloseProposed":
      row.kind = "Closing proposed";
      row.details = `The books through ${kind.value.through}, once a second member agrees`;
      break;
    case "periodClosed":
      row.kind = "Books closed";
      row.details = `Through ${kind.value.through}: nothing dated then or before can be recorded`;
      break;
    case "approvalPolicySet": {
      const v = kind.value;
      const parts = [
        v.defaultApprovals === 0 ? "Payments need no approval" : `Every payment needs ${approvalsText(v.defaultApprovals)}`,
      ];
      for (const t of v.thresholds) {
        parts.push(`${approvalsText(t.approvals)} above ${formatCurrency(t.aboveMinor, t.currency)}`);
      }
      row.kind = "Approval rule set";
      row.details = parts.join("; ");
      break;
    }
    case "eventReversed": {
      const r = kind.value;
      const why = REVERSAL_KIND[r.kind];
      row.kind = why ? `Reversal (${why})` : "Reversal";
      row.target = reversalTarget(r);
      const target = row.target > 0n ? events.eventAt(row.target) : undefined;
      const original = eventMoney(target);
      const what = target?.body?.kind.case ? KIND_NAME[target.body.kind.case] : undefined;
      const of = row.target > 0n ? `Of #${row.target}${what ? ` (${what})` : ""}` : "Of an earlier event";
      const whole = reversesWhole(r, target);
      if (whole === true) {
        // Empty amount: the whole of the original.
        row.amount = original ? moneyText(original) : r.amount && r.amount.amountMinor > 0n ? moneyText(r.amount) : "";
        row.details = `${of}, in full`;
      } else {
        row.amount = moneyText(r.amount);
        row.details = whole === false && original ? `${of}, ${row.amount} of ${moneyText(original)}` : of;
      }
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

/** "£10.00 / month". */
export function feeText(fee: Money | undefined, period: FeePeriod | undefined): string {
  const amount = moneyText(fee);
  if (!amount) return "";
  const p = period !== undefined ? PERIOD[period] : undefined;
  return p ? `${amount} / ${p}` : amount;
}

/** A branch's fee standing as the page words it. */
export type FeeState = "disaffiliated" | "paid" | "due" | "arrears";

export interface FeeStatus {
  state: FeeState;
  /** "Paid up", "Fee due", "In arrears", "Disaffiliated". */
  text: string;
  /** "next fee due 2026-04-01", "due since 2026-03-01", or "". */
  detail: string;
}

/**
 * The fee standing of a branch on `today` ("YYYY-MM-DD", the server's date).
 * The fee for a period is owed from its first day: a branch owes on the day
 * paid_until is reached, so one that has paid nothing owes its first period
 * from the day it affiliates. "Fee due" on that day, "In arrears" after it.
 * This holds whichever rule the server uses for in_arrears (paid_until <
 * today or paid_until <= today): a branch the server calls in arrears is
 * never shown as paid up, and one whose paid_until has come is never shown
 * as paid up either.
 */
export function feeStatus(view: BranchView, today: string): FeeStatus {
  const b = view.branch;
  if (b?.status === Status.CLOSED) return { state: "disaffiliated", text: "Disaffiliated", detail: "" };
  const paidUntil = b?.paidUntil ?? "";
  // "YYYY-MM-DD" strings compare as dates.
  const reached = paidUntil !== "" && today !== "" && paidUntil <= today;
  if (reached && paidUntil === today) return { state: "due", text: "Fee due", detail: "due today" };
  if (reached || view.inArrears) {
    return { state: "arrears", text: "In arrears", detail: paidUntil ? `due since ${paidUntil}` : "" };
  }
  return { state: "paid", text: "Paid up", detail: paidUntil ? `next fee due ${paidUntil}` : "" };
}
