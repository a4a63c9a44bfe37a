// The dashboard page: reads LedgerQueries.WatchBalances (live balances),
// LedgerAudit.GetHead / VerifyChain (head badge), LedgerAudit.GetCheckpoint
// (the signed-checkpoint badge) and LedgerAudit.ReadEvents (recent activity)
// through gRPC-Web from the dashboard server, which forwards every call to
// ledgerd.

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  LedgerAudit,
  LedgerQueries,
  type BeneficiaryView,
  type BranchView,
  type Checkpoint,
  type GetCheckpointResponse,
  type Head,
  type WatchBalancesResponse,
} from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { Event } from "../../gen/solidarity/ledger/v1/events_pb.js";
import { backoffDelay } from "../shared/backoff.js";
import { checkpointLine, type CheckpointFacts } from "../shared/checkpoint.js";
import { reversalTarget, type Names } from "../shared/describe.js";
import { toHex } from "../shared/money.js";
import { EventBrowser } from "./events.js";
import { refreshCharts } from "./charts.js";
import {
  bannerShown,
  clearBanner,
  initListControls,
  renderActivity,
  renderBranches,
  renderChain,
  renderCheckpoint,
  renderConnection,
  renderFooter,
  renderFunds,
  renderHead,
  renderTotals,
  showBanner,
} from "./render.js";

const RECENT_EVENTS = 20n;
const FULL_VERIFY_EVERY_MS = 5 * 60_000;

const transport = createGrpcWebTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: true,
});
const queries = createClient(LedgerQueries, transport);
const audit = createClient(LedgerAudit, transport);

// ------------------------------------------------------------------ state

let beneficiaries: BeneficiaryView[] = [];
let branches: BranchView[] = [];
let shownHead: Head | undefined;
let lastUpdate: Date | undefined;

const names: Names = {
  // A fund is only ever shown by its display name (never by its id, which
  // for a sensitive fund is an alias anyway).
  beneficiary(id) {
    const b = beneficiaries.find((v) => v.beneficiary?.beneficiaryId === id)?.beneficiary;
    return b?.displayName || "a fund";
  },
  branch(id) {
    const b = branches.find((v) => v.branch?.branchId === id)?.branch;
    return b ? [b.unionName, b.branchName].filter(Boolean).join(" ") || id : id;
  },
};

// ------------------------------------------------------------------ views
//
// One page, two views. Without a token (the proxy started without
// --token-file) ledgerd answers the public: totals, funds, the branches that
// chose to be shown, the head and checkpoints, and refuses ReadEvents with
// PERMISSION_DENIED; the page then is the public transparency page. With a
// viewer's token ReadEvents answers, and the page is the committee's: the
// recent activity and every event, searchable. ledgerd does the masking in
// both; the page shows what it gets.

type View = "unknown" | "public" | "committee";
let view: View = "unknown";

function setView(next: View): void {
  if (next === view) return;
  view = next;
  document.body.dataset.view = next;
  document.getElementById("view-name")!.textContent = next === "public" ? " · public page" : " · committee page";
  document.getElementById("public-note")!.hidden = next !== "public";
  document.getElementById("events-section")!.hidden = next !== "committee";
}

const eventBrowser = new EventBrowser({
  read: async (from, limit) => (await audit.readEvents({ fromPosition: from, limit }, { timeoutMs: 15_000 })).events,
  names: {
    beneficiary: (id) => names.beneficiary(id),
    branch: (id) => names.branch(id),
  },
  funds: () =>
    beneficiaries.map((v) => ({ id: v.beneficiary?.beneficiaryId ?? "", name: v.beneficiary?.displayName || "a fund" })),
  branches: () => branches.map((v) => ({ id: v.branch?.branchId ?? "", name: names.branch(v.branch?.branchId ?? "") })),
});
let browserNamed = false;

