// What the dashboard proxy changes in ledgerd's answers before they reach a
// browser. The page is public, and donors and beneficiaries may live under a
// repressive regime (shared/DESIGN.md, "Views"): a public answer never carries
//
//   * the id of a sensitive fund. Fund ids are chosen by a treasurer and may
//     be a person's name. Wherever a sensitive fund's id would appear
//     (Beneficiary.beneficiary_id, FundBalance.fund "beneficiary/<id>",
//     AccountBalance.account "fund:beneficiary/<id>", the fund fields of
//     event bodies, ErrorDetail.fund, free text) the proxy puts the fund's
//     alias "fund@<P>" instead, P being the position of its registration
//     (src/shared/public-ids.ts). Non-sensitive funds keep their ids;
//   * any event id (Event.event_id is emptied; EventReversed.target_event_id
//     becomes "event@<P>", the target's position, looked up in the same
//     answer or upstream with LedgerAudit.GetEvent; ErrorDetail.event_id is
//     emptied);
//   * any disbursement request id (two to sign). A request id is chosen by a
//     treasurer like an event id, and is often the same text: the request
//     events and DisbursementMade carry "request@<P>" instead, P being the
//     position of the request's DisbursementRequested (from the same answer,
//     a cache, or LedgerQueries.ListDisbursementRequests), "" if unknown;
//   * the purpose of a sensitive fund, and from events: memos, actors, donor
//     references, payees, purposes, reasons, approval notes, payment methods
//     and bank references;
//   * fields the proxy does not know (protobuf unknown fields, event kinds
//     newer than this build): dropped, so that a newer ledgerd cannot pass
//     anything through unseen.
//
// Requests that name a fund are mapped the other way: an alias goes to
// ledgerd as the real id, and a sensitive fund's real id is answered exactly
// as an id that does not exist.
//
// Everything lives behind the Redactor class so that the proxy can drop it in
// one place once ledgerd itself redacts by role (DESIGN.md, "Identities and
// roles").

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ErrorDetailSchema,
  GetBeneficiaryRequestSchema,
  type BeneficiaryView,
  type ErrorDetail,
  type GetBeneficiaryRequest,
  type GetBeneficiaryResponse,
  type GetBranchResponse,
  type Checkpoint,
  type GetCheckpointResponse,
  type GetHeadResponse,
  type GetSummaryResponse,
  type GetTrialBalanceResponse,
  type ListBeneficiariesResponse,
  type ListBranchesResponse,
  type ReadEventsResponse,
  type VerifyChainResponse,
  type WatchBalancesResponse,
  type BranchView,
} from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import type {
  AccountBalance,
  Beneficiary,
  Branch,
  FundBalance,
} from "../../gen/solidarity/ledger/v1/projections_pb.js";
import { FUND_ALIAS_PREFIX, eventRef, fundAlias, parseFundAlias, requestRef } from "../shared/public-ids.js";

/** What the redactor asks ledgerd itself. */
export interface RedactorUpstream {
  /** Every beneficiary, open and closed, at the newest head. */
  listBeneficiaries(): Promise<{ asOf: bigint; beneficiaries: Beneficiary[] }>;
  /** The position of the event with this event_id; undefined if there is none. */
  eventPosition(eventId: string, signal?: AbortSignal): Promise<bigint | undefined>;
  /** The position of the DisbursementRequested of this request; undefined if there is none. */
  requestPosition(requestId: string, signal?: AbortSignal): Promise<bigint | undefined>;
}

export interface RedactorOptions {
  /**
   * A request naming an alias beyond what the redactor knows re-reads the
   * fund register at most this often (a page never needs it: it learns
   * aliases from answers, which teach the redactor first).
   */
  minRefreshIntervalMs?: number;
  /** Event ids -> positions kept for reversal targets (and as many request ids). */
  maxCachedTargets?: number;
  now?: () => number;
  log?: (line: string) => void;
}

/** A GetBeneficiary request as it goes to ledgerd. */
export interface BeneficiaryAsk {
  request: GetBeneficiaryRequest;
  /** True when the browser named the fund by its alias. */
  viaAlias: boolean;
}

