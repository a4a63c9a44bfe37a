// A large campaign for the browser test, recorded in a few Append calls
// (1,000 events at most each) with the founding admin's token: 200 funds
// (every tenth sensitive, the last ten closed), 200 branches (every other
// one shown to the public), and a few thousand donations spread over the
// last twelve months. Deterministic, and the plan is returned, so that the
// test works out every figure it checks by itself.
//
// Built to dist/support/seed-campaign.mjs (scripts/build.mjs).

import { readFileSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DonorKind, FeePeriod, type EventInput } from "../../gen/solidarity/ledger/v1/events_pb.js";
import { LedgerCommands } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EventInputSchema } from "../../gen/solidarity/ledger/v1/events_pb.js";

export interface SeedOptions {
  port: number;
  tokenFile: string;
  /** The server's today, "YYYY-MM-DD" (UTC). */
  today: string;
  funds?: number;
  branches?: number;
  donations?: number;
}

export interface PlannedDonation {
  date: string;
  amountMinor: bigint;
  fund: string; // "" = the general fund
  branch: string; // "" = not from a branch
}

export interface SeedPlan {
  /** The day everything was registered: the last day of the month before the twelve shown. */
  registeredOn: string;
  funds: { id: string; name: string; sensitive: boolean; closed: boolean }[];
  branches: { id: string; union: string; name: string; shown: boolean }[];
  donations: PlannedDonation[];
  events: number;
}

type Input = MessageInitShape<typeof EventInputSchema>;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The month `back` months before the month of `today`: [year, month 1..12]. */
function monthBack(today: string, back: number): [number, number] {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const total = y * 12 + (m - 1) - back;
  return [Math.floor(total / 12), (total % 12) + 1];
}

function lastDayOf(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function planCampaign(o: SeedOptions): SeedPlan {
  const nFunds = o.funds ?? 200;
  const nBranches = o.branches ?? 200;
  const nDonations = o.donations ?? 3000;
  const [by, bm] = monthBack(o.today, 12);
  const registeredOn = `${by}-${pad(bm)}-${pad(lastDayOf(by, bm))}`;
  const funds = Array.from({ length: nFunds }, (_, i) => ({
    id: `fund-${String(i + 1).padStart(3, "0")}`,
    name:
      i === 0
        ? "Legal defence of the imprisoned Kazakh oil workers' union leaders and their families"
        : `Fund ${String(i + 1).padStart(3, "0")} — ${["legal aid", "bail", "medical costs", "rent", "travel"][i % 5]}`,
    sensitive: i % 10 === 9,
    closed: i >= nFunds - 10,
  }));
  const unions = ["UNISON", "Unite", "GMB", "RMT", "PCS", "NEU", "CWU", "UCU"];
  const branches = Array.from({ length: nBranches }, (_, i) => ({
    id: `branch-${String(i + 1).padStart(3, "0")}`,
    union: unions[i % unions.length]!,
    name: `Branch ${String(i + 1).padStart(3, "0")}`,
    shown: i % 2 === 0,
  }));
  const openFunds = funds.filter((f) => !f.closed);
  const donations: PlannedDonation[] = [];
  const todayDay = Number(o.today.slice(8, 10));
  for (let i = 0; i < nDonations; i++) {
    const back = 11 - (i % 12);
    const [y, m] = monthBack(o.today, back);
    let day = 1 + ((i * 7) % 28);
    if (back === 0) day = Math.min(day, todayDay);
    // Five-digit headline figures: amounts of £5 to £250 (and a few of thousands).
    const amountMinor = BigInt(500 + ((i * 7919) % 24_500)) + (i % 500 === 0 ? 250_000n : 0n);
    const fromBranch = i % 3 === 0 ? branches[(i / 3) % branches.length]!.id : "";
    const fund = i % 4 === 0 ? "" : openFunds[i % openFunds.length]!.id;
    donations.push({ date: `${y}-${pad(m)}-${pad(day)}`, amountMinor, fund, branch: fromBranch });
  }
  donations.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { registeredOn, funds, branches, donations, events: 0 };
}

function inputs(plan: SeedPlan): Input[] {
  const on = plan.registeredOn;
  const out: Input[] = [];
  for (const f of plan.funds) {
    out.push({
      eventId: `seed-reg-${f.id}`,
      occurredOn: on,
      body: { kind: { case: "beneficiaryRegistered", value: { beneficiaryId: f.id, displayName: f.name, purpose: `Purpose of ${f.id}`, sensitive: f.sensitive } } },
    });
    if (f.closed) {
      out.push({ eventId: `seed-close-${f.id}`, occurredOn: on, body: { kind: { case: "beneficiaryClosed", value: { beneficiaryId: f.id } } } });
    }
  }
  for (const b of plan.branches) {
    out.push({
      eventId: `seed-aff-${b.id}`,
      occurredOn: on,
      body: {
        kind: {
          case: "branchAffiliated",
          value: {
            branchId: b.id,
            unionName: b.union,
            branchName: b.name,
            region: "North",
            members: 50n,
            feeBasis: { basis: { case: "fixed", value: { fee: { amountMinor: 1000n, currency: "GBP" } } }, period: FeePeriod.ANNUAL },
            shownPublicly: b.shown,
          },
        },
      },
    });
  }
  plan.donations.forEach((d, i) => {
    out.push({
      eventId: `seed-don-${i}`,
      occurredOn: d.date,
      body: {
        kind: {
          case: "donationReceived",
          value: {
            amount: { amountMinor: d.amountMinor, currency: "GBP" },
            donorKind: d.branch ? DonorKind.BRANCH : DonorKind.ANONYMOUS,
            branchId: d.branch,
            earmarkBeneficiaryId: d.fund,
            method: "bank transfer",
          },
        },
      },
    });
  });
  return out;
}

/** Records the plan; returns it with the number of events written. */
export async function seedCampaign(o: SeedOptions): Promise<SeedPlan> {
  const plan = planCampaign(o);
  const token = readFileSync(o.tokenFile, "utf8").trim();
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${o.port}`,
    interceptors: [
      (next) => async (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
  const commands = createClient(LedgerCommands, transport);
  const all = inputs(plan);
  for (let i = 0; i < all.length; i += 1000) {
    await commands.append({ events: all.slice(i, i + 1000) as EventInput[] }, { timeoutMs: 60_000 });
  }
  plan.events = all.length;
  return plan;
}