function timeText(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// ------------------------------------------------------------------ activity
//
// Activity is shown only with the names it needs. It is read after a
// WatchBalances update, up to that update's position (so the update's fund
// and branch lists name everything those events mention), and drawn again
// whenever the names change. Events beyond that position wait for the next
// update.

const RELATED_CACHE = 200;

/** The position the names on the page are as of; 0n until the first update. */
let namesPosition = 0n;
let namesKey = "";
let activityRows: Event[] | undefined;
/** Events at hand by position: the rows, and reversals / reversal targets outside them. */
let related = new Map<bigint, Event>();
let activitySeq = 0;
let activityHead = -1n;

function namesSignature(): string {
  const parts: string[] = [];
  for (const v of beneficiaries) parts.push(`b:${v.beneficiary?.beneficiaryId}=${v.beneficiary?.displayName}`);
  for (const v of branches) parts.push(`r:${v.branch?.branchId}=${v.branch?.unionName} ${v.branch?.branchName}`);
  return parts.join("\n");
}

function drawActivity(): void {
  if (!activityRows || namesPosition === 0n) return;
  renderActivity(activityRows, names, { eventAt: (p) => related.get(p) });
}

async function readOne(position: bigint): Promise<Event | undefined> {
  try {
    const res = await audit.readEvents({ fromPosition: position, limit: 1 }, { timeoutMs: 15_000 });
    const ev = res.events[0];
    return ev && ev.position === position ? ev : undefined;
  } catch {
    return undefined;
  }
}

/** Ask once more whether events may be read (after each (re)connect: the proxy may have restarted with a token). */
let recheckView = true;

async function refreshActivity(upTo: bigint): Promise<void> {
  if (upTo === 0n || upTo === activityHead) return;
  // The public may not read events: do not ask on every update.
  if (view === "public" && !recheckView) return;
  recheckView = false;
  const seq = ++activitySeq;
  const from = upTo > RECENT_EVENTS ? upTo - RECENT_EVENTS + 1n : 1n;
  try {
    const res = await audit.readEvents(
      { fromPosition: from, limit: Number(RECENT_EVENTS) },
      { timeoutMs: 15_000 },
    );
    if (seq !== activitySeq) return; // a newer refresh is on its way
    const rows = res.events.filter((e) => e.position <= upTo);
    const atHand = new Map<bigint, Event>();
    for (const [p, e] of related) atHand.set(p, e);
    for (const e of rows) atHand.set(e.position, e);
    // A reversal shows what it reversed, and a reversed event how much of it
    // was reversed: fetch those outside the rows (by position).
    const wanted = new Set<bigint>();
    for (const e of rows) {
      if (e.reversedByPosition > 0n && !atHand.has(e.reversedByPosition)) wanted.add(e.reversedByPosition);
      const k = e.body?.kind;
      if (k?.case === "eventReversed") {
        const t = reversalTarget(k.value);
        if (t > 0n && !atHand.has(t)) wanted.add(t);
      }
    }
    const fetched = await Promise.all([...wanted].map(readOne));
    if (seq !== activitySeq) return;
    for (const e of fetched) if (e) atHand.set(e.position, e);
    // Keep the rows and the newest few others.
    const keep = [...atHand.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, RELATED_CACHE);
    related = new Map(keep.map((p) => [p, atHand.get(p)!]));
    activityHead = upTo;
    activityRows = [...rows].reverse();
    drawActivity();
    setView("committee");
    void eventBrowser.follow(upTo);
  } catch (err) {
    // The public may not read events: this is the public page. Any other
    // failure is connection trouble, which the live stream reports; keep
    // the old list.
    if (ConnectError.from(err).code === Code.PermissionDenied) setView("public");
  }
}

// ------------------------------------------------------------------ chain badge

let verified: Head | undefined;
let lastFullVerify = 0;
let verifyChain: Promise<void> = Promise.resolve();
let verifyWanted: Head | undefined;

function shortHash(h: Head): string {
  return toHex(h.hash).slice(0, 12);
}

/** Verifies up to `head`; at most one VerifyChain call in flight, latest wins. */
function requestVerify(head: Head, full: boolean): void {
  if (full) verified = undefined;
  verifyWanted = head;
  verifyChain = verifyChain.then(async () => {
    const target = verifyWanted;
    if (!target) return;
    if (verified && verified.position >= target.position) {
      if (shownHead && verified.position >= shownHead.position) {
        renderChain("verified", "✓ chain verified");
      }
      return;
    }
    verifyWanted = undefined;
    const doFull = !verified || Date.now() - lastFullVerify > FULL_VERIFY_EVERY_MS;
    // Incremental checks start at the last verified event, so the link from
    // it to the new events is checked too.
    const from = doFull ? 1n : verified!.position;
    if (doFull) renderChain("checking", "verifying chain…");
    try {
      const res = await audit.verifyChain(
        { fromPosition: from, toPosition: target.position },
        { timeoutMs: 60_000 },
      );
      if (res.ok) {
        verified = res.verifiedHead ?? target;
        if (doFull) lastFullVerify = Date.now();
        if (shownHead && verified.position >= shownHead.position) {
          renderChain("verified", "✓ chain verified");
        }
      } else {
        verified = undefined;
        renderChain(
          "failed",
          `✗ chain broken at #${res.firstBadPosition}${res.problem ? `: ${res.problem}` : ""}`,
        );
      }
    } catch {
      verified = undefined;
      renderChain("error", "chain not verified (no answer)");
    }
  });
}

// ------------------------------------------------------------------ checkpoint badge
//
// The latest checkpoint is asked for after updates (at most every few
// seconds, and once more a few seconds later, by when the ledger has signed
// the new head) and every ten seconds; its age is redrawn every second from
// the server's clock at the answer.

const CHECKPOINT_MIN_MS = 3_000;
const CHECKPOINT_AFTER_UPDATE_MS = 2_500;
const CHECKPOINT_EVERY_MS = 10_000;
let checkpointAnswer: { res: GetCheckpointResponse; at: number } | undefined;
let checkpointMissing = false;
let checkpointAskedAt = 0;
let checkpointAsking = false;

function facts(c: Checkpoint | undefined): CheckpointFacts | undefined {
  return c ? { treeSize: c.treeSize, signedAtUs: c.signedAtUs, cosignatures: c.cosignatures.length } : undefined;
}

function drawCheckpoint(): void {
  if (checkpointMissing) {
    renderCheckpoint("none", "this ledger signs no checkpoints");
    return;
  }
  if (!checkpointAnswer) return;
  const { res, at } = checkpointAnswer;
  const nowUs = res.serverTimeUs + BigInt(Math.max(0, Date.now() - at)) * 1000n;
  const line = checkpointLine(facts(res.checkpoint), facts(res.latestCosigned), res.witnesses.length, nowUs);
  renderCheckpoint(line.state, line.text);
}

async function refreshCheckpoint(force: boolean): Promise<void> {
  if (checkpointAsking || (!force && Date.now() - checkpointAskedAt < CHECKPOINT_MIN_MS)) return;
  checkpointAsking = true;
  checkpointAskedAt = Date.now();
  try {
    const res = await audit.getCheckpoint({}, { timeoutMs: 10_000 });
    checkpointAnswer = { res, at: Date.now() };
    checkpointMissing = false;
  } catch (err) {
    // A ledgerd without a checkpoint key answers FAILED_PRECONDITION; any
    // other failure keeps the last answer (the live stream reports outages).
    if (ConnectError.from(err).code === Code.FailedPrecondition) checkpointMissing = true;
  } finally {
    checkpointAsking = false;
  }
  drawCheckpoint();
}

setInterval(drawCheckpoint, 1_000);
setInterval(() => void refreshCheckpoint(true), CHECKPOINT_EVERY_MS);

// ------------------------------------------------------------------ updates

function applyHead(head: Head | undefined): void {
  if (!head) return;
  const moved =
    !shownHead || shownHead.position !== head.position || shortHash(shownHead) !== shortHash(head);
  shownHead = head;
  renderHead(head);
  if (moved) {
    if (!verified || verified.position < head.position) {
      renderChain("checking", "verifying chain…");
    }
    requestVerify(head, false);
  }
}

// A snapshot of the balances comes in parts (each at most 1 MiB): gathered
// from part 0 until the last, then shown whole.
let partial: WatchBalancesResponse | undefined;

function gatherPart(update: WatchBalancesResponse): WatchBalancesResponse | undefined {
  if (update.part === 0) {
    partial = update;
  } else if (partial && update.part === partial.part + 1) {
    partial.beneficiaries.push(...update.beneficiaries);
    partial.branches.push(...update.branches);
    partial.part = update.part;
    partial.moreParts = update.moreParts;
  } else {
    partial = undefined; // a part out of order: wait for the next snapshot
    return undefined;
  }
  if (partial.moreParts) return undefined;
  const whole = partial;
  partial = undefined;
  return whole;
}

function applyUpdate(part: WatchBalancesResponse): void {
  const update = gatherPart(part);
  if (!update) return;
  beneficiaries = update.beneficiaries;
  branches = update.branches;
  renderTotals(update.summary, beneficiaries);
  renderFunds(beneficiaries);
  renderBranches(branches, update.today);
  applyHead(update.summary?.asOf);
  const position = update.summary?.asOf?.position ?? 0n;
  if (position > 0n) namesPosition = position;
  const key = namesSignature();
  if (key !== namesKey || !browserNamed) {
    namesKey = key;
    browserNamed = true;
    drawActivity();
    eventBrowser.namesChanged();
  }
  void refreshActivity(position);
  refreshCharts(queries, update.today);
  void refreshCheckpoint(false);
  setTimeout(() => void refreshCheckpoint(true), CHECKPOINT_AFTER_UPDATE_MS);
  lastUpdate = new Date();
  const pos = update.summary?.asOf?.position;
  renderFooter(
    `Updated ${timeText(lastUpdate)}` + (pos !== undefined ? `, as of ledger position ${pos}` : "") + ".",
  );
}

// ------------------------------------------------------------------ connection

let wakeUp: (() => void) | undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      wakeUp = undefined;
      resolve();
    }
    wakeUp = done;
  });
}