export const UNKNOWN_BENEFICIARY = "UNKNOWN_BENEFICIARY";
export const UNKNOWN_EVENT = "UNKNOWN_EVENT";

/** Codes whose messages describe the server's insides: replaced by a plain sentence. */
const OPAQUE_CODES = new Set<Code>([Code.Internal, Code.DataLoss, Code.Unknown]);

/** Escapes a fund id (a-z 0-9 . _ -) for a regular expression. */
function escapeId(id: string): string {
  return id.replace(/[.\-]/g, "\\$&");
}
const BENEFICIARY_FUND = "beneficiary/";
const BENEFICIARY_ACCOUNT = "fund:beneficiary/";

// ------------------------------------------------------------------ walkers
//
// Each walker visits one message type. It runs twice over an answer: once to
// collect (learn the funds an answer describes, note the fund ids and event
// ids it names), then -- once those are known -- to rewrite.

interface Pass {
  /** A real fund id -> its public id. */
  fund(id: string): string;
  /** Free text (names, purposes, messages) -> text without sensitive fund ids. */
  text(s: string): string;
  /** A reversal's target event id -> "event@<P>" (or "" if unknown). */
  target(eventId: string): string;
  /** The answer describes this fund. */
  learn(id: string, sensitive: boolean, registeredPosition: bigint): void;
  /** The answer holds this event. */
  sawEvent(eventId: string, position: bigint): void;
  /** A disbursement request's id -> "request@<P>" (or "" if unknown). */
  request(requestId: string): string;
  /** The answer holds the DisbursementRequested of this request. */
  sawRequest(requestId: string, position: bigint): void;
}

function fundName(fund: string, p: Pass): string {
  if (fund.startsWith(BENEFICIARY_FUND)) return BENEFICIARY_FUND + p.fund(fund.slice(BENEFICIARY_FUND.length));
  return fund === "general" ? fund : p.text(fund);
}

function accountName(account: string, p: Pass): string {
  if (account.startsWith(BENEFICIARY_ACCOUNT)) {
    return BENEFICIARY_ACCOUNT + p.fund(account.slice(BENEFICIARY_ACCOUNT.length));
  }
  return p.text(account);
}

/** Sorts public fund ids: real ids in their order, then aliases by position. */
function fundSortKey(publicId: string): string {
  const alias = parseFundAlias(publicId);
  return alias === undefined ? publicId : "~" + alias.toString().padStart(20, "0");
}

