// The redactor (src/server/redact.ts) over every answer the proxy forwards:
// no sensitive fund id and no event id may survive anywhere in the encoded
// answer, and requests naming aliases are mapped back.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  create,
  fromBinary,
  toBinary,
  toJsonString,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ErrorDetailSchema,
  GetBeneficiaryRequestSchema,
  GetBeneficiaryResponseSchema,
  GetBranchResponseSchema,
  GetCheckpointResponseSchema,
  GetHeadResponseSchema,
  GetSummaryResponseSchema,
  GetTrialBalanceResponseSchema,
  HeadSchema,
  ListBeneficiariesResponseSchema,
  ListBranchesResponseSchema,
  ReadEventsResponseSchema,
  VerifyChainResponseSchema,
  WatchBalancesResponseSchema,
  type BeneficiaryView,
} from "../gen/solidarity/ledger/v1/ledger_pb.js";
import { DonorKind, EventSchema, ReversalKind, type Event, type EventBody } from "../gen/solidarity/ledger/v1/events_pb.js";
import { BeneficiarySchema, Status, type Beneficiary } from "../gen/solidarity/ledger/v1/projections_pb.js";
import { Redactor, type RedactorUpstream } from "../src/server/redact.js";

// ------------------------------------------------------------------ fixtures

const SECRET = "ak-sensitive-7f3"; // sensitive, registered at position 2
const CLOSED_SECRET = "ak-closed-2b9"; // sensitive, closed, registered at 4
const LATE_SECRET = "zz-late-91c"; // sensitive, registered at 40, after the register was first read
const PUBLIC_FUND = "lawyer-a"; // not sensitive, registered at 3

const EVENT_IDS = ["evt-reg-q8z", "evt-don-q8z", "evt-rev-q8z", "evt-old-q8z", "evt-rev2-q8z", "evt-gone-q8z"];

function fund(id: string, position: bigint, sensitive: boolean, extra: MessageInitShape<typeof BeneficiarySchema> = {}): Beneficiary {
  return create(BeneficiarySchema, {
    beneficiaryId: id,
    displayName: `Name of ${position}`,
    purpose: `purpose of ${position}`,
    sensitive,
    status: Status.OPEN,
    registeredPosition: position,
    ...extra,
  });
}

function view(b: Beneficiary): BeneficiaryView {
  return {
    $typeName: "solidarity.ledger.v1.BeneficiaryView",
    beneficiary: b,
    balances: [
      {
        $typeName: "solidarity.ledger.v1.FundBalance",
        fund: `beneficiary/${b.beneficiaryId}`,
        currency: "GBP",
        receivedMinor: 100n,
        allocatedInMinor: 0n,
        allocatedOutMinor: 0n,
        disbursedMinor: 0n,
        availableMinor: 100n,
        committedMinor: 0n,
      },
    ],
  };
}

interface FakeUpstream extends RedactorUpstream {
  register: Beneficiary[];
  asOf: bigint;
  positions: Map<string, bigint>;
  listCalls: number;
  eventCalls: string[];
  requests: Map<string, bigint>;
  requestCalls: string[];
}

function upstream(): FakeUpstream {
  const u: FakeUpstream = {
    register: [
      fund(SECRET, 2n, true),
      fund(PUBLIC_FUND, 3n, false),
      fund(CLOSED_SECRET, 4n, true, { status: Status.CLOSED }),
    ],
    asOf: 30n,
    positions: new Map([
      ["evt-old-q8z", 6n],
      ["evt-don-q8z", 28n],
    ]),
    listCalls: 0,
    eventCalls: [],
    requests: new Map([["req-old-q8z", 12n]]),
    requestCalls: [],
    async listBeneficiaries() {
      u.listCalls++;
      return { asOf: u.asOf, beneficiaries: u.register.map((b) => create(BeneficiarySchema, b)) };
    },
    async eventPosition(eventId) {
      u.eventCalls.push(eventId);
      return u.positions.get(eventId);
    },
    async requestPosition(requestId) {
      u.requestCalls.push(requestId);
      return u.requests.get(requestId);
    },
  };
  return u;
}

function redactor(u = upstream(), now = () => 0) {
  const logs: string[] = [];
  return { u, r: new Redactor(u, { now, minRefreshIntervalMs: 1000, log: (l) => logs.push(l) }), logs };
}

/** Every string a public answer must never carry. */
const FORBIDDEN = [SECRET, CLOSED_SECRET, LATE_SECRET, ...EVENT_IDS];

/** Fails if the encoded message (binary and JSON) contains any forbidden string. */
function assertClean<D extends DescMessage>(schema: D, msg: MessageShape<D>, forbidden = FORBIDDEN): void {
  const bytes = Buffer.from(toBinary(schema, msg));
  const json = toJsonString(schema, msg);
  for (const s of forbidden) {
    assert.ok(!bytes.includes(Buffer.from(s, "utf8")), `"${s}" in the encoded ${schema.typeName}`);
    assert.ok(!json.includes(s), `"${s}" in ${json}`);
  }
}

