// An in-process stand-in for ledgerd (gRPC over HTTP/2 cleartext) for the
// proxy's unit tests: LedgerQueries and LedgerAudit with canned answers.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
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
import { EventSchema, DonorKind } from "../gen/solidarity/ledger/v1/events_pb.js";
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
    beneficiaries: [
      {
        beneficiary: {
          beneficiaryId: "lawyer-a",
          displayName: "Legal aid A",
          purpose: "legal aid in the capital",
          sensitive: false,
          status: Status.OPEN,
        },
        balances: [{ fund: "beneficiary/lawyer-a", currency: "GBP", receivedMinor: 100n, availableMinor: 100n }],
      },
      {
        beneficiary: {
          beneficiaryId: "friend-x",
          displayName: "Friend X",
          purpose: "bail for X in the city of Y",
          sensitive: true,
          status: Status.OPEN,
        },
        balances: [],
      },
    ],
    branches: [],
    today: "2026-03-01",
  });
}

export async function startFakeLedgerd(port = 0): Promise<FakeLedgerd> {
  let position = 5n;
  let raised = 1000n;
  const calls: string[] = [];
  const watchers = new Set<(s: WatchBalancesResponse) => void>();

  const routes = (router: ConnectRouter) => {
    router.service(LedgerQueries, {
      getSummary() {
        calls.push("GetSummary");
        return snapshot(position, raised).summary!;
      },
      listBeneficiaries() {
        calls.push("ListBeneficiaries");
        return { asOf: { position }, beneficiaries: snapshot(position, raised).beneficiaries };
      },
      getBeneficiary(req) {
        calls.push("GetBeneficiary");
        const b = snapshot(position, raised).beneficiaries.find(
          (v) => v.beneficiary?.beneficiaryId === req.beneficiaryId,
        );
        if (!b) {
          throw new ConnectError("unknown beneficiary", Code.NotFound, undefined, [
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
        return {
          events: [
            create(EventSchema, {
              position: 2n,
              eventId: "don-1",
              occurredOn: "2026-03-01",
              actor: "treasurer@example",
              memo: "from Jane Doe",
              body: {
                kind: {
                  case: "donationReceived",
                  value: { amount: { amountMinor: 1000n, currency: "GBP" }, donorKind: DonorKind.INDIVIDUAL, donorRef: "jane-doe" },
                },
              },
            }),
          ],
          nextPosition: 3n,
          head: { position },
        };
      },
      verifyChain(req) {
        calls.push(`VerifyChain:${req.fromPosition}:${req.toPosition}`);
        return { ok: true, eventsChecked: position, verifiedHead: { position, hash: new Uint8Array(32) } };
      },
      rebuildProjections() {
        calls.push("RebuildProjections");
        return { match: true };
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