function retryNow(): void {
  wakeUp?.();
}

function reportOutage(err: unknown): void {
  const ce = ConnectError.from(err);
  if (!bannerShown()) {
    const since = lastUpdate
      ? `The figures below are from ${timeText(lastUpdate)} and may be out of date.`
      : "No figures could be loaded yet.";
    showBanner(`${since} Reconnecting automatically…`, retryNow);
  }
  renderConnection("offline");
  // Leave a trace for whoever opens the console; never shown on the page.
  console.warn(`ledger unreachable (${Code[ce.code] ?? ce.code}): ${ce.rawMessage}`);
}

async function connectLoop(): Promise<never> {
  let failures = 0;
  for (;;) {
    let received = false;
    renderConnection(bannerShown() ? "offline" : lastUpdate ? "reconnecting" : "connecting");
    try {
      const head = await audit.getHead({}, { timeoutMs: 10_000 });
      if (head.ledgerName) document.getElementById("ledger-name")!.textContent = head.ledgerName;
      // A fresh connection re-verifies the whole chain.
      lastFullVerify = 0;
      recheckView = true;
      verified = undefined;
      shownHead = undefined;
      applyHead(head.head);
      for await (const update of queries.watchBalances({})) {
        if (!received) {
          received = true;
          failures = 0;
          clearBanner();
          renderConnection("live");
        }
        applyUpdate(update);
      }
      // The server ended the stream (ledgerd shutting down, say): reconnect.
      if (!received) failures++;
      renderConnection("reconnecting");
    } catch (err) {
      failures++;
      reportOutage(err);
    }
    await sleep(backoffDelay(Math.max(0, failures - 1)));
  }
}

initListControls();
void connectLoop();