const gbp = (amountMinor: bigint) => ({ amountMinor, currency: "GBP" });

function event(position: bigint, eventId: string, kind: EventBody["kind"], extra: Record<string, unknown> = {}): Event {
  return create(EventSchema, {
    position,
    eventId,
    occurredOn: "2026-03-01",
    actor: "treasurer-1",
    memo: `memo about ${SECRET}`,
    body: { kind },
    hash: new Uint8Array(32).fill(0xab),
    ...extra,
  } as MessageInitShape<typeof EventSchema>);
}

// ------------------------------------------------------------------ balances and registers

test("watch updates: sensitive funds become aliases, lose their purpose, and sort by alias", async () => {
  const { r } = redactor();
  const res = create(WatchBalancesResponseSchema, {
    summary: {
      asOf: { position: 30n, hash: new Uint8Array(32) },
      ledgerName: `Campaign for ${SECRET}`,
      generalFund: [{ fund: "general", currency: "GBP", availableMinor: 5n }],
    },
    // ledgerd's order: by real id.
    beneficiaries: [fund(CLOSED_SECRET, 4n, true), fund(SECRET, 2n, true), fund(PUBLIC_FUND, 3n, false)].map(view),
    branches: [{ branch: { branchId: "unison-leeds", unionName: "UNISON", branchName: `Friends of ${SECRET}` } }],
    today: "2026-03-01",
  });
  const out = await r.watch(res);
  assertClean(WatchBalancesResponseSchema, out);
  assert.deepEqual(
    out.beneficiaries.map((v) => v.beneficiary?.beneficiaryId),
    [PUBLIC_FUND, "fund@2", "fund@4"],
  );
  const [pub, secret, closed] = out.beneficiaries;
  assert.equal(pub?.beneficiary?.purpose, "purpose of 3");
  assert.equal(pub?.balances[0]?.fund, "beneficiary/lawyer-a");
  assert.equal(secret?.beneficiary?.purpose, "");
  assert.equal(secret?.beneficiary?.displayName, "Name of 2");
  assert.equal(secret?.beneficiary?.sensitive, true);
  assert.equal(secret?.beneficiary?.registeredPosition, 2n);
  assert.equal(secret?.balances[0]?.fund, "beneficiary/fund@2");
  assert.equal(secret?.balances[0]?.availableMinor, 100n);
  assert.equal(closed?.beneficiary?.beneficiaryId, "fund@4");
  assert.equal(out.summary?.ledgerName, "Campaign for fund@2");
  assert.equal(out.summary?.generalFund[0]?.fund, "general");
  assert.equal(out.branches[0]?.branch?.branchName, "Friends of fund@2");
  assert.equal(out.branches[0]?.branch?.branchId, "unison-leeds");
});

test("list and get beneficiaries", async () => {
  const { r, u } = redactor();
  const list = await r.beneficiaries(
    create(ListBeneficiariesResponseSchema, {
      asOf: { position: 30n },
      beneficiaries: [fund(SECRET, 2n, true), fund(PUBLIC_FUND, 3n, false)].map(view),
    }),
  );
  assertClean(ListBeneficiariesResponseSchema, list);
  assert.deepEqual(list.beneficiaries.map((v) => v.beneficiary?.beneficiaryId), [PUBLIC_FUND, "fund@2"]);
  assert.equal(u.listCalls, 1, "the register is read once, before the first answer");

  // By alias: ledgerd is asked for the real id, the answer names the alias.
  const ask = await r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@2", asOf: { point: { case: "position", value: 10n } } }));
  assert.equal(ask.request.beneficiaryId, SECRET);
  assert.equal(ask.request.asOf?.point.case, "position");
  assert.equal(ask.viaAlias, true);
  const one = await r.beneficiary(create(GetBeneficiaryResponseSchema, { beneficiary: view(fund(SECRET, 2n, true)) }), ask);
  assertClean(GetBeneficiaryResponseSchema, one);
  assert.equal(one.beneficiary?.beneficiary?.beneficiaryId, "fund@2");
  assert.equal(one.beneficiary?.beneficiary?.purpose, "");
  assert.equal(one.beneficiary?.balances[0]?.fund, "beneficiary/fund@2");

  // A public fund by its id: unchanged.
  const pubAsk = await r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: PUBLIC_FUND }));
  assert.equal(pubAsk.request.beneficiaryId, PUBLIC_FUND);
  const pub = await r.beneficiary(create(GetBeneficiaryResponseSchema, { beneficiary: view(fund(PUBLIC_FUND, 3n, false)) }), pubAsk);
  assert.equal(pub.beneficiary?.beneficiary?.beneficiaryId, PUBLIC_FUND);
  assert.equal(pub.beneficiary?.beneficiary?.purpose, "purpose of 3");
});