function accountSortKey(account: string): string {
  return account.startsWith(BENEFICIARY_ACCOUNT)
    ? BENEFICIARY_ACCOUNT + fundSortKey(account.slice(BENEFICIARY_ACCOUNT.length))
    : account;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function walkBeneficiary(b: Beneficiary, p: Pass): void {
  p.learn(b.beneficiaryId, b.sensitive, b.registeredPosition);
  if (b.sensitive) b.purpose = "";
  b.beneficiaryId = p.fund(b.beneficiaryId);
  b.displayName = p.text(b.displayName);
  b.purpose = p.text(b.purpose);
}

function walkFundBalance(f: FundBalance, p: Pass): void {
  f.fund = fundName(f.fund, p);
}

function walkBeneficiaryView(v: BeneficiaryView, p: Pass): void {
  if (v.beneficiary) walkBeneficiary(v.beneficiary, p);
  for (const bal of v.balances) walkFundBalance(bal, p);
}

/**
 * ledgerd sorts funds by their real id, so the order alone would tell where a
 * sensitive id falls in the alphabet: sort by public id instead.
 */
function walkBeneficiaryViews(views: BeneficiaryView[], p: Pass): void {
  for (const v of views) walkBeneficiaryView(v, p);
  views.sort((a, b) =>
    compare(fundSortKey(a.beneficiary?.beneficiaryId ?? ""), fundSortKey(b.beneficiary?.beneficiaryId ?? "")),
  );
}

function walkBranch(b: Branch, p: Pass): void {
  b.unionName = p.text(b.unionName);
  b.branchName = p.text(b.branchName);
  b.region = p.text(b.region);
}

function walkBranchView(v: BranchView, p: Pass): void {
  if (v.branch) walkBranch(v.branch, p);
}

function walkSummary(s: GetSummaryResponse, p: Pass): void {
  s.ledgerName = p.text(s.ledgerName);
  for (const f of s.generalFund) walkFundBalance(f, p);
}

function walkAccounts(accounts: AccountBalance[], p: Pass): void {
  for (const a of accounts) a.account = accountName(a.account, p);
  accounts.sort(
    (a, b) => compare(accountSortKey(a.account), accountSortKey(b.account)) || compare(a.currency, b.currency),
  );
}

function walkEvent(ev: Event, p: Pass): void {
  p.sawEvent(ev.eventId, ev.position);
  ev.eventId = "";
  ev.memo = "";
  ev.actor = "";
  const kind = ev.body?.kind;
  switch (kind?.case) {
    case "ledgerOpened":
      kind.value.name = p.text(kind.value.name);
      break;
    case "beneficiaryRegistered": {
      const v = kind.value;
      p.learn(v.beneficiaryId, v.sensitive, ev.position);
      v.purpose = "";
      v.beneficiaryId = p.fund(v.beneficiaryId);
      v.displayName = p.text(v.displayName);
      break;
    }
    case "beneficiaryUpdated":
      kind.value.purpose = "";
      kind.value.beneficiaryId = p.fund(kind.value.beneficiaryId);
      kind.value.displayName = p.text(kind.value.displayName);
      break;
    case "beneficiaryClosed":
      kind.value.reason = "";
      kind.value.beneficiaryId = p.fund(kind.value.beneficiaryId);
      break;
    case "branchAffiliated":
      kind.value.unionName = p.text(kind.value.unionName);
      kind.value.branchName = p.text(kind.value.branchName);
      kind.value.region = p.text(kind.value.region);
      break;
    case "branchDisaffiliated":
      kind.value.reason = "";
      break;
    case "branchUpdated":
      // Declared members and fee terms are public, like the affiliation's.
      break;
    case "partyErased":
      // Whose details went is itself private: nothing but the kind passes.
      kind.value.partyRef = "";
      kind.value.partyId = "";
      kind.value.reason = "";
      break;
    case "eventDetailsErased":
      kind.value.reason = "";
      kind.value.targetEventId = p.target(kind.value.targetEventId);
      break;
    case "affiliationFeePaid":
      kind.value.method = "";
      kind.value.reference = "";
      break;
    case "donationReceived": {
      const v = kind.value;
      v.donorRef = "";
      v.method = "";
      v.reference = "";
      if (v.earmarkBeneficiaryId) v.earmarkBeneficiaryId = p.fund(v.earmarkBeneficiaryId);
      break;
    }
    case "fundsAllocated":
      kind.value.memo = "";
      kind.value.beneficiaryId = p.fund(kind.value.beneficiaryId);
      break;
    case "disbursementMade": {
      const v = kind.value;
      v.purpose = "";
      v.payee = "";
      v.method = "";
      v.reference = "";
      if (v.requestId) v.requestId = p.request(v.requestId);
      v.beneficiaryId = p.fund(v.beneficiaryId);
      break;
    }
    case "disbursementRequested": {
      // As a disbursement: purpose, payee and method go, the fund is named
      // by its public id.
      const v = kind.value;
      p.sawRequest(v.requestId, ev.position);
      v.requestId = p.request(v.requestId);
      v.purpose = "";
      v.payee = "";
      v.method = "";
      v.beneficiaryId = p.fund(v.beneficiaryId);
      break;
    }
    case "disbursementApproved":
      kind.value.note = "";
      kind.value.requestId = p.request(kind.value.requestId);
      break;
    case "disbursementRejected":
    case "disbursementCancelled": {
      const v = kind.value;
      v.reason = "";
      v.requestId = p.request(v.requestId);
      v.beneficiaryId = p.fund(v.beneficiaryId);
      break;
    }
    case "approvalPolicySet":
      // How many approvals a payment needs is public.
      break;
    case "eventReversed":
      kind.value.reason = "";
      kind.value.targetEventId = p.target(kind.value.targetEventId);
      break;
    default:
      // A kind this build does not know: nothing of it is passed on.
      if (ev.body) ev.body.kind = { case: undefined };
      break;
  }
}

function walkErrorDetail(d: ErrorDetail, p: Pass): void {
  d.eventId = "";
  const fund = fundName(d.fund, p);
  // A fund the redactor could not place is left out altogether.
  d.fund = fund === BENEFICIARY_FUND ? "" : fund;
}

/** Deletes protobuf unknown fields everywhere in a message tree. */
export function stripUnknownFields(value: unknown): void {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const v of value) stripUnknownFields(v);
    return;
  }
  const obj = value as Record<string, unknown>;
  if ("$unknown" in obj) delete obj.$unknown;
  for (const key of Object.keys(obj)) stripUnknownFields(obj[key]);
}

