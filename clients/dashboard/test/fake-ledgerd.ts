// An in-process stand-in for ledgerd (gRPC over HTTP/2 cleartext) for the
// proxy's unit tests: LedgerQueries and LedgerAudit with canned answers. The
// answers are not masked as ledgerd masks them for the public (that is
// ledgerd's work, tested in tests/integration/identities_test.cc and through
// the proxy in tests/browser): here they show that the proxy passes answers
// on as they came.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  ErrorDetailSchema,
  GetSummaryResponseSchema,
  LedgerAudit,
  LedgerQueries,
  WatchBalancesResponseSchema,
  type WatchBalancesResponse,
} from "../gen/solidarity/ledger/v1/ledger_pb.js";
import {
  EventSchema,
  DonorKind,
  ReversalKind,
  type Event,
  type EventBody,
} from "../gen/solidarity/ledger/v1/events_pb.js";
import { Status } from "../gen/solidarity/ledger/v1/projections_pb.js";

export interface FakeLedgerd {
  port: number;
  /** Raises the donations by `amountMinor` GBP and pushes to watchers. */
  donate(amountMinor: bigint): void;
  /** Calls seen, by method name. */
  calls: string[];
  close(): Promise<void>;
}

export function snapshot(position: bigint, raised: bigint): WatchBalancesResponse {
  const hash = new Uint8Array(32).fill(Number(position % 256n));
  return create(WatchBalancesResponseSchema, {
    summary: create(GetSummaryResponseSchema, {
      asOf: { position, hash },
      ledgerId: "00112233",
      ledgerName: "Test campaign",
      totals: {
        eventCount: position,
        currencies: [{ currency: "GBP", raisedMinor: raised, disbursedMinor: 0n, heldMinor: raised }],
      },
    }),
    // ledgerd's order: by real id.
    beneficiaries: [
      {
        beneficiary: {
          beneficiaryId: SENSITIVE_ID,
          displayName: "Friend X",
          purpose: "bail for X in the city of Y",
          sensitive: true,
          status: Status.OPEN,
          registeredPosition: 3n,
        },
        balances: [{ fund: `beneficiary/${SENSITIVE_ID}`, currency: "GBP", receivedMinor: 50n, availableMinor: 50n }],
      },
      {
        beneficiary: {
          beneficiaryId: "lawyer-a",
          displayName: "Legal aid A",
          purpose: "legal aid in the capital",
          sensitive: false,
          status: Status.OPEN,
          registeredPosition: 2n,
        },
        balances: [{ fund: "beneficiary/lawyer-a", currency: "GBP", receivedMinor: 100n, availableMinor: 100n }],
      },
    ],
    branches: [
      {
        branch: { branchId: "unison-leeds", unionName: "UNISON", branchName: "Leeds Health", status: Status.OPEN, paidUntil: "2026-03-01" },
        inArrears: false,
      },
    ],
    today: "2026-03-01",
  });
}

/** The sensitive fund of the fake ledger (registered at position 3). */
export const SENSITIVE_ID = "ak-sensitive-7f3";
/** Every event id of the fake ledger. */
export const EVENT_IDS = ["reg-lawyer-q8z", "reg-friend-q8z", "don-1-q8z", "rev-1-q8z", "rev-2-q8z"];

function events(): Event[] {
  const e = (position: bigint, eventId: string, kind: EventBody["kind"], extra: Record<string, unknown> = {}) =>
    create(EventSchema, {
      position,
      eventId,
      occurredOn: "2026-03-01",
      actor: "treasurer@example",
      memo: "from Jane Doe",
      body: { kind },
      ...extra,
    } as MessageInitShape<typeof EventSchema>);
  return [
    e(2n, "reg-lawyer-q8z", {
      case: "beneficiaryRegistered",
      value: { beneficiaryId: "lawyer-a", displayName: "Legal aid A", purpose: "legal aid" } as never,
    }),
    e(3n, "reg-friend-q8z", {
      case: "beneficiaryRegistered",
      value: { beneficiaryId: SENSITIVE_ID, displayName: "Friend X", purpose: "bail", sensitive: true } as never,
    }),
    e(
      4n,
      "don-1-q8z",
      {
        case: "donationReceived",
        value: {
          amount: { amountMinor: 1000n, currency: "GBP" },
          donorKind: DonorKind.INDIVIDUAL,
          donorRef: "jane-doe",
          earmarkBeneficiaryId: SENSITIVE_ID,
        } as never,
      },
      { reversedByPosition: 5n },
    ),
    e(5n, "rev-1-q8z", {
      case: "eventReversed",
      value: { targetEventId: "don-1-q8z", kind: ReversalKind.REFUND, amount: { amountMinor: 100n, currency: "GBP" }, reason: "asked" } as never,
    }),
    e(6n, "rev-2-q8z", {
      case: "eventReversed",
      value: { targetEventId: "reg-lawyer-q8z", kind: ReversalKind.CORRECTION, reason: "why" } as never,
    }),
  ];
}