/** What the browser gets for an error, encoded as the proxy would send it. */
function publicErrorShape(err: ConnectError) {
  const details = err.findDetails(ErrorDetailSchema);
  for (const d of details) assertClean(ErrorDetailSchema, d);
  for (const s of FORBIDDEN) assert.ok(!err.rawMessage.includes(s), err.rawMessage);
  return { code: err.code, message: err.rawMessage, details: details.map((d) => toJsonString(ErrorDetailSchema, d)) };
}

test("a sensitive fund's real id is answered exactly as a fund that does not exist", async () => {
  const { r } = redactor();
  // ledgerd's own answer for a missing id.
  const missing = r.error(
    new ConnectError('no beneficiary "nobody-here"', Code.NotFound, undefined, [
      { desc: ErrorDetailSchema, value: { reason: "UNKNOWN_BENEFICIARY", field: "beneficiary_id" } },
    ]),
  );
  const expected = publicErrorShape(missing);
  assert.equal(expected.message, "no such beneficiary", "the id asked for is not repeated");

  // The real id goes to ledgerd (same work as a missing one) ...
  const ask = await r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: SECRET }));
  assert.equal(ask.viaAlias, false);
  // ... and its answer is refused the same way.
  await assert.rejects(
    r.beneficiary(create(GetBeneficiaryResponseSchema, { beneficiary: view(fund(SECRET, 2n, true)) }), ask),
    (e: unknown) => {
      assert.deepEqual(publicErrorShape(r.error(e)), expected);
      return true;
    },
  );
  // Aliases that name no sensitive fund: a public fund's position, a closed
  // one is fine, a position with no fund, junk.
  for (const alias of ["fund@3", "fund@5", "fund@0", "fund@02", "fund@x"]) {
    await assert.rejects(r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: alias })), (e: unknown) => {
      assert.deepEqual(publicErrorShape(r.error(e)), expected, alias);
      return true;
    });
  }
  const closed = await r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@4" }));
  assert.equal(closed.request.beneficiaryId, CLOSED_SECRET);
});