// ------------------------------------------------------------------ the redactor

interface FundEntry {
  sensitive: boolean;
  registeredPosition: bigint;
}

/** A Map that forgets its oldest entries beyond `max`. */
class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

/** The request's as_of with only the fields this build knows. */
function asOfOnly(req: GetBeneficiaryRequest) {
  return req.asOf ? { point: req.asOf.point } : undefined;
}

/** Errors this module made: already fit for a browser, passed on as they are. */
const ownErrors = new WeakSet<ConnectError>();

/** The answer for a fund that does not exist, or that the public may not name. */
export function noSuchBeneficiary(): ConnectError {
  const err = new ConnectError("no such beneficiary", Code.NotFound, undefined, [
    { desc: ErrorDetailSchema, value: { reason: UNKNOWN_BENEFICIARY, field: "beneficiary_id" } },
  ]);
  ownErrors.add(err);
  return err;
}

/** The error for an answer that names a fund the redactor cannot place. */
function cannotVouch(): ConnectError {
  const err = new ConnectError("the dashboard server could not check this answer", Code.Internal);
  ownErrors.add(err);
  return err;
}

export class Redactor {
  /** Every fund seen, by real id. */
  private readonly funds = new Map<string, FundEntry>();
  /** Sensitive funds: alias -> real id, real id -> alias. */
  private readonly aliasToId = new Map<string, string>();
  private readonly idToAlias = new Map<string, string>();
  /** Every fund registered at or before this position is in `funds`. */
  private completeThrough = 0n;
  private refreshing: Promise<void> | undefined;
  /** The register has been read once (free text is scrubbed against it). */
  private loaded = false;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private readonly targets: BoundedMap<string, bigint>;
  private readonly requests: BoundedMap<string, bigint>;
  /** Matches every known sensitive id in free text; rebuilt as ids are learnt. */
  private scrubber: RegExp | undefined;
  private scrubberSize = 0;
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly upstream: RedactorUpstream,
    options: RedactorOptions = {},
  ) {
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 1000;
    this.targets = new BoundedMap(options.maxCachedTargets ?? 4096);
    this.requests = new BoundedMap(options.maxCachedTargets ?? 4096);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  // ---------------------------------------------------------------- requests

  /**
   * The GetBeneficiary request to send to ledgerd: an alias becomes the real
   * id; an alias of no sensitive fund is NOT_FOUND. Any other id goes as it
   * is (a sensitive fund's real id too, so that it costs ledgerd the same
   * work as a missing one; `beneficiary()` then answers NOT_FOUND).
   */
  async beneficiaryRequest(req: GetBeneficiaryRequest): Promise<BeneficiaryAsk> {
    const asked = req.beneficiaryId;
    if (!asked.startsWith(FUND_ALIAS_PREFIX)) {
      return {
        request: create(GetBeneficiaryRequestSchema, { beneficiaryId: asked, asOf: asOfOnly(req) }),
        viaAlias: false,
      };
    }
    const position = parseFundAlias(asked);
    if (position === undefined) throw noSuchBeneficiary();
    let id = this.aliasToId.get(asked);
    if (
      id === undefined &&
      position > this.completeThrough &&
      this.now() - this.lastRefreshAt >= this.minRefreshIntervalMs
    ) {
      await this.refresh();
      id = this.aliasToId.get(asked);
    }
    if (id === undefined) throw noSuchBeneficiary();
    return { request: create(GetBeneficiaryRequestSchema, { beneficiaryId: id, asOf: asOfOnly(req) }), viaAlias: true };
  }

  // ---------------------------------------------------------------- answers

  summary(res: GetSummaryResponse, signal?: AbortSignal): Promise<GetSummaryResponse> {
    return this.redact(res, walkSummary, signal);
  }

  beneficiaries(res: ListBeneficiariesResponse, signal?: AbortSignal): Promise<ListBeneficiariesResponse> {
    return this.redact(res, (m, p) => walkBeneficiaryViews(m.beneficiaries, p), signal);
  }

  /** One fund; a sensitive fund asked for by its real id is NOT_FOUND. */
  async beneficiary(
    res: GetBeneficiaryResponse,
    ask: BeneficiaryAsk,
    signal?: AbortSignal,
  ): Promise<GetBeneficiaryResponse> {
    const b = res.beneficiary?.beneficiary;
    if (b) this.learn(b.beneficiaryId, b.sensitive, b.registeredPosition);
    if (!ask.viaAlias && (b?.sensitive || (b && this.idToAlias.has(b.beneficiaryId)))) {
      throw noSuchBeneficiary();
    }
    return this.redact(
      res,
      (m, p) => {
        if (m.beneficiary) walkBeneficiaryView(m.beneficiary, p);
      },
      signal,
    );
  }

  branches(res: ListBranchesResponse, signal?: AbortSignal): Promise<ListBranchesResponse> {
    return this.redact(res, (m, p) => m.branches.forEach((b) => walkBranchView(b, p)), signal);
  }

  branch(res: GetBranchResponse, signal?: AbortSignal): Promise<GetBranchResponse> {
    return this.redact(
      res,
      (m, p) => {
        if (m.branch) walkBranchView(m.branch, p);
      },
      signal,
    );
  }

  trialBalance(res: GetTrialBalanceResponse, signal?: AbortSignal): Promise<GetTrialBalanceResponse> {
    return this.redact(res, (m, p) => walkAccounts(m.accounts, p), signal);
  }

  watch(res: WatchBalancesResponse, signal?: AbortSignal): Promise<WatchBalancesResponse> {
    // A watch update lists every fund, open and closed, as of its position:
    // as good as a fresh read of the register.
    for (const v of res.beneficiaries) {
      const b = v.beneficiary;
      if (b) this.learn(b.beneficiaryId, b.sensitive, b.registeredPosition);
    }
    // A snapshot comes in parts: the register is known whole through its
    // position only once the last part has been seen.
    const position = res.summary?.asOf?.position ?? 0n;
    if (!res.moreParts) {
      if (position > this.completeThrough) this.completeThrough = position;
      this.loaded = true;
    }
    return this.redact(
      res,
      (m, p) => {
        if (m.summary) walkSummary(m.summary, p);
        walkBeneficiaryViews(m.beneficiaries, p);
        m.branches.forEach((b) => walkBranchView(b, p));
      },
      signal,
    );
  }

  events(res: ReadEventsResponse, signal?: AbortSignal): Promise<ReadEventsResponse> {
    return this.redact(res, (m, p) => m.events.forEach((e) => walkEvent(e, p)), signal);
  }

  head(res: GetHeadResponse, signal?: AbortSignal): Promise<GetHeadResponse> {
    return this.redact(
      res,
      (m, p) => {
        m.ledgerName = p.text(m.ledgerName);
      },
      signal,
    );
  }

  verify(res: VerifyChainResponse, signal?: AbortSignal): Promise<VerifyChainResponse> {
    return this.redact(
      res,
      (m, p) => {
        m.problem = p.text(m.problem);
      },
      signal,
    );
  }

  /**
   * A checkpoint of the verifiable log. It names no fund and no event: an
   * origin, a tree size, a root hash, key names and signatures. The note
   * goes out verbatim (a signed note altered by one byte no longer
   * verifies) unless scrubbing would change it (a witness named after a
   * sensitive fund, say), when it is left out; witness names are scrubbed
   * like any free text.
   */
  checkpoint(res: GetCheckpointResponse, signal?: AbortSignal): Promise<GetCheckpointResponse> {
    const walkCheckpoint = (c: Checkpoint, p: Pass) => {
      if (p.text(c.note) !== c.note) c.note = "";
      if (p.text(c.origin) !== c.origin) c.origin = "";
      for (const co of c.cosignatures) co.witness = p.text(co.witness);
    };
    return this.redact(
      res,
      (m, p) => {
        if (m.checkpoint) walkCheckpoint(m.checkpoint, p);
        if (m.latestCosigned) walkCheckpoint(m.latestCosigned, p);
        m.witnesses = m.witnesses.map((w) => p.text(w));
        if (p.text(m.verifierKey) !== m.verifierKey) m.verifierKey = "";
      },
      signal,
    );
  }

  /**
   * An error as a browser may see it: the code, a message without fund ids
   * (the answer for a missing fund or event never repeats the id asked for;
   * server faults get a plain sentence), and only ErrorDetail details, without
   * event ids and with fund aliases (a fund the redactor cannot place is left
   * out). Headers and trailers of ledgerd are not passed on.
   */
  error(err: unknown): ConnectError {
    if (err instanceof ConnectError && ownErrors.has(err)) return err;
    const ce = ConnectError.from(err);
    const pass = this.errorPass();
    const details = ce.findDetails(ErrorDetailSchema);
    for (const d of details) {
      stripUnknownFields(d);
      walkErrorDetail(d, pass);
    }
    const reason = details[0]?.reason ?? "";
    let message: string;
    if (reason === UNKNOWN_BENEFICIARY) {
      message = "no such beneficiary";
    } else if (reason === UNKNOWN_EVENT) {
      message = "no such event";
    } else if (OPAQUE_CODES.has(ce.code)) {
      // The operator's log keeps the text; the browser gets a plain sentence.
      this.log(`dashboard: ${Code[ce.code]} from ledgerd: ${ce.rawMessage}`);
      const name = (Code[ce.code] ?? String(ce.code)).replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
      message = `the ledger server could not answer (${name})`;
    } else {
      message = pass.text(ce.rawMessage);
    }
    return new ConnectError(
      message,
      ce.code,
      undefined,
      details.map((value) => ({ desc: ErrorDetailSchema, value })),
    );
  }

  // ---------------------------------------------------------------- internals

  private learn(id: string, sensitive: boolean, registeredPosition: bigint): void {
    if (!id) return;
    const old = this.funds.get(id);
    const entry: FundEntry = {
      // Sensitivity is fixed at registration; never downgrade what was seen.
      sensitive: sensitive || (old?.sensitive ?? false),
      registeredPosition: old?.registeredPosition || registeredPosition,
    };
    if (entry.sensitive && entry.registeredPosition === 0n) {
      // No position, no alias: leave it unknown, so the answer is refused.
      return;
    }
    this.funds.set(id, entry);
    if (entry.sensitive) {
      const alias = fundAlias(entry.registeredPosition);
      this.aliasToId.set(alias, id);
      this.idToAlias.set(id, alias);
    }
  }

  /** Re-reads the whole fund register (one read at a time, shared by all callers). */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const { asOf, beneficiaries } = await this.upstream.listBeneficiaries();
        for (const b of beneficiaries) this.learn(b.beneficiaryId, b.sensitive, b.registeredPosition);
        if (asOf > this.completeThrough) this.completeThrough = asOf;
        this.loaded = true;
      } finally {
        this.lastRefreshAt = this.now();
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * Free text with every sensitive fund id replaced by its alias: whole
   * words only (not inside a longer run of letters and digits), in any
   * letter case, longest ids first. Errs on the side of replacing: "-" and
   * "." count as word breaks, so a longer id that contains a sensitive one
   * ("ak-7-b" around "ak-7") is rewritten in free text too.
   */
  private scrub(text: string): string {
    if (text === "" || this.idToAlias.size === 0) return text;
    if (!this.scrubber || this.scrubberSize !== this.idToAlias.size) {
      const ids = [...this.idToAlias.keys()].sort((a, b) => b.length - a.length || compare(a, b));
      this.scrubber = new RegExp(`(?<![A-Za-z0-9])(?:${ids.map(escapeId).join("|")})(?![A-Za-z0-9])`, "gi");
      this.scrubberSize = this.idToAlias.size;
    }
    return text.replace(this.scrubber, (match) => this.idToAlias.get(match.toLowerCase()) ?? match);
  }

  private publicFund(id: string): string | undefined {
    if (!id) return id;
    const entry = this.funds.get(id);
    if (!entry) return undefined;
    return entry.sensitive ? fundAlias(entry.registeredPosition) : id;
  }

  private errorPass(): Pass {
    return {
      fund: (id) => this.publicFund(id) ?? "",
      text: (s) => this.scrub(s),
      target: () => "",
      learn: () => {},
      sawEvent: () => {},
      request: () => "",
      sawRequest: () => {},
    };
  }

  private async redact<T>(msg: T, walk: (m: T, p: Pass) => void, signal?: AbortSignal): Promise<T> {
    stripUnknownFields(msg);
    // Free text is scrubbed of the sensitive ids the redactor knows: know
    // the register before the first answer goes out.
    if (!this.loaded) await this.refresh();

    // 1. Collect: learn the funds the answer describes, note what it names.
    const named = new Set<string>();
    const targetIds = new Set<string>();
    const inAnswer = new Map<string, bigint>();
    const requestIds = new Set<string>();
    const requestsInAnswer = new Map<string, bigint>();
    walk(msg, {
      fund: (id) => {
        if (id) named.add(id);
        return id;
      },
      text: (s) => s,
      target: (id) => {
        if (id) targetIds.add(id);
        return id;
      },
      learn: (id, sensitive, position) => this.learn(id, sensitive, position),
      sawEvent: (id, position) => {
        if (id) inAnswer.set(id, position);
      },
      request: (id) => {
        if (id) requestIds.add(id);
        return id;
      },
      sawRequest: (id, position) => {
        if (id) requestsInAnswer.set(id, position);
      },
    });

    // 2. Every fund named must be known, or the answer is not sent.
    if ([...named].some((id) => !this.funds.has(id))) {
      await this.refresh();
      const unknown = [...named].filter((id) => !this.funds.has(id));
      if (unknown.length > 0) {
        this.log(`dashboard: refused an answer naming ${unknown.length} fund(s) missing from the register`);
        throw cannotVouch();
      }
    }

    // 3. Reversal targets and request ids: from the answer itself, the
    // cache, or ledgerd.
    const positions = await this.resolve(targetIds, inAnswer, this.targets, (id) =>
      this.upstream.eventPosition(id, signal),
    );
    const requestPositions = await this.resolve(
      requestIds,
      requestsInAnswer,
      this.requests,
      (id) => this.upstream.requestPosition(id, signal),
    );

    // 4. Rewrite.
    walk(msg, {
      fund: (id) => {
        const pub = this.publicFund(id);
        if (pub === undefined) throw cannotVouch();
        return pub;
      },
      text: (s) => this.scrub(s),
      target: (id) => {
        const p = positions.get(id);
        return p === undefined ? "" : eventRef(p);
      },
      learn: () => {},
      sawEvent: () => {},
      request: (id) => {
        const p = requestPositions.get(id);
        return p === undefined ? "" : requestRef(p);
      },
      sawRequest: () => {},
    });
    return msg;
  }

  /**
   * Positions for ids an answer names: from the answer itself, the cache, or
   * ledgerd (at most 8 questions at a time). Those found are cached.
   */
  private async resolve(
    ids: Set<string>,
    inAnswer: Map<string, bigint>,
    cache: BoundedMap<string, bigint>,
    ask: (id: string) => Promise<bigint | undefined>,
  ): Promise<Map<string, bigint>> {
    const positions = new Map<string, bigint>();
    const missing: string[] = [];
    for (const id of ids) {
      const p = inAnswer.get(id) ?? cache.get(id);
      if (p !== undefined) positions.set(id, p);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 8) {
      const chunk = missing.slice(i, i + 8);
      const found = await Promise.all(chunk.map(ask));
      chunk.forEach((id, j) => {
        const p = found[j];
        if (p !== undefined) positions.set(id, p);
      });
    }
    for (const [id, p] of positions) cache.set(id, p);
    return positions;
  }
}