export async function startFakeLedgerd(port = 0): Promise<FakeLedgerd> {
  let position = 5n;
  let raised = 1000n;
  const calls: string[] = [];
  const watchers = new Set<(s: WatchBalancesResponse) => void>();

  const routes = (router: ConnectRouter) => {
    router.service(LedgerQueries, {
      getSummary(_req, ctx) {
        calls.push("GetSummary");
        calls.push(`authorization:${ctx.requestHeader.get("authorization") ?? ""}`);
        return snapshot(position, raised).summary!;
      },
      // One fund a page, as ledgerd answers a long register in pages.
      listBeneficiaries(req) {
        calls.push(`ListBeneficiaries:${req.includeClosed}:${req.pageToken}`);
        const all = snapshot(position, raised).beneficiaries;
        const start = req.pageToken === "" ? 0 : Number(req.pageToken);
        const next = start + 1 < all.length ? String(start + 1) : "";
        return { asOf: { position }, beneficiaries: all.slice(start, start + 1), nextPageToken: next };
      },
      listBranches() {
        calls.push("ListBranches");
        const s = snapshot(position, raised);
        return { asOf: { position }, branches: s.branches, today: s.today };
      },
      getBranch(req) {
        calls.push("GetBranch");
        const b = snapshot(position, raised).branches.find((v) => v.branch?.branchId === req.branchId);
        if (!b) throw new ConnectError(`no branch "${req.branchId}"`, Code.NotFound);
        return { asOf: { position }, branch: b, today: "2026-03-01" };
      },
      getTrialBalance() {
        calls.push("GetTrialBalance");
        return {
          asOf: { position },
          accounts: [
            { account: "cash", currency: "GBP", debitsMinor: 150n, creditsMinor: 0n },
            { account: `fund:beneficiary/${SENSITIVE_ID}`, currency: "GBP", debitsMinor: 0n, creditsMinor: 50n },
            { account: "fund:beneficiary/lawyer-a", currency: "GBP", debitsMinor: 0n, creditsMinor: 100n },
          ],
          totals: [{ currency: "GBP", debitsMinor: 150n, creditsMinor: 150n }],
          balanced: true,
        };
      },
      getBeneficiary(req) {
        calls.push("GetBeneficiary");
        const b = snapshot(position, raised).beneficiaries.find(
          (v) => v.beneficiary?.beneficiaryId === req.beneficiaryId,
        );
        if (!b) {
          throw new ConnectError(`no beneficiary "${req.beneficiaryId}"`, Code.NotFound, undefined, [
            { desc: ErrorDetailSchema, value: { reason: "UNKNOWN_BENEFICIARY", field: "beneficiary_id" } },
          ]);
        }
        return { asOf: { position }, beneficiary: b };
      },
      async *watchBalances(_req, ctx) {
        calls.push("WatchBalances");
        const queue: WatchBalancesResponse[] = [snapshot(position, raised)];
        let wake: (() => void) | undefined;
        const push = (s: WatchBalancesResponse) => {
          queue.push(s);
          wake?.();
        };
        watchers.add(push);
        try {
          while (!ctx.signal.aborted) {
            const next = queue.shift();
            if (next) {
              yield next;
              continue;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
              ctx.signal.addEventListener("abort", () => resolve(), { once: true });
            });
            wake = undefined;
          }
        } finally {
          watchers.delete(push);
        }
      },
    });
    router.service(LedgerAudit, {
      getHead() {
        calls.push("GetHead");
        return { head: { position, hash: new Uint8Array(32) }, ledgerId: "00112233", ledgerName: "Test campaign" };
      },
      readEvents(req) {
        calls.push(`ReadEvents:${req.fromPosition}:${req.limit}`);
        const all = events().filter((e) => e.position >= req.fromPosition).slice(0, req.limit || 100);
        return { events: all, nextPosition: (all.at(-1)?.position ?? req.fromPosition) + 1n, head: { position } };
      },
      getEvent(req) {
        calls.push(`GetEvent:${req.key.case === "eventId" ? req.key.value : req.key.value}`);
        const ev = events().find((e) =>
          req.key.case === "eventId" ? e.eventId === req.key.value : e.position === req.key.value,
        );
        if (!ev) {
          throw new ConnectError("no event", Code.NotFound, undefined, [
            { desc: ErrorDetailSchema, value: { reason: "UNKNOWN_EVENT", field: "event_id" } },
          ]);
        }
        return { event: ev };
      },
      verifyChain(req) {
        calls.push(`VerifyChain:${req.fromPosition}:${req.toPosition}`);
        return { ok: true, eventsChecked: position, verifiedHead: { position, hash: new Uint8Array(32) } };
      },
      rebuildProjections() {
        calls.push("RebuildProjections");
        return { match: true };
      },
      getCheckpoint(req) {
        calls.push(`GetCheckpoint:${req.treeSize}`);
        const note =
          `solidarity-ledger/00112233\n${position}\nAAAA\n\n— solidarity-ledger/00112233 c2ln\n— w1.example Y29zaWdu\n`;
        const cp = {
          note,
          origin: "solidarity-ledger/00112233",
          treeSize: position,
          rootHash: new Uint8Array(32).fill(7),
          signedAtUs: 1_700_000_000_000_000n,
          cosignatures: [{ witness: "w1.example", keyId: 7, timestampSeconds: 1_700_000_001n }],
        };
        return {
          checkpoint: cp,
          latestCosigned: cp,
          verifierKey: "solidarity-ledger/00112233+01020304+AQID",
          witnesses: ["w1.example", "w2.example"],
          serverTimeUs: 1_700_000_010_000_000n,
        };
      },
    });
  };

  const server = http2.createServer(connectNodeAdapter({ routes, grpc: true, grpcWeb: false, connect: false }));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    donate(amountMinor) {
      position += 1n;
      raised += amountMinor;
      for (const w of watchers) w(snapshot(position, raised));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
      });
    },
  };
}