test("an alias beyond the known register re-reads it, at most once a second", async () => {
  let now = 10_000;
  const { r, u } = redactor(upstream(), () => now);
  await r.summary(create(GetSummaryResponseSchema, {})); // first answer: the register is read
  assert.equal(u.listCalls, 1);
  u.register.push(fund(LATE_SECRET, 40n, true));
  u.asOf = 41n;
  now += 5000;
  const ask = await r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@40" }));
  assert.equal(ask.request.beneficiaryId, LATE_SECRET);
  assert.equal(u.listCalls, 2);
  // Within the register now: no re-read.
  await assert.rejects(r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@39" })));
  assert.equal(u.listCalls, 2);
  // Beyond it, but too soon after the last read.
  await assert.rejects(r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@99" })));
  assert.equal(u.listCalls, 2);
  now += 1000;
  await assert.rejects(r.beneficiaryRequest(create(GetBeneficiaryRequestSchema, { beneficiaryId: "fund@99" })));
  assert.equal(u.listCalls, 3);
});

test("branches: names are scrubbed of sensitive ids; nothing else changes", async () => {
  const { r } = redactor();
  const list = await r.branches(
    create(ListBranchesResponseSchema, {
      branches: [
        { branch: { branchId: "unite-bristol", unionName: "Unite", branchName: "Bristol", region: `near ${SECRET}.` }, inArrears: true },
      ],
      today: "2026-03-01",
    }),
  );
  assertClean(ListBranchesResponseSchema, list);
  assert.equal(list.branches[0]?.branch?.region, "near fund@2.");
  assert.equal(list.branches[0]?.inArrears, true);
  assert.equal(list.today, "2026-03-01");
  const one = await r.branch(create(GetBranchResponseSchema, { branch: { branch: { branchId: "unite-bristol", unionName: SECRET } } }));
  assertClean(GetBranchResponseSchema, one);
  assert.equal(one.branch?.branch?.unionName, "fund@2");
});

test("trial balance: fund accounts name aliases, sorted by public name", async () => {
  const { r } = redactor();
  const acc = (account: string, currency = "GBP") => ({ account, currency, debitsMinor: 0n, creditsMinor: 10n });
  const res = await r.trialBalance(
    create(GetTrialBalanceResponseSchema, {
      accounts: [
        acc("cash"),
        acc(`fund:beneficiary/${CLOSED_SECRET}`),
        acc(`fund:beneficiary/${SECRET}`, "KWD"),
        acc(`fund:beneficiary/${SECRET}`),
        acc(`fund:beneficiary/${PUBLIC_FUND}`),
        acc("fund:general"),
      ],
      totals: [{ currency: "GBP", debitsMinor: 50n, creditsMinor: 50n }],
      balanced: true,
    }),
  );
  assertClean(GetTrialBalanceResponseSchema, res);
  assert.deepEqual(
    res.accounts.map((a) => `${a.account} ${a.currency}`),
    [
      "cash GBP",
      "fund:beneficiary/lawyer-a GBP",
      "fund:beneficiary/fund@2 GBP",
      "fund:beneficiary/fund@2 KWD",
      "fund:beneficiary/fund@4 GBP",
      "fund:general GBP",
    ],
  );
  assert.equal(res.balanced, true);
});

test("summary, head and chain verification: free text scrubbed", async () => {
  const { r } = redactor();
  const s = await r.summary(create(GetSummaryResponseSchema, { ledgerName: SECRET, asOf: { position: 3n } }));
  assertClean(GetSummaryResponseSchema, s);
  assert.equal(s.ledgerName, "fund@2");
  const h = await r.head(create(GetHeadResponseSchema, { ledgerName: `${SECRET}'s campaign`, head: { position: 3n, hash: new Uint8Array(32).fill(0xcd) } }));
  assertClean(GetHeadResponseSchema, h);
  assert.equal(h.ledgerName, "fund@2's campaign");
  assert.equal(h.head?.hash[0], 0xcd);
  const v = await r.verify(create(VerifyChainResponseSchema, { ok: false, firstBadPosition: 7n, problem: `bad record for ${CLOSED_SECRET}` }));
  assertClean(VerifyChainResponseSchema, v);
  assert.equal(v.problem, "bad record for fund@4");
  assert.equal(v.firstBadPosition, 7n);
});

test("checkpoints: the note verbatim, unless a name in it is a sensitive id", async () => {
  const { r } = redactor();
  const note = "solidarity-ledger/00112233\n9\nAAAA\n\n— solidarity-ledger/00112233 c2ln\n— w1.example Y29zaWdu\n";
  const cp = {
    note,
    origin: "solidarity-ledger/00112233",
    treeSize: 9n,
    rootHash: new Uint8Array(32).fill(1),
    signedAtUs: 5n,
    cosignatures: [{ witness: "w1.example", keyId: 1, timestampSeconds: 6n }],
  };
  const ok = await r.checkpoint(create(GetCheckpointResponseSchema, { checkpoint: cp, witnesses: ["w1.example"] }));
  assertClean(GetCheckpointResponseSchema, ok);
  assert.equal(ok.checkpoint?.note, note, "a signed note passes unchanged");
  assert.equal(ok.checkpoint?.cosignatures[0]?.witness, "w1.example");
  const odd = note.replace("w1.example", SECRET);
  const res = await r.checkpoint(
    create(GetCheckpointResponseSchema, {
      checkpoint: { ...cp, note: odd, cosignatures: [{ witness: SECRET, keyId: 1, timestampSeconds: 6n }] },
      latestCosigned: { ...cp, note: odd },
      witnesses: [SECRET],
      verifierKey: `${SECRET}+01020304+AQID`,
    }),
  );
  assertClean(GetCheckpointResponseSchema, res);
  assert.equal(res.checkpoint?.note, "", "a note naming a sensitive fund is left out, never altered");
  assert.equal(res.latestCosigned?.note, "");
  assert.equal(res.checkpoint?.cosignatures[0]?.witness, "fund@2");
  assert.deepEqual(res.witnesses, ["fund@2"]);
  assert.equal(res.verifierKey, "");
  assert.equal(res.checkpoint?.treeSize, 9n);
});

test("free text is scrubbed of whole ids, in any case, erring on the side of replacing", async () => {
  const { r } = redactor();
  const s = await r.summary(
    create(GetSummaryResponseSchema, {
      ledgerName: `${SECRET}x, x${SECRET}, ${SECRET.toUpperCase()}, (${SECRET}), end ${SECRET}. ${SECRET}-b, ${CLOSED_SECRET}'s`,
    }),
  );
  assert.equal(
    s.ledgerName,
    `${SECRET}x, x${SECRET}, fund@2, (fund@2), end fund@2. fund@2-b, fund@4's`,
  );
});

// ------------------------------------------------------------------ events

test("events: no event id, no sensitive fund id, no personal free text", async () => {
  const { r, u } = redactor();
  const events = [
    event(2n, "evt-reg-q8z", {
      case: "beneficiaryRegistered",
      value: { beneficiaryId: SECRET, displayName: "Friend K", purpose: "bail in Yarovsk", sensitive: true } as never,
    }),
    event(5n, "evt-upd-q8z", {
      case: "beneficiaryUpdated",
      value: { beneficiaryId: SECRET, displayName: "Friend K.", purpose: "bail" } as never,
    }),
    event(6n, "evt-close-q8z", { case: "beneficiaryClosed", value: { beneficiaryId: CLOSED_SECRET, reason: "done" } as never }),
    event(7n, "evt-aff-q8z", {
      case: "branchAffiliated",
      value: { branchId: "unison-leeds", unionName: "UNISON", branchName: "Leeds", region: "Yorkshire" } as never,
    }),
    event(8n, "evt-dis-q8z", { case: "branchDisaffiliated", value: { branchId: "unison-leeds", reason: "why" } as never }),
    event(9n, "evt-fee-q8z", {
      case: "affiliationFeePaid",
      value: { branchId: "unison-leeds", amount: gbp(3000n), periods: 3, method: "bank", reference: "ref-1" } as never,
    }),
    event(28n, "evt-don-q8z", {
      case: "donationReceived",
      value: {
        amount: gbp(5000n),
        donorKind: DonorKind.INDIVIDUAL,
        donorRef: "donor-ref-17",
        earmarkBeneficiaryId: SECRET,
        method: "card",
        reference: "r-9",
      } as never,
    }),
    event(29n, "evt-don2-q8z", {
      case: "donationReceived",
      value: { amount: gbp(100n), donorKind: DonorKind.ANONYMOUS } as never,
    }),
    event(30n, "evt-alloc-q8z", { case: "fundsAllocated", value: { beneficiaryId: SECRET, amount: gbp(4000n), memo: "m" } as never }),
    event(31n, "evt-out-q8z", {
      case: "disbursementMade",
      value: { beneficiaryId: SECRET, amount: gbp(3000n), purpose: "lawyer", payee: "Av. Kaya", method: "wire", reference: "x" } as never,
    }),
    event(32n, "evt-pub-q8z", {
      case: "disbursementMade",
      value: { beneficiaryId: PUBLIC_FUND, amount: gbp(1n), purpose: "p" } as never,
    }),
    // Target in the same answer.
    event(33n, "evt-rev-q8z", {
      case: "eventReversed",
      value: { targetEventId: "evt-don-q8z", kind: ReversalKind.REFUND, amount: gbp(1000n), reason: "asked" } as never,
    }),
    // Target outside the answer: looked up upstream.
    event(34n, "evt-rev2-q8z", {
      case: "eventReversed",
      value: { targetEventId: "evt-old-q8z", kind: ReversalKind.CORRECTION, reason: "typo" } as never,
    }),
    // A target ledgerd does not know: left out.
    event(35n, "evt-rev3-q8z", {
      case: "eventReversed",
      value: { targetEventId: "evt-gone-q8z", kind: ReversalKind.DUPLICATE, reason: "dup" } as never,
    }),
  ];
  const forbidden = [
    ...FORBIDDEN,
    ...events.map((e) => e.eventId),
    "Yarovsk",
    "donor-ref-17",
    "Av. Kaya",
    "treasurer-1",
    "asked",
    "typo",
    "ref-1",
  ];
  const res = await r.events(create(ReadEventsResponseSchema, { events, nextPosition: 36n, head: { position: 35n } }));
  assertClean(ReadEventsResponseSchema, res, forbidden);
  assert.deepEqual(u.eventCalls, ["evt-old-q8z", "evt-gone-q8z"], "only targets outside the answer are looked up");

  const at = (p: bigint) => res.events.find((e) => e.position === p)!;
  const body = (p: bigint) => at(p).body!.kind;
  for (const e of res.events) {
    assert.equal(e.eventId, "");
    assert.equal(e.memo, "");
    assert.equal(e.actor, "");
    assert.equal(e.hash[0], 0xab, "hashes stay");
  }
  const reg = body(2n);
  assert.ok(reg.case === "beneficiaryRegistered");
  assert.equal(reg.value.beneficiaryId, "fund@2");
  assert.equal(reg.value.displayName, "Friend K");
  assert.equal(reg.value.purpose, "");
  assert.equal(reg.value.sensitive, true);
  const upd = body(5n);
  assert.ok(upd.case === "beneficiaryUpdated");
  assert.equal(upd.value.beneficiaryId, "fund@2");
  assert.equal(upd.value.displayName, "Friend K.");
  assert.equal(upd.value.purpose, "");
  const closed = body(6n);
  assert.ok(closed.case === "beneficiaryClosed");
  assert.equal(closed.value.beneficiaryId, "fund@4");
  const aff = body(7n);
  assert.ok(aff.case === "branchAffiliated");
  assert.equal(aff.value.branchName, "Leeds");
  const fee = body(9n);
  assert.ok(fee.case === "affiliationFeePaid");
  assert.equal(fee.value.amount?.amountMinor, 3000n);
  assert.equal(fee.value.branchId, "unison-leeds");
  const don = body(28n);
  assert.ok(don.case === "donationReceived");
  assert.equal(don.value.earmarkBeneficiaryId, "fund@2");
  assert.equal(don.value.amount?.amountMinor, 5000n);
  const don2 = body(29n);
  assert.ok(don2.case === "donationReceived");
  assert.equal(don2.value.earmarkBeneficiaryId, "", "the general fund stays empty");
  const alloc = body(30n);
  assert.ok(alloc.case === "fundsAllocated");
  assert.equal(alloc.value.beneficiaryId, "fund@2");
  const out = body(31n);
  assert.ok(out.case === "disbursementMade");
  assert.equal(out.value.beneficiaryId, "fund@2");
  assert.equal(out.value.amount?.amountMinor, 3000n);
  const pub = body(32n);
  assert.ok(pub.case === "disbursementMade");
  assert.equal(pub.value.beneficiaryId, PUBLIC_FUND);
  const rev = body(33n);
  assert.ok(rev.case === "eventReversed");
  assert.equal(rev.value.targetEventId, "event@28");
  assert.equal(rev.value.amount?.amountMinor, 1000n);
  assert.equal(rev.value.kind, ReversalKind.REFUND);
  const rev2 = body(34n);
  assert.ok(rev2.case === "eventReversed");
  assert.equal(rev2.value.targetEventId, "event@6");
  const rev3 = body(35n);
  assert.ok(rev3.case === "eventReversed");
  assert.equal(rev3.value.targetEventId, "");

  // Targets are remembered: no second look-up.
  const again = await r.events(
    create(ReadEventsResponseSchema, {
      events: [event(34n, "evt-rev2-q8z", { case: "eventReversed", value: { targetEventId: "evt-old-q8z", kind: ReversalKind.CORRECTION } as never })],
    }),
  );
  assert.equal(u.eventCalls.length, 2);
  const k = again.events[0]!.body!.kind;
  assert.ok(k.case === "eventReversed");
  assert.equal(k.value.targetEventId, "event@6");
});

test("two to sign: request events lose payee, note, reason, purpose and method; request ids become positions", async () => {
  const { r, u } = redactor();
  const events = [
    // A request on a sensitive fund, in the answer; its id is also an event id.
    event(40n, "req-k-q8z", {
      case: "disbursementRequested",
      value: {
        requestId: "req-k-q8z",
        beneficiaryId: SECRET,
        amount: gbp(3000n),
        purpose: "bail bond in Yarovsk",
        payee: "Av. Kaya",
        method: "wire",
      } as never,
    }),
    // A request on a public fund: its purpose goes too, as a disbursement's.
    event(41n, "evt-req-pub-q8z", {
      case: "disbursementRequested",
      value: { requestId: "req-pub-q8z", beneficiaryId: PUBLIC_FUND, amount: gbp(500n), purpose: "court fees", payee: "law-firm-a" } as never,
    }),
    event(42n, "evt-appr-q8z", {
      case: "disbursementApproved",
      value: { requestId: "req-k-q8z", note: "checked the invoice" } as never,
    }),
    // Its request outside the answer: looked up upstream.
    event(43n, "evt-rej-q8z", {
      case: "disbursementRejected",
      value: { requestId: "req-old-q8z", reason: "no invoice from Kaya", beneficiaryId: CLOSED_SECRET, amount: gbp(700n) } as never,
    }),
    event(44n, "evt-can-q8z", {
      case: "disbursementCancelled",
      value: { requestId: "req-pub-q8z", reason: "entered twice", beneficiaryId: PUBLIC_FUND, amount: gbp(500n) } as never,
    }),
    event(45n, "evt-paid-q8z", {
      case: "disbursementMade",
      value: { requestId: "req-k-q8z", beneficiaryId: SECRET, amount: gbp(3000n), payee: "Av. Kaya", reference: "BANK-7" } as never,
    }),
    // A request ledgerd does not know: left out.
    event(46n, "evt-appr2-q8z", { case: "disbursementApproved", value: { requestId: "req-gone-q8z" } as never }),
    event(47n, "evt-pol-q8z", {
      case: "approvalPolicySet",
      value: { defaultApprovals: 1, thresholds: [{ currency: "GBP", aboveMinor: 50000n, approvals: 2 }] } as never,
    }),
  ];
  const forbidden = [
    ...FORBIDDEN,
    ...events.map((e) => e.eventId),
    "req-k-q8z",
    "req-pub-q8z",
    "req-old-q8z",
    "req-gone-q8z",
    "Yarovsk",
    "bail bond",
    "court fees",
    "Av. Kaya",
    "law-firm-a",
    "wire",
    "checked the invoice",
    "no invoice",
    "entered twice",
    "BANK-7",
  ];
  const res = await r.events(create(ReadEventsResponseSchema, { events, nextPosition: 48n, head: { position: 47n } }));
  assertClean(ReadEventsResponseSchema, res, forbidden);
  assert.deepEqual(u.requestCalls, ["req-old-q8z", "req-gone-q8z"], "only requests outside the answer are looked up");
  assert.deepEqual(u.eventCalls, [], "request ids are not looked up as event ids");

  const body = (p: bigint) => res.events.find((e) => e.position === p)!.body!.kind;
  const req = body(40n);
  assert.ok(req.case === "disbursementRequested");
  assert.equal(req.value.requestId, "request@40");
  assert.equal(req.value.beneficiaryId, "fund@2");
  assert.equal(req.value.amount?.amountMinor, 3000n);
  assert.equal(req.value.purpose, "");
  assert.equal(req.value.payee, "");
  assert.equal(req.value.method, "");
  const pub = body(41n);
  assert.ok(pub.case === "disbursementRequested");
  assert.equal(pub.value.requestId, "request@41");
  assert.equal(pub.value.beneficiaryId, PUBLIC_FUND);
  assert.equal(pub.value.purpose, "");
  const appr = body(42n);
  assert.ok(appr.case === "disbursementApproved");
  assert.equal(appr.value.requestId, "request@40");
  assert.equal(appr.value.note, "");
  const rej = body(43n);
  assert.ok(rej.case === "disbursementRejected");
  assert.equal(rej.value.requestId, "request@12");
  assert.equal(rej.value.beneficiaryId, "fund@4");
  assert.equal(rej.value.amount?.amountMinor, 700n);
  assert.equal(rej.value.reason, "");
  const can = body(44n);
  assert.ok(can.case === "disbursementCancelled");
  assert.equal(can.value.requestId, "request@41");
  assert.equal(can.value.beneficiaryId, PUBLIC_FUND);
  assert.equal(can.value.reason, "");
  const paid = body(45n);
  assert.ok(paid.case === "disbursementMade");
  assert.equal(paid.value.requestId, "request@40");
  assert.equal(paid.value.beneficiaryId, "fund@2");
  assert.equal(paid.value.payee, "");
  assert.equal(paid.value.reference, "");
  const gone = body(46n);
  assert.ok(gone.case === "disbursementApproved");
  assert.equal(gone.value.requestId, "");
  const pol = body(47n);
  assert.ok(pol.case === "approvalPolicySet");
  assert.equal(pol.value.defaultApprovals, 1);
  assert.equal(pol.value.thresholds[0]?.aboveMinor, 50000n);
  assert.equal(pol.value.thresholds[0]?.approvals, 2);

  // Request positions are remembered: no second look-up.
  const again = await r.events(
    create(ReadEventsResponseSchema, {
      events: [event(48n, "evt-appr3-q8z", { case: "disbursementApproved", value: { requestId: "req-old-q8z" } as never })],
    }),
  );
  assert.equal(u.requestCalls.length, 2);
  const k = again.events[0]!.body!.kind;
  assert.ok(k.case === "disbursementApproved");
  assert.equal(k.value.requestId, "request@12");
});

test("a fund registered after the register was read is learnt from its registration or a re-read", async () => {
  const { r, u } = redactor();
  await r.summary(create(GetSummaryResponseSchema, {}));
  assert.equal(u.listCalls, 1);
  // From the registration event in the same answer: no re-read needed.
  const res = await r.events(
    create(ReadEventsResponseSchema, {
      events: [
        event(40n, "evt-late-q8z", {
          case: "beneficiaryRegistered",
          value: { beneficiaryId: LATE_SECRET, displayName: "Late", sensitive: true } as never,
        }),
        event(41n, "evt-late2-q8z", {
          case: "donationReceived",
          value: { amount: gbp(1n), donorKind: DonorKind.ANONYMOUS, earmarkBeneficiaryId: LATE_SECRET } as never,
        }),
      ],
    }),
  );
  assertClean(ReadEventsResponseSchema, res);
  assert.equal(u.listCalls, 1);
  const k = res.events[1]!.body!.kind;
  assert.ok(k.case === "donationReceived");
  assert.equal(k.value.earmarkBeneficiaryId, "fund@40");

  // Named without its registration: the register is read again.
  const { r: r2, u: u2 } = redactor();
  await r2.summary(create(GetSummaryResponseSchema, {}));
  u2.register.push(fund(LATE_SECRET, 40n, true));
  const tb = await r2.trialBalance(
    create(GetTrialBalanceResponseSchema, { accounts: [{ account: `fund:beneficiary/${LATE_SECRET}`, currency: "GBP" }] }),
  );
  assertClean(GetTrialBalanceResponseSchema, tb);
  assert.equal(tb.accounts[0]?.account, "fund:beneficiary/fund@40");
  assert.equal(u2.listCalls, 2);
});

test("an answer naming a fund missing from the register is refused, not passed on", async () => {
  const { r, u, logs } = redactor();
  await assert.rejects(
    r.events(
      create(ReadEventsResponseSchema, {
        events: [event(9n, "e", { case: "fundsAllocated", value: { beneficiaryId: "no-such-fund", amount: gbp(1n) } as never })],
      }),
    ),
    (e: unknown) => {
      const err = r.error(e);
      assert.equal(err.code, Code.Internal);
      assert.ok(!err.rawMessage.includes("no-such-fund"));
      return true;
    },
  );
  assert.equal(u.listCalls, 2, "read once for the first answer, once more for the unknown fund");
  assert.ok(logs.some((l) => l.includes("missing from the register")));
  // A sensitive fund without a registration position cannot have an alias: refused too.
  u.register.push(fund("no-position", 0n, true));
  await assert.rejects(
    r.beneficiaries(create(ListBeneficiariesResponseSchema, { beneficiaries: [view(fund("no-position", 0n, true))] })),
  );
});

/** Encodes `bytes` as an unknown length-delimited field `no`. */
function unknownField(no: number, payload: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(no, WireType.LengthDelimited).bytes(payload).finish();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

test("fields and event kinds this build does not know are dropped", async () => {
  const { r } = redactor();
  const secretString = new BinaryWriter().tag(1, WireType.LengthDelimited).string(SECRET).finish();
  // An event with an unknown envelope field and a body of an unknown kind,
  // as a newer ledgerd might send.
  const envelope = toBinary(EventSchema, create(EventSchema, { position: 12n, eventId: "evt-new-q8z" }));
  const newKindBody = unknownField(50, secretString);
  const bytes = concat(envelope, unknownField(99, secretString), unknownField(7, newKindBody));
  const decoded = fromBinary(EventSchema, bytes);
  assert.ok(Buffer.from(toBinary(EventSchema, decoded)).includes(Buffer.from(SECRET)), "round trip keeps unknown fields");
  const res = await r.events(create(ReadEventsResponseSchema, { events: [decoded] }));
  assertClean(ReadEventsResponseSchema, res, [...FORBIDDEN, "evt-new-q8z"]);
  assert.equal(res.events[0]?.position, 12n);
  assert.equal(res.events[0]?.body?.kind.case, undefined);

  // Unknown fields deep inside a registry answer.
  const b = fromBinary(BeneficiarySchema, concat(toBinary(BeneficiarySchema, fund(PUBLIC_FUND, 3n, false)), unknownField(77, secretString)));
  const head = fromBinary(HeadSchema, concat(toBinary(HeadSchema, create(HeadSchema, { position: 3n })), unknownField(9, secretString)));
  const list = await r.beneficiaries(create(ListBeneficiariesResponseSchema, { asOf: head, beneficiaries: [view(b)] }));
  assertClean(ListBeneficiariesResponseSchema, list);
  assert.equal(list.beneficiaries[0]?.beneficiary?.beneficiaryId, PUBLIC_FUND);
});

// ------------------------------------------------------------------ errors

test("errors: fund aliases in details and messages, no event ids, plain words for server faults", async () => {
  const { r, logs } = redactor();
  await r.summary(create(GetSummaryResponseSchema, {})); // the register is known

  const funds = r.error(
    new ConnectError(
      `insufficient funds in fund:beneficiary/${SECRET}: available 1.00 GBP, requested 2.00 GBP`,
      Code.FailedPrecondition,
      undefined,
      [
        {
          desc: ErrorDetailSchema,
          value: {
            reason: "INSUFFICIENT_FUNDS",
            fund: `beneficiary/${SECRET}`,
            available: gbp(100n),
            requested: gbp(200n),
            eventId: "evt-don-q8z",
            position: 28n,
            date: "2026-03-01",
          },
        },
      ],
    ),
  );
  publicErrorShape(funds);
  assert.equal(funds.code, Code.FailedPrecondition);
  assert.equal(funds.rawMessage, "insufficient funds in fund:beneficiary/fund@2: available 1.00 GBP, requested 2.00 GBP");
  const [d] = funds.findDetails(ErrorDetailSchema);
  assert.equal(d?.fund, "beneficiary/fund@2");
  assert.equal(d?.eventId, "");
  assert.equal(d?.position, 28n);
  assert.equal(d?.date, "2026-03-01");
  assert.equal(d?.requested?.amountMinor, 200n);

  // A fund the redactor cannot place is left out of the detail.
  const unknown = r.error(
    new ConnectError("x", Code.FailedPrecondition, undefined, [
      { desc: ErrorDetailSchema, value: { reason: "INSUFFICIENT_FUNDS", fund: "beneficiary/never-seen" } },
    ]),
  );
  assert.equal(unknown.findDetails(ErrorDetailSchema)[0]?.fund, "");
  assert.equal(
    r.error(new ConnectError("x", Code.FailedPrecondition, undefined, [{ desc: ErrorDetailSchema, value: { fund: "general" } }]))
      .findDetails(ErrorDetailSchema)[0]?.fund,
    "general",
  );

  const event = r.error(
    new ConnectError('no event "evt-gone-q8z"', Code.NotFound, undefined, [
      { desc: ErrorDetailSchema, value: { reason: "UNKNOWN_EVENT", field: "event_id", eventId: "evt-gone-q8z" } },
    ]),
  );
  publicErrorShape(event);
  assert.equal(event.rawMessage, "no such event");

  const internal = r.error(new ConnectError(`record of ${SECRET} at evt-don-q8z is damaged`, Code.DataLoss));
  publicErrorShape(internal);
  assert.equal(internal.code, Code.DataLoss);
  assert.equal(internal.rawMessage, "the ledger server could not answer (data_loss)");
  assert.ok(logs.some((l) => l.includes("is damaged")), "the operator's log keeps the text");
  assert.equal(r.error(new TypeError(`oops ${SECRET}`)).rawMessage, "the ledger server could not answer (unknown)");

  const invalid = r.error(new ConnectError('beneficiary_id: "Fund@2" is not a valid id', Code.InvalidArgument));
  assert.equal(invalid.rawMessage, 'beneficiary_id: "Fund@2" is not a valid id');
  assert.equal(r.error(new ConnectError("connect ECONNREFUSED 127.0.0.1:1", Code.Unavailable)).code, Code.Unavailable);

  // Details of other types are not passed on.
  const other = r.error(
    new ConnectError("x", Code.Aborted, undefined, [{ desc: HeadSchema, value: { position: 1n } }]),
  );
  assert.equal(other.details.length, 0);
});
